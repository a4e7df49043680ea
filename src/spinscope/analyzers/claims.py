"""Checkable claims: statements of fact a reader could verify.

:func:`find_claims` looks at each sentence (split further at semicolons) that
is not opinion, and scores it from transparent cues. Each cue found adds a
reason and a weight; the score is the noisy-or of the weights,
``1 - prod(1 - w)``, so it is in [0, 1], grows with every extra cue and never
double-counts one. A clause is a claim when its score reaches
:data:`THRESHOLD` (one strong cue, or two weak ones).

========================  ======  ====================================================
reason                    weight  what triggers it
========================  ======  ====================================================
``number``                0.35    digits or number words ("40", "three", "dozens")
``percentage``            0.40    "%", "percent", "per cent", "percentage points"
``money``                 0.40    currency signs or words ("$5 million", "200 euros")
``date``                  0.25    weekdays, months, years, "yesterday", "last week"
``casualties``            0.40    killed, dead, wounded, injured, casualties, deaths
``named actor``           0.35    a capitalised name (not the sentence's first word, a
                                  weekday/month, or a place after in/at/near/from) in a
                                  clause with a finite verb
``causal``                0.30    "killed by", "launched by", "because of", "led to",
                                  "caused", "due to", "resulted in", "as a result of"
``place``                 0.15    "in/at/near/from" + a capitalised place name
``attributed``            0.10    the clause reports what a source said (a quote with
                                  a speaker overlaps it)
========================  ======  ====================================================

Not claims: sentences whose voice is "opinion" (the writer's, or a quoted
speaker's opinion, both from :func:`spinscope.analyzers.voice.classify_sentences`),
except a writer's opinion sentence that is no rhetorical line
(:data:`spinscope.analyzers.rhetoric.RHETORICAL`) and whose clause has a hard cue
(:data:`HARD_REASONS`: a number, percentage, sum, date or toll), questions, clauses under four words, verdicts ("That is simply wrong.", "The
claims are absurd."), copyright and distribution lines, and text inside scare
quotes. A direct quote's speaker and cue count for nothing but ``attributed``
(so '"It was a wonderful evening," said Ruiz.' is no claim), and "one" alone
is no number ("one of several options", "at one point").

Precision on the labelled invented sample in ``tests/test_claims.py`` (every
sentence given the reporting voice, so no opinion is caught before): 1.0 with
recall 1.0 (0.62 and 1.0 before these rules); through the whole pipeline, with
the shipped voice model, 1.0 and 1.0 (0.76 and 1.0 before). The sample was
written beside these rules: it shows the cases are handled, it is no estimate
of accuracy on real news.
"""

from __future__ import annotations

import re

from spinscope.analyzers.rhetoric import RHETORICAL, masked_sentence, rhetoric_cues
from spinscope.document import Claim, Quote, SentenceVoice, Span
from spinscope.lexicons import alternation, words
from spinscope.segmentation import body_end

