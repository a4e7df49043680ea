"""``spinscope stats``: corpus figures over a batch output folder (DuckDB), as tables, CSV, JSON and plots.

Tables (:func:`compute_stats`), all pooled over articles (a ratio of sums, so long
articles weigh more than short ones):

``overall`` / ``outlets`` / ``months`` (per outlet and month, ``YYYY-MM`` from ``date``)
    articles, words, technique spans, techniques per 1,000 words
    (1000 × Σ technique_spans / Σ word_count, the per-article figure's definition),
    opinion share (Σ opinion sentences / Σ writer sentences), quotes (direct +
    indirect), quotes by source type (person, anonymous, organisation, group,
    unknown), claims, and the top techniques.
``techniques``
    per outlet and technique: spans and spans per 1,000 words.
``phrases``
    the most frequent loaded phrases by technique (count, articles, outlets): technique
    spans of at most five words, counted by their text with case, spacing and edge
    punctuation ignored, kept when found twice or more, shown as most often written.

Articles without an outlet count under ``(unknown)``; without a usable date under
``(undated)``. Only committed parts are read, so stats can run while a batch is
still writing.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from spinscope.batch.output import ARTICLES_DIR, SPANS_DIR, BatchError, part_files, read_errors

UNKNOWN_OUTLET = "(unknown)"
UNDATED = "(undated)"
SOURCE_TYPES = ("person", "anonymous", "organisation", "group", "unknown")
Tables = dict[str, list[dict[str, Any]]]

_OUTLET = f"coalesce(nullif(trim(a.outlet), ''), '{UNKNOWN_OUTLET}')"
_MONTH = (
    "CASE WHEN regexp_full_match(substr(trim(a.date), 1, 7), '[0-9]{4}-[0-9]{2}') "
    f"THEN substr(trim(a.date), 1, 7) ELSE '{UNDATED}' END"
)
_FIGURES = f"""
    count(*) AS articles,
    sum(a.word_count) AS words,
    sum(a.technique_spans) AS technique_spans,
    round(1000.0 * sum(a.technique_spans) / nullif(sum(a.word_count), 0), 2) AS techniques_per_1000_words,
    round(sum(a.opinion_sentences)::DOUBLE / nullif(sum(a.writer_sentences), 0), 4) AS opinion_share,
    sum(a.quotes_direct + a.quotes_indirect) AS quotes,
    {", ".join(f"sum(a.sources_{kind}) AS sources_{kind}" for kind in SOURCE_TYPES)},
    sum(a.claim_count) AS claims
