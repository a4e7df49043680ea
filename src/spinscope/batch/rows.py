"""The rows a batch writes: the Parquet schemas and :func:`analysis_rows` (the same for both runners).

``articles`` has one row per article: its metadata (``date`` as written, ``date_parsed`` the calendar date it
names), the summary's figures at the batch's ``sensitivity`` (technique figures count what the default view
shows; ``writer_*`` figures only the writer's own words, outside direct quotes) and the analysis JSON.
``spans`` has one row per technique span, sentence, quote and claim; technique rows carry the span's
confidences, whose words they are (``voice_of``) and which views draw it (``shown``, ``shown_at``).
"""

from __future__ import annotations

import json
from typing import Any

from spinscope.document import Analysis

SPEAKER_TYPES = ("person", "anonymous", "organisation", "group", "document", "unknown")
QUOTE_KINDS = ("direct", "indirect", "scare")
TECHNIQUE_FIELDS = (
    "detector",
    "persuasion",
    "confidence",
    "label_confidence",
    "voice_of",
    "shown",
    "shown_at",
    "alternative",
)


def _schemas() -> tuple[Any, Any]:
    import pyarrow as pa

    string, i64, f64, flag = pa.string(), pa.int64(), pa.float64(), pa.bool_()
    articles = pa.schema(
        [
            ("key", string),
            ("id", string),
            ("source", string),
            ("outlet", string),
            ("date", string),  # as written
            ("date_parsed", pa.date32()),  # the calendar date it names (spinscope.batch.dates), else null
            ("title", string),
            ("url", string),
            ("author", string),
            ("engine", string),
            ("sensitivity", string),  # the view the shown/technique figures count (spinscope.calibration)
            ("word_count", i64),
            ("sentences", i64),
            ("paragraphs", i64),
            ("writer_sentences", i64),
            ("opinion_sentences", i64),
            ("opinion_share", f64),
            ("opinion_text_share", f64),
            ("technique_spans", i64),
            ("technique_count", i64),
            ("techniques_per_1000_words", f64),
            ("hidden_technique_spans", i64),
            ("sentences_with_technique_share", f64),
            ("writer_word_count", i64),
            ("writer_technique_spans", i64),
            ("writer_techniques_per_1000_words", f64),
            *[(f"quotes_{kind}", i64) for kind in QUOTE_KINDS],
            *[(f"sources_{kind}", i64) for kind in SPEAKER_TYPES],
            ("distinct_speakers", i64),
            ("claim_count", i64),
            ("technique_counts", string),
            ("writer_technique_counts", string),
            ("analysis", string),
        ]
    )
    spans = pa.schema(
        [
            ("article_key", string),
            ("article_id", string),
            ("layer", string),
            ("label", string),
            ("start", i64),
            ("end", i64),
            ("score", f64),
            ("text", string),
            ("speaker_name", string),
            ("speaker_type", string),
            # technique rows only (null elsewhere): see docs/sensitivity.md
            ("detector", string),  # model, lexicon, rules or quotes
            ("persuasion", f64),
            ("confidence", f64),
            ("label_confidence", f64),
            ("voice_of", string),  # writer, or quoted (inside a direct quote's content)
            ("shown", flag),  # drawn by the view at the batch's sensitivity
            ("shown_at", string),  # the strictest preset whose view draws it (precise, balanced, everything)
            ("alternative", string),
            ("speaker_role", string),  # quote rows only: what the text says the speaker is ("chair of the group")
        ]
    )
    return articles, spans


def articles_table(rows: list[dict[str, Any]]) -> Any:
    """The pyarrow table of article rows (``date_parsed`` as ISO text or a date, stored as a date)."""
    import datetime

    import pyarrow as pa

    schema = article_schema()
    fixed = [
        {**row, "date_parsed": row["date_parsed"].isoformat()}
        if isinstance(row.get("date_parsed"), datetime.date)
        else row
        for row in rows
    ]
    at = schema.get_field_index("date_parsed")
    as_text = schema.set(at, pa.field("date_parsed", pa.string()))
    return pa.Table.from_pylist(fixed, schema=as_text).cast(schema)


def article_schema() -> Any:
    """The pyarrow schema of ``articles/part-*.parquet``."""
    return _schemas()[0]


def span_schema() -> Any:
    """The pyarrow schema of ``spans/part-*.parquet``."""
    return _schemas()[1]


def shown_at(techniques: list[Any]) -> dict[int, str]:
    """id(span) -> the strictest preset whose view draws it ("precise", "balanced", else "everything").

    The presets only differ in their ``persuasion`` threshold and passages are taken most persuasive first,
    so a span drawn at a stricter preset is drawn at every looser one: one column holds all three views."""
    import copy

    from spinscope.calibration import SENSITIVITIES, apply_sensitivity

    result = {id(t): "everything" for t in techniques}
    for preset in reversed([s for s in SENSITIVITIES if s != "everything"]):  # balanced, then precise
        copies = [copy.copy(t) for t in techniques]
        apply_sensitivity(copies, preset)
        for original, view in zip(techniques, copies, strict=True):
            if view.shown:
                result[id(original)] = preset
    return result


