"""Is this text English? spinscope's models were trained on English news only.

Why a heuristic and not a language-identification library (langdetect, fastText's
lid.176, lingua): we only need "English or not", not which of 100+ languages; the
heuristic needs no model download (spinscope runs offline) and no extra dependency;
and it is deterministic (langdetect is random unless seeded, and can flip on short
texts), so the same input always gets the same answer, which tests and batch runs
rely on. Function words (the, of, and, said, ...) make up roughly 40% of the words
of English prose and almost none of other languages' words, and they are exactly
the words a language-id model leans on for short texts too.

The rules, in order:

1. Mostly non-Latin letters (Cyrillic, CJK, Arabic, Greek, ...) -> not English.
2. Function words typical of German, French, Spanish, Italian, Portuguese or Dutch
   (and never English words) outnumber English function words, and there are at
   least 3 of them -> not English.
3. A longer text (30+ words) whose English function words are under 12% of its
   words -> not English (catches languages without a list in rule 2).

A short English text with no function words at all ("Valdoria recalls ambassador.")
passes: the check only refuses what it is confident about.
"""

from __future__ import annotations

import re

from spinscope.errors import UnsupportedLanguageError

NOT_ENGLISH_REASON = "the text looks like it is not English (spinscope's models are English-only)"

ENGLISH_FUNCTION_WORDS = frozenset(
    """
    a about after against all also an and any are as at be because been before being between both
    but by can could did do does during each for from had has have he her hers him his how i if in
    into is it its just may me might more most must my no nor not of on only or other our out over
    said says she should since so some such than that the their them then there these they this
    those through to under until up us very was we were what when where which while who whom why
    will with would you your
    """.split()
)

# Frequent function words of other Latin-script languages that are not English words
# (so no English sentence is counted against). Single letters come from elisions:
# French "l'accord" and "qu'il" split into "l" and "qu". Left out on purpose: words
# common in English news as names or words ("El Paso", "Al Jazeera", "Los Angeles", "Han",
# "van", "par", "plus", "son", "non-binding", "hat", "sin", "I'd").
_FOREIGN_WORDS = """
    der die das den dem des und ist nicht ein eine einer eines einem mit auf für sich von zu im
    auch wird sind wurde haben dass oder aber nach bei aus noch vor über wie
    le la les et est une du dans pour que qui pas sur au aux avec ce cette ces sont été ont
    leur leurs mais ou où sa ses se l qu
    las y es del por con una para lo como más pero sus su está fue entre sobre
    il di che della delle degli gli è sono anche dei nel nella alla da
    os não uma em foi mais pelo pela à ao
    het een niet zijn ook maar voor dat werd wordt naar bij
"""
FOREIGN_FUNCTION_WORDS = frozenset(_FOREIGN_WORDS.split()) - ENGLISH_FUNCTION_WORDS

MIN_FOREIGN_WORDS = 3  # "Von der Leyen visits Kyiv" is English
MIN_WORDS_FOR_RATIO = 30
MIN_ENGLISH_RATIO = 0.12

_WORD = re.compile(r"[^\W\d_]+")


def _is_latin(char: str) -> bool:
    code = ord(char)
    return code < 0x0250 or 0x1E00 <= code <= 0x1EFF  # Basic Latin to Latin Extended-B, Extended Additional


def is_english(text: str) -> bool:
    """``True`` unless ``text`` is confidently not English (see the module docstring)."""
    letters = [char for char in text if char.isalpha()]
    if not letters:
        return True  # nothing to judge (numbers, punctuation): other checks reject empty input
    latin = sum(1 for char in letters if _is_latin(char))
    if latin * 2 < len(letters):
        return False
    words = [word.lower() for word in _WORD.findall(text) if all(_is_latin(char) for char in word)]
    english = sum(1 for word in words if word in ENGLISH_FUNCTION_WORDS)
    foreign = sum(1 for word in words if word in FOREIGN_FUNCTION_WORDS)
    if foreign >= MIN_FOREIGN_WORDS and foreign > english:
        return False
    return not (len(words) >= MIN_WORDS_FOR_RATIO and english < MIN_ENGLISH_RATIO * len(words))


def check_english(text: str, source: str) -> None:
    """Raise :class:`UnsupportedLanguageError` when ``text`` looks like it is not English."""
    if not is_english(text):
        raise UnsupportedLanguageError(source, NOT_ENGLISH_REASON)
