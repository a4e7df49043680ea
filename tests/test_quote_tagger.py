"""The learned attribution tagger: its input helpers and the shipped model on original sentences."""

from __future__ import annotations

import numpy as np
import pytest

from spinscope.analyzers import quote_tagger as qt
from spinscope.analyzers.quotes import find_quotes
from spinscope.segmentation import sentences


def test_piece_words_maps_pieces_to_the_word_they_start_in() -> None:
    # words: "Ruiz" [0,4) "warned" [5,11) "." [11,12); pieces start at 0, 2 (inside Ruiz), 5, 11, 13 (outside)
    starts, ends = np.array([0, 5, 11]), np.array([4, 11, 12])
    assert qt.piece_words(np.array([0, 2, 5, 11, 13]), starts, ends).tolist() == [0, 0, 1, 2, -1]


def test_role_channels_one_hot_per_piece() -> None:
    roles = qt.role_codes(["S", "O", "C"])
    channels = qt.role_channels(roles, np.array([0, 0, 1, 2, -1]))
    assert channels.shape == (5, len(qt.RULE_ROLES))
    assert channels[:, qt.RULE_ROLES.index("S")].tolist() == [1, 1, 0, 0, 0]
    assert channels[:, qt.RULE_ROLES.index("C")].tolist() == [0, 0, 0, 1, 0]
    assert channels[2].sum() == 0 and channels[4].sum() == 0


def test_word_probs_average_the_pieces_of_each_word() -> None:
    pieces = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 0.0]], np.float32)
    probs = qt.word_probs(pieces, np.array([0, 0, 1]), 3)
    assert probs[0].tolist() == [0.0, 0.5, 0.5, 0.0]
    assert probs[1].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert probs[2].tolist() == [1.0, 0.0, 0.0, 0.0]  # no pieces: O


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_shipped_tagger_marks_source_cue_and_content_of_a_reported_statement() -> None:
    text = (
        "The port reopened on Monday after a week of strikes. "
        "Harbour master Ilse Brandt told reporters that the backlog would be cleared by Friday."
    )
    spans = sentences(text)
    tokens, labels, probs = qt.shipped().tag(text, spans, find_quotes(text, spans))
    assert len(labels) == len(tokens.starts) == len(probs)
    words = {text[s:e]: qt.LABELS[k] for s, e, k in zip(tokens.starts, tokens.ends, labels, strict=True)}
    assert words["Brandt"] == "S"
    assert words["told"] == "C"
    assert words["backlog"] == "T"
    assert words["port"] == "O"  # the reporting sentence before carries no attribution


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_shipped_tagger_handles_empty_text() -> None:
    tokens, labels, probs = qt.shipped().tag("", [], [])
    assert len(tokens.starts) == len(labels) == len(probs) == 0


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_analysis_names_the_attribution_model() -> None:
    import spinscope

    models = spinscope.analyze("The minister said on Monday that the port would reopen.").models
    assert models["quotes"]["engine"] == "rules+tagger"
    assert models["quotes"]["name"] == "quote-encoder" and len(models["quotes"]["sha256"]) == 64


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_a_subjectless_cue_shares_the_source_before_it() -> None:
    """'…," said X, citing Y': the tagger finds the second cue with no source; it is X's (as in PolNeAR)."""
    text = '"We have done nothing wrong," said Defence Minister Ivo Petrov, citing the ministry\'s own report.'
    found = {text[q.cue.start : q.cue.end]: q for q in find_quotes(text, sentences(text)) if q.cue}
    assert "citing" in found, found
    citing = found["citing"]
    assert (
        citing.speaker is not None and text[citing.speaker.start : citing.speaker.end] == "Defence Minister Ivo Petrov"
    )
    assert citing.speaker_name == "Ivo Petrov"


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_a_coordinated_cue_without_a_source_takes_the_main_subject() -> None:
    """'Ortiz, eager …, attacked the mayor for …': the tagger finds 'attacked' and no source; the source is
    the main clause's subject."""
    text = (
        "But Governor Lena Ortiz, eager all evening to blame the council, attacked the mayor for ignoring the floods."
    )
    found = {text[q.cue.start : q.cue.end]: q for q in find_quotes(text, sentences(text)) if q.cue}
    assert "attacked" in found, found
    assert found["attacked"].speaker_name == "Lena Ortiz"


def _described(text: str) -> list[tuple[str | None, str | None, str]]:
    cut = lambda span: text[span.start : span.end] if span is not None else None  # noqa: E731
    return [(q.speaker_name, cut(q.cue), cut(q.content)) for q in find_quotes(text, sentences(text))]


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_deeds_are_no_cues_whoever_finds_them() -> None:
    # issue #26: "approved", "voted" report no speech (the tagger reads some as cues)
    text = (
        "The council approved a 4 per cent rise in council tax on Tuesday. Members voted 31 to 12. "
        "The cabinet approved the scheme, saying it would cut congestion."
    )
    cues = [cue for _, cue, _ in _described(text)]
    assert not any(cue and ("approved" in cue or "voted" in cue) for cue in cues), cues


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_a_headline_says_only_what_is_on_its_own_line() -> None:
    text = (
        "Ruiz Says Budget Will Be Fair\n\n"
        "Finance Minister Ana Ruiz presented the budget on Tuesday. Ruiz said it would protect pensions."
    )
    found = _described(text)
    assert ("Ana Ruiz", "Says", "Budget Will Be Fair") in found, found
    assert all("\n" not in content for _, _, content in found), found


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_headlines_announcing_things_or_naming_a_role_hold_no_attribution() -> None:
    text = (
        "Veltra Announces New Plant in Norhaven\nCoach Says Side Must Improve\n\n"
        "Veltra Ltd today announced plans for a new plant. Harriers won 2-1 on Saturday, said manager Ian Prowse."
    )
    headline_end = text.index("\n\n")
    quotes = find_quotes(text, sentences(text))
    assert not [q for q in quotes if q.cue is not None and q.cue.start < headline_end], quotes


@pytest.mark.skipif(qt.shipped() is None, reason="no attribution tagger installed")
def test_a_colon_headline_does_not_take_the_headline_below_it() -> None:
    text = (
        'Council Leader: "We Had No Choice"\nBin Collections Cut to Fortnightly\n\n'
        "Bin collections will move to every two weeks from April."
    )
    cut = lambda span: text[span.start : span.end] if span is not None else None  # noqa: E731
    found = [(q.kind, cut(q.cue), cut(q.content)) for q in find_quotes(text, sentences(text))]
    assert ("direct", ":", '"We Had No Choice"') in found, found
    assert not any(content == "Bin Collections Cut to Fortnightly" for _, _, content in found), found
