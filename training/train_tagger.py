"""Train the span tagger: MiniLM-L6 + casing features -> 15 sigmoid outputs per word piece
(channel 0: "inside any technique span", channels 1-14: each technique).

    python -m training.train_tagger --out training/runs/tagger

Resumes from ``OUT/last.pt`` when present. Each epoch ends with validation on the
held-out articles: thresholds for span decoding are tuned there and the best
epoch is kept as ``OUT/best.pt`` with its figures in ``OUT/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from transformers import AutoModel

from spinscope.runtime.encoding import (
    N_CASE_FEATURES,
    TokenizedText,
    Window,
    average_window_logits,
    decode_spans,
    load_tokenizer,
    make_windows,
    pad_batch,
    tokenize_text,
)
from spinscope.scoring import score_si
from training.common import (
    Log,
    attention_mask,
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
from training.ptc import TECHNIQUES, PTCArticle, gold_lines, load_ptc, split

N_OUT = 1 + len(TECHNIQUES)


class Tagger(nn.Module):
    def __init__(self, encoder_dir: Path, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(encoder_dir).float()
        hidden = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden + N_CASE_FEATURES, N_OUT)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, case: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return self.head(torch.cat([self.dropout(hidden), case], dim=-1))


def token_labels(article: PTCArticle, tokens: TokenizedText) -> np.ndarray:
    labels = np.zeros((len(tokens.ids), N_OUT), np.float32)
    starts, ends = tokens.offsets[:, 0], tokens.offsets[:, 1]
    for technique, s, e in article.spans:
        hit = (ends > s) & (starts < e)
        labels[hit, 0] = 1.0
        labels[hit, 1 + TECHNIQUES.index(technique)] = 1.0
    return labels


def batch_tensors(
    windows: list[Window], device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids = torch.from_numpy(pad_batch([w.input_ids for w in windows]))
    mask = attention_mask([w.input_ids for w in windows], ids.shape[1])
    case = torch.from_numpy(pad_batch([w.case for w in windows]))
    return ids.to(device), mask.to(device), case.to(device)


def window_targets(
    labels: list[np.ndarray], shape: torch.Size, device: torch.device | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-position targets and a 0/1 mask of real pieces for a padded batch ([CLS] at position 0)."""
    target = torch.zeros((*shape, N_OUT))
    valid = torch.zeros(shape)
    for k, lab in enumerate(labels):
        target[k, 1 : 1 + len(lab)] = torch.from_numpy(lab)
        valid[k, 1 : 1 + len(lab)] = 1.0
    return target.to(device), valid.to(device)