"""


def _connect(root: Path) -> Any:
    try:
        import duckdb
    except ImportError:
        raise BatchError("spinscope stats needs duckdb: pip install 'spinscope[corpus]'") from None
    articles = part_files(root / ARTICLES_DIR)
    if not articles:
        raise BatchError(f"{root}: no articles/part-*.parquet files (is this a spinscope batch folder?)")
    spans = [path for number, path in part_files(root / SPANS_DIR).items() if number in articles]
    con = duckdb.connect()
    con.read_parquet([str(p) for p in articles.values()]).create_view("articles")
    if spans:
        con.read_parquet([str(p) for p in spans]).create_view("spans")
    else:
        con.execute(
            "CREATE VIEW spans AS SELECT NULL::VARCHAR AS article_key, NULL::VARCHAR AS layer, "
            "NULL::VARCHAR AS label, NULL::VARCHAR AS text WHERE false"
        )
    return con


def _rows(con: Any, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _top(counts: list[dict[str, Any]], keys: tuple[str, ...], n: int) -> dict[tuple, str]:
    """'Technique (count), ...' for each group, the n most frequent (ties by id)."""
    grouped: dict[tuple, list[tuple[int, str]]] = {}
    for row in counts:
        grouped.setdefault(tuple(row[k] for k in keys), []).append((row["spans"], row["technique"]))
    return {
        group: ", ".join(f"{t} ({c})" for c, t in sorted(items, key=lambda x: (-x[0], x[1]))[:n])
        for group, items in grouped.items()
    }


MAX_PHRASE_WORDS = 5
MIN_PHRASE_SPANS = 2
_EDGE = "[\\s\"“”‘’''.,;:!?()\\[\\]]+"  # edge punctuation, as a DuckDB regex inside '...' (so '' is ')


def _phrases(con: Any, technique_rows: str, top: int) -> list[dict[str, Any]]:
    """Loaded phrases: short spans (MAX_PHRASE_WORDS words at most) counted by their normalised form (case,
    spacing and edge punctuation ignored), found MIN_PHRASE_SPANS times at least, shown as most often written."""
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
        GROUP BY 1, 2 HAVING count(*) >= {MIN_PHRASE_SPANS}
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
        result += [{k: r[k] for k in ("technique", "phrase", "spans", "articles", "outlets")} for r in rows]
    return result


def compute_stats(outdir: str | Path, *, top_techniques: int = 3, top_phrases: int = 5) -> Tables:
    """The corpus tables of a batch folder (see the module docstring)."""
    root = Path(outdir)
    con = _connect(root)
    try:
        technique_rows = f"""
            SELECT {_OUTLET} AS outlet, {_MONTH} AS month, s.label AS technique, s.text AS text, a.key AS key
            FROM spans s JOIN articles a ON s.article_key = a.key
            WHERE s.layer = 'technique'
        """
        overall = _rows(con, f"SELECT {_FIGURES} FROM articles a")
        outlets = _rows(con, f"SELECT {_OUTLET} AS outlet, {_FIGURES} FROM articles a GROUP BY 1 ORDER BY 1")
        months = _rows(
            con,
            f"SELECT {_OUTLET} AS outlet, {_MONTH} AS month, {_FIGURES} FROM articles a GROUP BY 1, 2 ORDER BY 1, 2",
        )
        words = {row["outlet"]: row["words"] for row in outlets}
        by_outlet = _rows(
            con,
            f"SELECT outlet, technique, count(*) AS spans FROM ({technique_rows}) GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2",
        )
        for row in by_outlet:
            row["per_1000_words"] = (
                round(1000.0 * row["spans"] / words[row["outlet"]], 2) if words[row["outlet"]] else 0.0
            )
        by_month = _rows(
            con, f"SELECT outlet, month, technique, count(*) AS spans FROM ({technique_rows}) GROUP BY 1, 2, 3"
        )
        by_all = _rows(con, f"SELECT technique, count(*) AS spans FROM ({technique_rows}) GROUP BY 1")
        phrases = _phrases(con, technique_rows, top_phrases)
    finally:
        con.close()
    tops = _top(by_outlet, ("outlet",), top_techniques)
    for row in outlets:
        row["top_techniques"] = tops.get((row["outlet"],), "")
    tops = _top(by_month, ("outlet", "month"), top_techniques)
    for row in months:
        row["top_techniques"] = tops.get((row["outlet"], row["month"]), "")
    for row in overall:
        row["top_techniques"] = _top(by_all, (), top_techniques).get((), "")
        row["errors"] = len({e["key"] for e in read_errors(root)})
    for table in (overall, outlets, months):
        for row in table:
            for name, value in row.items():
                if value is None and name != "top_techniques":
                    row[name] = 0
    return {"overall": overall, "outlets": outlets, "months": months, "techniques": by_outlet, "phrases": phrases}


# ---- text outputs ---------------------------------------------------------------------

TITLES = {
    "overall": "All articles",
    "outlets": "Per outlet",
    "months": "Per outlet and month",
    "techniques": "Techniques per outlet",
    "phrases": "Most frequent loaded phrases, by technique",
}
_SHORT = {
    "techniques_per_1000_words": "tech/1k words",
    "opinion_share": "opinion",
    "technique_spans": "tech spans",
    "sources_person": "src person",
    "sources_anonymous": "src anon",
    "sources_organisation": "src org",
    "sources_group": "src group",
    "sources_unknown": "src ?",
    "top_techniques": "top techniques",
    "per_1000_words": "per 1k words",
}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
    return "" if value is None else str(value)


TERMINAL_HIDDEN = {"outlets": {"words", "technique_spans"}, "months": {"words", "technique_spans", "claims"}}
"""Columns left out of the terminal tables to keep them narrow (CSV, JSON and HTML have them all)."""
DROP_FIRST = (
    "sources_unknown",
    "sources_group",
    "sources_organisation",
    "sources_anonymous",
    "sources_person",
    "errors",
    "words",
    "technique_spans",
    "quotes",
    "outlets",
    "articles",
    "claims",
    "top_techniques",
)
"""Columns dropped, in this order, when a table is still wider than the terminal: numbers are never cut."""
TEXT_MIN_WIDTH = {"outlet": 12, "top_techniques": 16, "phrase": 16, "technique": 14, "month": 7}


def _min_width(column: str, rows: list[dict[str, Any]]) -> int:
    """The narrowest the column may get: a number's full width, a text column's TEXT_MIN_WIDTH (it wraps);
    never narrower than the longest word of its header (headers wrap between words)."""
    cells = [_cell(row[column]) for row in rows]
    header = max((len(word) for word in _SHORT.get(column, column).split()), default=1)
    if rows and isinstance(rows[0][column], int | float):
        return max(header, *(len(c) for c in cells))
    return max(header, min(max((len(c) for c in cells), default=1), TEXT_MIN_WIDTH.get(column, 10)))


def _max_width(column: str, rows: list[dict[str, Any]]) -> int:
    return max(len(_SHORT.get(column, column)), *(len(_cell(row[column])) for row in rows))


def _widths(columns: list[str], rows: list[dict[str, Any]], room: int) -> list[int]:
    """Column widths that fit ``room`` characters of content: each column's minimum, then the space left
    shared out, a character at a time, to the columns still below their natural width."""
    widths = [_min_width(c, rows) for c in columns]
    wanted = [_max_width(c, rows) for c in columns]
    spare = room - sum(widths)
    while spare > 0 and any(w < m for w, m in zip(widths, wanted, strict=True)):
        for i, (w, m) in enumerate(zip(widths, wanted, strict=True)):
            if spare and w < m:
                widths[i] += 1
                spare -= 1
    return widths


def _table(name: str, rows: list[dict[str, Any]], columns: list[str], width: int) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=TITLES.get(name, name), title_justify="left", header_style="bold")
    # Fixed widths: rich itself would squeeze every column evenly when a table is too wide, cutting numbers.
    for column, size in zip(columns, _widths(columns, rows, width - 3 * len(columns) - 1), strict=True):
        numeric = bool(rows) and isinstance(rows[0][column], int | float)
        table.add_column(
            Text(_SHORT.get(column, column)), justify="right" if numeric else "left", overflow="fold", width=size
        )
    for row in rows:
        table.add_row(*(Text(_cell(row[c])) for c in columns))
    return table


def print_tables(tables: Tables, console: Any) -> None:
    """The tables as rich tables that fit the console: text columns and headers wrap, numbers are never cut;
    when a table cannot fit, the columns of DROP_FIRST go first and a line says which were left out."""
    from rich.text import Text

    for name, rows in tables.items():
        hidden = TERMINAL_HIDDEN.get(name, set())
        columns = [column for column in (rows[0] if rows else []) if column not in hidden]
        dropped: list[str] = []

        for column in DROP_FIRST:
            # each column's minimum, one space of padding either side, and the rules between columns
            if sum(_min_width(c, rows) + 3 for c in columns) + 1 <= console.width:
                break
            if column in columns and len(columns) > 1:
                columns.remove(column)
                dropped.append(column)
        console.print(_table(name, rows, columns, console.width))
        if dropped:
            left_out = ", ".join(_SHORT.get(c, c) for c in dropped)
            console.print(Text(f"  (too wide for this terminal: {left_out} left out; --format csv or json has them)"))


def to_csv(tables: Tables) -> str:
    """Every table as CSV, one after another, each under a ``# <table>`` line and separated by a blank line."""
    buffer = io.StringIO()
    for i, (name, rows) in enumerate(tables.items()):
        if i:
            buffer.write("\n")
        buffer.write(f"# {name}\n")
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return buffer.getvalue()


