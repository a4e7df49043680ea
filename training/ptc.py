"""PTC (SemEval-2020 Task 11) training data: articles, gold spans and a fixed validation split by article."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spinscope.evaluation.ptc_corpus import SPLIT_SEED, read_articles, validation_ids

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


@dataclass
class PTCArticle:
    id: str
    text: str
    spans: list[tuple[str, int, int]]  # (technique, start, end)


def load_ptc(root: Path = DEFAULT_PTC) -> list[PTCArticle]:
    return [PTCArticle(article_id, text, spans) for article_id, text, spans, _ in read_articles(root)]


def split(articles: list[PTCArticle], seed: int = SPLIT_SEED) -> tuple[list[PTCArticle], list[PTCArticle]]:
    """(train, validation): a fixed ~10% of articles held out, chosen by seed."""
    val_ids = validation_ids([a.id for a in articles], seed)
    return [a for a in articles if a.id not in val_ids], [a for a in articles if a.id in val_ids]


def gold_lines(articles: list[PTCArticle]) -> list[tuple[str, str, int, int]]:
    return [(a.id, t, s, e) for a in articles for t, s, e in a.spans]