def analysis_rows(analysis: Analysis, key: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One ``articles`` row and the ``spans`` rows of an analysis (what both runners write)."""
    from spinscope.batch.dates import parse_date
    from spinscope.summary import speech_contents, voice_of

    article = analysis.article
    summary = analysis.summary
    data = analysis.to_dict()
    contents = speech_contents(analysis.quotes)
    voices = {id(t): voice_of(t.start, t.end, contents) for t in analysis.techniques}
    writer_counts: dict[str, int] = {}
    for t in analysis.techniques:
        if t.shown and voices[id(t)] == "writer":
            writer_counts[t.technique] = writer_counts.get(t.technique, 0) + 1
    quotes = summary.get("quotes", {})
    speakers = summary.get("quotes_by_speaker_type", {})
    row: dict[str, Any] = {
        "key": key,
        "id": article.id,
        "source": article.source,
        "outlet": article.outlet,
        "date": article.date,
        # ISO text, not a date: rows stay plain JSON for the Ray runner; articles_table() types it
        "date_parsed": None if (day := parse_date(article.date)) is None else day.isoformat(),
        "title": article.title,
        "url": article.url,
        "author": article.author,
        "engine": str(analysis.models.get("techniques", {}).get("engine", "")),
        "sensitivity": summary.get("sensitivity"),
        "word_count": int(summary.get("word_count", 0)),
        "sentences": int(summary.get("sentences", 0)),
        "paragraphs": int(summary.get("paragraphs", 0)),
        "writer_sentences": sum(1 for s in analysis.sentences if s.speaker == "writer"),
        "opinion_sentences": int(summary.get("opinion_sentences", 0)),
        "opinion_share": float(summary.get("opinion_share", 0.0)),
        "opinion_text_share": float(summary.get("opinion_text_share", 0.0)),
        "technique_spans": int(summary.get("technique_spans", 0)),
        "technique_count": int(summary.get("technique_count", 0)),
        "techniques_per_1000_words": float(summary.get("techniques_per_1000_words", 0.0)),
        "hidden_technique_spans": int(summary.get("hidden_technique_spans", 0)),
        "sentences_with_technique_share": float(summary.get("sentences_with_technique_share", 0.0)),
        "writer_word_count": int(summary.get("writer_word_count", 0)),
        "writer_technique_spans": int(summary.get("writer_technique_spans", 0)),
        "writer_techniques_per_1000_words": float(summary.get("writer_techniques_per_1000_words", 0.0)),
        **{f"quotes_{kind}": int(quotes.get(kind, 0)) for kind in QUOTE_KINDS},
        **{f"sources_{kind}": int(speakers.get(kind, 0)) for kind in SPEAKER_TYPES},
        "distinct_speakers": int(summary.get("distinct_speakers", 0)),
        "claim_count": int(summary.get("claims", 0)),
        "technique_counts": json.dumps(summary.get("technique_counts", {}), ensure_ascii=False, sort_keys=True),
        "writer_technique_counts": json.dumps(writer_counts, ensure_ascii=False, sort_keys=True),
        "analysis": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    }
    spans: list[dict[str, Any]] = []

    def add(layer: str, label: str | None, start: int, end: int, score: float | None, **extra: Any) -> None:
        spans.append(
            {
                "article_key": key,
                "article_id": article.id,
                "layer": layer,
                "label": label,
                "start": start,
                "end": end,
                "score": None if score is None else float(score),
                "text": article.text[start:end],
                "speaker_name": extra.get("speaker_name"),
                "speaker_type": extra.get("speaker_type"),
                **{name: extra.get(name) for name in TECHNIQUE_FIELDS},
                "speaker_role": extra.get("speaker_role"),
            }
        )

    levels = shown_at(analysis.techniques)
    for t in sorted(analysis.techniques, key=lambda t: (t.start, t.end, t.technique)):
        add(
            "technique",
            t.technique,
            t.start,
            t.end,
            t.score,
            detector=t.engine,
            persuasion=t.persuasion,
            confidence=t.confidence,
            label_confidence=t.label_confidence,
            voice_of=voices[id(t)],
            shown=bool(t.shown),
            shown_at=levels[id(t)],
            alternative=t.alternative,
        )
    for s in analysis.sentences:
        add("sentence", s.voice, s.start, s.end, s.score, speaker_type=s.speaker)
    for q in analysis.quotes:
        add(
            "quote",
            q.kind,
            q.content.start,
            q.content.end,
            q.score,
            speaker_name=q.speaker_name,
            speaker_type=q.speaker_type,
            speaker_role=q.role,
        )
    for c in analysis.claims:
        add("claim", "claim", c.start, c.end, c.score)
    return row, spans


def error_row(key: str, source: str, error: BaseException, *, article_id: str | None = None, stage: str) -> dict:
    """One ``errors.jsonl`` record: key, source, id, stage (read|analyse), error type and message."""
    from spinscope.errors import InputError

    message = error.reason if isinstance(error, InputError) else str(error)
    return {
        "key": key,
        "source": source,
        "id": article_id,
        "stage": stage,
        "error": type(error).__name__,
        "message": " ".join(message.split()),
    }
