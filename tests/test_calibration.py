"""Calibrated technique confidence and the default shown set (spinscope.calibration).

The map must be monotone in what the score is made of and stay in [0, 1]; the views (terminal, HTML)
must hide exactly the spans below SHOWN_MIN_CONFIDENCE, on a real analysis of the bundled example; and,
with ../shared present, the out-of-fold precision of the default view must be >= 0.5 and what docs/evaluation.md
says (recomputed from the shipped models' predictions on the 37 held-out PTC articles).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.console import Console

import spinscope
from spinscope.calibration import (
    CALIBRATED_TECHNIQUES,
    SHOWN_MIN_CONFIDENCE,
    is_weak,
    load_calibration,
    shipped_calibration,
)
from spinscope.render import render_html, render_terminal
from spinscope.runtime.session import MODELS_DIR

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = json.loads((MODELS_DIR / "technique-calibration" / "manifest.json").read_text(encoding="utf-8"))
PTC = ROOT.parent / "shared" / "corpora" / "ptc" / "train"


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    text = (ROOT / "examples" / "demo-article.txt").read_text(encoding="utf-8")
    return spinscope.analyze(text).to_dict()


def test_threshold_constant_is_the_one_the_calibration_chose() -> None:
    assert MANIFEST["shown_min_confidence"] == SHOWN_MIN_CONFIDENCE
    calibration = shipped_calibration()
    assert calibration is not None
    assert calibration.describe()["shown_min_confidence"] == SHOWN_MIN_CONFIDENCE


@pytest.mark.parametrize("technique", [*CALIBRATED_TECHNIQUES, "Slogans"])
@pytest.mark.parametrize("nested", [False, True])
def test_map_is_monotone_in_the_score_and_inside_0_1(technique: str, nested: bool) -> None:
    calibration = shipped_calibration()
    assert calibration is not None
    grid = np.linspace(0.01, 0.99, 50)
    for rank in (0, 1):
        for chars in (5, 40, 300):
            by_span = [calibration.model_confidence(technique, p, 0.8, rank, nested, chars) for p in grid]
            by_label = [calibration.model_confidence(technique, 0.6, p, rank, nested, chars) for p in grid]
            for values in (by_span, by_label):
                assert all(0.0 <= v <= 1.0 for v in values)
                assert all(b >= a for a, b in itertools.pairwise(values)), values
    for engine in ("rules", "quotes"):
        assert 0.0 <= calibration.score_confidence(engine, 0.5) <= 1.0


def test_interp_maps_clip_into_0_1() -> None:
    calibration = load_calibration({"maps": {"model": {"method": "isotonic", "x": [0.1, 0.9], "y": [0.0, 1.0]}}})
    values = [calibration.score_confidence("model", s) for s in (-1.0, 0.0, 0.1, 0.5, 0.9, 2.0)]
    assert values == sorted(values) and values[0] == 0.0 and values[-1] == 1.0


def test_every_model_span_has_a_confidence_and_the_rules_engine_none(demo: dict[str, Any]) -> None:
    techniques = demo["techniques"]
    calibrated = [t for t in techniques if t["engine"] != "lexicon"]  # lexicon hits have no PTC label map
    assert calibrated and all(0.0 <= t["confidence"] <= 1.0 for t in calibrated)
    assert all(0.0 <= t["persuasion"] <= 1.0 for t in techniques)
    assert {t["engine"] for t in techniques} >= {"model", "quotes"}
    assert demo["models"]["techniques"]["calibration"]["shown_min_confidence"] == SHOWN_MIN_CONFIDENCE
    # the default view has something to show and something to hide on the example
    assert any(is_weak(t) for t in techniques) and not all(is_weak(t) for t in techniques)
    rules = spinscope.analyze(demo["text"], engine="rules").to_dict()["techniques"]
    assert rules and all(t["confidence"] is None and t["persuasion"] is None for t in rules)
    assert not any(is_weak(t) for t in rules)  # nothing to judge them by: always shown
    # a saved JSON reads back with its confidences
    again = spinscope.Analysis.from_dict(demo).to_dict()["techniques"]
    assert [t["confidence"] for t in again] == [t["confidence"] for t in techniques]


def _terminal(analysis: dict[str, Any], show_weak: bool) -> str:
    buffer = io.StringIO()
    render_terminal(analysis, Console(file=buffer, width=120, no_color=True), show_weak=show_weak)
    return buffer.getvalue()


def test_terminal_hides_weak_spans_unless_asked(demo: dict[str, Any]) -> None:
    weak = [t for t in demo["techniques"] if is_weak(t)]
    strong = [t for t in demo["techniques"] if not is_weak(t)]
    opened = re.findall(r"\[(\d+)(\??)>", _terminal(demo, show_weak=False))
    assert len(opened) == len(strong) and not any(mark for _, mark in opened)
    text = _terminal(demo, show_weak=False)
    hidden = demo["summary"]["hidden_technique_spans"]
    assert hidden and f"+{hidden} more at 'everything'" in text and "--show-weak" in text
    opened = re.findall(r"\[(\d+)(\??)>", _terminal(demo, show_weak=True))
    assert len(opened) == len(demo["techniques"])
    assert sum(1 for _, mark in opened if mark) == len(weak)


def test_html_hides_weak_spans_until_switched_on(demo: dict[str, Any]) -> None:
    html = render_html(demo)
    assert f'data-min-confidence="{SHOWN_MIN_CONFIDENCE:.2f}"' in html
    weak = [i for i, t in enumerate(demo["techniques"]) if is_weak(t)]
    assert f"Show +{demo['summary']['hidden_technique_spans']} more at &#39;everything&#39; (faded)" in html
    for i in weak:  # each weak span's card is hidden, each strong one's shown
        assert re.search(rf'<li class="ss-span ss-weak" id="ss-t-{i}"[^>]* hidden>', html)
    strong = [i for i, t in enumerate(demo["techniques"]) if not is_weak(t)]
    for i in strong:
        assert re.search(rf'<li class="ss-span" id="ss-t-{i}"[^>]*style="[^"]*">', html)
    # a run covered by weak spans only carries no colour and cannot be focused
    for mark in re.findall(r"<mark [^>]*>", html):
        indices = [int(k) for k in re.search(r'data-t="([\d ]+)"', mark).group(1).split()]
        if all(i in weak for i in indices):
            assert "ss-off" in mark and 'tabindex="-1"' in mark and "style=" not in mark
        else:
            assert "ss-off" not in mark and 'tabindex="0"' in mark
    shown = render_html(demo, show_weak=True)
    assert "ss-show-weak" in shown and " hidden>" not in shown.split('class="ss-spans"')[1].split("</ol>")[0]


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.skipif(not PTC.exists(), reason="PTC train not available (../shared/corpora)")
def test_default_view_precision_out_of_fold(tmp_path: Path) -> None:
    """Recompute the shipped models' predictions on the 37 held-out articles, rerun the cross-validation,
    and hold the default view's out-of-fold precision to >= 0.5 and to the figure in docs/evaluation.md."""
    pytest.importorskip("sklearn", reason="the calibration is fitted with scikit-learn (training only)")
    from training import calibrate_techniques as fit

    items, gold = fit.judge(fit.load_predictions(tmp_path / "predictions.json", fit.held_out_ids()))
    choice = fit.choose(items, gold)
    precision = choice.cv["pooled"]["precision"]
    expected = MANIFEST["validation"]["default_view_precision"]
    assert precision >= 0.5
    assert abs(precision - expected) <= 0.01, (precision, expected)
    assert f"{expected:.3f}" in (ROOT / "docs" / "evaluation.md").read_text(encoding="utf-8")
    _maps, threshold = fit.final_fit(items, choice)
    assert threshold == SHOWN_MIN_CONFIDENCE
