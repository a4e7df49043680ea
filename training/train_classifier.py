"""Train the technique classifier: a span marked in its context -> one of the 14 techniques.

    python -m training.train_classifier --out training/runs/classifier

Input: [CLS] left [unused1] span [unused2] right [SEP] (128 word pieces), plus hand
features (repetition of the span in the article, length, capitals, quotation
marks, exclamation). Output: the [CLS] and mean span states with the features ->
14 logits, trained with a class-weighted cross-entropy. Validation: TC micro-F1
on the held-out articles' gold spans, a span listed k times getting its k most
likely techniques (the SemEval TC task). Resumes from ``OUT/last.pt``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import torch
from torch import nn
from transformers import AutoModel

from spinscope.runtime.encoding import (
    N_CASE_FEATURES,
    N_SPAN_FEATURES,
    SpanInput,
    load_tokenizer,
    make_span_input,
    pad_batch,
    span_feature_vector,
    tokenize_text,
)
from spinscope.scoring import score_tc
from training.common import (
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
from training.ptc import TECHNIQUES, PTCArticle, load_ptc, split

N_FEATURES = N_SPAN_FEATURES + N_CASE_FEATURES


class SpanClassifier(nn.Module):
    def __init__(self, encoder_dir: Path, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(encoder_dir).float()
        hidden = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(2 * hidden + N_FEATURES, len(TECHNIQUES))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, span_mask: torch.Tensor, features: torch.Tensor
    ) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        span = (hidden * span_mask.unsqueeze(-1)).sum(1) / span_mask.sum(1, keepdim=True).clamp(min=1.0)
        pooled = torch.cat([hidden[:, 0], span], dim=-1)
        return self.head(torch.cat([self.dropout(pooled), features], dim=-1))


def tensors(items: list[SpanInput], device: torch.device | None = None) -> tuple[torch.Tensor, ...]:
    ids = torch.from_numpy(pad_batch([i.input_ids for i in items]))
    return tuple(
        t.to(device)
        for t in (
            ids,
            (ids != 0).long(),
            torch.from_numpy(pad_batch([i.span_mask for i in items])),
            torch.from_numpy(np.stack([span_feature_vector(i) for i in items])),
        )
    )


def build(articles: list[PTCArticle], tokenizer, max_tokens: int) -> list[tuple[str, int, int, SpanInput, list[str]]]:
    """One item per distinct gold span, with all its techniques."""
    items = []
    for article in articles:
        tokens = tokenize_text(tokenizer, article.text)
        by_span: dict[tuple[int, int], list[str]] = defaultdict(list)
        for technique, s, e in article.spans:
            by_span[(s, e)].append(technique)
        for (s, e), techniques in sorted(by_span.items()):
            items.append((article.id, s, e, make_span_input(tokens, article.text, s, e, max_tokens), techniques))
    return items


@torch.no_grad()
def evaluate(model: SpanClassifier, items: list, batch: int = 64) -> tuple[dict, list]:
    model.eval()
    device = next(model.parameters()).device
    predicted, gold = [], []
    for i in range(0, len(items), batch):
        chunk = items[i : i + batch]
        with autocast(device):
            logits = model(*tensors([it[3] for it in chunk], device))
        probs = torch.softmax(logits.float(), -1).cpu().numpy()
        for (article_id, s, e, _inp, techniques), p in zip(chunk, probs, strict=True):
            order = np.argsort(-p)
            for k, technique in enumerate(techniques):
                gold.append((article_id, technique, s, e))
                predicted.append((article_id, TECHNIQUES[order[k]], s, e))
    tc = score_tc(predicted, gold)
    figures = {
        "micro_f1": tc.micro.f1,
        "per_technique": {t: round(v.f1, 4) for t, v in tc.per_technique.items()},
        "support": tc.support,
    }
    return figures, predicted


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ptc", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=Path("training/runs/classifier"))
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--lr", type=float, default=8e-5)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--class-weight-power", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--device", default="auto", help="auto (GPU when torch sees one), cpu or cuda")
    parser.add_argument("--freeze-word-embeddings", action="store_true")
    parser.add_argument("--eval-from", type=int, default=1, help="validate only from this epoch on (saves time)")
    args = parser.parse_args()
    device = pick_device(args.device)

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    log = Log(args.out / "log.jsonl")
    encoder_dir = base_encoder_dir()
    tokenizer = load_tokenizer(encoder_dir / "tokenizer.json")
    train, val = split(load_ptc(args.ptc) if args.ptc else load_ptc())
    if args.limit:
        train, val = train[: args.limit], val[: max(2, args.limit // 5)]
    train_items = build(train, tokenizer, args.max_tokens)
    # Train on every (span, technique) pair: a span with two techniques appears twice.
    examples = [(it[3], TECHNIQUES.index(t)) for it in train_items for t in it[4]]
    val_items = build(val, tokenizer, args.max_tokens)
    counts = Counter(label for _, label in examples)
    weights = np.array([(len(examples) / max(counts[c], 1)) ** args.class_weight_power for c in range(len(TECHNIQUES))])
    weights = torch.tensor(weights / weights.mean(), dtype=torch.float32)
    log(f"{len(examples)} training pairs, {len(val_items)} validation spans")

    model = SpanClassifier(encoder_dir)
    if args.freeze_word_embeddings:
        freeze_word_embeddings(model.encoder)
    model.to(device)
    optimizer = encoder_head_optimizer(model, args.lr, args.head_lr)
    total = (len(examples) // args.batch + 1) * args.epochs
    scheduler = linear_schedule(optimizer, max(1, total // 20), total)
    last = args.out / "last.pt"
    start_epoch, best = resume(last, model, optimizer, scheduler, log)
    loss_fn = nn.CrossEntropyLoss(weight=weights.to(device))
    started, steps_here, per_epoch = time.time(), 0, len(examples) // args.batch + 1
    for epoch in range(start_epoch, args.epochs):
        model.train()
        order = list(range(len(examples)))
        random.Random(args.seed * 1000 + epoch).shuffle(order)
        running = 0.0
        for n, i in enumerate(range(0, len(order), args.batch)):
            chunk = [examples[j] for j in order[i : i + args.batch]]
            with autocast(device):
                logits = model(*tensors([inp for inp, _ in chunk], device))
            loss = loss_fn(logits.float(), torch.tensor([label for _, label in chunk], device=device))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running = 0.98 * running + 0.02 * loss.item() if n else loss.item()
            steps_here += 1
            if n % 50 == 0:
                # ETA from this process's own pace (validation passes not counted)
                left = (args.epochs - epoch) * per_epoch - n - 1
                eta = left * (time.time() - started) / steps_here / 60
                log(
                    f"epoch {epoch + 1}/{args.epochs} step {n}/{len(order) // args.batch} loss {running:.4f}, ETA {eta:.0f} min"
                )
        if epoch + 1 < args.eval_from:
            save_checkpoint(last, model, optimizer, scheduler, epoch, best)
            continue
        figures, _ = evaluate(model, val_items)
        log(f"epoch {epoch + 1} validation TC micro-F1 {figures['micro_f1']:.4f}", epoch=epoch + 1, tc=figures)
        if figures["micro_f1"] > best:
            best = figures["micro_f1"]
            torch.save({"model": model.state_dict(), "epoch": epoch + 1}, args.out / "best.pt")
            metrics = {
                "epoch": epoch + 1,
                "validation_tc": figures,
                "config": {k: str(v) for k, v in vars(args).items()},
            }
            (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        save_checkpoint(last, model, optimizer, scheduler, epoch, best)
    log(f"done; best validation TC micro-F1 {best:.4f}")


if __name__ == "__main__":
    main()
