"""PTC (SemEval-2020 Task 11) training data: articles, gold spans and a fixed validation split by article."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

TECHNIQUES = [
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
]

DEFAULT_PTC = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpora" / "ptc" / "train"
SPLIT_SEED = 20200911
VAL_FRACTION = 0.1


@dataclass
class PTCArticle:
    id: str
    text: str
    spans: list[tuple[str, int, int]]  # (technique, start, end)


def load_ptc(root: Path = DEFAULT_PTC) -> list[PTCArticle]:
    root = Path(root)
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for line in (root / "train-task-flc-tc.labels").read_text(encoding="utf-8").splitlines():
        if line.strip():
            article_id, technique, start, end = line.split("\t")
            spans[article_id].append((technique, int(start), int(end)))
    articles = []
    for path in sorted((root / "train-articles").glob("article*.txt")):
        article_id = path.stem.removeprefix("article")
        text = path.read_text(encoding="utf-8")
        articles.append(PTCArticle(article_id, text, sorted(spans.get(article_id, []), key=lambda s: s[1:])))
    return articles


def split(articles: list[PTCArticle], seed: int = SPLIT_SEED) -> tuple[list[PTCArticle], list[PTCArticle]]:
    """(train, validation): a fixed ~10% of articles held out, chosen by seed."""
    ids = sorted(a.id for a in articles)
    random.Random(seed).shuffle(ids)
    val_ids = set(ids[: round(len(ids) * VAL_FRACTION)])
    return [a for a in articles if a.id not in val_ids], [a for a in articles if a.id in val_ids]


def gold_lines(articles: list[PTCArticle]) -> list[tuple[str, str, int, int]]:
    return [(a.id, t, s, e) for a in articles for t, s, e in a.spans]
