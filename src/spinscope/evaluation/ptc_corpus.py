"""PTC train (SemEval-2020 Task 11) as it lies on disk: articles, gold spans, and the fixed validation split.

One reader for the training scripts (``training/ptc.py``) and ``spinscope train`` (``annotation/adapt_data.py``),
so that both hold out the same 37 validation articles.
"""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

SPLIT_SEED = 20200911
VAL_FRACTION = 0.1
LABELS_FILE = "train-task-flc-tc.labels"

Gold = tuple[str, int, int]  # (technique, start, end)


def read_articles(root: Path) -> list[tuple[str, str, list[Gold], Path]]:
    """(id, text, gold spans sorted by offsets, path) of every ``train-articles/article<ID>.txt``, by file name.

    The text is read as it is (no newline translation), so the labels' offsets index it exactly."""
    root = Path(root)
    spans: dict[str, list[Gold]] = defaultdict(list)
    for line in (root / LABELS_FILE).read_text(encoding="utf-8").splitlines():
        if line.strip():
            article_id, technique, start, end = line.split("\t")
            spans[article_id].append((technique, int(start), int(end)))
    articles = []
    for path in sorted((root / "train-articles").glob("article*.txt")):
        article_id = path.stem.removeprefix("article")
        with open(path, encoding="utf-8", newline="") as handle:
            text = handle.read()
        articles.append((article_id, text, sorted(spans.get(article_id, []), key=lambda s: s[1:]), path))
    return articles


def validation_ids(ids: list[str], seed: int = SPLIT_SEED) -> set[str]:
    """The fixed ~10 % of article ids held out for validation (37 of PTC train's 371)."""
    shuffled = sorted(ids)
    random.Random(seed).shuffle(shuffled)
    return set(shuffled[: round(len(shuffled) * VAL_FRACTION)])
