"""Fit the technique label head (``spinscope.analyzers.technique_labels``) on the trunk's states over PTC train.

    .venv/bin/python -m training.trunk_states ptc --out /tmp/trunk/ptc.npz        # ~10 min on 2 cores
    .venv/bin/python -m training.train_label_head --states /tmp/trunk/ptc.npz [--write]

One row per gold (span, technique) line of PTC train. The regularisation C is chosen by 5-fold
cross-validation by article over the 334 articles the trunk was trained on (out-of-fold TC micro-F1,
top-k labels for a span listed k times, as SemEval scores it); the head is then refitted on those
articles and scored once on the 37 held-out articles (``training/ptc_val_ids.txt``), which neither the
trunk nor any choice here saw. That held-out figure is the one to compare with the 0.1 span
classifier (0.611 on the same articles). The CV figure is optimistic: the trunk's states were fitted
on those articles. ``--write`` installs the head into ``src/spinscope/models/technique-labels``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from spinscope.analyzers.technique_labels import HEAD, span_label_features
from spinscope.evaluation.techniques import read_article_file
from spinscope.runtime.encoding import TaggerPass, TokenizedText, case_features
from spinscope.scoring import read_labels, score_tc
from spinscope.techniques import TECHNIQUE_IDS

REPO = Path(__file__).resolve().parents[1]
PTC = REPO.parent / "shared" / "corpora" / "ptc" / "train"
OUT = REPO / "src" / "spinscope" / "models" / HEAD
GRID = (0.003, 0.01, 0.03, 0.1, 0.3)
FOLDS, SEED = 5, 13


def load_passes(states: Path) -> dict[str, tuple[str, TaggerPass]]:
    data = np.load(states)
    ids = sorted({k.split("/")[0] for k in data.files})
    passes = {}
    for i in ids:
        text = read_article_file(PTC / "train-articles", i)
        offsets = data[f"{i}/offsets"].astype(np.int64)
        case = case_features(text)[offsets[:, 0]] if len(offsets) else np.zeros((0, 3), np.float32)
        tokens = TokenizedText(np.zeros(len(offsets), np.int64), offsets, case)
        passes[i] = (text, TaggerPass(tokens, data[f"{i}/probs"].astype(np.float32), data[f"{i}/states"]))
    return passes


def build_rows(passes, gold, labels):
    """Feature rows (one per unique gold span) and the gold labels of each span."""
    spans: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for article, technique, start, end in gold:
        spans[(article, start, end)].append(technique)
    keys = sorted(spans)
    x = np.stack([span_label_features(passes[a][0], passes[a][1], s, e) for a, s, e in keys])
    return keys, x, [spans[k] for k in keys]


def fit(x, span_labels, labels, c):
    rows, ys = [], []
    for i, techniques in enumerate(span_labels):
        for t in techniques:
            rows.append(i)
            ys.append(labels.index(t))
    mean, scale = x.mean(0), x.std(0) + 1e-6
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x[rows] - mean) / scale, ys)
    weights = np.zeros((x.shape[1], len(labels)), np.float32)
    bias = np.full(len(labels), -30.0, np.float32)  # a technique never seen in training is never predicted
    weights[:, model.classes_] = model.coef_.T
    bias[model.classes_] = model.intercept_
    return mean.astype(np.float32), scale.astype(np.float32), weights, bias


def predict(head, x):
    mean, scale, weights, bias = head
    z = ((x - mean) / scale) @ weights + bias
    return z.argsort(1)[:, ::-1]


def tc(keys, order, span_labels, labels):
    pred, gold = [], []
    for (article, start, end), ranked, techniques in zip(keys, order, span_labels, strict=True):
        for k, t in enumerate(techniques):
            gold.append((article, t, start, end))
            pred.append((article, labels[ranked[k]], start, end))
    return score_tc(pred, gold)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--states", type=Path, required=True)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--c", type=float, help="skip the CV and fit with this C (the CV's choice was 0.01)")
    args = parser.parse_args()
    labels = list(TECHNIQUE_IDS)
    passes = load_passes(args.states)
    gold = read_labels(PTC / "train-task-flc-tc.labels")
    val_ids = set((REPO / "training" / "ptc_val_ids.txt").read_text().split())
    keys, x, span_labels = build_rows(passes, gold, labels)
    is_val = np.array([k[0] in val_ids for k in keys])
    train_idx = np.flatnonzero(~is_val)
    articles = sorted({keys[i][0] for i in train_idx})
    random.Random(SEED).shuffle(articles)
    fold_of = {a: n % FOLDS for n, a in enumerate(articles)}
    folds = np.array([fold_of[keys[i][0]] for i in train_idx])
    cv: dict[float, float] = {}
    for c in GRID if args.c is None else ():
        order = np.zeros((len(train_idx), len(labels)), np.int64)
        per_fold = []
        for f in range(FOLDS):
            tr, te = train_idx[folds != f], train_idx[folds == f]
            head = fit(x[tr], [span_labels[i] for i in tr], labels, c)
            order[folds == f] = predict(head, x[te])
            te_keys = [keys[i] for i in te]
            per_fold.append(tc(te_keys, order[folds == f], [span_labels[i] for i in te], labels).micro.f1)
        cv[c] = float(np.mean(per_fold))
        print(
            f"C={c:<6} CV TC micro-F1 {cv[c]:.4f} ± {np.std(per_fold):.4f} (folds {', '.join(f'{v:.3f}' for v in per_fold)})"
        )
    best = args.c if args.c is not None else max(cv, key=cv.get)
    head = fit(x[train_idx], [span_labels[i] for i in train_idx], labels, best)
    val_idx = np.flatnonzero(is_val)
    val = tc([keys[i] for i in val_idx], predict(head, x[val_idx]), [span_labels[i] for i in val_idx], labels)
    print(f"chosen C={best}; held-out 37 articles TC micro-F1 {val.micro.f1:.4f} (0.1 span classifier: 0.611)")
    for t in labels:
        if t in val.per_technique:
            print(f"  {t:38} {val.per_technique[t].f1:.3f}")
    if args.write:
        OUT.mkdir(parents=True, exist_ok=True)
        mean, scale, weights, bias = head
        np.savez_compressed(OUT / "head.npz", mean=mean, scale=scale, weights=weights, bias=bias)
        manifest = {
            "sha256": hashlib.sha256((OUT / "head.npz").read_bytes()).hexdigest(),
            "name": HEAD,
            "file": "head.npz",
            "version": "1.0.0",
            "base": "logistic regression over the techniques-tagger trunk's states (training/train_label_head.py)",
            "labels": labels,
            "training": {
                "C": best,
                "cv_folds": FOLDS,
                "seed": SEED,
                "cv_tc_micro_f1": {str(k): round(v, 4) for k, v in cv.items()},
            },
            "validation": {
                "split": "37 held-out PTC train articles (training/ptc_val_ids.txt)",
                "tc_micro_f1": round(val.micro.f1, 4),
            },
        }
        (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
