"""What the tagger lacks: knowledge of words and phrases a reader plainly sees as spin.

PTC's annotators mark some loaded words and not others, so a tagger trained on PTC alone scores blatant
spin ("a shameless cash grab", "clueless ideologues", "Stop the charge now") low or not at all. This module
finds, with exact offsets:

- phrases of ``lexicons/persuasive-phrases.txt`` and ``lexicons/spin-words.txt`` (written by hand; ``*`` ends a
  prefix, ``+`` inflects the last word by rule: plural, verb forms, adverb), each with its technique; an entry
  whose technique starts with ``~`` is *weak* (spin in an op-ed, plain English in a report: "never", "merely"),
  told apart from the strong ones by the persuasion map;
- forms rather than words (:data:`_FORMS`): "the worst ... ever", "Valdoria first", "Either ... or ...",
  "(true|real) patriots", a word said three times ("Gone, gone, gone");
- short quotations of a few words inside a sentence (kind "fragment"): a scare quote or a partial quotation
  the writer holds at arm's length (*says the money will go to "sustainable mobility."*); whether it is spin
  depends on the article, which the persuasion map reads;
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from spinscope.document import TechniqueSpan

LEXICON = "persuasive-phrases"
LEXICONS = (LEXICON, "spin-words")
WEAK = "~"
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
    "don’t let|let's take back|let’s take back|take back|bring back|save our|save the|protect our|make|"
    "join us|join the fight|speak up|speak out|act now|get out and vote|vote no|vote yes|vote against|vote for|"
    "do not be fooled|don't be fooled|don’t be fooled|do not believe|don't believe|don’t believe|wake up|"
    "remember|let's|let’s|let us|it is time to|it's time to|it’s time to|time to|enough of|shame on|down with|"
    "long live|no to|yes to|not in my name|keep our|keep the|end the|ban the|lock (?:him|her|them) up|drain the|"
    "build the|cut the"
)
# A sentence starts at the text's start, a line's, after a full stop, "!" or "?" (and a closing quotation
# mark or bracket) and a space, or after a dateline's dash ("DUNMORE COUNTY - ").
_START = r"(?:(?<=^)|(?<=[.!?]\s)|(?<=[.!?][\"”’)]\s)|(?<=\n)|(?<=[A-Z] [-–—] ))"
# An exhortation may open with the people it calls on: "Parents of Dunmore, wake up."
_VOCATIVE = r"(?:[A-Z][\w’']*(?:\s+(?:of|and|[A-Z][\w’']*)){0,3},\s+)?"
_EXHORTATION = re.compile(rf"{_START}\s*(?P<body>{_VOCATIVE}(?:{_IMPERATIVES})\b[^.!?\n]{{0,60}}[.!])", re.I)
MAX_EXHORTATION_WORDS = 10
# A short question the writer asks the reader ("Fair to whom?", "Which services?") casts doubt: news asks
# none in its own voice. Whole sentences only; a question inside a quotation is the speaker's.
RHETORICAL_QUESTION = "rhetorical question"
QUESTION_TECHNIQUE = "Doubt"
_QUESTION = re.compile(rf"{_START}\s*(?P<body>[A-Z][^.!?\n\"“”]{{1,160}}\?)")
MAX_QUESTION_WORDS = 24
FRAGMENT = "quoted fragment"
FRAGMENT_TECHNIQUE = "Doubt"
# A quotation of at most four words that starts inside a sentence (a word before it on the same line) and
# is not a whole sentence of its own: "our "choices."", "trust in "dialogue."", "called "anti-progress"".
_FRAGMENT = re.compile(r"(?<=[\w,:;] )(?P<body>[\"“](?P<inner>[^\"“”\n]{2,60})[\"”])")
MAX_FRAGMENT_WORDS = 4
# Forms of spin, whatever the words: technique -> patterns (matched case-insensitively unless noted).
_SUPERLATIVE = r"(?:worst|biggest|greatest|most\s+\w+|(?!best\b)\w+est)"
_FORMS: tuple[tuple[str, str, int], ...] = (
    # "the worst decision ever", "the most shameful day in our history"
    (
        "Exaggeration,Minimisation",
        rf"\bthe\s+{_SUPERLATIVE}(?:\s+[\w-]+){{0,4}}?\s+(?:ever|of all time|in (?:our |living )?history|"
        r"in living memory)\b",
        re.I,
    ),
    ("Exaggeration,Minimisation", r"\b(?:each and every|every single|every last|not (?:one|a) single)\b", re.I),
    (
        "Exaggeration,Minimisation",
        r"\b(?:kill|destroy|ruin|wreck|wipe out|bankrupt|empty|gut)\s+every\b",
        re.I,
    ),
    # "Valdoria first", "Varnsea first, Varnsea always": a capitalised name and "first" closing a phrase
    ("Slogans", r"\b[A-Z][a-z]+ [Ff]irst(?:,\s+[A-Z][a-z]+\s+(?:always|forever|last))?(?=\s*[,.!\n]|\s*$)", 0),
    # "Peace through strength.", "People, not profits."
    ("Slogans", rf"{_START}\s*[A-Z][a-z]+ through [a-z]+[.!]", 0),
    ("Slogans", rf"{_START}\s*[A-Z][a-z]+(?: [a-z]+)?, not [a-z]+(?: [a-z]+)?[.!]", 0),
    # "Either the board listens to parents or it does not deserve to run our schools."
    ("Black-and-White_Fallacy", rf"{_START}\s*Either\b[^.!?\n]{{3,120}}\bor\b[^.!?\n]{{3,120}}[.!]", 0),
    (
        "Black-and-White_Fallacy",
        r"\b(?:you are|you're|you’re|are you) (?:either )?with (?:us|them|me)\b|\bthere (?:is|are) only two\b",
        re.I,
    ),
    # "true patriots", "real Americans", "every decent citizen"
    (
        "Flag-Waving",
        r"\b(?i:true|real|proud|loyal)\s+(?:(?i:patriots?|citizens?)|"
        r"[A-Z][a-z]+(?:ers|ians|ans|ish|ese|ites))\b",
        0,
    ),
    # a word said three times: "Gone, gone, gone."
    ("Repetition", r"\b(?P<rep>[A-Za-z]{3,})\b(?:[,.!]?\s+(?P=rep)\b){2,}", re.I),
)


@dataclass(frozen=True)
class LexiconHit:
    start: int
    end: int
    technique: str
    source: str  # the lexicon entry ("cash grab", "ideologue*"), "exhortation" or "rhetorical question"

    @property
    def kind(self) -> str:
        """What found it: "phrase" (the hand-written lists' strong entries and the forms), "weak" (their weak
        entries), "learned" (a word PTC's annotators mark), "exhortation", "question" or "fragment" (the
        persuasion map tells them apart)."""
        if self.source.startswith(LEARNED_PREFIX):
            return "learned"
        if self.source.startswith(WEAK):
            return "weak"
        kinds = {EXHORTATION: "exhortation", RHETORICAL_QUESTION: "question", FRAGMENT: "fragment"}
        return kinds.get(self.source, "phrase")


def _read_entries() -> list[tuple[str, str]]:
    """(technique, entry) of every line of the hand-written lists; a weak entry keeps its ``~`` in front of the
    entry (the technique without it), and an entry found in both lists is read once."""
    entries: dict[str, str] = {}
    for name in LEXICONS:
        raw = resources.files("spinscope.lexicons").joinpath(f"{name}.txt").read_text(encoding="utf-8")
        for line in raw.splitlines():
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            technique, _, phrase = line.partition(":")
            technique, phrase = technique.strip(), phrase.strip().lower()
            weak = technique.startswith(WEAK)
            if phrase and phrase not in entries and WEAK + phrase not in entries:
                entries[WEAK + phrase if weak else phrase] = technique.lstrip(WEAK)
    return [(technique, phrase) for phrase, technique in entries.items()]


def inflections(word: str) -> list[str]:
    """The forms of ``word`` by rule (plural or third person, past, -ing, adverb), the word first; forms that are
    not English words do no harm (they never match), which is why the rule may over-generate."""
    forms = [word, word + "s", word + "es", word + "ed", word + "ing", word + "ly"]
    if word.endswith("e"):
        forms += [word + "d", word[:-1] + "ing", word[:-1] + "y" if word.endswith("le") else word + "ly"]
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms += [word[:-1] + "ies", word[:-1] + "ied", word[:-1] + "ily"]
    if word.endswith("ic"):
        forms += [word + "ally"]
    if re.search(r"[^aeiou][aeiou][bdglmnprt]$", word) and len(word) <= 5:
        forms += [word + word[-1] + "ed", word + word[-1] + "ing", word + word[-1] + "er", word + word[-1] + "ers"]
    return list(dict.fromkeys(forms))


def _phrase_pattern(phrase: str) -> str:
    phrase = phrase.lstrip(WEAK)
    prefix, inflect = phrase.endswith("*"), phrase.endswith("+")
    words = phrase.rstrip("*+").split()
    body = r"\s+".join(re.escape(w).replace("'", "['’]") for w in words[:-1])
    last = [re.escape(f).replace("'", "['’]") for f in (inflections(words[-1]) if inflect else [words[-1]])]
    tail = last[0] if len(last) == 1 else "(?:" + "|".join(sorted(last, key=len, reverse=True)) + ")"
    body = rf"{body}\s+{tail}" if body else tail
    return rf"\b{body}" + (r"[\w-]*" if prefix else r"\b")


def _first_characters(phrase: str) -> set[str]:
    """The characters a match of the entry ``phrase`` can start with (before case folding)."""
    phrase = phrase.lstrip(WEAK)
    words = phrase.rstrip("*+").split()
    forms = inflections(words[-1]) if phrase.endswith("+") and len(words) == 1 else [words[0]]
    return {c for form in forms for c in (("'", "’") if form[0] == "'" else (form[0],))}


@cache
def _entries() -> tuple[list[str], dict[str, tuple[str, str]], list[set[str]]]:
    """Each entry's pattern as a named group (longest entry first, so "pampered elite" wins over "pampered"),
    the group name of each entry -> (technique, entry), and each entry's first characters."""
    entries = sorted(_read_entries(), key=lambda e: -len(e[1]))
    groups = {f"e{i}": entry for i, entry in enumerate(entries)}
    alternatives = [f"(?P<e{i}>{_phrase_pattern(phrase)})" for i, (_t, phrase) in enumerate(entries)]
    return alternatives, groups, [_first_characters(phrase) for _t, phrase in entries]


