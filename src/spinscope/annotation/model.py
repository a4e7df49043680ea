"""What the three annotation formats share: a document with labelled spans, offset units and labels.

A :class:`Doc` is the article text with its spans in Python ``str`` offsets (code points), which is what
spinscope's JSON uses. Each format module converts to and from its tool's own units at its edge only
(:func:`to_utf16` / :func:`from_utf16` for tools that count UTF-16 code units), so everything in between
speaks one unit.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from spinscope.errors import InputError
from spinscope.techniques import TECHNIQUE_IDS, TECHNIQUES

HUMAN_ENGINE = "human"
OWN_COLOUR = "#dddddd"  # the user's own labels: a neutral grey the 14 PTC colours do not use
_COLOURS = {t.id: t.colour for t in TECHNIQUES}
_NAMES = {t.id: t.name for t in TECHNIQUES}


class AnnotationError(InputError):
    """An annotation file that cannot be read or a span that does not fit its text (names the file and span)."""


@dataclass(frozen=True, order=True)
class Mark:
    """One labelled span: ``[start, end)`` in code points (Python ``str`` indices)."""

    start: int
    end: int
    label: str
    score: float | None = field(default=None, compare=False)


@dataclass
class Doc:
    """An article and its spans, as exported to or imported from an annotation tool."""

    id: str
    text: str
    marks: list[Mark] = field(default_factory=list)
    title: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    # where an imported document came from, for messages: "FILE, task 7"
    where: str = ""


def is_ptc(label: str) -> bool:
    return label in TECHNIQUE_IDS


def all_labels(docs: Iterable[Doc], extra: Sequence[str] = ()) -> list[str]:
    """The 14 PTC techniques, then the user's own labels (``extra`` and any other label the docs use)."""
    own: list[str] = []
    for label in [*extra, *(m.label for d in docs for m in d.marks)]:
        if not is_ptc(label) and label not in own:
            own.append(label)
    return [*TECHNIQUE_IDS, *own]


def colour(label: str) -> str:
    return _COLOURS.get(label, OWN_COLOUR)


def display_name(label: str) -> str:
    return _NAMES.get(label, label)


def own_labels(docs: Iterable[Doc]) -> list[str]:
    """The labels the docs use that are not PTC techniques, in first-seen order."""
    seen: list[str] = []
    for d in docs:
        for m in d.marks:
            if not is_ptc(m.label) and m.label not in seen:
                seen.append(m.label)
    return seen


# ---- offsets ----------------------------------------------------------------------------------


class Utf16Index:
    """Code point <-> UTF-16 code unit offsets for one text.

    A character outside the Basic Multilingual Plane (😀, 𝔘, each half of a 🇺🇦 flag) is one code point
    in Python but two UTF-16 code units (a surrogate pair) in JavaScript, so every offset after it moves
    by one. Only the positions of those characters are stored: most texts have none.
    """

    def __init__(self, text: str) -> None:
        self.length = len(text)
        self.astral = [i for i, c in enumerate(text) if ord(c) > 0xFFFF]  # sorted code point positions
        # the UTF-16 offset at which each astral character starts
        self.astral_units = [i + n for n, i in enumerate(self.astral)]

    def to_utf16(self, offset: int) -> int:
        return offset + bisect.bisect_left(self.astral, offset)

    def from_utf16(self, units: int) -> int | None:
        """The code point offset of a UTF-16 offset, or None when it falls inside a surrogate pair."""
        before = bisect.bisect_left(self.astral_units, units)
        if before and units == self.astral_units[before - 1] + 1:
            return None  # between the two halves of one character
        return units - before


def check_bounds(
    doc: Doc, start: Any, end: Any, label: str, number: int, length: int | None = None, units: str = "characters"
) -> None:
    """Raise :class:`AnnotationError` unless ``0 <= start < end <= length`` (both ints; length: the text's,
    in the tool's units)."""
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise span_error(doc, number, label, start, end, "offsets are not whole numbers")
    length = len(doc.text) if length is None else length
    if not 0 <= start < end <= length:
        raise span_error(doc, number, label, start, end, f"is off the text, which has {length} {units}")


def span_error(doc: Doc, number: int, label: str, start: Any, end: Any, reason: str) -> AnnotationError:
    where, _, rest = doc.where.partition(", ")
    place = f"{rest}, " if rest else ""
    return AnnotationError(where or doc.id, f"{place}span {number} ({label} [{start}, {end}]): {reason}")


def check_text(doc: Doc, mark: Mark, number: int, claimed: str | None) -> None:
    """Raise unless the text the tool stored for a span is what its offsets slice (whitespace aside: some
    tools show a newline as a space)."""
    if claimed is None:
        return
    actual = doc.text[mark.start : mark.end]
    if claimed == actual or claimed.split() == actual.split():
        return
    raise span_error(
        doc,
        number,
        mark.label,
        mark.start,
        mark.end,
        f"its text {_short(claimed)} does not match the article's {_short(actual)} at those offsets",
    )


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def file_stem(doc_id: str, used: set[str]) -> str:
    """A file name stem for a document id, unlike those in ``used`` (which it joins)."""
    stem = _UNSAFE_NAME.sub("_", doc_id).strip("._") or "article"
    name, number = stem, 2
    while name.lower() in used:
        name = f"{stem}-{number}"
        number += 1
    used.add(name.lower())
    return name
