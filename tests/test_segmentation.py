from __future__ import annotations

import itertools

from spinscope.segmentation import paragraphs, sentence_index, sentences


def texts(text: str, spans) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_abbreviations_quotes_and_ellipsis() -> None:
    text = "The U.S. envoy met Gov. Ruiz on Monday... “We will not retreat,” she said. Then Dr. Obi left!"
    assert texts(text, sentences(text)) == [
        "The U.S. envoy met Gov. Ruiz on Monday...",
        "“We will not retreat,” she said.",
        "Then Dr. Obi left!",
    ]


def test_one_sentence_per_line_and_blank_line_paragraphs() -> None:
    text = "Title of the piece\n\nFirst line without a stop\nSecond line.\n\n  Third para. Fourth sentence.\n"
    assert texts(text, paragraphs(text)) == [
        "Title of the piece",
        "First line without a stop\nSecond line.",
        "Third para. Fourth sentence.",
    ]
    assert texts(text, sentences(text)) == [
        "Title of the piece",
        "First line without a stop",
        "Second line.",
        "Third para.",
        "Fourth sentence.",
    ]


def test_hard_wrapped_lines_are_joined() -> None:
    text = "The minister said the troops\nwould leave soon. Nobody believed her."
    assert texts(text, sentences(text)) == ["The minister said the troops\nwould leave soon.", "Nobody believed her."]


def test_offsets_are_exact_and_ordered() -> None:
    text = 'He said: "Go!" \r\n\r\nShe replied, "No." They left...  Then?'
    spans = sentences(text)
    assert all(text[s.start : s.end].strip() == text[s.start : s.end] for s in spans)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
    assert sentence_index(spans, spans[-1].start + 1) == len(spans) - 1
    assert sentence_index(spans, 0) == 0


def test_empty_text() -> None:
    assert sentences("") == []
    assert paragraphs("  \n ") == []


def test_a_speech_tag_after_an_exclaimed_or_asked_quotation_stays_in_its_sentence():
    # syntok ends a sentence at '!”' / '?”'; the tag after it belongs to the quotation.
    text = "“We will not be silenced!” Cruz said on Monday. “Who pays?” asked Sen. Ruiz. “Stop!” The crowd went quiet."
    found = [text[s.start : s.end] for s in sentences(text)]
    assert found == [
        "“We will not be silenced!” Cruz said on Monday.",
        "“Who pays?” asked Sen. Ruiz.",
        "“Stop!”",
        "The crowd went quiet.",
    ]


def test_sentence_of_finds_the_sentence_holding_an_offset() -> None:
    from spinscope.segmentation import sentence_of

    text = "The talks failed. Both sides left.  "
    spans = sentences(text)
    assert [text[s.start : s.end] for s in spans] == ["The talks failed.", "Both sides left."]
    assert sentence_of(spans, text.index("Both")) == spans[1]
    assert sentence_of(spans, 0) == spans[0]
    assert sentence_of(spans, text.index(" Both")) is None  # between sentences
    assert sentence_of([], 3) is None
