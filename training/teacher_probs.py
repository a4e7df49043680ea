"""Soft targets for distilling several technique taggers into one (``train_tagger.py --soft-targets``).

    python -m training.teacher_probs --teachers RUN1 RUN2 ... --ptc PTC/train \\
        --unlabeled .devcarry/quotes.pkl.gz --out soft.pt

Each RUN folder holds a ``train_tagger.py`` ``best.pt``. The ensemble's token probabilities (the
mean of the teachers' sigmoid outputs, each read through 512-piece windows as at run time) are
computed for the training articles of the PTC split and for unlabelled news texts (``--unlabeled``:
a folder of .txt files, or train_quote_encoder.py's prepared PolNeAR rows; their quote labels are
not used). The ensemble is also scored on the validation split, thresholds tuned there as for one
tagger, and that figure is printed and stored beside the targets (``ensemble_si``).
"""

from __future__ import annotations

import argparse
import gzip
import pickle
from pathlib import Path

import numpy as np
import torch

from spinscope.runtime.encoding import load_tokenizer, tokenize_text
from training.common import base_encoder_dir, pick_device
from training.ptc import load_ptc, split
from training.train_tagger import Tagger, predict_probs, tune_thresholds


def unlabeled_texts(path: Path) -> list[str]:
    if path.is_dir():
        return [p.read_text(encoding="utf-8") for p in sorted(path.glob("*.txt"))]
    with gzip.open(path, "rb") as f:
        return [row["text"] for row in pickle.load(f)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=Path, nargs="+", required=True)
    parser.add_argument("--ptc", type=Path, required=True)
    parser.add_argument("--unlabeled", type=Path, default=None)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--limit", type=int, default=0, help="only N texts of each set (smoke tests)")
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    device = pick_device(args.device)
    encoder_dir = base_encoder_dir()
    tokenizer = load_tokenizer(encoder_dir / "tokenizer.json")
    train, val = split(load_ptc(args.ptc))
    texts = unlabeled_texts(args.unlabeled) if args.unlabeled else []
    if args.limit:
        train, val, texts = train[: args.limit], val[: max(2, args.limit // 5)], texts[: args.limit]
    sets = {
        "train": [tokenize_text(tokenizer, a.text) for a in train],
        "val": [tokenize_text(tokenizer, a.text) for a in val],
        "unlabeled": [tokenize_text(tokenizer, t) for t in texts],
    }
    sums = {name: [np.zeros((len(t.ids), 15), np.float32) for t in tokens] for name, tokens in sets.items()}
    for run in args.teachers:
        model = Tagger(encoder_dir)
        state = torch.load(run / "best.pt", map_location="cpu", weights_only=False)["model"]
        model.load_state_dict(state, strict=False)
        model.to(device)
        for name, tokens in sets.items():
            for total, t in zip(sums[name], tokens, strict=True):
                total += predict_probs(model, t, args.max_tokens, args.max_tokens // 2)
        print(f"teacher {run} done", flush=True)
    mean = {name: [s / len(args.teachers) for s in arrays] for name, arrays in sums.items()}
    thresholds, si = tune_thresholds(val, sets["val"], mean["val"])
    print(f"ensemble of {len(args.teachers)}: validation SI {si} at {thresholds}", flush=True)
    torch.save(
        {
            "train": {a.id: p.astype(np.float16) for a, p in zip(train, mean["train"], strict=True)},
            "unlabeled": [
                {"text": t, "probs": p.astype(np.float16)} for t, p in zip(texts, mean["unlabeled"], strict=True)
            ],
            "ensemble_si": si,
            "thresholds": thresholds,
            "teachers": [str(t) for t in args.teachers],
        },
        args.out,
    )


if __name__ == "__main__":
    main()
