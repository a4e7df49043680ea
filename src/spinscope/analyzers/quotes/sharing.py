"""A cue without a subject of its own shares the source of the attribution before it in its sentence.

"Trump told reporters, before insisting he had …", "Sanders called him divisive and accused him of …",
"… said Eric Herzik, citing another reason …": PolNeAR gives the second cue the first one's source (the
same span). The rules find such cues without a subject, and the learned tagger tags a sentence's source
once, next to its first cue; so a subjectless cue takes the nearest source before it in the sentence.
Chosen on the held-out tenth of PolNeAR train (research/quote_sources.py): exact / overlap source F1
0.727 / 0.777 -> 0.733 / 0.795. (The tagger's source runs that went to no cue were tried as a fallback
and changed nothing.)"""

from __future__ import annotations

import re

from spinscope.analyzers.quotes.attribution import NO_SHARED_SOURCE, Attr, RegionScan
from spinscope.analyzers.quotes.tokens import Tok, tokens
from spinscope.analyzers.quotes.vocab import AUX, VERBS
from spinscope.document import Span
from spinscope.segmentation import sentence_of

# A cue that continues its clause's predicate: a participle ("…, noting that"), or a verb after "and" or a
# comma ("… and urged", "…, attacked").
_CONTINUING = re.compile(r"(?:,|\band|\bbut|\bthen)\s*$")


def share_speakers(sentences: list[Span], attrs: list[Attr], text: str | None = None) -> None:
    """Give each attribution with a cue and no speaker the speaker of the nearest earlier attribution of
    its sentence (its speaker and cue both before this cue), unless that speaker lies in its contents; with
    ``text``, a participle or coordinated cue with no such attribution before it takes the subject of its
    sentence's main clause ("Obama tried to help, noting that …")."""
    for attr in attrs:
        if attr.speaker is not None or attr.cue is None or attr.verb_class == NO_SHARED_SOURCE:
            continue
        home = sentence_of(sentences, attr.cue[0])
        if home is None:
            continue
        cue_start = attr.cue[0]
        earlier = [
            a.speaker
            for a in attrs
            if a is not attr
            and a.speaker is not None
            and a.cue is not None
            and home.start <= a.speaker[0]
            and a.speaker[1] <= cue_start
            and a.cue[1] <= cue_start
            and not any(c0 < a.speaker[1] and a.speaker[0] < c1 for c0, c1 in attr.contents)
        ]
        if earlier:
            attr.speaker = max(earlier, key=lambda s: s[1])
        elif text is not None:
            attr.speaker = _main_subject(text, home, attr)


def _main_subject(text: str, home: Span, attr: Attr) -> tuple[int, int] | None:
    assert attr.cue is not None
    cue_start = attr.cue[0]
    first = re.match(r"\w+", text[cue_start : attr.cue[1]])
    participle = first is not None and first.group().lower().endswith("ing")
    if not participle and not _CONTINUING.search(text, home.start, cue_start):
        return None
    toks = tokens(text, home.start, cue_start, [])
    subject = RegionScan(toks).main_subject(len(toks)) if toks else None
    if subject is None or subject[1] + 1 >= len(toks) or not _ends_phrase(toks[subject[1] + 1]):
        return None  # "The Vermont | senator …": the phrase read is cut short
    span = (toks[subject[0]].start, toks[subject[1]].end)
    if any(c0 < span[1] and span[0] < c1 for c0, c1 in attr.contents):
        return None
    return span


def _ends_phrase(after: Tok) -> bool:
    """Whether the token after a subject shows that the subject is whole: a comma, an auxiliary, a verb or
    an adverb ("Obama tried", "Trump, meanwhile, was", "Christie has")."""
    low = after.low
    return after.text == "," or (
        after.kind == "w"
        and not after.cap
        and (low in AUX or low in VERBS or low.endswith(("ed", "ly")) or low.endswith("s"))
    )
