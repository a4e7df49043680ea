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


# Finite verbs and subject pronouns: what makes a headline's words after "Says" a reported clause
# ("Rubio Says Abandoning Reform Was A Mistake") and not the object of an announcement ("Veltra Announces
# New Plant in Norhaven").
_FINITE = frozenset(
    "is are was were be been has have had will would can could may might must should shall do does did "
    "won't can't isn't wasn't don't doesn't didn't he she they we it i".split()
)


def _reported_clause(words: list[str]) -> bool:
    """Whether a headline's content reads as a clause: a finite verb, a pronoun subject or a past tense."""
    low = [w.lower().strip(".,:;!?\"“”‘’'") for w in words]
    return any(w in _FINITE or w in VERBS or (k > 0 and w.endswith("ed") and len(w) > 4) for k, w in enumerate(low))


def _named_saying(text: str, attr: Attr, lines: list[tuple[int, int]]) -> bool:
    """A verb of saying with a named person or body as its subject ("Chris Christie Says"), a name the
    article also uses outside its headlines (in Title Case every word looks like a name), reporting a
    clause."""
    if attr.cue is None or attr.speaker is None:
        return False
    cue_word = text[attr.cue[0] : attr.cue[1]].split()[0].lower()
    if VERBS.get(cue_word, ("", ""))[1] != "speech":
        return False
    phrase = text[attr.speaker[0] : attr.speaker[1]]
    name, roles = clean_name(phrase)
    if name is None or classify(phrase, name, roles) not in ("person", "organisation", "group"):
        return False
    body = "".join(text[e:s] for (_, e), (s, _) in zip([(0, 0), *lines], [*lines, (len(text), 0)], strict=True))
    if re.search(rf"\b{re.escape(name.split()[-1])}\b", body) is None:
        return False
    return _reported_clause(" ".join(text[s:e] for s, e in attr.contents).split())


def _on_its_line(attr: Attr, line: tuple[int, int]) -> Attr:
    """A headline's attribution with its contents kept to its own line (a headline's "Says" reports
    nothing of the article's first paragraph)."""
    attr.contents = [(s, min(e, line[1])) for s, e in attr.contents if line[0] <= s < line[1]]
    return attr


def outside_furniture(text: str, attrs: list[Attr]) -> list[Attr]:
    """The attributions whose cue (or speaker, when there is no cue) is not on a headline or caption line,
    and those that are but hold a quotation or a named speaker's verb of saying."""
    lines = furniture_lines(text)
    kept = []
    for attr in attrs:
        anchor = attr.cue or attr.speaker
        line = next((x for x in lines if anchor is not None and x[0] <= anchor[0] < x[1]), None)
        if line is None:
            # a headline or caption line is no one's reported words ('Leader: "…"' then a headline below)
            attr.contents = [(s, e) for s, e in attr.contents if not any(a <= s < b for a, b in lines)]
            if attr.contents:
                kept.append(attr)
        elif (_quoted(text, attr) or _named_saying(text, attr, lines)) and _on_its_line(attr, line).contents:
            kept.append(attr)
    return kept
