"""The one encoder pass: central windows, batch independence, and the rules engine running no model."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from spinscope.runtime.encoding import TokenizedText
from spinscope.runtime.trunk import central_windows, stitch, window_inputs

SRC = Path(__file__).resolve().parents[1] / "src" / "spinscope"


@pytest.mark.parametrize("n", [0, 1, 5, 509, 510, 511, 700, 1019, 1020, 1300, 4000])
@pytest.mark.parametrize(("window", "margin"), [(512, 64), (512, 32), (256, 48), (128, 16)])
def test_central_windows_keep_every_piece_once_with_context(n: int, window: int, margin: int) -> None:
    windows = central_windows(n, window, margin)
    kept = np.zeros(n, int)
    for w in windows:
        assert 0 <= w.start <= w.keep_start <= w.keep_end <= w.end <= n
        assert w.end - w.start <= window - 2
        kept[w.keep_start : w.keep_end] += 1
        # every kept piece has `margin` pieces of context on each side unless the article ends first
        assert w.keep_start - w.start >= margin or w.start == 0
        assert w.end - w.keep_end >= margin or w.end == n
    assert (kept == 1).all()
    # each piece is read about body/step times (1.34 for 512/64), not twice as with half-overlapping windows
    body, step = window - 2, window - 2 - 2 * margin
    assert sum(w.end - w.start for w in windows) <= n * body / step + body


def test_stitch_takes_each_piece_from_its_own_window() -> None:
    n = 1300
    windows = central_windows(n, 512, 64)
    # each window "outputs" its own index at every position, plus the piece index in channel 1
    outputs = []
    for k, w in enumerate(windows):
        out = np.zeros((w.end - w.start + 2, 2), np.float32)
        out[:, 0] = k
        out[1:-1, 1] = np.arange(w.start, w.end)
        outputs.append(out)
    rows = stitch(n, windows, outputs)
    assert (rows[:, 1] == np.arange(n)).all()
    for k, w in enumerate(windows):
        assert (rows[w.keep_start : w.keep_end, 0] == k).all()


def test_window_inputs_add_special_tokens() -> None:
    tokens = TokenizedText(np.arange(10, 20), np.zeros((10, 2), np.int64), np.ones((10, 3), np.float32))
    ids, case = window_inputs(tokens, central_windows(10)[0])
    assert ids[0] == 101 and ids[-1] == 102 and list(ids[1:-1]) == list(range(10, 20))
    assert case.shape == (12, 3) and case[0].sum() == 0 and case[-1].sum() == 0


def test_no_analyser_imports_the_pipeline() -> None:
    """Data flows one way: the pipeline imports the analysers, never the reverse (no import cycle)."""
    offenders = []
    for path in (SRC / "analyzers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "spinscope.pipeline":
                offenders.append(path.name)
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "spinscope"
                and any(a.name == "pipeline" for a in node.names)
            ):
                offenders.append(path.name)
    assert offenders == []


def test_rules_engine_loads_no_onnx_session() -> None:
    code = (
        "import sys, spinscope\n"
        "a = spinscope.analyze(open('examples/demo-article.txt').read(), engine='rules')\n"
        "assert a.techniques and a.sentences and a.quotes\n"
        "assert 'onnxruntime' not in sys.modules, 'the rules engine imported onnxruntime'\n"
        "print(a.models['voice']['name'], a.models['quotes']['engine'])\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["voice-cues", "rules"]


@pytest.mark.slow
def test_an_article_reads_the_same_alone_and_in_a_batch(demo_text: str) -> None:
    """Batching must not change results: one article alone and as the 5th of 8 give identical output."""
    from spinscope import analyze, analyze_many

    others = [
        "The minister said the budget would grow. Critics called the plan a disgrace.",
        "A crowd gathered outside the court on Tuesday, and police said 40 people were arrested.",
        "“We will never surrender,” the commander said in a statement.",
        "This so-called reform is a betrayal of every honest worker in the country!",
        "Officials said the bridge would reopen in May after repairs costing $2 million.",
        "The opposition leader, speaking to reporters, accused the government of lying.",
        "Prices rose by 3 percent last month, according to the statistics office.",
    ]
    alone = analyze(demo_text).to_dict()
    batch = [*others[:4], demo_text, *others[4:]]
    together = [a.to_dict() for a in analyze_many(batch)][4]
    for layer in ("techniques", "sentences", "quotes", "claims", "summary"):
        assert together[layer] == alone[layer], layer
