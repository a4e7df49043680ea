"""Tokens of a region, with each quotation inside it as one opaque token."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinscope.analyzers.quotes.marks import Piece
from spinscope.analyzers.quotes.vocab import ABBREVIATIONS, PARTICLE_NAME

_WORD = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Za-z]\.(?=\s[A-Z])|"  # U.S., J. M.
    r"\w+(?:[’'\-&.]\w+)*(?:[’']s\b)?|[^\w\s]"
)


@dataclass
class Tok:
    start: int
    end: int
    text: str
    kind: str  # "w" word, "p" punctuation, "q" a whole quotation
    quote: int = -1  # index into the quote pieces for kind "q"

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        """Capitalised, as a name is ("al-Rashid" too)."""
        return self.kind == "w" and (self.text[:1].isupper() or PARTICLE_NAME.match(self.text) is not None)


def tokens(text: str, start: int, end: int, pieces: list[Piece]) -> list[Tok]:
    """Tokens of text[start:end] with every quotation piece inside it as one token."""
    toks: list[Tok] = []
    inside = [(i, p) for i, p in enumerate(pieces) if p.start >= start and p.end <= end]
    position = start
    for index, piece in [*inside, (-1, None)]:
        stop = piece.start if piece is not None else end
        for m in _WORD.finditer(text, position, stop):
            s, e = m.start(), m.end()
            word = m.group()
            if word[0].isalnum() and e < stop and text[e] == "." and word.lower() in ABBREVIATIONS:
                e += 1
                word += "."
            toks.append(Tok(s, e, word, "w" if word[0].isalnum() else "p"))
        if piece is None:
            break
        toks.append(Tok(piece.start, piece.end, text[piece.start : piece.end], "q", index))
        position = piece.end
    # Abbreviation dots swallowed above must not also stand as their own token.
    cleaned: list[Tok] = []
    for t in toks:
        if cleaned and t.kind == "p" and t.start < cleaned[-1].end:
            continue
        cleaned.append(t)
    return cleaned


def trim(text: str, start: int, end: int, chars: str = " \t\n,;:—–-") -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end
