"""Checkable claims versus opinions, with hand-set voices (no model needed)."""

from __future__ import annotations

import pytest

from spinscope.analyzers.claims import THRESHOLD, WEIGHTS, claim_reasons, claim_score, find_claims
from spinscope.analyzers.quotes import find_quotes
from spinscope.document import SentenceVoice, Span
from spinscope.segmentation import sentences


def claims_of(text: str, opinions: tuple[str, ...] = ()) -> list[tuple[str, list[str]]]:
    spans = sentences(text)
    quotes = find_quotes(text, spans)
    voices = [
        SentenceVoice(s.start, s.end, "opinion" if text[s.start : s.end] in opinions else "reporting", 0.9)
        for s in spans
    ]
    found = find_claims(text, spans, quotes, voices)
    for claim in found:
        assert 0.0 <= claim.score <= 1.0
        assert claim.score >= THRESHOLD
    return [(text[c.start : c.end], c.reasons) for c in found]


@pytest.mark.parametrize(
    ("sentence", "reasons"),
    [
        ("The ministry said 40 trucks crossed the border on Tuesday.", {"number", "date", "attributed"}),
        ("Three civilians were killed by a drone launched by the rebels.", {"number", "casualties", "causal"}),
        ("Food prices rose 12 percent in the capital.", {"percentage"}),
        ("The government paid $4.5 million to the contractor.", {"money"}),
        ("Defence Minister Ana Ruiz visited the front line.", {"named actor"}),
        ("The bridge was destroyed because of the shelling in March.", {"causal", "date"}),
    ],
)
def test_checkable_sentences_are_claims(sentence: str, reasons: set[str]) -> None:
    ((text, found),) = claims_of(sentence)
    assert text == sentence
    assert reasons <= set(found)


def test_opinion_sentences_are_not_claims() -> None:
    text = "This shameful betrayal proves the government cannot be trusted. Twelve people died in the fire."
    opinion = "This shameful betrayal proves the government cannot be trusted."
    assert [t for t, _ in claims_of(text, (opinion,))] == ["Twelve people died in the fire."]


def test_quoted_opinion_is_not_a_claim() -> None:
    quoted = "“This is the worst government in our history,” the opposition leader said."
    assert claims_of(quoted, (quoted,)) == []


def test_questions_and_vague_sentences_are_not_claims() -> None:
    assert claims_of("Will the ceasefire hold after 12 days?") == []
    assert claims_of("Many people feel uneasy about the future.") == []


def test_scare_quote_only_sentence_is_not_a_claim() -> None:
    # The only checkable-looking cue sits inside the scare quotes.
    assert claims_of('The so-called "2 million strong" movement keeps growing.') == []


def test_clauses_split_at_semicolons() -> None:
    text = "The talks were long and tense; 14 delegates walked out on Friday."
    assert [t for t, _ in claims_of(text)] == ["14 delegates walked out on Friday."]


def test_score_is_a_noisy_or_of_weights() -> None:
    assert claim_score([]) == 0.0
    assert claim_score(["number"]) == pytest.approx(WEIGHTS["number"])
    both = claim_score(["number", "date"])
    assert both == pytest.approx(1 - (1 - WEIGHTS["number"]) * (1 - WEIGHTS["date"]), abs=1e-4)
    assert claim_score(list(WEIGHTS)) < 1.0


def test_year_alone_is_a_date_not_a_number() -> None:
    reasons = claim_reasons("The treaty was signed in 1998 by both sides.")
    assert "date" in reasons
    assert "number" not in reasons


def test_voices_matched_by_overlap_when_offsets_differ() -> None:
    text = "Twelve people died in the fire."
    voices = [SentenceVoice(0, len(text) - 1, "opinion", 0.8)]
    assert find_claims(text, [Span(0, len(text))], [], voices) == []