THRESHOLD = 0.35
# What makes a sentence of the writer's opinion a claim all the same: a figure, a date, a death toll.
HARD_REASONS = frozenset({"number", "percentage", "money", "date", "casualties"})
WEIGHTS = {
    "number": 0.35,
    "percentage": 0.40,
    "money": 0.40,
    "date": 0.25,
    "casualties": 0.40,
    "named actor": 0.35,
    "causal": 0.30,
    "place": 0.15,
    "attributed": 0.10,
}

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|"
    r"thousands?|millions?|billions?|trillions?|dozens?|half|quarter|a third|two-thirds|"
    r"first|second|third|fourth|fifth|tenth|hundredth|twice|double|triple"
)
# "may" is a month only where the text says so; "Mar." and "Jun." are dates, "mar" and "jun" are not.
_MONTH_NAMES = "|".join(sorted(words("months") - {"may"}))
_MONTH_ABBREVIATIONS = "|".join(re.escape(w) for w in sorted(words("month-abbreviations")) if w.endswith("."))
_PATTERNS: dict[str, re.Pattern[str]] = {
    "percentage": re.compile(r"\d\s?%|\b(?:per ?cent|percent|percentage points?)\b", re.I),
    "money": re.compile(
        r"[$€£¥₹]\s?\d|\b\d[\d,.]*\s?(?:million|billion|bn|m)?\s?(?:dollars|euros|pounds|yen|yuan|rupees|"
        r"roubles|rubles|francs|pesos|usd|eur|gbp)\b|\b(?:dollars|euros|pounds sterling)\b",
        re.I,
    ),
    "number": re.compile(rf"(?<![\w.])\d[\d,.]*\b|\b(?:{_NUMBER_WORDS})\b", re.I),
    "date": re.compile(
        rf"\b(?:{alternation('weekdays')}|yesterday|today|tonight|"
        rf"{_MONTH_NAMES}|{_MONTH_ABBREVIATIONS}|"
        r"(?:last|this|next|earlier this|later this) (?:week|month|year|weekend|morning|night)|"
        r"(?:1[89]|20)\d\d|\d{1,2}/\d{1,2}/\d{2,4})\b",
        re.I,
    ),
    "casualties": re.compile(
        r"\b(?:kill(?:ed|ing|s)?|dead|died|dies|deaths?|wounded|wounding|injur(?:ed|ies|y|ing)|casualt(?:y|ies)|"
        r"fatalit(?:y|ies)|bodies|massacred?|slain|executed|shot dead|missing|displaced|abducted|kidnapped|"
        r"arrested|detained)\b",
        re.I,
    ),
    "causal": re.compile(
        r"\b(?:(?:killed|launched|fired|carried out|caused|destroyed|hit|struck|shot|attacked|bombed|"
        r"damaged|set|triggered|sparked|ordered|built|funded) by|because of|due to|led to|leads to|"
        r"lead to|caused|causing|causes|resulted in|results in|as a result of|triggered|sparked|"
        r"blamed on|blamed|in retaliation for|in response to)\b",
        re.I,
    ),
    "place": re.compile(r"\b(?:in|at|near|from|outside|inside|across|into) (?:the )?[A-Z][a-z]+", re.U),
}
_PAST_VERB = re.compile(
    r"\b(?:\w+ed|said|told|met|went|came|took|gave|made|sent|held|left|began|won|lost|fought|shot|struck|"
    r"hit|fled|led|built|paid|sold|bought|brought|spent|ran|wrote|rose|fell|seized|stole|broke|"
    r"is|are|was|were|has|have|had|will)\b"
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:\s+(?:of\s+)?[A-Z][\w\-]+)*")
_DATE_WORD = re.compile("|".join(w.capitalize() for w in sorted(words("weekdays", "months"))))
_PLACE_BEFORE = re.compile(r"\b(?:in|at|near|from|outside|inside|across|into|to|of)\s+(?:the\s+)?$")
_SENTENCE_INITIAL_STOP = {w.capitalize() for w in words("sentence-starters")}


# Not checkable: the writer's (or a speaker's) verdict on something ("That, Senator, is simply wrong.",
# "The claims are absurd."), and copyright or distribution lines.
_VERDICT = re.compile(
    r"\b(?:is|are|was|were|be)\s+(?:(?:simply|just|plainly|clearly|utterly|completely|totally|entirely|"
    r"absolutely|frankly|patently|flatly|obviously|not|nothing but)\s+)*"
    r"(?:wrong|false|untrue|true|absurd|ridiculous|outrageous|nonsense|a lie|lies|shameful|disgraceful|"
    r"a disgrace|a scandal|unacceptable|inexcusable|laughable|preposterous|misleading|dishonest|baseless)\b",
    re.I,
)
_BOILERPLATE = re.compile(
    r"©|\(c\)\s*(?:1[89]|20)\d\d|\bcopyright\b|\ball rights reserved\b|\bmay not be (?:re)?(?:published|"
    r"produced|broadcast|distributed|copied)\b|^\W*(?:distributed|syndicated) by\b|\bsubscribers only\b",
    re.I,
)


def _mask(text: str, start: int, end: int, quotes: list[Quote]) -> str:
    """The clause text with scare-quoted stretches and direct quotes' speech tags (speaker and cue) blanked
    (same length, so offsets hold): "said Ruiz" makes no named actor of small talk."""
    chunk = list(text[start:end])
    clause = Span(start, end)
    for quote in quotes:
        if quote.kind == "scare":
            parts = [quote.content]
        elif quote.kind == "direct":  # an indirect quote's speaker is often the claim's actor ("X voted against")
            parts = [p for p in (quote.speaker, quote.cue) if p is not None]
        else:
            continue
        for part in parts:
            if not part.overlaps(clause):
                continue
            for i in range(max(part.start, start), min(part.end, end)):
                chunk[i - start] = " "
    return "".join(chunk)