def to_json(tables: Tables) -> str:
    return json.dumps(tables, indent=2, ensure_ascii=False, default=str) + "\n"


# ---- plots -----------------------------------------------------------------------------


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _technique_name(technique_id: str) -> str:
    from spinscope.techniques import get_technique

    try:
        return get_technique(technique_id).name
    except KeyError:
        return technique_id


def plot_technique_profile(tables: Tables, path: Path) -> Path:
    """Grouped horizontal bars: techniques per 1,000 words, one bar per outlet, for each technique."""
    import numpy as np

    rows = tables["techniques"]
    outlets = [row["outlet"] for row in tables["outlets"]]
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["technique"]] = totals.get(row["technique"], 0) + row["spans"]
    techniques = sorted(totals, key=lambda t: (totals[t], t))  # most frequent at the top
    value = {(row["outlet"], row["technique"]): row["per_1000_words"] for row in rows}
    figure = _figure(9, max(3.0, 0.5 * len(techniques) * max(1, len(outlets)) ** 0.5 + 1.5))
    axes = figure.add_subplot()
    if techniques:
        height = 0.8 / max(len(outlets), 1)
        base = np.arange(len(techniques))
        for i, outlet in enumerate(outlets):
            values = [value.get((outlet, t), 0.0) for t in techniques]
            # The first outlet on top of each group, as in the legend.
            axes.barh(base - (i - (len(outlets) - 1) / 2) * height, values, height=height, label=outlet)
        axes.set_yticks(base, [_technique_name(t) for t in techniques])
        axes.legend(title="outlet", loc="best", fontsize="small")
    else:
        axes.text(0.5, 0.5, "no technique spans", ha="center", va="center", transform=axes.transAxes)
    axes.set_xlabel("technique spans per 1,000 words")
    axes.set_title("Technique profile per outlet")
    axes.grid(axis="x", alpha=0.3)
    figure.savefig(path)
    return path


