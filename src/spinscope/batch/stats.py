"""``spinscope stats``: corpus figures over a batch output folder (DuckDB); rendering in :mod:`.stats_render`.

What is counted. By default an outlet's own words: ``voice="writer"`` counts spans outside direct quotes,
per 1,000 words outside them (a union leader's quoted "thieves in suits" is not the newspaper's);
``voice="all"`` counts every word, as an article's JSON summary does. A technique span counts when the
default view draws it (``count="shown"``: the span row's ``shown``, at the batch's sensitivity, or at
``sensitivity`` when given, from ``shown_at``); ``count="all"`` counts every span the detectors found.
Spans are distinct passages per article, as the JSON summary's ``technique_spans``.

Tables (:func:`compute_stats`):

``overall`` / ``outlets``
    articles, words, technique spans, techniques per 1,000 words pooled over the articles (1000 × Σ spans /
    Σ words, so long articles weigh more) with a 95 % bootstrap interval by article (articles resampled
    within the outlet; none under two articles), the per-article rate's quartiles, opinion % (Σ the
    writer's opinion sentences / Σ the writer's sentences), quotes (direct + indirect), quotes by source
    type, claims, undated articles and the top techniques.
``periods``
    the pooled figures per outlet and period (``month`` by default: ``YYYY-MM`` of the parsed date).
``techniques``
    per outlet and technique: spans and spans per 1,000 words.
``tidy``
    one row per outlet × period × technique (zeros included): spans, articles, words, rate.
``phrases``
    the most frequent loaded phrases by technique: spans of at most five words counted by their text with
    case, spacing and edge punctuation ignored, kept when found ``min_count`` times or more.
``speakers``
    who is quoted (direct and indirect quotes with a named speaker): type, quotes, articles, outlets.

Articles without an outlet count under ``(unknown)``; without a usable date under ``(undated)``. Only
committed parts are read, so stats can run while a batch is still writing.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Literal

from spinscope.batch.folder import (
    ARTICLES_DIR,
    SPANS_DIR,
    BatchError,
    committed_parts,
    part_files,
    read_errors,
)

UNKNOWN_OUTLET = "(unknown)"
UNDATED = "(undated)"
SOURCE_TYPES = ("person", "anonymous", "organisation", "group", "unknown")
PERIODS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": "%Y-%m", "year": "%Y"}
BOOTSTRAP_SAMPLES = 2000
MAX_PHRASE_WORDS = 5
Tables = dict[str, list[dict[str, Any]]]
Count = Literal["shown", "all"]
Voice = Literal["all", "writer"]

_OUTLET = f"coalesce(nullif(trim(a.outlet), ''), '{UNKNOWN_OUTLET}')"
_EDGE = "[\\s\"“”‘’''.,;:!?()\\[\\]]+"  # edge punctuation, as a DuckDB regex inside '...' (so '' is ')


def technique_name(technique_id: str) -> str:
    """The friendly name of a technique id ("Name_Calling,Labeling" -> "Name calling / labeling")."""
    from spinscope.techniques import get_technique

    try:
        return get_technique(technique_id).name
    except KeyError:
        return technique_id


def _connect(root: Path) -> Any:
    try:
        import duckdb
    except ImportError:
        raise BatchError("spinscope stats needs duckdb: pip install 'spinscope[corpus]'") from None
    articles, span_parts = committed_parts(root)
    spans = list(span_parts.values())
    con = duckdb.connect()
    con.read_parquet([str(p) for p in articles.values()], union_by_name=True).create_view("articles")
    if spans:
        con.read_parquet([str(p) for p in spans], union_by_name=True).create_view("spans")
    else:
        con.execute(
            "CREATE VIEW spans AS SELECT NULL::VARCHAR AS article_key, NULL::VARCHAR AS layer, NULL::VARCHAR AS label,"
            ' NULL::BIGINT AS start, NULL::BIGINT AS "end", NULL::VARCHAR AS text, NULL::VARCHAR AS speaker_name,'
            " NULL::VARCHAR AS speaker_type, NULL::BOOLEAN AS shown, NULL::VARCHAR AS shown_at,"
            " NULL::VARCHAR AS voice_of WHERE false"
        )
    for view, column in (("articles", "writer_word_count"), ("spans", "voice_of")):
        names = {row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()}
        if column not in names:  # parts from an older spinscope without batch.json
            raise BatchError(f"{root}: its {view} parts lack {column!r} (an older spinscope wrote them): rerun batch")
    return con


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _span_filter(count: Count, voice: Voice, sensitivity: str | None) -> str:
    """The SQL condition on a technique span row ``s`` for what is counted."""
    conditions = ["s.layer = 'technique'"]
    if count == "shown":
        if sensitivity is None:
            conditions.append("coalesce(s.shown, false)")
        else:
            from spinscope.calibration import SENSITIVITIES, check_sensitivity

            check_sensitivity(sensitivity)
            levels = ", ".join(f"'{s}'" for s in SENSITIVITIES[: SENSITIVITIES.index(sensitivity) + 1])
            conditions.append(f"s.shown_at IN ({levels})")
    elif count != "all":
        raise ValueError(f"unknown count {count!r}: use 'shown' or 'all'")
    if voice == "writer":
        conditions.append("s.voice_of = 'writer'")
    elif voice != "all":
        raise ValueError(f"unknown voice {voice!r}: use 'all' or 'writer'")
    return " AND ".join(conditions)


def _bootstrap(spans: Any, words: Any, rng: Any, samples: int) -> tuple[float, float] | tuple[None, None]:
    """95 % percentile interval of 1000 × Σ spans / Σ words with the articles resampled (None under 2)."""
    import numpy as np

    n = len(words)
    if n < 2 or not words.sum():
        return None, None
    values = []
    step = max(1, 2_000_000 // n)  # resamples per round: bounds memory on large outlets
    for done in range(0, samples, step):
        index = rng.integers(0, n, size=(min(step, samples - done), n))
        w = words[index].sum(axis=1)
        values.append(np.where(w > 0, 1000.0 * spans[index].sum(axis=1) / np.maximum(w, 1), 0.0))
    low, high = np.percentile(np.concatenate(values), [2.5, 97.5])
    return round(float(low), 2), round(float(high), 2)


def _spread(articles: list[dict[str, Any]], group: str, rng: Any, samples: int) -> dict[Any, dict[str, Any]]:
    """Per group: the bootstrap interval of the pooled rate and the quartiles of the per-article rate."""
    import numpy as np

    by_group: dict[Any, list[dict[str, Any]]] = {}
    for row in articles:
        by_group.setdefault(row[group] if group else None, []).append(row)
    result = {}
    for name in sorted(by_group, key=str):
        rows = by_group[name]
        spans = np.array([r["spans"] for r in rows], dtype=float)
        words = np.array([r["words"] for r in rows], dtype=float)
        low, high = _bootstrap(spans, words, rng, samples)
        rates = [1000.0 * s / w for s, w in zip(spans, words, strict=True) if w > 0]
        p25, median, p75 = (round(float(v), 2) for v in np.percentile(rates, [25, 50, 75])) if rates else (0, 0, 0)
        result[name] = {
            "ci_low": low,
            "ci_high": high,
            "article_p25": p25,
            "article_median": median,
            "article_p75": p75,
        }
    return result


def _top(counts: list[dict[str, Any]], keys: tuple[str, ...], n: int) -> dict[tuple, str]:
    """'Technique (count), ...' for each group, the n most frequent (ties by name), with friendly names."""
    grouped: dict[tuple, list[tuple[int, str]]] = {}
    for row in counts:
        grouped.setdefault(tuple(row[k] for k in keys), []).append((row["spans"], technique_name(row["technique"])))
    return {
        group: ", ".join(f"{t} ({c})" for c, t in sorted(items, key=lambda x: (-x[0], x[1]))[:n])
        for group, items in grouped.items()
    }


def _phrases(con: Any, technique_rows: str, top: int, min_count: int) -> list[dict[str, Any]]:
    """Loaded phrases: short spans (MAX_PHRASE_WORDS words at most) counted by their normalised form (case,
    spacing and edge punctuation ignored), found ``min_count`` times at least, shown as most often written."""
    grouped = _rows(
        con,
        f"""
        SELECT technique, lower(form) AS norm, list(form) AS forms, count(*) AS spans,
               count(DISTINCT key) AS articles, count(DISTINCT outlet) AS outlets
        FROM (
            SELECT technique, key, outlet,
                   regexp_replace(regexp_replace(text, '^{_EDGE}|{_EDGE}$', '', 'g'), '\\s+', ' ', 'g') AS form
            FROM ({technique_rows})
        )
        WHERE form <> '' AND len(string_split(form, ' ')) <= {MAX_PHRASE_WORDS}
        GROUP BY 1, 2 HAVING count(*) >= {int(min_count)}
        """,
    )
    by_technique: dict[str, list[dict[str, Any]]] = {}
    for row in grouped:
        counts = Counter(row.pop("forms"))
        # the commonest spelling; on a tie the one written mid-sentence (lower-case start), not in capitals
        row["phrase"] = min(counts, key=lambda f: (-counts[f], f[:1].isupper(), f.isupper(), f))
        by_technique.setdefault(row["technique"], []).append(row)
    result = []
    for technique in sorted(by_technique):
        rows = sorted(by_technique[technique], key=lambda r: (-r["spans"], r["norm"]))[:top]
        for r in rows:
            result.append(
                {"technique": technique_name(technique), "technique_id": technique}
                | {k: r[k] for k in ("phrase", "spans", "articles", "outlets")}
            )
    return result


def _speakers(con: Any) -> list[dict[str, Any]]:
    """Who is quoted: named speakers of direct and indirect quotes, grouped by name (case and spacing
    ignored), with the commonest spelling and type, and the outlets quoting them (most quotes first)."""
    rows = _rows(
        con,
        f"""
        SELECT lower(regexp_replace(trim(s.speaker_name), '\\s+', ' ', 'g')) AS norm, s.speaker_name AS name,
               coalesce(s.speaker_type, 'unknown') AS type, s.article_key AS key, {_OUTLET} AS outlet
        FROM spans s JOIN articles a ON s.article_key = a.key
        WHERE s.layer = 'quote' AND s.label IN ('direct', 'indirect') AND nullif(trim(s.speaker_name), '') IS NOT NULL
        """,
    )
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["norm"], []).append(row)
    result = []
    for items in grouped.values():
        names = Counter(" ".join(r["name"].split()) for r in items)
        outlets = Counter(r["outlet"] for r in items)
        result.append(
            {
                "speaker": min(names, key=lambda n: (-names[n], n)),
                "type": Counter(r["type"] for r in items).most_common(1)[0][0],
                "quotes": len(items),
                "articles": len({r["key"] for r in items}),
                "outlets": len(outlets),
                "quoted_by": ", ".join(f"{o} ({c})" for o, c in sorted(outlets.items(), key=lambda x: (-x[1], x[0]))),
            }
        )
    return sorted(result, key=lambda r: (-r["quotes"], -r["outlets"], r["speaker"]))


def _figures(words: str) -> str:
    return f"""
    count(*) AS articles,
    sum({words}) AS words,
    sum(coalesce(t.spans, 0)) AS technique_spans,
    round(1000.0 * sum(coalesce(t.spans, 0)) / nullif(sum({words}), 0), 2) AS techniques_per_1000_words,
    round(100.0 * sum(a.opinion_sentences) / nullif(sum(a.writer_sentences), 0), 1) AS opinion_pct,
    sum(a.quotes_direct + a.quotes_indirect) AS quotes,
    {", ".join(f"sum(a.sources_{kind}) AS sources_{kind}" for kind in SOURCE_TYPES)},
    sum(a.claim_count) AS claims,
    count(*) FILTER (WHERE a.date_parsed IS NULL) AS undated
    """


def compute_stats(
    outdir: str | Path,
    *,
    count: Count = "shown",
    voice: Voice = "writer",
    sensitivity: str | None = None,
    period: str = "month",
    top_techniques: int = 3,
    top_phrases: int = 5,
    min_count: int = 2,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> Tables:
    """The corpus tables of a batch folder (see the module docstring); ``seed`` makes the intervals repeatable;
    :class:`BatchError` naming the file when a part cannot be read."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}: use one of {', '.join(PERIODS)}")
    try:
        import duckdb
    except ImportError:
        raise BatchError("spinscope stats needs duckdb: pip install 'spinscope[corpus]'") from None
    root = Path(outdir)
    options = {"count": count, "voice": voice, "sensitivity": sensitivity, "period": period}
    sizes = {"top_techniques": top_techniques, "top_phrases": top_phrases, "min_count": min_count}
    try:
        return _compute(root, **options, **sizes, samples=samples, seed=seed)
    except duckdb.Error as error:  # a damaged part: say which, and how to repair it
        from spinscope.batch.integrity import find_damaged

        damaged = find_damaged(part_files(root / ARTICLES_DIR), part_files(root / SPANS_DIR))
        what = str(damaged) if damaged is not None else f"{root}: {' '.join(str(error).split())}"
        raise BatchError(
            f"{what}; rerun the `spinscope batch` command that wrote {root}: it sets damaged parts aside and "
            "analyses their articles again"
        ) from None


