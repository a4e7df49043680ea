"""Quotation marks: pairing inside paragraphs, quotes continued across paragraphs, regions, titles."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinscope.analyzers.quotes.vocab import TITLE_SMALL_WORDS
from spinscope.document import Span


@dataclass
class Piece:
    start: int  # the opening mark
    end: int  # after the closing mark (or the end of the paragraph when unclosed)
    closed: bool
    continues: int = -1  # index of the piece this one continues (multi-paragraph quote)

    def words(self, text: str) -> int:
        return len(re.findall(r"\w+", text[self.start : self.end]))


_OPENERS_BEFORE = " \t\n([{—–-/“‘"
_DOUBLE = re.compile(r"''|``|[\"“”„]")
_SINGLE_OPEN = re.compile(r"‘")


def _double_marks(text: str, block: Span) -> list[tuple[int, int, str]]:
    """(start, end, role) for each double quotation mark in the block; role is open / close / either."""
    marks = []
    for m in _DOUBLE.finditer(text, block.start, block.end):
        s, e, mark = m.start(), m.end(), m.group()
        before = text[s - 1] if s > block.start else " "
        after = text[e] if e < block.end else " "
        if mark in "“„" or mark == "``":
            # A “ typed where a ” belongs ('“Do you want that?“ he asked') closes whatever is open.
            misplaced = mark == "“" and not before.isspace() and before not in _OPENERS_BEFORE and not after.isalnum()
            role = "either" if misplaced else "open"
        elif mark == "”":
            misplaced = (before.isspace() or before in "([{") and after.isalnum()
            role = "either" if misplaced else "close"
        else:
            opens = before in _OPENERS_BEFORE or before in "\"'" or s == block.start
            closes = not before.isspace() and (after.isspace() or not after.isalnum() or e == block.end)
            role = "open" if opens and not closes else "close" if closes and not opens else "either"
        marks.append((s, e, role))
    return marks


def _pair(marks: list[tuple[int, int, str]]) -> tuple[list[tuple[int, int]], int | None]:
    """Pair opening and closing marks; returns the pairs and the start of a quote left open."""
    pairs = []
    open_at: int | None = None
    for s, e, role in marks:
        if open_at is None:
            if role in ("open", "either"):
                open_at = s
            # A stray closing mark with nothing open is ignored.
        elif role in ("close", "either"):
            pairs.append((open_at, e))
            open_at = None
        else:  # a second opening mark: the first was never closed; restart here
            open_at = s
    return pairs, open_at


def _single_close(text: str, s: int, block: Span) -> int | None:
    """The ’ that closes the ‘ at ``s`` (one followed by a letter, or a plural possessive, is an apostrophe)."""
    search = s + 1
    while True:
        close = text.find("’", search, block.end)
        if close < 0:
            return None
        after = text[close + 1] if close + 1 < block.end else " "
        prev = text[close - 1]
        if not after.isalnum() and not (
            prev == "s"
            and after == " "
            and text[close - 2 : close].isalpha()
            and not text[close + 1 : close + 3].strip(" ").startswith(("”", ""))
        ):
            return close
        search = close + 1


def _single_pairs(text: str, block: Span, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """‘…’ used as quotation marks outside double quotes (’ followed by a letter is an apostrophe)."""
    pairs: list[tuple[int, int]] = []
    for m in _SINGLE_OPEN.finditer(text, block.start, block.end):
        s = m.start()
        if any(a <= s < b for a, b in taken) or any(a <= s < b for a, b in pairs):
            continue
        before = text[s - 1] if s > block.start else " "
        if not (before in _OPENERS_BEFORE or s == block.start) or s + 1 >= block.end or text[s + 1].isdigit():
            continue
        close = _single_close(text, s, block)
        if close is not None:
            pairs.append((s, close + 1))
    return pairs


def quote_pieces(text: str, blocks: list[Span]) -> list[Piece]:
    """Every quotation in the paragraphs ``blocks``; a quote left open at a paragraph's end continues into
    the next paragraph when that one opens with a quotation mark (``Piece.continues``)."""
    pieces: list[Piece] = []
    pending: int | None = None  # index of an unclosed piece from the previous paragraph
    for block in blocks:
        marks = _double_marks(text, block)
        continuing = pending is not None and marks and marks[0][0] == block.start and marks[0][2] != "close"
        pairs, open_at = _pair(marks)
        block_pieces = [Piece(a, b, True) for a, b in pairs]
        if open_at is not None:
            block_pieces.append(Piece(open_at, block.end, False))
        block_pieces.sort(key=lambda p: p.start)
        if continuing and block_pieces and block_pieces[0].start == block.start:
            block_pieces[0].continues = pending  # type: ignore[assignment]
        singles = _single_pairs(text, block, [(p.start, p.end) for p in block_pieces])
        block_pieces.extend(Piece(a, b, True) for a, b in singles)
        block_pieces.sort(key=lambda p: p.start)
        pending = None
        for piece in block_pieces:
            pieces.append(piece)
            if not piece.closed:
                pending = len(pieces) - 1
        if pending is not None and pieces[pending].start < block.start:
            pending = None
    return pieces


def regions(text: str, sentences: list[Span], pieces: list[Piece]) -> list[Span]:
    """Sentences merged so that no quotation piece crosses a region boundary."""
    out: list[Span] = []
    for sentence in sentences:
        if out:
            last = out[-1]
            crossing = any(p.start < last.end and p.end > sentence.start and p.start >= last.start for p in pieces)
            same_block = "\n" not in text[last.end : sentence.start]
            sign_off = text[sentence.start] in "—–―" and text[last.end - 1] in "\"”’'"
            if (crossing or sign_off) and same_block:
                out[-1] = Span(last.start, sentence.end)
                continue
        out.append(sentence)
    return out


def in_headline(text: str, piece: Piece) -> bool:
    """The piece sits on a line set in Title Case (a headline), where capitals say nothing about names."""
    line_start = text.rfind("\n", 0, piece.start) + 1
    line_end = text.find("\n", piece.end)
    if line_end < 0:
        line_end = len(text)
    line = text[line_start:line_end]
    outside = text[line_start : piece.start] + " " + text[piece.end : line_end]
    small = TITLE_SMALL_WORDS | {"as"}
    words = [w for w in re.findall(r"[A-Za-z][\w’'\-]*", outside) if w.lower() not in small]
    ends_like_sentence = line.rstrip().endswith((".", "?", "!")) and len(line.split()) > 12
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words) and not ends_like_sentence


def is_title(text: str, piece: Piece) -> bool:
    """Title Case inside the marks (two words or more, most capitalised): a title of a work or a name.
    Not in a headline, where every word is capitalised: a short quoted phrase there is a scare quote."""
    inner = text[piece.start : piece.end].strip("\"“”‘’' ,.")
    words = re.findall(r"[A-Za-z][\w’'\-]*", inner)
    if len(words) <= 3 and in_headline(text, piece):
        return False
    if len(words) < 2:
        if len(words) == 1 and words[0][0].isupper():
            # A single capitalised word mid-sentence ("Sanity") reads as a name or slogan, not a scare quote.
            prev = text[max(0, piece.start - 3) : piece.start].strip()
            return bool(prev) and prev[-1] not in ".!?"
        return False
    caps = [w for w in words if w.lower() not in TITLE_SMALL_WORDS]
    return bool(caps) and sum(w[0].isupper() for w in caps) >= max(2, len(caps)) and words[0][0].isupper()
