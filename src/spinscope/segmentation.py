"""Paragraphs and sentences as exact character spans of the original text.

Sentence splitting inside a line is syntok's (abbreviations such as U.S. and
Gov., ellipses, quotes). Line breaks are handled here first: news text from
files, HTML extraction and PTC has one paragraph or one sentence per line, so a
line break ends a sentence, unless the next line starts in lower case (a
hard-wrapped paragraph). Two of syntok's splits are undone: after a title or
an initialism ("Gov. | Ruiz"), and between a quotation ending in "!" or "?" and
the speech tag after it ('“…!” | Cruz said.').
"""

from __future__ import annotations

import re

from syntok import segmenter

from spinscope.document import Span
from spinscope.lexicons import alternation, phrases, words

_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_CLOSERS = "\"'”’)]»"


def paragraphs(text: str) -> list[Span]:
    """Blocks separated by blank lines; where there are none, each line is a paragraph."""
    if not _BLANK_LINES.search(text):
        whole = _trim(text, Span(0, len(text)))
        return _lines(text, whole) if whole else []
    blocks: list[Span] = []
    position = 0
    for match in _BLANK_LINES.finditer(text):
        blocks.append(Span(position, match.start()))
        position = match.end()
    blocks.append(Span(position, len(text)))
    return [trimmed for block in blocks if (trimmed := _trim(text, block)) is not None]


def _trim(text: str, span: Span) -> Span | None:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end) if end > start else None


def _lines(text: str, block: Span) -> list[Span]:
    """Split a block at line breaks, joining hard-wrapped lines (next line starts in lower case)."""
    units: list[Span] = []
    start = block.start
    for match in re.finditer(r"\n", text[block.start : block.end]):
        cut = block.start + match.start()
        nxt = text[cut + 1 : block.end].lstrip()
        if nxt and nxt[0].islower():
            continue
        units.append(Span(start, cut))
        start = cut + 1
    units.append(Span(start, block.end))
    return [t for u in units if (t := _trim(text, u)) is not None]


def sentences(text: str, blocks: list[Span] | None = None) -> list[Span]:
    """Sentence spans in text order; every non-space character of a paragraph is in exactly one sentence."""
    result: list[Span] = []
    for block in blocks if blocks is not None else paragraphs(text):
        for unit in _lines(text, block):
            chunk = text[unit.start : unit.end]
            found: list[Span] = []
            for para in segmenter.analyze(chunk):
                for sentence in para:
                    start = unit.start + sentence[0].offset
                    last = sentence[-1]
                    end = unit.start + last.offset + len(last.value)
                    found.append(Span(start, end))
            found = _cover(text, unit, _rejoin(text, found))
            result.extend(found)
    return result


# Titles after which syntok sometimes ends a sentence too early ("Gov. Ruiz"), and initialisms ("U.S.").
_TITLE_END = re.compile(rf"\b(?:{'|'.join(w.capitalize() for w in sorted(words('title-abbreviations')))})\.$")
_INITIALISM_END = re.compile(r"\b(?:[A-Z]\.){2,}$")
_SENTENCE_STARTERS = {w.capitalize() for w in words("sentence-starters")}


def _after_abbreviation(text: str, previous: Span, span: Span) -> bool:
    """A split after a title ("Gov. | Ruiz"), or after an initialism where no new sentence clearly starts."""
    if not text[span.start].isupper():
        return False
    before = text[previous.start : previous.end]
    first_word = text[span.start : span.end].split()[0]
    return bool(_TITLE_END.search(before) or (_INITIALISM_END.search(before) and first_word not in _SENTENCE_STARTERS))


# syntok ends a sentence at a quotation's closing "!" or "?", even when a speech tag follows it:
# '“…, it’s offensive!” Cruz said.' is one sentence, and the quote analyser must see it as one.
_EXCLAIMED_QUOTE_END = re.compile(r"[!?][\"'”’]+$")
_SPEECH_TAG_VERBS = rf"(?:{alternation('speech-tags')})"
_SPEECH_TAG = re.compile(
    rf"^(?:(?:[A-Z][\w.’'-]*\s+){{1,4}}(?:also\s+|later\s+)?{_SPEECH_TAG_VERBS}|{_SPEECH_TAG_VERBS}\s+[A-Z])\b"
)


def _before_speech_tag(text: str, previous: Span, span: Span) -> bool:
    """A split between a quotation ending in "!" or "?" and the speech tag after it ("Cruz said")."""
    return bool(
        _EXCLAIMED_QUOTE_END.search(text, previous.start, previous.end)
        and _SPEECH_TAG.match(text[span.start : span.end])
    )


def _rejoin(text: str, found: list[Span]) -> list[Span]:
    """Undo syntok's splits that ``_after_abbreviation`` or ``_before_speech_tag`` recognise."""
    joined: list[Span] = []
    for span in found:
        if joined and (_after_abbreviation(text, joined[-1], span) or _before_speech_tag(text, joined[-1], span)):
            joined[-1] = Span(joined[-1].start, span.end)
        else:
            joined.append(span)
    return joined


def _cover(text: str, unit: Span, found: list[Span]) -> list[Span]:
    """Make the sentences tile the unit: glue stray closing quotes/brackets to the sentence before,
    and start each sentence where the previous one ended (skipping spaces)."""
    if not found:
        return [unit]
    tiled: list[Span] = []
    position = unit.start
    for i, _span in enumerate(found):
        end = found[i + 1].start if i + 1 < len(found) else unit.end
        while end > position and text[end - 1].isspace():
            end -= 1
        start = position
        while start < end and text[start].isspace():
            start += 1
        if start < end:
            # A sentence that is only closing punctuation belongs to the previous one.
            if tiled and all(c in _CLOSERS or c.isspace() for c in text[start:end]):
                tiled[-1] = Span(tiled[-1].start, end)
            else:
                tiled.append(Span(start, end))
        position = end
    return tiled


def sentence_index(sentence_spans: list[Span], offset: int) -> int:
    """Index of the sentence holding character ``offset`` (the nearest one before it otherwise)."""
    lo, hi = 0, len(sentence_spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if sentence_spans[mid].start <= offset:
            lo = mid + 1
        else:
            hi = mid
    return max(lo - 1, 0)


def sentence_of(sentence_spans: list[Span], offset: int) -> Span | None:
    """The sentence holding character ``offset``, or None when it lies between sentences."""
    if not sentence_spans:
        return None
    found = sentence_spans[sentence_index(sentence_spans, offset)]
    return found if found.start <= offset < found.end else None


def body_end(text: str, blocks: list[Span] | None = None) -> int:
    """Where the article proper ends: at the first paragraph in the text's second half that opens like site
    furniture (a comment prompt, newsletter or privacy boilerplate, a "Related:" list; see
    ``lexicons/boilerplate-openers.txt``), else at the end of the text. ``blocks``: the text's
    :func:`paragraphs`, when the caller has them already (split once per article)."""
    openers = phrases("boilerplate-openers")
    for block in blocks if blocks is not None else paragraphs(text):
        if block.start < len(text) // 2:
            continue
        paragraph = text[block.start : block.end].lstrip("#*-•>| \t")
        if len(paragraph) <= 600 and paragraph.lower().startswith(openers):
            return block.start
    return len(text)