def _clauses(text: str, sentence: Span) -> list[Span]:
    """The sentence split at semicolons (each part trimmed)."""
    parts = []
    position = sentence.start
    for match in re.finditer(r";\s+", text[sentence.start : sentence.end]):
        parts.append(Span(position, sentence.start + match.start()))
        position = sentence.start + match.end()
    parts.append(Span(position, sentence.end))
    result = []
    for part in parts:
        start, end = part.start, part.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            result.append(Span(start, end))
    return result


def claim_reasons(clause: str, attributed: bool = False) -> list[str]:
    """The cues found in one clause's text, in the order of :data:`WEIGHTS`."""
    found: set[str] = set()
    for reason, pattern in _PATTERNS.items():
        if pattern.search(clause):
            found.add(reason)
    # A bare year or date number is not also a "number"; money and percentages carry their own number.
    numbers = [m.group() for m in _PATTERNS["number"].finditer(clause)]
    # "one" alone is rarely a quantity ("one of several options", "at one point", "no one").
    vague = ("one", "first", "second")
    if numbers and all(re.fullmatch(r"(?:1[89]|20)\d\d", n) or n.lower() in vague for n in numbers):
        found.discard("number")
    if found & {"money", "percentage"}:
        found.discard("number")
    first_word = re.search(r"\w", clause)
    names = [
        m.group()
        for m in _NAME.finditer(clause)
        if m.group().split()[0] not in _SENTENCE_INITIAL_STOP
        and not _DATE_WORD.fullmatch(m.group().split()[0])
        and not _PLACE_BEFORE.search(clause[max(0, m.start() - 12) : m.start()])
        and not (first_word and m.start() == first_word.start())  # the clause's first word
        and not re.search(r"[\"“‘:(]\s*$", clause[max(0, m.start() - 3) : m.start()])  # opens a quote
    ]
    if names and _PAST_VERB.search(clause):
        found.add("named actor")
    if attributed:
        found.add("attributed")
    return [reason for reason in WEIGHTS if reason in found]


def claim_score(reasons: list[str]) -> float:
    """Noisy-or of the reasons' weights."""
    remaining = 1.0
    for reason in reasons:
        remaining *= 1.0 - WEIGHTS[reason]
    return round(1.0 - remaining, 4)


def find_claims(
    text: str,
    sentences: list[Span],
    quotes: list[Quote],
    voices: list[SentenceVoice],
    blocks: list[Span] | None = None,
) -> list[Claim]:
    """Checkable claims among the sentences (``voices`` from ``classify_sentences``, matched by offsets;
    ``blocks``: the text's paragraphs when the caller has them already)."""
    voice_at = {(v.start, v.end): v for v in voices}
    claims: list[Claim] = []
    end = body_end(text, blocks)  # site furniture after the article is no claim
    for sentence in (s for s in sentences if s.start < end):
        voice = voice_at.get((sentence.start, sentence.end))
        if voice is None:
            voice = next((v for v in voices if Span(v.start, v.end).overlaps(sentence)), None)
        # The writer's opinion may still state a checkable fact ("Four years ago the town hall told us the
        # tram line would be finished by 2020."): kept when it has a hard cue and is no rhetorical line.
        # A quoted speaker's opinion is theirs: no claim.
        in_opinion = voice is not None and voice.voice == "opinion"
        if in_opinion and voice.speaker != "writer":
            continue
        if in_opinion and RHETORICAL & set(rhetoric_cues(masked_sentence(text, sentence, quotes))):
            continue
        for clause in _clauses(text, sentence):
            masked = _mask(text, clause.start, clause.end, quotes)
            stripped = masked.strip().rstrip("\"”’'")
            if stripped.endswith("?") or len(re.findall(r"\w+", masked)) < 4:
                continue
            if _VERDICT.search(masked) or _BOILERPLATE.search(text[clause.start : clause.end]):
                continue
            attributed = any(q.kind != "scare" and q.speaker is not None and q.content.overlaps(clause) for q in quotes)
            reasons = claim_reasons(masked, attributed)
            if in_opinion and not HARD_REASONS & set(reasons):
                continue
            score = claim_score(reasons)
            if score >= THRESHOLD:
                claims.append(Claim(clause.start, clause.end, score, reasons))
    return claims
