"""Headlines, captions and other furniture lines: where a verb mostly reports no speech ("City Budget
Shows Deficit", "They Want to Take Your Car", "Photo: Workers lay the wall"). An attribution there stands
only when it holds a quotation (``Minister: "We will not back down"``) or a named speaker with a verb
of saying ("Rubio Says Abandoning Reform Was A Mistake", as PolNeAR marks live-blog headlines)."""

from __future__ import annotations

import re

from spinscope.analyzers.quotes.attribution import Attr
from spinscope.analyzers.quotes.speakers import classify, clean_name
from spinscope.analyzers.quotes.vocab import VERBS

# A caption's label: "Photo:", "Photo caption:", "Picture:", "Pictured:", "Above:", "Credit:".
_CAPTION = re.compile(
    r"(?:photo|picture|image|caption|pictured|file photo|credit|above|top|main picture)\b[^:\n]{0,25}:", re.I
)
# A line that ends as a sentence ends (with a closing quotation mark or bracket after it) is body text.
_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$|[\"”’]$")
# Headlines run to about 14 words; a longer line without a full stop is body text or page furniture run
# together (live-blog entries scraped into one line, where PolNeAR marks the attributions).
MAX_HEADLINE_WORDS = 14


def furniture_lines(text: str) -> list[tuple[int, int]]:
    """Character ranges of the headline and caption lines of the text."""
    found = []
    pos = 0
    for line in text.split("\n"):
        body = line.strip()
        headline = body and not _SENTENCE_END.search(body) and len(body.split()) <= MAX_HEADLINE_WORDS
        if headline or _CAPTION.match(body):
            found.append((pos, pos + len(line)))
        pos += len(line) + 1
    return found


def _quoted(text: str, attr: Attr) -> bool:
    return any(re.search(r"[\"“”]", text[s:e]) for s, e in attr.contents)


def _named_saying(text: str, attr: Attr) -> bool:
    """A verb of saying with a named person or body as its subject ("Chris Christie Says")."""
    if attr.cue is None or attr.speaker is None:
        return False
    cue_word = text[attr.cue[0] : attr.cue[1]].split()[0].lower()
    if VERBS.get(cue_word, ("", ""))[1] != "speech":
        return False
    phrase = text[attr.speaker[0] : attr.speaker[1]]
    name, roles = clean_name(phrase)
    return name is not None and classify(phrase, name, roles) in ("person", "organisation", "group")


def outside_furniture(text: str, attrs: list[Attr]) -> list[Attr]:
    """The attributions whose cue (or speaker, when there is no cue) is not on a headline or caption line,
    and those that are but hold a quotation or a named speaker's verb of saying."""
    lines = furniture_lines(text)
    kept = []
    for attr in attrs:
        anchor = attr.cue or attr.speaker
        on_line = anchor is not None and any(s <= anchor[0] < e for s, e in lines)
        if not on_line or _quoted(text, attr) or _named_saying(text, attr):
            kept.append(attr)
    return kept
