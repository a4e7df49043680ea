"""The summary figures as every renderer shows them: one label, one value, one detail each.

The numbers come only from the analysis' ``summary`` (:func:`spinscope.summary.summary_of`,
which computes a missing figure by the summary's own definitions); the terminal view and the
HTML report both print these rows, so they cannot disagree with each other or with the JSON.
Labels say whose sentences a figure counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spinscope.summary import summary_of

SPEAKER_TYPE_ORDER = ("person", "organisation", "group", "document", "anonymous", "unknown")


@dataclass(frozen=True)
class Figure:
    key: str  # the summary field the value shows
    label: str
    value: str
    detail: str = ""


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) else 0


def _float(value: Any) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) else 0.0
    )


def percent(share: float) -> str:
    return f"{share:.0%}"


def speaker_types(summary: Mapping[str, Any]) -> list[tuple[str, int]]:
    """Quotes by speaker type, in a fixed order, zero counts left out."""
    given = summary.get("quotes_by_speaker_type")
    counts = {str(k): _int(v) for k, v in given.items()} if isinstance(given, Mapping) else {}
    order = {name: i for i, name in enumerate(SPEAKER_TYPE_ORDER)}
    return sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (order.get(kv[0], 99), kv[0]))


def scare_quotes(summary: Mapping[str, Any]) -> int:
    quotes = summary.get("quotes")
    return _int(quotes.get("scare")) if isinstance(quotes, Mapping) else 0


def summary_rows(analysis: Mapping[str, Any]) -> list[Figure]:
    """The summary as labelled rows (the same in the terminal and the HTML report)."""
    s = summary_of(analysis)
    spans, labels = _int(s["technique_spans"]), _int(s["technique_count"])
    writer, quoted = _int(s["writer_sentences"]), _int(s["quoted_sentences"])
    speakers = ", ".join(f"{name} {n}" for name, n in speaker_types(s)) or "none"
    if scare_quotes(s):
        speakers += f"; scare quotes {scare_quotes(s)}"
    return [
        Figure(
            "technique_spans",
            "Technique spans",
            str(spans),
            f"{labels} technique labels" if labels != spans else "",
        ),
        Figure(
            "techniques_per_1000_words",
            "Spans per 1,000 words",
            f"{_float(s['techniques_per_1000_words']):.1f}",
            f"writer's own words: {_float(s['writer_techniques_per_1000_words']):.1f}",
        ),
        Figure(
            "opinion_share",
            "Writer's opinion sentences",
            percent(_float(s["opinion_share"])),
            f"{_int(s['opinion_sentences'])} of the writer's {writer} sentences",
        ),
        Figure(
            "quoted_opinion_sentences",
            "Quoted opinion sentences",
            str(_int(s["quoted_opinion_sentences"])),
            f"of {quoted} quoted sentences",
        ),
        Figure("quotes_by_speaker_type", "Quotes by speaker", speakers),
        Figure("claims", "Checkable claims", str(_int(s["claims"]))),
        Figure("word_count", "Words", str(_int(s["word_count"]))),
    ]


__all__ = ["Figure", "percent", "scare_quotes", "speaker_types", "summary_rows"]
