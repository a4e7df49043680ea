"""Accuracy regression: the shipped models' figures on the validation data, within 0.01 of the README's and
docs/models.md's (the voice figure, on 99 sentences, within the bootstrap interval of what is measured: 0.01 is
one sentence).

Needs ``../shared/corpora`` (skips without it, as on a user's machine). The expected figures live in
``tests/accuracy_figures.json``; the README and docs/models.md must quote the same numbers (checked below), so a change of
model that moves a figure has to update both, on purpose.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
PTC = CORPORA / "ptc" / "train"
NEWSSD_VAL = CORPORA / "newssd" / "train" / "val.csv"
FIGURES = json.loads((ROOT / "tests" / "accuracy_figures.json").read_text(encoding="utf-8"))
TOLERANCE = 0.01


def test_readme_quotes_the_asserted_figures() -> None:
    # the README's figures table and the model cards in docs/models.md
    for page in (ROOT / "README.md", ROOT / "docs" / "models.md"):
        text = page.read_text(encoding="utf-8")
        for group in ("techniques", "voice"):
            for name, value in FIGURES[group].items():
                assert f"{value:.3f}" in text, (page.name, group, name, value)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not PTC.exists(), reason="PTC train not available (../shared/corpora)")
def test_technique_figures_on_the_held_out_ptc_articles() -> None:
    from spinscope.evaluation.techniques import evaluate_techniques

    figures = evaluate_techniques(
        PTC / "train-articles", PTC / "train-task-flc-tc.labels", ids=ROOT / "training" / "ptc_val_ids.txt"
    )
    expected = FIGURES["techniques"]
    assert figures["articles"] == 37
    assert abs(figures["si"]["f1"] - expected["si_f1"]) <= TOLERANCE, figures["si"]
    assert abs(figures["tc"]["micro_f1"] - expected["tc_micro_f1"]) <= TOLERANCE, figures["tc"]


@pytest.mark.corpus
@pytest.mark.skipif(not NEWSSD_VAL.exists(), reason="NewsSD not available (../shared/corpora)")
def test_voice_figure_on_newssd_val() -> None:
    from spinscope.evaluation.voice import evaluate_voice

    # 99 sentences: one sentence moves macro-F1 by about 0.01, and two machines of the same kind measured
    # 0.6617 and 0.6727; the stored figure must lie in the 95 % bootstrap interval of what is measured here
    figures = evaluate_voice(NEWSSD_VAL, bootstrap=1000)
    low, high = figures["macro_f1_ci95"]
    assert low <= FIGURES["voice"]["macro_f1"] <= high, figures
