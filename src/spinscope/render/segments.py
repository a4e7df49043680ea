"""Split text into runs covered by the same set of (possibly overlapping) spans.

Markup cannot express overlapping ranges directly (``<b>a<i>b</b>c</i>`` is not
well formed), so the renderers flatten the spans first, as the HuggingFace
tokenizers visualizer does: the text is cut at every span boundary into maximal
runs whose characters are all covered by exactly the same spans, and each run
becomes one element carrying the whole set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any


@dataclass(frozen=True)
class Run:
    """Characters ``[start, end)`` of the text, all covered by the spans at ``indices``.

    ``indices`` are positions in the ``spans`` argument of :func:`coverage_runs`
    (ascending); ``spans`` are those span objects themselves, in the same order.
    A run with no spans is plain text."""

    start: int
    end: int
    text: str
    indices: tuple[int, ...]
    spans: tuple[Mapping[str, Any], ...]

    @property
    def covered(self) -> bool:
        return bool(self.indices)


def coverage_runs(
    text: str,
    spans: Sequence[Mapping[str, Any]],
    start: int = 0,
    end: int | None = None,
) -> list[Run]:
    """The maximal runs of ``text[start:end]`` whose characters are covered by the same set of spans.

    Each span is a mapping with integer ``start`` and ``end`` (end exclusive) and
    anything else; spans are clipped to the window, empty ones cover nothing.
    The runs tile the window exactly, in order; offsets stay absolute (indices
    of ``text``). An empty window gives no runs.
    """
    lo = max(0, start)
    hi = len(text) if end is None else min(end, len(text))
    if hi <= lo:
        return []
    # Sweep line over boundary events: at each offset some spans open or close.
    opens: dict[int, list[int]] = {}
    closes: dict[int, list[int]] = {}
    for index, span in enumerate(spans):
        s, e = max(int(span["start"]), lo), min(int(span["end"]), hi)
        if s >= e:
            continue
        opens.setdefault(s, []).append(index)
        closes.setdefault(e, []).append(index)
    cuts = sorted({lo, hi, *opens, *closes})
    active: set[int] = set()
    runs: list[Run] = []
    for left, right in pairwise(cuts):
        active.difference_update(closes.get(left, ()))
        active.update(opens.get(left, ()))
        indices = tuple(sorted(active))
        if runs and runs[-1].indices == indices:  # same set on both sides of a cut: extend
            previous = runs.pop()
            left = previous.start
        runs.append(Run(left, right, text[left:right], indices, tuple(spans[i] for i in indices)))
    return runs


# ---- tolerant readers of the plain analysis dict ------------------------------------
_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def valid_span(item: Any, length: int) -> bool:
    """Whether ``item`` is a mapping with integer offsets inside a text of ``length`` characters."""
    return (
        isinstance(item, Mapping)
        and isinstance(item.get("start"), int)
        and isinstance(item.get("end"), int)
        and not isinstance(item["start"], bool)
        and 0 <= item["start"] <= item["end"] <= length
    )


def layer_items(analysis: Mapping[str, Any], key: str) -> list[Any]:
    """``analysis[key]`` as a list; missing or malformed layers read as empty."""
    value = analysis.get(key)
    return list(value) if isinstance(value, list) else []


def analysis_text(analysis: Mapping[str, Any]) -> str:
    text = analysis.get("text")
    return text if isinstance(text, str) else ""


@dataclass
class Layers:
    """The layers of an analysis dict that renderers draw, each item checked against the text."""

    text: str
    meta: Mapping[str, Any]
    title: str
    techniques: list[Mapping[str, Any]]
    sentences: list[Mapping[str, Any]]
    opinions: list[Mapping[str, Any]]
    quotes: list[Mapping[str, Any]]
    claims: list[Mapping[str, Any]]


def read_layers(analysis: Mapping[str, Any]) -> Layers:
    """Valid layers of a (possibly partial or hand-made) analysis dict; malformed items are left out."""
    text = analysis_text(analysis)
    length = len(text)
    meta = analysis.get("meta") if isinstance(analysis.get("meta"), Mapping) else {}
    sentences = [s for s in layer_items(analysis, "sentences") if valid_span(s, length)]
    return Layers(
        text=text,
        meta=meta,
        title=str(analysis.get("title") or meta.get("title") or "Untitled article"),
        techniques=[
            t
            for t in layer_items(analysis, "techniques")
            if valid_span(t, length) and isinstance(t.get("technique"), str)
        ],
        sentences=sentences,
        opinions=[s for s in sentences if s.get("voice") == "opinion"],
        quotes=[
            q
            for q in layer_items(analysis, "quotes")
            if isinstance(q, Mapping) and valid_span(q.get("content"), length)
        ],
        claims=[c for c in layer_items(analysis, "claims") if valid_span(c, length)],
    )


def paragraph_spans(analysis: Mapping[str, Any]) -> list[tuple[int, int]]:
    """The analysis' paragraphs as ``(start, end)`` pairs, in order.

    When the dict has none, the text is split at blank lines (each block
    trimmed of surrounding white space), so older or partial analyses render."""
    text = analysis_text(analysis)
    given = sorted(
        (p["start"], p["end"])
        for p in layer_items(analysis, "paragraphs")
        if valid_span(p, len(text)) and p["end"] > p["start"]
    )
    if given:
        return given
    blocks, position = [], 0
    for match in _BLANK_LINES.finditer(text):
        blocks.append((position, match.start()))
        position = match.end()
    blocks.append((position, len(text)))
    trimmed = []
    for start, end in blocks:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            trimmed.append((start, end))
    return trimmed
