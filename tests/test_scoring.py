"""The SemEval-2020 Task 11 measures on hand-computed cases."""

from __future__ import annotations

import pytest

from spinscope.errors import InputError
from spinscope.scoring import merge_spans, read_labels, score_si, score_tc, write_labels


def test_si_perfect_prediction_scores_one() -> None:
    gold = [("1", "Doubt", 0, 10), ("1", "Slogans", 20, 30), ("2", "Doubt", 3, 9)]
    prf = score_si(gold, gold)
    assert (prf.precision, prf.recall, prf.f1) == (1.0, 1.0, 1.0)


def test_si_partial_overlap_hand_computed() -> None:
    gold = [("1", "Doubt", 0, 10), ("1", "Doubt", 20, 30)]
    pred = [("1", "?", 5, 15)]
    prf = score_si(pred, gold)
    # P = |[5,10)| / |[5,15)| over 1 predicted span; R = 5/10 over 2 gold spans.
    assert prf.precision == pytest.approx(0.5)
    assert prf.recall == pytest.approx(0.25)
    assert prf.f1 == pytest.approx(2 * 0.5 * 0.25 / 0.75)


def test_si_one_prediction_covering_two_gold_spans() -> None:
    gold = [("1", "Doubt", 0, 10), ("1", "Doubt", 20, 30)]
    pred = [("1", "?", 0, 30)]
    prf = score_si(pred, gold)
    assert prf.precision == pytest.approx(20 / 30)
    assert prf.recall == pytest.approx(1.0)


def test_si_merges_overlapping_gold_and_ignores_labels() -> None:
    gold = [("1", "Doubt", 0, 10), ("1", "Loaded_Language", 5, 15)]
    prf = score_si([("1", "Slogans", 0, 15)], gold)
    assert prf.f1 == pytest.approx(1.0)


def test_si_wrong_article_and_empty_prediction() -> None:
    gold = [("1", "Doubt", 0, 10)]
    assert score_si([("2", "?", 0, 10)], gold).f1 == 0.0
    assert score_si([], gold).f1 == 0.0


def test_merge_keeps_touching_spans_apart() -> None:
    assert merge_spans([(5, 10), (0, 5), (8, 12), (20, 20)]) == [(0, 5), (5, 12)]


def test_tc_micro_f1_with_repeated_span_hand_computed() -> None:
    gold = [("1", "A", 0, 5), ("1", "B", 0, 5), ("1", "C", 10, 20)]
    pred = [("1", "A", 0, 5), ("1", "C", 0, 5), ("1", "C", 10, 20)]
    scores = score_tc(pred, gold)
    assert scores.micro.f1 == pytest.approx(2 / 3)
    assert scores.per_technique["A"].f1 == pytest.approx(1.0)
    assert scores.per_technique["B"].f1 == 0.0
    # C: predicted twice, right once; one gold.
    assert scores.per_technique["C"].precision == pytest.approx(0.5)
    assert scores.per_technique["C"].recall == pytest.approx(1.0)


def test_label_file_round_trip_and_errors(tmp_path) -> None:
    path = tmp_path / "spans.txt"
    write_labels([("7", "Doubt", 1, 4), ("7", "Slogans", 9, 12)], path)
    assert read_labels(path) == [("7", "Doubt", 1, 4), ("7", "Slogans", 9, 12)]
    (tmp_path / "si.txt").write_text("7\t1\t4\n")
    assert read_labels(tmp_path / "si.txt") == [("7", "?", 1, 4)]
    (tmp_path / "bad.txt").write_text("7\tDoubt\tone\ttwo\n")
    with pytest.raises(InputError, match="line 1"):
        read_labels(tmp_path / "bad.txt")
    with pytest.raises(InputError, match="no such file"):
        read_labels(tmp_path / "missing.txt")
