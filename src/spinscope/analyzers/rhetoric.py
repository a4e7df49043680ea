"""Rhetorical lines: what in a sentence's surface makes it the writer's opinion and no checkable claim.

The voice head (:mod:`spinscope.analyzers.voice`) was fitted on single NewsSD sentences, which hold few of
an op-ed's rhetorical devices; it reads "Fair to whom?", "Stop the charge now." and "Real patriots stand
with drivers." as reporting (issue #24). These cues catch them from the surface, outside direct quotes
(a quoted speaker's question is theirs, not the writer's):

==================  ===================================================================================
cue                 what triggers it
==================  ===================================================================================
``question``        the sentence ends with "?" (a rhetorical question: "Fair to whom?")
``exclamation``     a "!"
``exhortation``     it opens with a verb of exhortation followed by what an imperative takes
                    ("Stop the charge now.", "Phone your councillor.", "Say no to the tax raid.")
``first person``    I / we / our / us / my, the writer speaking for themself or for "us"
``either-or``       "either ... or" (a choice between two camps)
``verdict``         "is simply wrong", "is a disgrace", "is nonsense" (the claims module's verdicts), or
                    a sentence opening "That is" / "That's" with no figure ("That is highway robbery.")
``fragment``        three words or fewer, no byline ("Forty-five.", "Fine.", "Every single time.")
==================  ===================================================================================

Questions, exclamations, exhortations, either-or choices and verdicts are rhetorical lines: no claim
(:data:`RHETORICAL`). A sentence in the first person can still state a checkable fact ("Four years ago the
same town hall told us the tram line would be finished by 2020.").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from spinscope.document import Quote, Span
from spinscope.lexicons import words

# "US" (the country) is no first person; "I" only as a word on its own.
_FIRST_PERSON = re.compile(r"\b(?:I|[Ww]e|[Oo]urs?|[Oo]urselves|us|[Mm]y|me)\b")
_EITHER_OR = re.compile(r"\beither\b.{3,}\bor\b", re.I | re.S)
# A dateline before the first sentence ("HARWICK - ", "SALVIK, Varnsea - ") is not part of what is said.
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:,\s*[A-Z][\w .'-]*)?(?:\s*\([^)]*\))?\s*[-–—:]\s+")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'-]*")
_THAT_IS = re.compile(r"^(?:That(?:'s| is| was)|That, [^,]+, is)\b")
_BYLINE = re.compile(r"^(?:By|From)\s")
RHETORICAL = frozenset({"question", "exclamation", "exhortation", "either-or", "verdict"})


def masked_sentence(text: str, sentence: Span, quotes: Sequence[Quote]) -> str:
    """The sentence with direct quotes' contents blanked (same length): what is left is the writer's."""
    chunk = list(text[sentence.start : sentence.end])
    for quote in quotes:
        if quote.kind != "direct" or not quote.content.overlaps(sentence):
            continue
        for i in range(max(quote.content.start, sentence.start), min(quote.content.end, sentence.end)):
            chunk[i - sentence.start] = " "
    return "".join(chunk)


def is_exhortation(sentence: str) -> bool:
    """Whether the sentence opens with an exhortation to the reader ("Stop the charge now.")."""
    opening = _WORD.findall(_DATELINE.sub("", sentence.strip()))[:2]
    if len(opening) < 2 or not opening[0][:1].isupper() or opening[0].lower() not in words("exhortation-verbs"):
        return False
    follower = opening[1]
    return follower.lower() in words("exhortation-objects") or follower[:1].isupper()


def rhetoric_cues(writer_text: str) -> list[str]:
    """The cues of rhetoric in a sentence's own words (direct quotes blanked: see :func:`masked_sentence`)."""
    from spinscope.analyzers.claims import _VERDICT  # one list of verdicts for both modules

    stripped = writer_text.strip().rstrip("\"'”’)]").rstrip()
    if not _WORD.search(stripped):
        return []  # nothing but a quotation
    cues = []
    if stripped.endswith("?"):
        cues.append("question")
    if "!" in stripped:
        cues.append("exclamation")
    if is_exhortation(stripped):
        cues.append("exhortation")
    if _FIRST_PERSON.search(stripped):
        cues.append("first person")
    if _EITHER_OR.search(stripped):
        cues.append("either-or")
    # "That's up from 6.5 percent" is a figure, not a verdict
    that_is = _THAT_IS.match(_DATELINE.sub("", stripped)) and not re.search(r"\d", stripped)
    if _VERDICT.search(stripped) or that_is:
        cues.append("verdict")
    # a speech tag left after a quotation is blanked ("the minister said.") is no fragment
    blanked = "   " in writer_text or any(mark in stripped for mark in '"“”')
    if len(_WORD.findall(stripped)) <= 3 and stripped.endswith(".") and not blanked and not _BYLINE.match(stripped):
        cues.append("fragment")
    return cues