_by_character: dict[str, re.Pattern[str] | None] = {}
_by_entries: dict[tuple[int, ...], re.Pattern[str]] = {}


def _starting_with(char: str) -> re.Pattern[str] | None:
    """The alternation (in the entries' order) of the entries whose match can start with ``char`` (ignoring
    case as the match does), None when none can: compiled once per character set."""
    if char not in _by_character:
        alternatives, _groups, firsts = _entries()
        same = {c for c in set().union(*firsts) if re.fullmatch(re.escape(c), char, re.I)}
        keep = tuple(i for i, chars in enumerate(firsts) if chars & same)
        if keep and keep not in _by_entries:
            _by_entries[keep] = re.compile("|".join(alternatives[i] for i in keep), re.I)
        _by_character[char] = _by_entries[keep] if keep else None
    return _by_character[char]


def phrase_matches(text: str) -> Iterator[tuple[re.Match[str], tuple[str, str]]]:
    """Non-overlapping matches of the lexicon's entries, left to right, each with its (technique, entry): what
    one alternation of every entry (longest first) gives with ``finditer``. At each position only the entries
    that can start with its character are tried, in the same order, so the first that matches is the one the
    whole alternation would pick (the whole one tried ~1,600 entries at every character: seconds per article)."""
    _alternatives, groups, _firsts = _entries()
    position = 0
    while position < len(text):
        pattern = _starting_with(text[position])
        match = pattern.match(text, position) if pattern is not None else None
        if match is None:
            position += 1
            continue
        yield match, groups[match.lastgroup or ""]
        position = max(match.end(), position + 1)


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
    hits = []
    for match, (technique, entry) in phrase_matches(text):
        hits.append(LexiconHit(match.start(), match.end(), technique, entry))
    for technique, form, flags in _FORMS:
        for match in re.finditer(form, text, flags):
            hits.append(LexiconHit(match.start(), match.end(), technique, f"form:{technique}"))
    for match in _FRAGMENT.finditer(text):
        inner = match.group("inner").strip()
        words = inner.split()
        whole = inner[:1].isupper() and inner[-1:] in ".!?"
        whole = whole or (len(words) > 1 and all(w[:1].isupper() for w in words))  # a name or a title
        if len(words) <= MAX_FRAGMENT_WORDS and not whole:
            hits.append(LexiconHit(match.start("body"), match.end("body"), FRAGMENT_TECHNIQUE, FRAGMENT))
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