def _compute(
    root: Path,
    *,
    count: Count,
    voice: Voice,
    sensitivity: str | None,
    period: str,
    top_techniques: int,
    top_phrases: int,
    min_count: int,
    samples: int,
    seed: int,
) -> Tables:
    import numpy as np

    con = _connect(root)
    words = "a.writer_word_count" if voice == "writer" else "a.word_count"
    when = f"coalesce(strftime(a.date_parsed, '{PERIODS[period]}'), '{UNDATED}')"
    technique_rows = f"""
        SELECT {_OUTLET} AS outlet, {when} AS period, s.label AS technique, s.text AS text, a.key AS key,
               s.start AS start, s."end" AS "end"
        FROM spans s JOIN articles a ON s.article_key = a.key
        WHERE {_span_filter(count, voice, sensitivity)}
    """
    # distinct passages per article (one passage may carry several labels when every span is counted)
    per_article = f"""articles a LEFT JOIN (
        SELECT key, count(DISTINCT (start, "end")) AS spans FROM ({technique_rows}) GROUP BY key
    ) t ON t.key = a.key"""
    try:
        overall = _rows(con, f"SELECT {_figures(words)} FROM {per_article}")
        outlets = _rows(con, f"SELECT {_OUTLET} AS outlet, {_figures(words)} FROM {per_article} GROUP BY 1 ORDER BY 1")
        periods = _rows(
            con,
            f"SELECT {_OUTLET} AS outlet, {when} AS period, {_figures(words)} FROM {per_article} "
            "GROUP BY 1, 2 ORDER BY 1, 2",
        )
        articles = _rows(
            con, f"SELECT {_OUTLET} AS outlet, {words} AS words, coalesce(t.spans, 0) AS spans FROM {per_article}"
        )
        by_outlet = _rows(
            con,
            f"SELECT outlet, technique, count(*) AS spans FROM ({technique_rows}) GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
        )
        by_period = _rows(
            con,
            f"SELECT outlet, period, technique, count(*) AS spans, count(DISTINCT key) AS articles "
            f"FROM ({technique_rows}) GROUP BY 1, 2, 3",
        )
        phrases = _phrases(con, technique_rows, top_phrases, min_count)
        batch_sensitivity = ", ".join(
            str(r[0]) for r in con.execute("SELECT DISTINCT sensitivity FROM articles ORDER BY 1").fetchall()
        )
        speakers = _speakers(con)
    finally:
        con.close()

    rng = np.random.default_rng(seed)
    for table, group in ((overall, ""), (outlets, "outlet")):
        spread = _spread(articles, group, rng, samples)
        for i, row in enumerate(table):
            figures = spread.get(row.get(group) if group else None, {})
            # the rate's interval and spread beside it, before the other figures
            names = list(row)
            at = names.index("techniques_per_1000_words") + 1
            table[i] = {k: row[k] for k in names[:at]} | figures | {k: row[k] for k in names[at:]}
    outlet_words = {row["outlet"]: row["words"] for row in outlets}
    techniques = [
        {
            "outlet": row["outlet"],
            "technique": technique_name(row["technique"]),
            "technique_id": row["technique"],
            "spans": row["spans"],
            "per_1000_words": round(1000.0 * row["spans"] / outlet_words[row["outlet"]], 2)
            if outlet_words[row["outlet"]]
            else 0.0,
        }
        for row in by_outlet
    ]
    tops = _top(by_outlet, ("outlet",), top_techniques)
    for row in outlets:
        row["top_techniques"] = tops.get((row["outlet"],), "")
    tops = _top(by_period, ("outlet", "period"), top_techniques)
    for row in periods:
        row["top_techniques"] = tops.get((row["outlet"], row["period"]), "")
    totals: Counter[str] = Counter()
    for row in by_outlet:
        totals[row["technique"]] += row["spans"]
    for row in overall:
        row["top_techniques"] = _top([{"technique": t, "spans": c} for t, c in totals.items()], (), top_techniques).get(
            (), ""
        )
        row["errors"] = len({e["key"] for e in read_errors(root)})
    for table in (overall, outlets, periods):
        for row in table:
            for name, value in row.items():
                if value is None and name not in ("top_techniques", "ci_low", "ci_high"):
                    row[name] = 0
    counted = {
        "spans": "every span found" if count == "all" else f"spans shown at {sensitivity or batch_sensitivity}",
        "voice": "the writer's own words (outside direct quotes)" if voice == "writer" else "every word",
        "period": period,
        "interval": f"95% bootstrap by article, {samples} resamples, seed {seed}",
    }
    return {
        "counted": [counted],
        "overall": overall,
        "outlets": outlets,
        "periods": periods,
        "techniques": techniques,
        "tidy": _tidy(periods, by_period, sorted(totals)),
        "phrases": phrases,
        "speakers": speakers,
    }


