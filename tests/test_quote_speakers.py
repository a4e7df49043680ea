"""No speaker a reader would call wrong, over the bundled example, the reader fixtures and the quote
regression texts: no weekday, month, number, pronoun or determiner as a speaker name, no pronoun left
unresolved, and no lower-case common noun typed as a person."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from spinscope.analyzers.quote_tagger import shipped
from spinscope.analyzers.quotes import find_quotes
from spinscope.analyzers.quotes.vocab import PERSON_ROLES, TITLES
from spinscope.document import Quote, Span
from spinscope.errors import SpinscopeError
from spinscope.lexicons import words
from spinscope.readers.inputs import read_file
from spinscope.segmentation import sentences

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
_FUNCTION_WORDS = {
    *"he she it they we i you who which whom his her its their our my your one many some most all several".split(),
    *"others this that these those i'm i’m there here".split(),
}
_PRONOUNS = {"he", "she", "i", "you", "him", "her"}


def _texts() -> list[tuple[str, str]]:
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").glob("*.txt"))]
    for path in [*sorted((FIXTURES / "readers").glob("*.txt")), *sorted((FIXTURES / "readers").glob("*.html"))]:
        try:
            texts.append((path.name, read_file(path).text))
        except SpinscopeError:  # fixtures of unreadable input: nothing to check
            continue
    cases = tomllib.loads((FIXTURES / "quote_regressions.toml").read_text(encoding="utf-8"))["case"]
    texts += [(case["name"], case["text"]) for case in cases]
    return texts


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


@pytest.mark.parametrize("use_tagger", [False, True])
def test_no_speaker_a_reader_would_call_wrong(use_tagger: bool):
    if use_tagger and shipped() is None:
        pytest.skip("the quote encoder is not installed")
    problems = []
    for name, text in _texts():
        for quote in find_quotes(text, sentences(text), use_tagger=use_tagger):
            why = problem(text, quote)
            if why is not None:
                problems.append(f"{name}: {why}")
    assert problems == []


def test_the_check_sees_each_kind_of_wrong_speaker():
    text = "Tuesday said it. He said so. reckless attitude said. 2019 said. Many said."
    spans = {"Tuesday": "Tuesday", "He": None, "reckless attitude": None, "2019": "2019", "Many": "Many"}

    for phrase, name in spans.items():
        start = text.index(phrase)
        quote = Quote("indirect", Span(0, 1), None, Span(start, start + len(phrase)), name, "person")
        assert problem(text, quote) is not None, phrase
    ok = Quote("indirect", Span(0, 1), None, Span(0, 7), "Ana Ruiz", "person")
    assert problem(text, ok) is None
