"""Experiment (not shipped): a quote role head (source / cue / content per word) on the frozen technique
trunk's states, to replace the second encoder pass of the quote encoder (issue 13).

Result (held-out tenth of PolNeAR train, token F1 source / cue / content): 0.714 / 0.576 / 0.856 with one
hidden layer of 256, against the fine-tuned quote encoder's 0.837 / 0.690 / 0.913 and the hashed-feature
BiLSTM's 0.756 / 0.616 / 0.869. The technique tagger's states do not carry who-said-what well enough; a
trunk fine-tuned on both tasks (a GPU run) is what would let one pass serve both. Commands::

    # 1. CPU: words, gold roles, the rules' tags and the trunk's word states of every PolNeAR train article
    .venv/bin/python -m research.role_head prepare --out /tmp/trunk/roles.npz
    # 2. CPU, minutes: fit on 90 %, choose the hidden size and decoding bias on the held-out tenth
    .venv/bin/python -m research.role_head fit --data /tmp/trunk/roles.npz [--write]

The held-out tenth is the quote encoder's and the BiLSTM's (seed 13, same order), so the token F1
printed here compares with theirs (encoder 0.837 / 0.690 / 0.913 for source / cue / content).
PolNeAR dev is not touched; its figures come from ``spinscope eval-quotes``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np

from spinscope.analyzers import quote_tagger as qt
from spinscope.analyzers.techniques_model import TechniqueModel
from spinscope.evaluation.quotes import load_polnear
from spinscope.segmentation import sentences
from training.quote_roles import gold_labels

NEIGHBOURS = (-2, -1, 1, 2)  # the rules' tags of these words around each word are features too


def word_features(text: str, tokens: qt.TaggedText, quotes: list, encoded: object) -> np.ndarray:
    """The role head's input per word: the trunk's states averaged over the word's pieces, their case
    flags, the rules' tag of the word and of its neighbours (one-hot), and where the word sits in its
    sentence. ``encoded`` is the trunk's pass over ``text`` (a TaggerPass with states)."""
    n = len(tokens.starts)
    words = qt.piece_words(encoded.tokens.offsets[:, 0], tokens.starts, tokens.ends)
    keep = words >= 0
    hidden = encoded.states.shape[1]
    states = np.zeros((n, hidden), np.float32)
    case = np.zeros((n, encoded.tokens.case.shape[1]), np.float32)
    count = np.zeros((n, 1), np.float32)
    np.add.at(states, words[keep], encoded.states[keep].astype(np.float32))
    np.add.at(case, words[keep], encoded.tokens.case[keep])
    np.add.at(count, words[keep], 1.0)
    states /= np.maximum(count, 1)
    case /= np.maximum(count, 1)
    roles = qt.role_codes(qt.rule_roles(text, tokens, quotes)).astype(np.int64)
    own = qt.role_channels(roles, np.arange(n))
    around = []
    for shift in NEIGHBOURS:
        index = np.arange(n) + shift
        valid = (index >= 0) & (index < n)
        shifted = np.where(valid, np.clip(index, 0, max(n - 1, 0)), -1)
        around.append(qt.role_channels(roles, shifted))
    sentence = tokens.sentence
    first = np.r_[True, sentence[1:] != sentence[:-1]] if n else np.zeros(0, bool)
    last = np.r_[sentence[1:] != sentence[:-1], True] if n else np.zeros(0, bool)
    punct = np.asarray([not text[a].isalnum() for a in tokens.starts], bool) if n else np.zeros(0, bool)
    position = np.stack([first, last, punct], axis=1).astype(np.float32)
    return np.concatenate([states, case, own, *around, position], axis=1)


REPO = Path(__file__).resolve().parents[1]
POLNEAR = REPO.parent / "shared" / "corpora" / "polnear" / "train" / "data" / "train"
OUT = REPO / "research" / "runs" / "quote-roles"  # never installed into the package
SPLIT_SEED = 13  # the quote encoder's and the BiLSTM's held-out tenth