def _month_start(month: str) -> Any:
    import datetime

    year, number = month.split("-")
    return datetime.date(int(year), int(number), 1)


def trend_series(tables: Tables) -> tuple[list[str], dict[str, list[dict[str, Any] | None]]]:
    """Every calendar month from the first dated one to the last, and per outlet its row for each month
    (``None`` where the outlet has no article that month: a gap, not a line across it)."""
    rows = [row for row in tables["months"] if row["month"] != UNDATED]
    if not rows:
        return [], {}
    first, last = _month_start(min(r["month"] for r in rows)), _month_start(max(r["month"] for r in rows))
    months = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    series = {}
    for outlet in sorted({row["outlet"] for row in rows}):
        mine = {row["month"]: row for row in rows if row["outlet"] == outlet}
        series[outlet] = [mine.get(month) for month in months]
    return months, series


def trend_figure(tables: Tables) -> Any:
    """The trend plot: techniques per 1,000 words and opinion share per outlet on a real time axis (points
    at mid-month, lines broken where an outlet has no articles), marker area and a label giving the
    articles behind each point, a strip of article counts per month, and a caption."""
    import datetime
    import math

    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    months, series = trend_series(tables)
    figure = _figure(9, 7.5)
    top, middle, bottom = figure.subplots(3, 1, sharex=True, height_ratios=[3, 3, 1.4])
    dates = [_month_start(m) + datetime.timedelta(days=14) for m in months]
    undated = sum(row["articles"] for row in tables["months"] if row["month"] == UNDATED)
    colours = {outlet: f"C{i % 10}" for i, outlet in enumerate(series)}
    width = 27 / max(1, len(series))
    for k, (outlet, rows) in enumerate(series.items()):
        for axes, field in ((top, "techniques_per_1000_words"), (middle, "opinion_share")):
            values = [math.nan if row is None else float(row[field]) for row in rows]
            axes.plot(dates, values, color=colours[outlet], linewidth=1.5, label=outlet)  # NaN breaks the line
            points = [(d, v, row["articles"]) for d, v, row in zip(dates, values, rows, strict=True) if row]
            axes.scatter(
                [d for d, _, _ in points],
                [v for _, v, _ in points],
                s=[18 + 14 * n for _, _, n in points],
                color=colours[outlet],
                zorder=3,
            )
            if axes is top:
                for d, v, n in points:
                    axes.annotate(f"n={n}", (d, v), textcoords="offset points", xytext=(4, 6), fontsize=7)
        offsets = [d + datetime.timedelta(days=(k - (len(series) - 1) / 2) * width) for d in dates]
        bottom.bar(offsets, [0 if row is None else row["articles"] for row in rows], width=width, color=colours[outlet])
    top.set_ylabel("technique spans\nper 1,000 words")
    top.set_title("Trend over time, per outlet")
    middle.set_ylabel("share of the writer's\nsentences that are opinion")
    bottom.set_ylabel("articles")
    for axes in (top, middle, bottom):
        axes.grid(alpha=0.3)
        axes.set_ylim(bottom=0)
    if series:
        locator = AutoDateLocator()
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        top.legend(title="outlet", fontsize="small")
    else:
        top.text(0.5, 0.5, "no dated articles", ha="center", va="center", transform=top.transAxes)
    caption = (
        "Each point pools one outlet's articles in one month (n = articles; marker area grows with n). "
        "A break in a line is a month without articles from that outlet; the bars count articles per month."
        + (f" {undated} undated articles are not shown." if undated else "")
    )
    figure.text(0.01, 0.0, caption, fontsize=8, wrap=True, va="bottom")
    figure.get_layout_engine().set(rect=(0, 0.06, 1, 0.94))
    return figure


