"""Does the rest of the article help to tell a sentence's voice?

    .venv-train/bin/python -m research.voice_context [--cache /tmp/vt]

An opinion piece is opinion through and through; a report mostly reports. NewsSD's CSV rows come
article by article (the sentences of one article together, shuffled among themselves), so the
rows around a sentence are, mostly, its article's other sentences, as they would be at run time.
Stage 1 is the shipped head (a logistic regression over the tagger's features, C by 5-fold CV);
stage 2 a logistic regression over two numbers: the logit of the sentence's own stage-1
probability and the mean stage-1 probability of the up-to-k rows either side of it (itself left
out). Stage-1 probabilities on train are out-of-fold, so stage 2 is fitted on what it will see.

Prints 5-fold CV macro-F1 on NewsSD train for k in (0 = no context, 2, 5, 10) and NewsSD val
macro-F1 beside it (val: stage 1 fitted on all of train, its context read from val's own rows).
Features are cached in ``--cache`` (shared with voice_distil.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from research.voice_distil import cached
from spinscope.analyzers import voice
from training.train_voice_head import NEWSSD, SEED, head_with_c, load, pick_c

WINDOWS = (0, 2, 5, 10)


def neighbour_mean(probs: np.ndarray, k: int) -> np.ndarray:
    """Mean of the up-to-k values either side of each position, the position itself left out."""
    out = np.zeros_like(probs)
    for i in range(len(probs)):
        around = np.concatenate([probs[max(0, i - k) : i], probs[i + 1 : i + 1 + k]])
        out[i] = around.mean() if len(around) else 0.5
    return out


def stage_two(probs: np.ndarray, k: int) -> np.ndarray:
    clipped = np.clip(probs, 1e-4, 1 - 1e-4)
    own = np.log(clipped / (1 - clipped))
    return np.stack([own, neighbour_mean(probs, k)], 1) if k else own[:, None]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, default=Path("/tmp/vt"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    train_s, train_y = load(NEWSSD / "train.csv")
    val_s, val_y = load(NEWSSD / "val.csv")
    x_train = cached(args.cache / "features-train.npy", lambda: voice.standalone_features(train_s))
    x_val = cached(args.cache / "features-val.npy", lambda: voice.standalone_features(val_s))
    c, stage1 = pick_c(x_train, train_y)
    head = head_with_c(c)
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)  # pick_c's folds
    oof = cross_val_predict(head, x_train, train_y, cv=folds, method="predict_proba")[:, 1]
    p_val = head.fit(x_train, train_y).predict_proba(x_val)[:, 1]
    print(f"stage 1: C {c}, CV macro-F1 {stage1[c]:.4f}, val {f1_score(val_y, p_val >= 0.5, average='macro'):.4f}")
    # Stage 2's folds differ from stage 1's, so no train row is scored by a model that saw it twice over.
    folds2 = StratifiedKFold(5, shuffle=True, random_state=SEED + 1)
    for k in WINDOWS:
        z_train, z_val = stage_two(oof, k), stage_two(p_val, k)
        second = LogisticRegression(max_iter=5000, class_weight="balanced")
        cv = f1_score(train_y, cross_val_predict(second, z_train, train_y, cv=folds2), average="macro")
        val = f1_score(val_y, second.fit(z_train, train_y).predict(z_val), average="macro")
        weights = " ".join(f"{w:+.2f}" for w in second.coef_[0])
        print(f"context k={k:<3} CV macro-F1 {cv:.4f}  val {val:.4f}  (weights {weights})")


if __name__ == "__main__":
    main()
