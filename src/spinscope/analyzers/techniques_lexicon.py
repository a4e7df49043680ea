"""What the tagger lacks: knowledge of words and phrases a reader plainly sees as spin.

PTC's annotators mark some loaded words and not others, so a tagger trained on PTC alone scores blatant
spin ("a shameless cash grab", "clueless ideologues", "Stop the charge now") low or not at all. This module
finds, with exact offsets:

- phrases of ``lexicons/persuasive-phrases.txt`` (written by hand; ``*`` ends a prefix), each with its technique;
- words PTC's annotators mark as loaded language or name-calling (``lexicons/ptc-loaded-words.txt``, learned by
  ``training/ptc_lexicon.py`` from the PTC train articles the persuasion map is not fitted on);
- rhetorical questions: a short question in the running text ("Fair to whom?"), the writer's doubt;
- exhortations: a short sentence that opens with an imperative of action ("Stop the charge now.", "Say no to
  the levy!", "Don't let them win."), the shape of a slogan.

Hits are evidence, not verdicts: the model engine adds one only where the tagger found no span, and the
probability that it is persuasive comes from ``spinscope.calibration`` (fitted out-of-fold on PTC).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from spinscope.document import TechniqueSpan

LEXICON = "persuasive-phrases"
LEARNED = "ptc-loaded-words"
LEARNED_PREFIX = "ptc:"
# A lexicon span's score: a fixed value (what ranks it among a passage's labels), not a probability.
LEXICON_SCORE = 0.5
EXHORTATION = "exhortation"
EXHORTATION_TECHNIQUE = "Slogans"
# Imperatives that open a call to act ("Stop ...", "Say no to ...", "Vote them out"); a verb of everyday
# instructions (add, take, see, read, call) is left out: recipes, directions and notices use those.
_IMPERATIVES = (
    "stop|say no|scrap|sack|ditch|dump|reject|resist|fight|defend|stand up|stand with|stand by|rise up|wake up|"
    "vote them out|vote him out|vote her out|vote out|throw them out|kick them out|kick out|tell them|tell your|"
    "demand|refuse|boycott|never forget|never again|enough|no more|not on our watch|hands off|don't let|do not let|"
    "don’t let|let's take back|let’s take back|take back|bring back|save our|save the|protect our|make"
)
_EXHORTATION = re.compile(
    rf"(?:(?<=^)|(?<=[.!?]\s)|(?<=\n))\s*(?P<body>(?:{_IMPERATIVES})\b[^.!?\n]{{0,60}}[.!])", re.I
)
MAX_EXHORTATION_WORDS = 9
# A short question the writer asks the reader ("Fair to whom?", "Which services?") casts doubt: news asks
# none in its own voice. Whole sentences only; a question inside a quotation is the speaker's.
RHETORICAL_QUESTION = "rhetorical question"
QUESTION_TECHNIQUE = "Doubt"
_QUESTION = re.compile(r"(?:(?<=^)|(?<=[.!?]\s)|(?<=\n))\s*(?P<body>[A-Z][^.!?\n\"“”]{1,90}\?)")
MAX_QUESTION_WORDS = 14


@dataclass(frozen=True)
class LexiconHit:
    start: int
    end: int
    technique: str
    source: str  # the lexicon entry ("cash grab", "ideologue*"), "exhortation" or "rhetorical question"

    @property
    def kind(self) -> str:
        """What found it: "phrase" (the hand-written list), "learned" (a word PTC's annotators mark), "exhortation"
        or "question" (the persuasion map tells them apart)."""
        if self.source.startswith(LEARNED_PREFIX):
            return "learned"
        return {EXHORTATION: "exhortation", RHETORICAL_QUESTION: "question"}.get(self.source, "phrase")


def _read_entries() -> list[tuple[str, str]]:
    raw = resources.files("spinscope.lexicons").joinpath(f"{LEXICON}.txt").read_text(encoding="utf-8")
    entries = []
    for line in raw.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        technique, _, phrase = line.partition(":")
        entries.append((technique.strip(), phrase.strip().lower()))
    return entries


def _phrase_pattern(phrase: str) -> str:
    prefix = phrase.endswith("*")
    words = phrase.rstrip("*").split()
    body = r"\s+".join(re.escape(w).replace("'", "['’]") for w in words)
    return rf"\b{body}" + (r"[\w-]*" if prefix else r"\b")


@cache
def _compiled() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """One alternation of every entry (longest first, so "pampered elite" wins over "pampered"), and the
    group name of each entry -> (technique, entry)."""
    entries = sorted(_read_entries(), key=lambda e: -len(e[1]))
    groups = {f"e{i}": entry for i, entry in enumerate(entries)}
    pattern = "|".join(f"(?P<e{i}>{_phrase_pattern(phrase)})" for i, (_t, phrase) in enumerate(entries))
    return re.compile(pattern, re.I), groups


@cache
def _learned() -> tuple[dict[str, str], re.Pattern[str]]:
    """The words PTC's annotators mark (``lexicons/ptc-loaded-words.txt``, training/ptc_lexicon.py) -> technique."""
    raw = resources.files("spinscope.lexicons").joinpath(f"{LEARNED}.txt").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in raw.splitlines() if line and not line.startswith("#")]
    return {row[1]: row[0] for row in rows}, re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


@lru_cache(maxsize=8)
def lexicon_hits(text: str) -> tuple[LexiconHit, ...]:
    """Every lexicon phrase, exhortation and rhetorical question in ``text``, in order (a phrase inside an
    exhortation is kept too). Cached for the last few texts: the detector and the persuasion map both read it."""
    pattern, groups = _compiled()
    hits = []
    for match in pattern.finditer(text):
        technique, entry = groups[match.lastgroup or ""]
        hits.append(LexiconHit(match.start(), match.end(), technique, entry))
    learned, words = _learned()
    for match in words.finditer(text):
        word = match.group().lower()
        if word in learned:
            hits.append(LexiconHit(match.start(), match.end(), learned[word], LEARNED_PREFIX + word))
    for match in _EXHORTATION.finditer(text):
        body = match.group("body")
        if len(body.split()) <= MAX_EXHORTATION_WORDS:
            start = match.start("body")
            end = start + len(body.rstrip(".!"))
            hits.append(LexiconHit(start, end, EXHORTATION_TECHNIQUE, EXHORTATION))
    for match in _QUESTION.finditer(text):
        body = match.group("body")
        if len(body.split()) <= MAX_QUESTION_WORDS:
            start = match.start("body")
            hits.append(LexiconHit(start, start + len(body), QUESTION_TECHNIQUE, RHETORICAL_QUESTION))
    return tuple(sorted(hits, key=lambda h: (h.start, h.end)))


def lexicon_spans(text: str, found: Sequence[TechniqueSpan]) -> list[TechniqueSpan]:
    """Technique spans for the hits where the detectors ``found`` nothing (no overlap with a tagger span, not
    the same place as any span); their ``persuasion`` is set by the pipeline (spinscope.calibration)."""
    from spinscope.calibration import Evidence

    tagged = [(t.start, t.end) for t in found if t.engine == "model"]
    have = {(t.start, t.end) for t in found}
    out = []
    for h in lexicon_hits(text):
        if (h.start, h.end) in have or any(s < h.end and h.start < e for s, e in tagged):
            continue
        span = TechniqueSpan(h.start, h.end, h.technique, LEXICON_SCORE, "lexicon")
        span.evidence = Evidence("lexicon", lexicon_kind=h.kind)
        out.append(span)
        have.add((h.start, h.end))
    return out