def _tidy(periods: list[dict[str, Any]], counts: list[dict[str, Any]], techniques: list[str]) -> list[dict[str, Any]]:
    """outlet × period × technique, a row for every technique in every outlet's period (0 where none)."""
    found = {(r["outlet"], r["period"], r["technique"]): r for r in counts}
    rows = []
    for group in periods:
        for technique in techniques:
            hit = found.get((group["outlet"], group["period"], technique), {})
            spans = hit.get("spans", 0)
            rows.append(
                {
                    "outlet": group["outlet"],
                    "period": group["period"],
                    "technique": technique_name(technique),
                    "technique_id": technique,
                    "spans": spans,
                    "articles_with": hit.get("articles", 0),
                    "articles": group["articles"],
                    "words": group["words"],
                    "per_1000_words": round(1000.0 * spans / group["words"], 2) if group["words"] else 0.0,
                }
            )
    return rows


def __getattr__(name: str) -> Any:
    """The rendering functions, re-exported (``spinscope.batch.stats.print_tables`` and so on)."""
    from spinscope.batch import stats_render

    if name in stats_render.__all__:
        return getattr(stats_render, name)
    raise AttributeError(name)


__all__ = ["PERIODS", "UNDATED", "UNKNOWN_OUTLET", "compute_stats", "technique_name"]
