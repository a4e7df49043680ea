"""Run the shipped trunk (the technique tagger's encoder, central windows) over a corpus and store each
article's word pieces, 15 technique probabilities and encoder states, for fitting heads on CPU.

    .venv/bin/python -m training.trunk_states ptc --out /tmp/trunk/ptc.npz
    .venv/bin/python -m training.trunk_states polnear-train --out /tmp/trunk/polnear-train.npz

The states are stored as float16 (384 numbers a piece); nothing here is shipped.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from spinscope.analyzers.techniques_model import TechniqueModel

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"


def corpus_texts(name: str) -> list[tuple[str, str]]:
    if name == "ptc":
        from spinscope.evaluation.techniques import read_article_file

        folder = CORPORA / "ptc" / "train" / "train-articles"
        ids = sorted(p.stem.removeprefix("article") for p in folder.glob("article*.txt"))
        return [(i, read_article_file(folder, i)) for i in ids]
    from spinscope.evaluation.quotes import load_polnear

    split = name.removeprefix("polnear-")
    folder = CORPORA / "polnear" / split / "data" / split
    return [(a.name, a.text) for a in load_polnear(folder)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", choices=["ptc", "polnear-train", "polnear-dev"])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--margin", type=int, default=64, help="central windows' context margin (pieces)")
    args = parser.parse_args()
    model = TechniqueModel(margin=args.margin)
    rows: dict[str, np.ndarray] = {}
    started = time.perf_counter()
    texts = corpus_texts(args.corpus)
    for n, (key, text) in enumerate(texts):
        encoded = model.encode(model.tokenize(text))
        rows[f"{key}/offsets"] = encoded.tokens.offsets.astype(np.int32)
        rows[f"{key}/probs"] = encoded.probs.astype(np.float16)
        rows[f"{key}/states"] = encoded.states.astype(np.float16)
        if n % 50 == 0:
            print(f"{n}/{len(texts)} {time.perf_counter() - started:.0f} s", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, **rows)
    print(f"{len(texts)} articles -> {args.out} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
