"""Fit the voice head: opinion vs reporting from the technique tagger's probabilities.

    python -m training.train_voice_head      # after training/export_onnx.py (it reads the shipped tagger)

Features per sentence (spinscope.analyzers.voice.sentence_features): the mean of
the tagger's encoder states over the sentence, the mean and max of its 15
per-token probabilities, plus six surface cues. A class-balanced logistic regression is fitted on NewsSD-ENG train.csv with
its regularisation picked by 5-fold cross-validation on train (val.csv is not used
for any choice); val.csv macro-F1 is then reported and stored in the manifest.
Writes ``src/spinscope/models/voice-head/manifest.json``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from spinscope.analyzers import voice

REPO = Path(__file__).resolve().parents[1]  # not from training/common.py, which needs torch
NEWSSD = REPO.parent / "shared" / "corpora" / "newssd" / "train"
OUT = REPO / "src" / "spinscope" / "models" / "voice-head" / "manifest.json"
SEED = 13


def load(path: Path) -> tuple[list[str], np.ndarray]:
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["Sentence"] for r in rows], np.array([r["Label"] == "SUBJ" for r in rows], dtype=int)


C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def head_with_c(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000, class_weight="balanced")


def pick_c(x: np.ndarray, y: np.ndarray, grid: tuple[float, ...] = C_GRID) -> tuple[float, dict[float, float]]:
    """The regularisation with the best 5-fold CV macro-F1 on (x, y), and the CV figure of each C tried."""
    folds = StratifiedKFold(5, shuffle=True, random_state=SEED)
    cv = {c: f1_score(y, cross_val_predict(head_with_c(c), x, y, cv=folds), average="macro") for c in grid}
    return max(cv, key=lambda c: cv[c]), cv


def main() -> None:
    train_s, train_y = load(NEWSSD / "train.csv")
    val_s, val_y = load(NEWSSD / "val.csv")
    x_train, x_val = voice.standalone_features(train_s), voice.standalone_features(val_s)
    best_c, cv = pick_c(x_train, train_y)
    head = head_with_c(best_c).fit(x_train, train_y)
    val_pred = head.predict(x_val)
    val_f1 = f1_score(val_y, val_pred, average="macro")
    # val.csv has 99 sentences: a bootstrap over them says how far the figure could move by chance.
    rng = np.random.default_rng(SEED)
    resampled = [rng.integers(0, len(val_y), len(val_y)) for _ in range(2000)]
    interval = np.percentile([f1_score(val_y[i], val_pred[i], average="macro") for i in resampled], [2.5, 97.5])
    manifest = {
        "name": "voice-head",
        "version": "1.0.0",
        "base": "the techniques-tagger's token probabilities (no encoder of its own)",
        "features": "mean(384) tagger encoder states + mean(15) + max(15) tagger probabilities over the sentence, "
        "6 surface cues",
        "weights": [round(float(w), 6) for w in head.coef_[0]],
        "bias": round(float(head.intercept_[0]), 6),
        "training": {
            "data": "NewsSD-ENG train.csv (731 sentences), CC BY 4.0",
            "regularisation_C": best_c,
            "cv_macro_f1_by_C": {str(c): round(v, 4) for c, v in cv.items()},
            "command": "python -m training.train_voice_head",
        },
        "validation": {
            "data": "NewsSD-ENG val.csv (99 sentences), not used for any choice",
            "macro_f1": round(float(val_f1), 4),
            "macro_f1_bootstrap_95": [round(float(x), 3) for x in interval],
            "accuracy": round(float((val_pred == val_y).mean()), 4),
        },
    }
    # The cue-only head behind `--engine rules` (no model runs): the same fit on the six surface cues.
    c_train = np.stack([voice.surface_cues(t) for t in train_s])
    c_val = np.stack([voice.surface_cues(t) for t in val_s])
    cue_c, cue_cv = pick_c(c_train, train_y)
    cue_head = head_with_c(cue_c).fit(c_train, train_y)
    cue_val = f1_score(val_y, cue_head.predict(c_val), average="macro")
    manifest["cues_only"] = {
        "weights": [round(float(w), 6) for w in cue_head.coef_[0]],
        "bias": round(float(cue_head.intercept_[0]), 6),
        "describe": {
            "base": "six surface cues, no model (engine rules)",
            "validation": {
                "data": "NewsSD-ENG val.csv",
                "macro_f1": round(float(cue_val), 4),
                "cv_macro_f1_train": round(cue_cv[cue_c], 4),
            },
        },
    }
    print(f"cues only: C={cue_c} (CV {cue_cv[cue_c]:.4f}); val macro-F1 {cue_val:.4f}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(manifest, indent=2) + "\n")
    print(
        f"C={best_c} (5-fold CV macro-F1 on train {cv[best_c]:.4f}); val macro-F1 {val_f1:.4f} "
        f"(bootstrap 95% interval {interval[0]:.3f}-{interval[1]:.3f})"
    )


if __name__ == "__main__":
    main()