def prepare(out: Path) -> None:
    from spinscope.analyzers.quotes import find_quotes

    articles = list(load_polnear(POLNEAR))
    random.Random(SPLIT_SEED).shuffle(articles)
    held = max(1, len(articles) // 10)
    trunk = TechniqueModel(margin=64)
    feats, labels, sents, held_out, article_of = [], [], [], [], []
    started = time.perf_counter()
    for n, article in enumerate(articles):
        spans = sentences(article.text)
        tokens = qt.tokenize(article.text, spans)
        if len(tokens.starts) == 0:
            continue
        quotes = find_quotes(article.text, spans, use_tagger=False)  # the rules' tags, as at run time
        encoded = trunk.encode(trunk.tokenize(article.text))
        feats.append(word_features(article.text, tokens, quotes, encoded).astype(np.float16))
        labels.append(gold_labels(tokens, article.attributions).astype(np.int8))
        sents.append(tokens.sentence.astype(np.int32) + (sents[-1].max() + 1 if sents else 0))
        held_out.append(np.full(len(tokens.starts), n < held))
        article_of.append(np.full(len(tokens.starts), n, np.int32))
        if n % 50 == 0:
            print(f"prepared {n}/{len(articles)} {time.perf_counter() - started:.0f} s", flush=True)
        if n % 100 == 99 or n == len(articles) - 1:  # checkpoints, so a fit can start before the end
            out.parent.mkdir(parents=True, exist_ok=True)
            np.savez(
                out,
                x=np.concatenate(feats),
                y=np.concatenate(labels),
                sentence=np.concatenate(sents),
                held_out=np.concatenate(held_out),
                article=np.concatenate(article_of),
            )
    print(f"{len(feats)} articles -> {out}")


def transitions(y: np.ndarray, sent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add-one label transition and start log-probabilities within sentences."""
    k = len(qt.LABELS)
    trans, start = np.ones((k, k)), np.ones(k)
    first = np.r_[True, sent[1:] != sent[:-1]]
    np.add.at(start, y[first], 1)
    np.add.at(trans, (y[:-1][~first[1:]], y[1:][~first[1:]]), 1)
    return np.log(trans / trans.sum(1, keepdims=True)), np.log(start / start.sum())


def role_f1(pred: np.ndarray, gold: np.ndarray) -> dict[str, float]:
    out = {}
    for code, name in enumerate(qt.LABELS):
        if code:
            tp = int(((pred == code) & (gold == code)).sum())
            p = tp / max(int((pred == code).sum()), 1)
            r = tp / max(int((gold == code).sum()), 1)
            out[name] = round(2 * p * r / max(p + r, 1e-9), 4)
    return out


BIASES = [(0.0, s, c, t) for s in (0.0, 0.5, 1.0) for c in (0.0, 0.5, 1.0) for t in (-0.3, 0.0, 0.3)]


def fit(data: Path, write: bool, hidden: list[int]) -> None:
    from sklearn.neural_network import MLPClassifier

    d = np.load(data)
    x, y, sent, held = d["x"].astype(np.float32), d["y"].astype(np.int64), d["sentence"], d["held_out"]
    mean, scale = x[~held].mean(0), x[~held].std(0) + 1e-6
    xs = (x - mean) / scale
    trans, start = transitions(y[~held], sent[~held])
    results = []
    for size in hidden:
        started = time.perf_counter()
        model = MLPClassifier(
            hidden_layer_sizes=(size,),
            alpha=1e-4,
            batch_size=512,
            max_iter=12,
            early_stopping=True,
            validation_fraction=0.05,
            n_iter_no_change=3,
            random_state=SPLIT_SEED,
        )
        model.fit(xs[~held], y[~held])
        probs = model.predict_proba(xs[held])
        best = None
        for bias in BIASES:
            pred = qt.decode_labels(probs, sent[held], trans, start, np.asarray(bias, np.float32))
            f1 = role_f1(pred, y[held])
            key = f1["S"] + f1["C"] + f1["T"]
            if best is None or key > best[0]:
                best = (key, bias, f1)
        print(
            f"hidden {size}: held-out token F1 S/C/T {best[2]} bias {best[1]} ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        results.append((best[0], size, model, best[1], best[2]))
    _, size, model, bias, f1 = max(results, key=lambda r: r[0])
    counts = Counter(y[~held].tolist())
    print(f"chosen hidden {size}, bias {bias}: {f1}; training words by label {dict(counts)}")
    if write:
        OUT.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            OUT / "head.npz",
            mean=mean.astype(np.float32),
            scale=scale.astype(np.float32),
            w1=model.coefs_[0].astype(np.float32),
            b1=model.intercepts_[0].astype(np.float32),
            w2=model.coefs_[1].astype(np.float32),
            b2=model.intercepts_[1].astype(np.float32),
        )
        manifest = {
            "sha256": hashlib.sha256((OUT / "head.npz").read_bytes()).hexdigest(),
            "name": "quote-roles",
            "file": "head.npz",
            "version": "1.0.0",
            "base": "one-hidden-layer MLP over the techniques-tagger trunk's word states (training/train_role_head.py)",
            "labels": list(qt.LABELS),
            "transitions": trans.round(5).tolist(),
            "start": start.round(5).tolist(),
            "bias": list(bias),
            "training": {"hidden": size, "seed": SPLIT_SEED, "words": int((~held).sum())},
            "validation": {"split": "held-out tenth of PolNeAR train (seed 13)", "token_f1": f1},
        }
        (OUT / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit")
    f.add_argument("--data", type=Path, required=True)
    f.add_argument("--hidden", type=int, nargs="+", default=[256])
    f.add_argument("--write", action="store_true")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.out)
    else:
        fit(args.data, args.write, args.hidden)


if __name__ == "__main__":
    main()
