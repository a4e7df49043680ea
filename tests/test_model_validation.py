"""The shipped technique model on the held-out tenth of PTC train (needs ../shared; skipped elsewhere).

The same figures print with:
    spinscope eval --articles ../shared/corpora/ptc/train/train-articles \\
        --gold ../shared/corpora/ptc/train/train-task-flc-tc.labels --ids training/ptc_val_ids.txt
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spinscope.evaluation.techniques import evaluate_techniques

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.corpus
@pytest.mark.slow
def test_validation_split_figures(corpora: Path) -> None:
    ptc = corpora / "ptc" / "train"
    figures = evaluate_techniques(
        ptc / "train-articles", ptc / "train-task-flc-tc.labels", ids=REPO / "training" / "ptc_val_ids.txt"
    )
    assert figures["articles"] == 37
    # Regression floors a little under the figures docs/models.md reports.
    assert figures["si"]["f1"] >= 0.38
    assert figures["tc"]["micro_f1"] >= 0.55
