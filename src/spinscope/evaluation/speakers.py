"""Speakers a reader would call wrong: a weekday, month, number, pronoun or determiner as a speaker name,
a pronoun left unresolved, a lower-case common noun typed as a person. Used by the test suite over the
bundled texts and, over a corpus, by ``python -m spinscope.evaluation.speakers DIR [--skip N] [--limit N]`` (a
PolNeAR split or a folder of ``.txt`` articles), which also counts junk speaker names (:func:`junk`):
the ones no reader would accept as a source at all (issue #26: at most 3 per 1,500 speakers)."""

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
_PRONOUN_WORDS = {*_PRONOUNS, *"we they it us them me i'm we're".split()}
# A name found after one of these somewhere in the text is a place ("in Port Elwin", "near Harlow").
_LOCATIVE = r"\b(?:in|near|across|outside|around)\s+"


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
        # a relative pronoun stands for its antecedent, which may be unnamed ("a man who said")
        relative = head == ["who"]
        if not relative and not re.search(r"[A-Z]", phrase) and not (set(head) & (PERSON_ROLES | TITLES | _PRONOUNS)):
            return f"common noun {phrase!r} typed as a person"
    return None


def junk(text: str, quote: Quote) -> str | None:
    """Why this quote's speaker name is no source at all, or None: a weekday or month, a lone function
    word or pronoun fragment ("One", "He", "I'm"), a number, or a place (a name the text puts after
    "in", "near" … and that a pronoun or descriptor was resolved to)."""
    name = (quote.speaker_name or "").strip(" .,;:")
    if quote.speaker is None or not name:
        return None
    low = name.lower()
    # "US", "WHO" in capitals are no pronouns
    name_words = [w.lower().replace("’", "'") for w in name.split() if not (w.isupper() and len(w) > 1)]
    if low in words("weekdays", "months"):
        return f"date {name!r}"
    if re.fullmatch(r"[\d.,%\s]+", low):
        return f"number {name!r}"
    if low in _FUNCTION_WORDS or (len(name_words) == 1 and low in words("not-names")):
        return f"function-word {name!r}"
    if name_words and (name_words[0] in _PRONOUN_WORDS or name_words[-1] in _PRONOUN_WORDS):
        return f"pronoun-fragment {name!r}"
    phrase = text[quote.speaker.start : quote.speaker.end]
    # "Pope Francis" somewhere makes "faith in Francis" no place
    titled = re.search(rf"\b(?:{'|'.join(sorted(TITLES))})\.?\s+{re.escape(name)}\b", text, flags=re.I)
    # a pronoun or descriptor resolved to a place; a country named as the subject speaks for its government
    if (
        not titled
        and name not in phrase
        and quote.speaker_type not in ("organisation", "group")
        and re.search(_LOCATIVE + re.escape(name) + r"\b", text)
    ):
        return f"place {name!r} ({phrase!r})"
    return None


def _articles(folder: str, limit: int | None, skip: int = 0) -> list[str]:
    """The texts of a PolNeAR split (``text/`` and ``attributions/``) or of the ``.txt`` files in a folder."""
    from pathlib import Path

    from spinscope.evaluation.quotes import load_polnear

    root = Path(folder)
    if (root / "attributions").is_dir():
        texts = [a.text for a in load_polnear(root)]
    else:
        texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.txt"))]
    texts = texts[skip:]
    return texts[:limit] if limit else texts


def main(argv: list[str] | None = None) -> None:
    """Count the speakers found in a folder of articles that fail :func:`problem`, and the junk names."""
    import argparse

    from spinscope.analyzers.quotes import find_quotes
    from spinscope.segmentation import sentences

    parser = argparse.ArgumentParser(prog="python -m spinscope.evaluation.speakers")
    parser.add_argument("folder", help="a PolNeAR split or a folder of .txt articles")
    parser.add_argument("--limit", type=int, default=None, help="N articles only")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N articles (in name order)")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    total, kinds, examples, junks = 0, Counter(), [], []
    for text in _articles(args.folder, args.limit, args.skip):
        for quote in find_quotes(text, sentences(text)):
            if quote.speaker is None:
                continue
            total += 1
            why = problem(text, quote)
            if why is not None:
                kinds[why.split(" ", 1)[0]] += 1
                examples.append(why)
            bad = junk(text, quote)
            if bad is not None:
                junks.append(bad)
    print(f"{sum(kinds.values())} of {total} speakers a reader would call wrong: {dict(kinds)}")
    for why in examples[:20]:
        print(f"  {why}")
    per = 1500 * len(junks) / total if total else 0.0
    print(
        f"{len(junks)} of {total} speaker names are junk ({per:.1f} per 1,500): {dict(Counter(j.split()[0] for j in junks))}"
    )
    for why in junks:
        print(f"  {why}")


if __name__ == "__main__":
    main()
