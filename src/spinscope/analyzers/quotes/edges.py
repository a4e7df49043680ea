"""Span edges by PolNeAR's conventions: what a cue takes in after its verb, and how the learned tagger's
contents and sources are trimmed (seen on held-out PolNeAR train with research/quote_sources.py)."""

from __future__ import annotations

import re
from dataclasses import replace

from spinscope.analyzers.quotes.attribution import Attr
from spinscope.analyzers.quotes.tokens import trim
from spinscope.analyzers.quotes.vocab import ABBREVIATIONS, ADVERBIAL_PREPOSITIONS
from spinscope.document import Span

# What a cue takes in after its verb (quote_sources.py cues): a colon that announces the quotation
# ("said:"), a bare day ("said Saturday", "boasted Monday night"), the channel "in a statement",
# "(declined) to comment on", "(as she) puts it", "(responded) by saying", and the preposition of a phrasal
# speech verb ("called for", "wrote about", "did not respond to").
_CUE_TAIL = re.compile(
    r"""\s*:(?=\s)
    |\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day(?:\s+(?:morning|afternoon|evening|night))?|yesterday|today|tonight)\b
    |\s+in\s+an?\s+(?:written\s+|joint\s+|brief\s+)?statement\b
    |\s+to\s+comment(?:\s+on)?\b
    |(?<=\bput)\s+it\b|(?<=\bputs)\s+it\b
    |\s+by\s+(?:saying|noting|arguing|insisting|telling|asking)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PHRASAL_SPEECH = re.compile(
    r"(?:\b(?:call|calls|called|calling|press|presses|pressed|pressing)\s+for"
    r"|\b(?:call|calls|called|calling|comment|commented|commenting)\s+on"
    r"|\b(?:write|writes|wrote|written|writing|joke|jokes|joked|joking|talk|talks|talked|talking"
    r"|complain|complains|complained|complaining|boast|boasts|boasted|boasting)\s+about"
    r"|\b(?:respond|responded|sought|seek|seeks|seeking)\s+to)$",
    re.IGNORECASE,
)
_CUE_PREPOSITION = re.compile(r"\s+(for|on|about|to)\b", re.IGNORECASE)
_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]|\bJr|\bSr|\bInc|\bCo|\bLtd|\bCorp|\bSt|\bU\.S)\.$")
_SPACES = re.compile(r"\s*")


# The preposition that opens a cue's object belongs to the cue ("warned of", "railed against", "criticism
# of", "referring to"), except after "say" ("said of the field": 30 % in PolNeAR train), a day ("said
# Monday on …") and an infinitive "to" ("vowed to fight": 9 %). Counted on the 90 % of PolNeAR train the
# tagger trained on; "on", "at" and "with" are left out (as often a channel or a place: "tweeted on").
_OBJECT_PREPOSITION = re.compile(r"\s+(?:for|about|of|against|to)\b", re.IGNORECASE)
_SAY_FORMS = frozenset({"say", "says", "said", "saying", "tell", "tells", "told", "telling"})
_TO_WORDS = re.compile(r"^(?:refer|point|respon[sd]|reference|opposition|attention)", re.IGNORECASE)
_DAY_WORDS = re.compile(r"(?:day|night|morning|afternoon|evening|week|month|year|today|tonight)$", re.IGNORECASE)


def _object_preposition(text: str, start: int, end: int) -> re.Match[str] | None:
    match = _OBJECT_PREPOSITION.match(text, end)
    last = re.search(r"[\w’']+$", text[start:end])
    if match is None or last is None or last.group().lower() in _SAY_FORMS or _DAY_WORDS.search(last.group()):
        return None
    if match.group().strip().lower() == "to" and not _TO_WORDS.match(last.group()):
        return None
    return match


# An adverb of manner right after a verb of saying is part of the cue ("said sarcastically", "has said
# repeatedly"): 11 of 16 times in 90 % of PolNeAR train.
_SAY_ADVERB = re.compile(r"\s+(?!(?:only|early|family|likely|daily|weekly|monthly|rally|italy)\b)[a-z]+ly\b")


def _cue_end(text: str, attr: Attr) -> int:
    """Where the cue ends once it has taken in what PolNeAR puts in it."""
    assert attr.cue is not None
    start, end = attr.cue
    last = re.search(r"[\w’']+$", text[start:end])
    if last is not None and last.group().lower() in _SAY_FORMS:
        adverb = _SAY_ADVERB.match(text, end)
        if adverb is not None and not any(s < adverb.end() and end < e for s, e in attr.contents):
            end = adverb.end()
    while True:
        tail = _CUE_TAIL.match(text, end)
        if tail is None:
            preposition = _CUE_PREPOSITION.match(text, end)
            if preposition is None or not _PHRASAL_SPEECH.search(text[start : preposition.end()]):
                preposition = _object_preposition(text, start, end)
            if preposition is None:
                break
            tail = preposition
        new_end = tail.end()
        if attr.speaker and attr.speaker[0] < new_end and end < attr.speaker[1]:
            break
        if any(s < new_end and end < e and not (s >= end and e > new_end) for s, e in attr.contents):
            break  # the words are inside a content that does not merely start with them
        end = new_end
    return end


# What opens a "saying" cue in PolNeAR: the act that carried the words ("issued a statement saying": 8 of 8
# in 90 % of PolNeAR train; "responded by saying").
_SAYING_OPENER = re.compile(
    r"\b(?:issued|released|put\s+out|sent|posted)\s+(?:an?|the)\s+(?:\w+\s+)?"
    r"(?:statement|letter|memo|note|tweet|message)\s+$|\b[a-z]+ed\s+by\s+$"
)


def _cue_start(text: str, attr: Attr) -> int:
    assert attr.cue is not None
    start = attr.cue[0]
    if text[start : attr.cue[1]].lower() != "saying":
        return start
    opener = _SAYING_OPENER.search(text, max(0, start - 60), start)
    if opener is None or (attr.speaker and attr.speaker[1] > opener.start()):
        return start
    return opener.start()


def widen_cue(text: str, attr: Attr) -> Attr:
    """The cue with what follows its verb under PolNeAR's convention (``_CUE_TAIL``, ``_PHRASAL_SPEECH``);
    never into the speaker, and a content that began with the words taken in now starts after them."""
    if attr.cue is None:
        return attr
    start = _cue_start(text, attr)
    end = _cue_end(text, attr)
    if end == attr.cue[1] and start == attr.cue[0]:
        return attr
    contents = []
    for s, e in attr.contents:
        if attr.cue[1] <= s < end:
            s, e = trim(text, end, e, " \t\n:")  # "put it: "…"": the colon goes with the cue's words
        contents.append((s, e))
    return replace(attr, cue=(start, end), contents=[c for c in contents if c[1] > c[0]] or attr.contents)


def tidy_tagger_content(text: str, content: Span) -> Span:
    """A reported content without the sentence's full stop, as the rules' contents and PolNeAR's have it
    (8,381 of the 8,462 indirect contents in PolNeAR train that end a sentence leave the stop out, even
    after "U.S."), nor a comma it starts with."""
    start, end = content.start, content.end
    while start < end - 1 and (text[start] in ",;" or text[start].isspace()):
        start += 1
    following = _SPACES.match(text, end).end()  # the next non-space character (or the end of the text)
    sentence_end = end == len(text) or (following > end and not text[following : following + 1].islower())
    if end - start > 1 and text[end - 1] == "." and sentence_end:
        return Span(start, end - 1)
    return Span(start, end)


def _abbreviation_before(text: str, start: int, stop: int) -> bool:
    """Whether the full stop at ``stop`` ends an abbreviation ('Jr.', 'U.S.', 'R-Fla.', 'Calif.')."""
    word = re.search(r"[A-Za-z]+$", text[start:stop])
    return bool(_ABBREVIATION_END.search(text, start, stop + 1)) or (
        word is not None and word.group().lower() in ABBREVIATIONS
    )


def clean_tagger_speaker(text: str, speaker: Span | None) -> Span | None:
    """The tagger's source span without a stray left edge: leading punctuation (", officials") and a clause
    before a comma that starts with a preposition ("on Sunday by a drone, the police" -> "the police"),
    nor the sentence's full stop at its right edge ("said the mayor." -> "the mayor"; "Jr." keeps its own).
    A closing comma stays after an appositive, as in PolNeAR's sources ("Mr. Kaplan, a screenwriter,"), and
    goes after a plain name ("said Ruiz, adding" -> "Ruiz")."""
    if speaker is None:
        return None
    start, end = speaker.start, speaker.end
    while end > start and (text[end - 1].isspace() or text[end - 1] in "!?;:"):
        end -= 1
    if end > start and text[end - 1] == "," and text.find(",", start, end - 1) < 0:
        end -= 1
    if end > start and text[end - 1] == "." and not _abbreviation_before(text, start, end - 1):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    first = re.match(r"([A-Za-z]+)\s+", text[start:end])
    if first and first.group(1) == "by":  # the agent of a passive cue: "was criticised by X"
        start += first.end()
    while start < end:
        first = re.match(r"[A-Za-z]+", text[start:end])
        comma = text.find(",", start, end - 1)
        if not first or comma < 0 or first.group(0) not in ADVERBIAL_PREPOSITIONS:
            break
        start = comma + 1
        while start < end and text[start].isspace():
            start += 1
    if end > start and end < len(text) and text[end] == "," and text.find(",", start, end) > 0:
        end += 1  # an appositive's closing comma, as PolNeAR keeps it ("Sen. Ana Ruiz, R-Fla.,")
    return Span(start, end) if end > start else None


# Words that open a source noun phrase and get cut off it ("no one knows", "almost everyone agrees",
# "none of his rivals attacked", "a newly elected Bush sought").
_SOURCE_OPENERS = re.compile(
    r"(?:\b(?:no|almost|nearly|virtually|none\s+of|some\s+of|many\s+of|most\s+of|all\s+of|each\s+of|a|an|the)\s+)$",
    re.IGNORECASE,
)


# What the learned tagger leaves on a source's edges and PolNeAR's sources never hold: a relative pronoun
# whose clause went elsewhere ("Mr. Khan, who"), a conjunction or focus word in front ("Even some of her
# allies", "When Trump"), a time phrase at the end ("allies on Monday predicted", "scientists this week").
_RELATIVE_TAIL = re.compile(r",?\s+(?:who|whose)$", re.IGNORECASE)
_SOURCE_CONJUNCTION = re.compile(
    r"(?:even|when|while|but|and|so|although|though|because|if|once)\s+(?=\S)", re.IGNORECASE
)
_TIME_TAIL = re.compile(
    r"(?:,?\s+(?:on|this|last)(?:\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|week|month|year))?)$", re.IGNORECASE
)
# A contraction at the end of the speaker belongs to the verb after it: PolNeAR's cue is "'s suggesting"
# with the source "He" ("He's suggesting"), "'m aghast" with "I", "'s been making the case" with "Christie".
_CONTRACTION = re.compile(r"\b(?:he|she|it|i|we|they|you|who)['’](?:s|m|re|ve|d|ll)$", re.IGNORECASE)
_HAS_BEEN = re.compile(r"\s+been\b")


def trim_speaker(text: str, attr: Attr) -> Attr:
    """The speaker without a relative pronoun at its end, a conjunction at its start or a time phrase at its
    end ("Mr. Khan, who had addressed …, said" -> "Mr. Khan")."""
    if attr.speaker is None:
        return attr
    start, end = attr.speaker
    tail = _RELATIVE_TAIL.search(text, start, end)
    if tail is not None and tail.start() > start:
        end = tail.start()
    opener = _SOURCE_CONJUNCTION.match(text, start, end)
    if opener is not None:
        start = opener.end()
    time = _TIME_TAIL.search(text, start, end)
    if time is not None and time.start() > start:
        end = time.start()
    return attr if (start, end) == attr.speaker else replace(attr, speaker=(start, end))


def contraction_to_cue(text: str, attr: Attr) -> Attr:
    """ "He's suggesting": the speaker "He", the cue "'s suggesting"."""
    if attr.speaker is None or attr.cue is None:
        return attr
    start, end = attr.speaker
    contraction = _CONTRACTION.search(text, start, end) or (
        text[end - 2 : end] in ("'s", "’s") and _HAS_BEEN.match(text, end) is not None
    )
    if not contraction or not text[end : attr.cue[0]].isspace():
        return attr
    cut = max(text.rfind("'", start, end), text.rfind("’", start, end))
    if cut <= start:
        return attr
    return replace(attr, speaker=(start, cut), cue=(cut, attr.cue[1]))


def widen_source(text: str, attr: Attr) -> Attr:
    """The speaker with a quantifier or article just before it that belongs to its noun phrase."""
    if attr.speaker is None:
        return attr
    start, end = attr.speaker
    opener = _SOURCE_OPENERS.search(text, max(0, start - 12), start)
    if opener is None or (attr.cue and attr.cue[0] < start and attr.cue[1] > opener.start()):
        return attr
    if any(s < start and opener.start() < e for s, e in attr.contents):
        return attr
    return replace(attr, speaker=(opener.start(), end))
