"""Helpers for one GPU session: wait for parallel training processes under a time budget, read their
figures, and pack a checkpoint small enough to carry back (``training.unpack_gpu_run`` restores it).

Used by ``training.gpu_distil`` (the shipped recipe) and ``research/gpu_sweep.py`` (earlier rounds).
"""

from __future__ import annotations

import io
import json
import subprocess
import time
from pathlib import Path

import torch

PART_BYTES = 15 * 2**20
WORD_EMBEDDINGS = "encoder.embeddings.word_embeddings.weight"


def wait_for(jobs: dict[str, subprocess.Popen], deadline: float) -> None:
    """Wait until every job has ended or ``deadline`` (time.time()) has passed; stop the ones still running."""
    while any(job.poll() is None for job in jobs.values()) and time.time() < deadline:
        time.sleep(3)
    for name, job in jobs.items():
        if job.poll() is None:
            job.kill()
            print(f"{name}: stopped at the time budget", flush=True)
        else:
            print(f"{name}: exit {job.returncode}", flush=True)


def read_metrics(folder: Path) -> dict | None:
    path = folder / "metrics.json"
    return json.loads(path.read_text()) if path.exists() else None


def pack(name: str, state: dict, extra: dict, folder: Path) -> list[str]:
    """fp16, word embeddings left out (frozen: the base's own), cut into <= 15 MiB parts."""
    compact = {k: v.half() if v.is_floating_point() else v for k, v in state.items() if k != WORD_EMBEDDINGS}
    buffer = io.BytesIO()
    torch.save({"model": compact, **extra}, buffer)
    data = buffer.getvalue()
    names = []
    for i in range(0, len(data), PART_BYTES):
        part = folder / f"{name}.pt.part{i // PART_BYTES}"
        part.write_bytes(data[i : i + PART_BYTES])
        names.append(part.name)
    return names
