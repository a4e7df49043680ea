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


def hidden_note(summary: Mapping[str, Any]) -> str:
    """ "+N more at 'everything'": the technique spans the view leaves out ("" when none)."""
    hidden = _int(summary.get("hidden_technique_spans"))
    return f"+{hidden} more at 'everything'" if hidden else ""


def shown_detail(summary: Mapping[str, Any]) -> str:
    """What the count of shown passages means: the sensitivity, labels beyond one a passage, what is left out."""
    spans, labels = _int(summary.get("technique_spans")), _int(summary.get("technique_count"))
    parts = []
    sensitivity = summary.get("sensitivity")
    if isinstance(sensitivity, str):
        parts.append(f"sensitivity {sensitivity}")
    if labels != spans:
        parts.append(f"{labels} technique labels")
    if note := hidden_note(summary):
        parts.append(note)
    return "; ".join(parts)


def span_wording(span: Mapping[str, Any], name_of: Any = None) -> str:
    """What a technique span's numbers mean, in words (the HTML card, the report's pop-up and the web page say
    the same): how likely the passage is persuasive at all, how likely its technique is right if so, and the
    runner-up technique when close. ``name_of`` maps a technique id to its plain name."""
    persuasion, label = span.get("persuasion"), span.get("label_confidence")
    parts = []
    if _is_number(persuasion):
        parts.append(f"{float(persuasion):.0%} likely persuasive")
        if _is_number(label):
            parts.append(f"if so, this technique {float(label):.0%}")
    else:
        parts.append(f"score {_float(span.get('score')):.2f}")
    alternative = span.get("alternative")
    if isinstance(alternative, str) and alternative:
        parts.append(f"or {name_of(alternative) if name_of else alternative}")
    return " · ".join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def summary_rows(analysis: Mapping[str, Any], summary: Mapping[str, Any] | None = None) -> list[Figure]:
    """The summary as labelled rows (the same in the terminal and the HTML report). ``summary``: the view's
    ``summary_of(analysis)`` when it has it already (computed once per view)."""
    s = summary_of(analysis) if summary is None else summary
    spans = _int(s["technique_spans"])
    writer, quoted = _int(s["writer_sentences"]), _int(s["quoted_sentences"])
    speakers = ", ".join(f"{name} {n}" for name, n in speaker_types(s)) or "none"
    if scare_quotes(s):
        speakers += f"; scare quotes {scare_quotes(s)}"
    return [
        Figure("technique_spans", "Persuasive passages shown", str(spans), shown_detail(s)),
        Figure(
            "techniques_per_1000_words",
            "Shown per 1,000 words",
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


__all__ = [
    "Figure",
    "hidden_note",
    "percent",
    "scare_quotes",
    "shown_detail",
    "span_wording",
    "speaker_types",
    "summary_rows",
]
