"""Cues of the writer's rhetoric (issue #24): questions, exhortations, verdicts are opinion, not claims."""

from __future__ import annotations

import pytest

from spinscope.analyzers.quotes import find_quotes
from spinscope.analyzers.rhetoric import masked_sentence, rhetoric_cues
from spinscope.analyzers.voice import classify_sentences
from spinscope.segmentation import sentences


@pytest.mark.parametrize(
    ("sentence", "cue"),
    [
        ("Fair to whom?", "question"),
        ("Stop the charge now.", "exhortation"),
        ("Phone your councillor.", "exhortation"),
        ("Save Marrow Head.", "exhortation"),
        ("HARWICK - Tell the council: not one crown more.", "exhortation"),
        ("We have heard that before.", "first person"),
        ("Either you stand with us or you stand with them.", "either-or"),
        ("That is highway robbery.", "verdict"),
        ("The plan is simply wrong.", "verdict"),
        ("Forty-five.", "fragment"),
        ("Enough!", "exclamation"),
    ],
)
def test_cues(sentence: str, cue: str) -> None:
    assert cue in rhetoric_cues(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Support for the plan fell to 40 per cent.",  # a noun, not an exhortation
        "US officials said the talks would resume.",  # the country, not "us"
        "That's up from 6.5 percent in 2019.",  # a figure, not a verdict
        "By Dennis Farrow",  # a byline, not a fragment
        "The council votes on Thursday.",
        "Police said two people were detained near the ministry.",
    ],
)
def test_no_cue_in_plain_reporting(sentence: str) -> None:
    assert rhetoric_cues(sentence) == []


def test_a_quoted_speakers_words_are_not_the_writers() -> None:
    text = '"We will never give in!" the minister said.'
    (span,) = sentences(text)
    masked = masked_sentence(text, span, find_quotes(text, [span]))
    assert "We" not in masked and masked.endswith("the minister said.")
    assert rhetoric_cues(masked) == []


OP_ED = (
    "Stop the charge now. The council votes on Thursday. Either you stand with drivers or you stand with "
    "the town hall. We have heard these promises before. Fair to whom? The tram line cost 40 million crowns."
)
WIRE = (
    "The council approved the budget on Tuesday by 23 votes to 18. The budget raises property tax by 3.2 per "
    "cent. A resident told us she would read the plans. The council will publish a list of streets in March."
)


def voices(text: str) -> dict[str, str]:
    spans = sentences(text)
    return {text[v.start : v.end]: v.voice for v in classify_sentences(text, spans, find_quotes(text, spans))}


def test_rhetoric_is_the_writers_opinion_in_an_opinion_piece() -> None:
    found = voices(OP_ED)
    for sentence in (
        "Stop the charge now.",
        "Either you stand with drivers or you stand with the town hall.",
        "We have heard these promises before.",
        "Fair to whom?",
    ):
        assert found[sentence] == "opinion", sentence
    assert found["The council votes on Thursday."] == "reporting"


def test_first_person_alone_does_not_make_a_news_report_opinion() -> None:
    # one weak cue in an article that otherwise reports: the context rule keeps it reporting
    assert set(voices(WIRE).values()) == {"reporting"}