def train_step(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    scheduler: Any,
    chunk: list[tuple[Window, Any]],
    device: torch.device,
    any_weight: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """One optimiser step on a batch of (window, labels) pairs (gradients clipped at 1.0); returns the loss and
    the batch's attention mask (its real pieces). Training and the cross-validation (training.cv_tagger) share it."""
    ids, mask, case = batch_tensors([w for w, _ in chunk], device)
    target, valid = window_targets([lab for _, lab in chunk], ids.shape, device)
    with autocast(device):
        logits = model(ids, mask, case)
    loss = tagger_loss(logits, target, valid, any_weight)
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    scheduler.step()
    return loss, mask


def tagger_loss(logits: torch.Tensor, target: torch.Tensor, valid: torch.Tensor, any_weight: float) -> torch.Tensor:
    """BCE per channel over real pieces; channel 0 ("any technique") weighted against the techniques' mean."""
    loss_tok = nn.functional.binary_cross_entropy_with_logits(logits.float(), target, reduction="none")
    per_channel = (loss_tok * valid.unsqueeze(-1)).sum(dim=(0, 1)) / valid.sum()
    return any_weight * per_channel[0] + per_channel[1:].mean() * (N_OUT - 1) / 4


def predict_probs(model: Tagger, tokens: TokenizedText, max_tokens: int, stride: int, batch: int = 16) -> np.ndarray:
    return 1 / (1 + np.exp(-window_logits(model, tokens, max_tokens, stride, batch)))


@torch.no_grad()
def window_logits(model: nn.Module, tokens: TokenizedText, max_tokens: int, stride: int, batch: int = 16) -> np.ndarray:
    """The model's per-token logits over overlapping windows, averaged where windows overlap."""
    model.eval()
    device = next(model.parameters()).device
    windows = make_windows(tokens, max_tokens, stride)
    logits = []
    for i in range(0, len(windows), batch):
        chunk = windows[i : i + batch]
        with autocast(device):
            out = model(*batch_tensors(chunk, device)).float().cpu().numpy()
        logits.extend(out[k, : len(w.input_ids)] for k, w in enumerate(chunk))
    return average_window_logits(len(tokens.ids), windows, logits)


def tune_thresholds(
    articles: list[PTCArticle], tokenized: list[TokenizedText], probs: list[np.ndarray]
) -> tuple[dict[str, float], dict[str, float]]:
    gold = gold_lines(articles)
    best: tuple[float, dict[str, float], dict[str, float]] = (-1.0, {}, {})
    for low in np.arange(0.05, 0.71, 0.05):
        for high in np.arange(low, 0.91, 0.1):
            pred = [
                (a.id, "?", s, e)
                for a, t, p in zip(articles, tokenized, probs, strict=True)
                for s, e, _ in decode_spans(a.text, t, p[:, 0], float(low), float(high))
            ]
            prf = score_si(pred, gold)
            if prf.f1 > best[0]:
                best = (
                    prf.f1,
                    {"low": round(float(low), 3), "high": round(float(high), 3)},
                    {"precision": prf.precision, "recall": prf.recall, "f1": prf.f1},
                )
    return best[1], best[2]


def epoch_windows(items, rng: random.Random, max_tokens: int) -> list[tuple[Window, np.ndarray]]:
    """Cut each (tokens, labels) into windows, at a fresh offset each epoch so that edges fall in new places."""
    body = max_tokens - 2
    windows = []
    for tokens, labels in items:
        offset = rng.randrange(0, body // 2) if len(tokens.ids) > body else 0
        cuts = [0, *list(range(offset, len(tokens.ids), body))]
        for a, b in zip(cuts, [*cuts[1:], len(tokens.ids)], strict=True):
            if b - a < 8:
                continue
            sub = TokenizedText(tokens.ids[a:b], tokens.offsets[a:b], tokens.case[a:b])
            (window,) = make_windows(sub, max_tokens, body)
            windows.append((window, labels[a:b]))
    return windows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptc", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("training/runs/tagger"))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument(
        "--any-weight", type=float, default=1.0, help="loss weight of channel 0 vs the mean of the rest"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0, help="use only N training articles (smoke tests)")
    parser.add_argument("--device", default="auto", help="auto (GPU when torch sees one), cpu or cuda")
    parser.add_argument("--freeze-word-embeddings", action="store_true")
    parser.add_argument("--eval-from", type=int, default=1, help="validate only from this epoch on (saves time)")
    parser.add_argument(
        "--keep-from", type=int, default=0, help="also keep the weights of every epoch from this one on (averaging)"
    )
    parser.add_argument("--soft-targets", type=Path, default=None, help="teacher probabilities (teacher_probs.py)")
    parser.add_argument(
        "--soft-weight", type=float, default=0.5, help="share of the teacher in a labelled token's target"
    )
    parser.add_argument(
        "--unlabeled-share", type=float, default=1.0, help="unlabelled windows per labelled window, each epoch"
    )
    args = parser.parse_args()
    device = pick_device(args.device)

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    log = Log(args.out / "log.jsonl")
    encoder_dir = base_encoder_dir()
    tokenizer = load_tokenizer(encoder_dir / "tokenizer.json")
    articles = load_ptc(args.ptc) if args.ptc else load_ptc()
    train, val = split(articles)
    if args.limit:
        train, val = train[: args.limit], val[: max(2, args.limit // 5)]
    train_tok = [tokenize_text(tokenizer, a.text) for a in train]
    train_lab = [token_labels(a, t) for a, t in zip(train, train_tok, strict=True)]
    val_tok = [tokenize_text(tokenizer, a.text) for a in val]
    unlabeled: list[tuple[TokenizedText, np.ndarray]] = []
    if args.soft_targets:
        # Distillation: targets mix the gold labels with an ensemble's probabilities, and texts
        # without gold labels (other news) add the ensemble's probabilities alone.
        soft = torch.load(args.soft_targets, weights_only=False)
        for k, article in enumerate(train):
            teacher = soft["train"][article.id].astype(np.float32)
            train_lab[k] = (1 - args.soft_weight) * train_lab[k] + args.soft_weight * teacher
        for item in soft["unlabeled"]:
            unlabeled.append((tokenize_text(tokenizer, item["text"]), item["probs"].astype(np.float32)))
        log(f"soft targets from {args.soft_targets}: weight {args.soft_weight}, {len(unlabeled)} unlabelled texts")
    n_tokens = sum(len(t.ids) for t in train_tok)
    log(f"{len(train)} train / {len(val)} val articles, {n_tokens} train tokens, on {device}")

    model = Tagger(encoder_dir)
    if args.freeze_word_embeddings:
        freeze_word_embeddings(model.encoder)
    model.to(device)
    body = args.max_tokens - 2
    labelled_windows = sum(-(-len(t.ids) // body) + 1 for t in train_tok)
    if unlabeled:
        labelled_windows = round(labelled_windows * (1 + args.unlabeled_share))
    steps_per_epoch = labelled_windows // args.batch + 1
    optimizer = encoder_head_optimizer(model, args.lr, args.head_lr)
    total = steps_per_epoch * args.epochs
    scheduler = linear_schedule(optimizer, max(1, total // 20), total)
    last = args.out / "last.pt"
    start_epoch, best_f1 = resume(last, model, optimizer, scheduler, log)

    started, steps_here = time.time(), 0
    for epoch in range(start_epoch, args.epochs):
        model.train()
        rng = random.Random(args.seed * 1000 + epoch)
        windows = epoch_windows(zip(train_tok, train_lab, strict=True), rng, args.max_tokens)
        if unlabeled:
            extra = epoch_windows(unlabeled, rng, args.max_tokens)
            rng.shuffle(extra)
            windows += extra[: round(len(windows) * args.unlabeled_share)]
        rng.shuffle(windows)
        running = 0.0
        for step in range(0, len(windows), args.batch):
            chunk = windows[step : step + args.batch]
            loss, _ = train_step(model, optimizer, scheduler, chunk, device, args.any_weight)
            running = 0.98 * running + 0.02 * loss.item() if step else loss.item()
            steps_here += 1
            if (step // args.batch) % 50 == 0:
                # ETA from this process's own pace (validation passes not counted)
                left = (args.epochs - epoch) * steps_per_epoch - step // args.batch - 1
                eta = left * (time.time() - started) / steps_here / 60
                log(
                    f"epoch {epoch + 1}/{args.epochs} step {step // args.batch}/{len(windows) // args.batch} "
                    f"loss {running:.4f}, ETA {eta:.0f} min"
                )

        if args.keep_from and epoch + 1 >= args.keep_from:
            trained = {k: v.half() for k, v in model.state_dict().items() if v.is_floating_point()}
            torch.save({"model": trained, "epoch": epoch + 1}, args.out / f"epoch{epoch + 1}.pt")
        if epoch + 1 < args.eval_from:
            save_checkpoint(last, model, optimizer, scheduler, epoch, best_f1)
            continue
        val_probs = [predict_probs(model, t, args.max_tokens, args.max_tokens // 2) for t in val_tok]
        thresholds, si = tune_thresholds(val, val_tok, val_probs)
        log(f"epoch {epoch + 1} validation SI {si} at {thresholds}", epoch=epoch + 1, si=si, thresholds=thresholds)
        if si["f1"] > best_f1:
            best_f1 = si["f1"]
            torch.save(
                {"model": model.state_dict(), "thresholds": thresholds, "epoch": epoch + 1}, args.out / "best.pt"
            )
            metrics = {
                "epoch": epoch + 1,
                "validation_si": si,
                "thresholds": thresholds,
                "config": {k: str(v) for k, v in vars(args).items()},
                "val_articles": [a.id for a in val],
            }
            (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        save_checkpoint(last, model, optimizer, scheduler, epoch, best_f1)
    log(f"done; best validation SI F1 {best_f1:.4f}")


if __name__ == "__main__":
    main()
