"""Word lists shared by the analysers, one data file each (``<name>.txt`` in this folder).

A file holds entries separated by white space, one or more a line; ``#`` starts a comment. Entries are
lower-case words or forms (``sen.``, ``n't``). ``irregular-verbs.txt`` and ``gendered-words.txt`` hold a
key and its words a line (:func:`table`), ``boilerplate-openers.txt`` one phrase a line (:func:`phrases`). Read once per process (:func:`words` is cached).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    raw = resources.files(__package__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    return [line.split("#", 1)[0].strip() for line in raw.splitlines()]


@cache
def words(*names: str) -> frozenset[str]:
    """Every entry of the named lists (``words("weekdays", "months")``)."""
    return frozenset(w for name in names for line in _lines(name) for w in line.split())


@cache
def phrases(name: str) -> tuple[str, ...]:
    """A list with one entry a line (entries may hold spaces)."""
    return tuple(line for line in _lines(name) if line)


@cache
def table(name: str) -> dict[str, tuple[str, ...]]:
    """A list with one entry a line, as first word -> the other words of its line."""
    rows = [line.split() for line in _lines(name) if line]
    return {row[0]: tuple(row[1:]) for row in rows}


def alternation(*names: str) -> str:
    """A regular-expression alternation of the named lists' entries, longest first (no group)."""
    return "|".join(re.escape(w) for w in sorted(words(*names), key=lambda w: (-len(w), w)))
