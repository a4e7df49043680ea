"""Words that look like cues and are none, whoever found them (rules or the learned tagger): "responded
with air strikes" (but "responded with chants of …" is speech), "not to mention", "press" as a noun ("a
press conference", "the foreign press"), verbs of deciding and doing ("approved", "voted")."""

from __future__ import annotations

import re

from spinscope.analyzers.quotes.vocab import TAG_VERBS, VERBS, inflect
from spinscope.document import Span
from spinscope.lexicons import words

# Forms of the verbs of action-verbs.txt ("approved", "voted"): deeds, not words.
_DEEDS = frozenset(form for base in words("action-verbs") for form in inflect(base))

_PHANTOMS = re.compile(
    r"""(?:respond|responds|responded|responding|reply|replies|replied|counter|counters|countered)
        (?=\s+with\s+(?!(?:\S+\s+){0,3}?(?:chants?|statements?|remarks?|comments?|tweets?|words?|questions?|jokes?
        |letters?|speech|messages?|shouts?|cheers|boos|applause|laughter|insults?|criticism|praise)\b))
    |(?<=\bnot\sto\s)mention\b|not\s+to\s+mention\b
    |press(?=\s+(?:conference|release|secretary|office|officer|briefing|freedom|corps|room|aide|team|gallery|pool
        |club|association|agency|council|coverage|reports?|card|box|pass|badge|statement|event)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
# "the press", "a free press", "the foreign press": the noun.
_PRESS_NOUN = re.compile(
    r"\b(?:the|a|free|foreign|local|national|international|mainstream|western|state|independent|news|our|their)\s+$",
    re.IGNORECASE,
)


def phantom_cue(text: str, cue: Span | tuple[int, int]) -> bool:
    """The cue is one of the phantoms above."""
    start, end = (cue.start, cue.end) if isinstance(cue, Span) else cue
    if _PHANTOMS.match(text, start):
        return True
    said = [w.strip(".,:;").lower() for w in text[start:end].split()]
    stance = said[-1:] in (["for"], ["against"])  # "voted against the bill" takes a side
    if any(w in _DEEDS for w in said) and not stance and not any(w in VERBS or w in TAG_VERBS for w in said):
        return True  # "approved", "voted 19-15": a deed reports no speech
    return (
        text[start:end].lower() in ("press", "presses")
        and _PRESS_NOUN.search(text[max(0, start - 30) : start]) is not None
    )