def plot_trend(tables: Tables, path: Path) -> Path:
    """Write :func:`trend_figure` as a PNG."""
    trend_figure(tables).savefig(path)
    return path


def _html_table(name: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"<h2>{html.escape(TITLES.get(name, name))}</h2><p>(none)</p>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(_SHORT.get(c, c))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if isinstance(row[c], int | float) else ""}">{html.escape(_cell(row[c]))}</td>'
            for c in columns
        )
        + "</tr>"
        for row in rows
    )
    return f"<h2>{html.escape(TITLES.get(name, name))}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(tables: Tables, folder: str | Path, *, title: str = "spinscope corpus statistics") -> dict[str, Path]:
    """Write ``technique_profile.png``, ``trend.png`` and a self-contained ``report.html`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images = {
        "technique_profile": plot_technique_profile(tables, folder / "technique_profile.png"),
        "trend": plot_trend(tables, folder / "trend.png"),
    }
    figures = "".join(
        f'<figure><img alt="{name}" src="data:image/png;base64,'
        f'{base64.b64encode(path.read_bytes()).decode("ascii")}"></figure>'
        for name, path in images.items()
    )
    tables_html = "".join(_html_table(name, rows) for name, rows in tables.items())
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; margin: 0 0 1.5rem; font-size: 13px; }}
th, td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f4f4f4; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }} figure {{ margin: 1rem 0; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Pooled figures: techniques per 1,000 words = 1000 × technique spans / words; opinion share = opinion
sentences / the writer's sentences; quotes by source type count direct and indirect quotes.</p>
{figures}
{tables_html}
</body></html>
"""
    report = folder / "report.html"
    report.write_text(page, encoding="utf-8")
    return {**images, "report": report}


__all__ = [
    "compute_stats",
    "plot_technique_profile",
    "plot_trend",
    "print_tables",
    "to_csv",
    "to_json",
    "trend_figure",
    "trend_series",
    "write_report",
]
