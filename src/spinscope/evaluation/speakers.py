"""Speakers a reader would call wrong: a weekday, month, number, pronoun or determiner as a speaker name,
a pronoun left unresolved, a lower-case common noun typed as a person. Used by the test suite over the
bundled texts and, over a corpus, by ``python -m spinscope.evaluation.speakers DIR`` (PolNeAR layout)."""

from __future__ import annotations

import re
import sys
from collections import Counter

from spinscope.analyzers.quotes.vocab import PERSON_ROLES, TITLES
from spinscope.document import Quote
from spinscope.lexicons import words

_FUNCTION_WORDS = {
    *"he she it they we i you who which whom his her its their our my your one many some most all several".split(),
    *"others this that these those i'm i’m there here".split(),
}
_PRONOUNS = {"he", "she", "i", "you", "him", "her"}


def problem(text: str, quote: Quote) -> str | None:
    """Why a reader would call this quote's speaker wrong, or None."""
    if quote.speaker is None:
        return None
    phrase = text[quote.speaker.start : quote.speaker.end]
    name = quote.speaker_name or ""
    low = name.lower().strip(" .,")
    if low in words("weekdays", "months") or low in _FUNCTION_WORDS:
        return f"speaker name {name!r}"
    if re.fullmatch(r"[\d.,%\s]+", low or "x"):
        return f"speaker name {name!r} is a number"
    if quote.speaker_type == "person" and not name:
        head = re.split(r",| who\b", phrase.lower())[0].split()
        if head and head[-1] in _PRONOUNS:
            return f"pronoun {phrase!r} left unresolved"
        if not re.search(r"[A-Z]", phrase) and not (set(head) & (PERSON_ROLES | TITLES | _PRONOUNS)):
            return f"common noun {phrase!r} typed as a person"
    return None


def main(argv: list[str] | None = None) -> None:
    """Count the speakers of every quote found in a PolNeAR-layout folder that fail :func:`problem`."""
    from spinscope.analyzers.quotes import find_quotes
    from spinscope.evaluation.quotes import load_polnear
    from spinscope.segmentation import sentences

    args = sys.argv[1:] if argv is None else argv
    if not args:
        raise SystemExit("usage: python -m spinscope.evaluation.speakers DIR")
    total, kinds, examples = 0, Counter(), []
    for article in load_polnear(args[0]):
        for quote in find_quotes(article.text, sentences(article.text)):
            if quote.speaker is None:
                continue
            total += 1
            why = problem(article.text, quote)
            if why is not None:
                kinds[why.split(" ", 1)[0]] += 1
                examples.append(why)
    print(f"{sum(kinds.values())} of {total} speakers a reader would call wrong: {dict(kinds)}")
    for why in examples[:20]:
        print(f"  {why}")


if __name__ == "__main__":
    main()
