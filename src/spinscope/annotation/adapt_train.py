"""``spinscope train``: fit the adapter head (:mod:`.adapt`) to corrections, on the CPU, in minutes.

The shipped trunk runs once per article (its pass is all the head reads), so training is a small two-layer
network over a few hundred thousand word pieces at most: seconds per fit with PyTorch on two cores. The
corrected articles are repeated until they weigh ``correction_share`` of the PTC pieces mixed in (PTC keeps
what the shipped model knew). Figures, written into the manifest:

* ``corrections_cv``: the corrected articles split into folds by article; each fold is held out in turn,
  a head fitted on the others (and PTC), and its articles scored before (shipped) and after (adapted);
* ``ptc_validation``: the 37 PTC validation articles, shipped versus the final head (fitted on every
  correction), SI span F1 as ``spinscope eval`` gives it.

Torch is needed here only (``pip install 'spinscope[train]'``); the result runs with numpy.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.annotation.adapt import ANY, Adapter, adapt_spans, piece_features, write_adapter
from spinscope.annotation.adapt_data import (
    Example,
    encode,
    folds,
    gold_lines,
    piece_targets,
    predicted_lines,
    read_corrections,
    read_ptc,
    span_figures,
)
from spinscope.annotation.model import is_ptc
from spinscope.errors import SpinscopeError
from spinscope.techniques import TECHNIQUE_IDS

TORCH_ADVICE = (
    "spinscope train needs PyTorch (the CPU build is enough): pip install 'spinscope[train]', or "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu"
)


class TrainError(SpinscopeError):
    """Training cannot start: torch missing, no corrections."""


@dataclass
class TrainSettings:
    epochs: int = 4
    min_steps: int = 300
    hidden: int = 128
    lr: float = 1e-3
    batch: int = 512
    weight_decay: float = 1e-4
    correction_share: float = 0.5  # the corrected pieces' share of the PTC pieces, by repetition
    ptc_articles: int = 100  # PTC training articles mixed in (0: none)
    folds: int = 5
    seed: int = 13
    low: float = 0.3  # the added spans' hysteresis thresholds (as the shipped decoder's)
    high: float = 0.5
    remove_below: float = 0.1  # drop a shipped span whose pieces all have P(any) under this


def require_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise TrainError(TORCH_ADVICE) from None
    return torch


@dataclass
class _Rows:
    features: np.ndarray
    targets: np.ndarray


def _rows(examples: Sequence[Example], labels: list[str]) -> _Rows:
    if not examples:
        return _Rows(np.zeros((0, 0), np.float32), np.zeros((0, len(labels)), np.float32))
    feats = [piece_features(ex.encoded) for ex in examples if ex.encoded is not None]
    targets = [piece_targets(ex, labels) for ex in examples]
    return _Rows(np.concatenate(feats), np.concatenate(targets))


def fit_head(corrected: _Rows, ptc: _Rows | None, n_labels: int, settings: TrainSettings) -> dict[str, np.ndarray]:
    """Fit the two-layer head; returns its numpy weights (what :class:`~.adapt.Adapter` reads)."""
    torch = require_torch()
    # the head's matrices are small: one thread runs them fastest, and does not fight the other threads
    # (onnxruntime's, a server's) for the cores
    torch.set_num_threads(1)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    n_corr = len(corrected.features)
    n_ptc = 0 if ptc is None else len(ptc.features)
    reps = max(1, round(settings.correction_share * n_ptc / n_corr)) if n_corr and n_ptc else 1
    parts_x = [corrected.features] * reps + ([ptc.features] if ptc is not None and n_ptc else [])
    parts_y = [corrected.targets] * reps + ([ptc.targets] if ptc is not None and n_ptc else [])
    x = np.concatenate(parts_x)
    y = np.concatenate(parts_y)
    mean = x.mean(0)
    scale = x.std(0) + 1e-6
    xt = torch.from_numpy((x - mean) / scale)
    yt = torch.from_numpy(y)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], settings.hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(0.1),
        torch.nn.Linear(settings.hidden, n_labels),
    )
    optimiser = torch.optim.AdamW(net.parameters(), lr=settings.lr, weight_decay=settings.weight_decay)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    net.train()
    # a few corrected articles alone make a handful of batches an epoch: at least min_steps steps are taken
    steps = max(settings.min_steps, -(-settings.epochs * len(x) // settings.batch))
    order = torch.from_numpy(rng.permutation(len(x)))
    at = 0
    for _step in range(steps):
        if at >= len(x):
            order, at = torch.from_numpy(rng.permutation(len(x))), 0
        batch = order[at : at + settings.batch]
        at += settings.batch
        optimiser.zero_grad()
        loss = loss_fn(net(xt[batch]), yt[batch])
        loss.backward()
        optimiser.step()
    net.eval()
    first, last = net[0], net[3]
    return {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        "w1": first.weight.detach().numpy().T.copy(),
        "b1": first.bias.detach().numpy().copy(),
        "w2": last.weight.detach().numpy().T.copy(),
        "b2": last.bias.detach().numpy().copy(),
    }


def removed_spans(examples: Sequence[Example]) -> int:
    """How many shipped model spans the annotators removed: no human span overlaps them."""
    count = 0
    for ex in examples:
        for t in ex.shipped or []:
            if t.engine == "model" and not any(s < t.end and t.start < e for _l, s, e in ex.gold):
                count += 1
    return count


def _adapter(arrays: dict[str, np.ndarray], labels: list[str], used: Sequence[Example], s: TrainSettings) -> Adapter:
    add = [label for label in labels[1:] if any(g[0] == label for ex in used for g in ex.gold)]
    remove = s.remove_below if removed_spans(used) else 0.0
    return Adapter(labels, arrays, add, s.low, s.high, remove, {})


def _score(examples: Sequence[Example], adapter: Adapter | None) -> dict[str, float]:
    predicted = []
    for ex in examples:
        assert ex.encoded is not None and ex.shipped is not None
        spans = ex.shipped if adapter is None else adapt_spans(ex.text, ex.encoded, ex.shipped, adapter)
        predicted += predicted_lines(ex, spans)
    return span_figures(predicted, gold_lines(examples))


def train(
    corrections: Path,
    out: Path,
    *,
    ptc: Path | None = None,
    settings: TrainSettings | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Train an adapted technique model from ``corrections`` into ``out``; returns its manifest."""
    from spinscope import __version__
    from spinscope.analyzers.techniques_model import load_technique_model

    s = settings or TrainSettings()
    require_torch()
    began = time.perf_counter()
    seconds: dict[str, float] = {}
    examples, problems = read_corrections(corrections)
    for problem in problems:
        say(f"left out: {problem}")
    if not examples:
        raise TrainError(f"{corrections}: no corrected articles (spinscope import writes them)")
    own = [label for label in dict.fromkeys(g[0] for ex in examples for g in ex.gold) if not is_ptc(label)]
    labels = [ANY, *TECHNIQUE_IDS, *own]
    model = load_technique_model()
    say(f"reading {len(examples)} corrected articles with the shipped model")
    encode(examples, model, detect=True)
    seconds["corrections"] = round(time.perf_counter() - began, 1)
    ptc_train: list[Example] = []
    ptc_val: list[Example] = []
    if ptc is not None:
        pool, ptc_val = read_ptc(ptc)
        ptc_train = random.Random(s.seed).sample(pool, min(s.ptc_articles, len(pool)))
        say(f"reading {len(ptc_train)} PTC training articles (mixed in) and {len(ptc_val)} for validation")
        mark = time.perf_counter()
        encode(ptc_train, model, detect=False)
        encode(ptc_val, model, detect=True)
        seconds["ptc"] = round(time.perf_counter() - mark, 1)
    ptc_rows = _rows(ptc_train, labels) if ptc_train else None

    mark = time.perf_counter()
    groups = folds(examples, s.folds, s.seed) if len(examples) >= 2 else []
    before: list = []
    after: list = []
    gold: list = []
    for k, held in enumerate(groups):
        say(f"cross-validation: fold {k + 1} of {len(groups)}")
        used = [ex for i, ex in enumerate(examples) if i not in held]
        arrays = fit_head(_rows(used, labels), ptc_rows, len(labels), s)
        adapter = _adapter(arrays, labels, used, s)
        for i in held:
            ex = examples[i]
            before += predicted_lines(ex, ex.shipped or [])
            after += predicted_lines(ex, adapt_spans(ex.text, ex.encoded, ex.shipped or [], adapter))  # type: ignore[arg-type]
            gold += gold_lines([ex])
    cv = None
    if groups:
        cv = {"folds": len(groups), "before": span_figures(before, gold), "after": span_figures(after, gold)}
    seconds["cross_validation"] = round(time.perf_counter() - mark, 1)

    mark = time.perf_counter()
    say("fitting the head on every correction")
    arrays = fit_head(_rows(examples, labels), ptc_rows, len(labels), s)
    adapter = _adapter(arrays, labels, examples, s)
    seconds["fit"] = round(time.perf_counter() - mark, 1)
    ptc_figures = None
    if ptc_val:
        ptc_figures = {"articles": len(ptc_val), "before": _score(ptc_val, None), "after": _score(ptc_val, adapter)}
    seconds["total"] = round(time.perf_counter() - began, 1)
    tagger = model.tagger.manifest
    per_label = Counter(g[0] for ex in examples for g in ex.gold)
    manifest = {
        "name": out.name,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "spinscope": __version__,
        "base": {k: tagger.get(k) for k in ("name", "version", "sha256")},
        "labels": labels,
        "own_labels": own,
        "decoding": {
            "add_labels": adapter.add_labels,
            "low": adapter.low,
            "high": adapter.high,
            "remove_below": adapter.remove_below,
        },
        "data": {
            "corrections": {
                "folder": str(Path(corrections).resolve()),
                "articles": [ex.id for ex in examples],
                "spans": sum(per_label.values()),
                "per_label": dict(sorted(per_label.items())),
                "removed_shipped_spans": removed_spans(examples),
            },
            "ptc": None
            if ptc is None
            else {
                "folder": str(Path(ptc).resolve()),
                "train_articles": sorted(ex.id for ex in ptc_train),
                "validation_articles": len(ptc_val),
            },
        },
        "settings": asdict(s),
        "figures": {"corrections_cv": cv, "ptc_validation": ptc_figures},
        "seconds": seconds,
    }
    write_adapter(out, arrays, manifest)
    return manifest


def format_report(manifest: dict[str, Any]) -> str:
    """The figures as a few lines for the terminal."""
    lines = []
    figures = manifest["figures"]
    cv = figures.get("corrections_cv")
    if cv:
        b, a = cv["before"], cv["after"]
        lines.append(f"held-out corrections ({cv['folds']}-fold cross-validation over articles):")
        lines.append(f"  labelled span F1 {b['labelled_f1']:.3f} -> {a['labelled_f1']:.3f}")
        lines.append(f"  span F1 (SI)     {b['span_f1']:.3f} -> {a['span_f1']:.3f}")
    else:
        lines.append("held-out corrections: too few articles to cross-validate (give at least 2)")
    ptc = figures.get("ptc_validation")
    if ptc:
        b, a = ptc["before"], ptc["after"]
        lines.append(
            f"PTC validation ({ptc['articles']} articles): span F1 (SI) {b['span_f1']:.3f} -> {a['span_f1']:.3f}"
        )
    else:
        lines.append("PTC validation: no PTC folder (give --ptc DIR to mix it in and score on it)")
    lines.append(f"trained in {manifest['seconds']['total']:.0f} s")
    return "\n".join(lines)
