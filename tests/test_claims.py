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
    # a named actor is a claim in reporting, not in the writer's opinion (no figure, date or toll)
    text = "Defence Minister Ana Ruiz visited the front line."
    assert find_claims(text, [Span(0, len(text))], [], [SentenceVoice(0, len(text), "reporting", 0.8)])
    voices = [SentenceVoice(0, len(text) - 1, "opinion", 0.8)]
    assert find_claims(text, [Span(0, len(text))], [], voices) == []


@pytest.mark.parametrize(
    ("sentence", "speaker", "is_claim"),
    [
        # a checkable statement in the writer's opinion is still a claim (#24)
        ("Four years ago the town hall told us the tram line would be finished by 2020.", "writer", True),
        ("Twelve people died in the fire.", "writer", True),
        # rhetorical lines are not, figures or not
        ("Vote them out on 25 March!", "writer", False),
        ("Either the council scraps the 7 per cent rise or it goes.", "writer", False),
        ("Stop the 14-crown charge now.", "writer", False),
        # a quoted speaker's opinion is theirs
        ("Twelve people died in the fire.", "quoted", False),
    ],
)
def test_claims_in_opinion_sentences(sentence: str, speaker: str, is_claim: bool) -> None:
    voices = [SentenceVoice(0, len(sentence), "opinion", 0.8, speaker)]
    found = find_claims(sentence, [Span(0, len(sentence))], [], voices)
    assert bool(found) is is_claim


# ---- precision on a labelled sample ------------------------------------------------------------
# Invented articles, one sentence a line, each marked C (a checkable claim: a factual assertion of the
# writer or a source) or - (no claim: opinion, verdict, small talk, boilerplate, "one" that is no number).
LABELLED = [
    """\
C Senator Dana Holt voted against the water bill on Thursday.
C The bill would have cost 2.3 billion dollars over ten years, according to the budget office.
- "This is one of several options," she said.
- At one point the debate grew heated.
- That, Senator, is simply wrong.
C Holt's campaign accepted $250,000 from the bottling company in 2030, filings show.
- Her record speaks for itself.
- Copyright 2031 The Valley Courier. All rights reserved.
- This material may not be published, broadcast, rewritten or redistributed.""",
    """\
C The storm flooded 1,200 homes in Millbrook on Saturday night.
C Two people died and 15 were injured, the county coroner said.
- "Thank you all for coming out tonight," Mayor Ellen Ruiz told volunteers.
- "It was a wonderful evening," said Ruiz.
C Engineers said the levee failed because of years of deferred repairs.
- What a shameful failure of leadership this has been.
C The state will release 40 million dollars in emergency aid next week.
- Readers can send tips to our newsroom.""",
    """\
C Orvano Foods recalled 80,000 jars of peanut butter in March after a salmonella outbreak.
C Internal emails show that Orvano shipped contaminated jars to 30 schools.
C Chief executive Mara Lind resigned on Monday.
- Frankly, the whole affair is a disgrace.
- One thing is certain: trust will not come back quickly.
C Shares fell 12 percent in early trading.
- © 2031 Harbor Media Group. Distributed by Tribune Content Agency.""",
    """\
C Police arrested three men near the Kessin bridge on Tuesday.
- "I have one thing to say to them: we will win," the commander said.
- That is simply not true.
- The ministry's claims are absurd.
C Border guards seized 300 rifles in 2030, up from 120 the year before.
- It remains to be seen what happens next.
- No one knows what the rebels want.
- This article is for subscribers only.""",
]


def labelled_sample() -> list[tuple[str, set[str], set[str]]]:
    """(article text, sentences labelled claims, sentences labelled not claims) per article."""
    articles = []
    for block in LABELLED:
        lines = [(line[0] == "C", line[2:]) for line in block.splitlines()]
        text = "\n\n".join(sentence for _, sentence in lines)
        articles.append((text, {s for is_claim, s in lines if is_claim}, {s for is_claim, s in lines if not is_claim}))
    return articles


def sample_precision_recall() -> tuple[float, float, list[str]]:
    """Claims found by the rules alone (every sentence given the reporting voice, the worst case: no opinion
    is caught by the voice model first). A found claim counts as right when it lies in a claim sentence."""
    found_right = found_wrong = labelled = hit = 0
    wrong = []
    for text, claims, _others in labelled_sample():
        found = [c for c, _reasons in claims_of(text)]
        labelled += len(claims)
        for claim in found:
            if any(claim in s for s in claims):
                found_right += 1
            else:
                found_wrong += 1
                wrong.append(claim)
        hit += sum(1 for s in claims if any(c in s for c in found))
    precision = found_right / (found_right + found_wrong) if found_right + found_wrong else 0.0
    return precision, hit / labelled, wrong


def test_claim_precision_on_a_labelled_sample() -> None:
    precision, recall, wrong = sample_precision_recall()
    assert precision >= 0.9, wrong
    assert recall >= 0.8


@pytest.mark.parametrize(
    "sentence",
    [
        '"This is one of several options," she said.',
        "At one point the debate grew heated.",
        "That, Senator, is simply wrong.",
        "Copyright 2031 The Valley Courier. All rights reserved.",
        "This material may not be published, broadcast, rewritten or redistributed.",
        "© 2031 Harbor Media Group. Distributed by Tribune Content Agency.",
        '"It was a wonderful evening," said Ruiz.',
    ],
)
def test_not_claims(sentence: str) -> None:
    assert claims_of(sentence) == []


def test_claim_precision_through_the_whole_pipeline() -> None:
    """The same sample through ``analyze`` (the shipped models decide the voices): 0.76 precision before the
    verdict, boilerplate, "one" and speech-tag rules, 1.0 after."""
    from spinscope.pipeline import analyze

    right = wrong = 0
    for text, claims, _others in labelled_sample():
        for claim in analyze(text, engine="fast").claims:
            if any(text[claim.start : claim.end] in s for s in claims):
                right += 1
            else:
                wrong += 1
    assert right >= 12 and right / (right + wrong) >= 0.9
