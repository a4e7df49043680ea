"""What ``spinscope train`` learns from and is scored on: corrected articles, PTC, and span F1.

Corrections are ``spinscope/1`` JSON files whose technique spans are the annotators' (engine ``human``, as
``spinscope import`` writes them): an article so corrected is taken as fully reviewed, so a shipped span with
no human span of its label was removed and words with no human span are no technique. PTC (SemEval-2020
Task 11's training articles, when ``../shared/corpora/ptc`` or ``--ptc`` has them) is mixed in so that the
head keeps what the shipped model knew; its fixed 10% validation split (37 articles) is only scored.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.annotation.adapt import pieces_inside
from spinscope.annotation.model import HUMAN_ENGINE, AnnotationError
from spinscope.document import TechniqueSpan
from spinscope.evaluation.ptc_corpus import LABELS_FILE, read_articles, validation_ids
from spinscope.render.semeval import PTC_LEFT_OUT
from spinscope.runtime.encoding import TaggerPass
from spinscope.scoring import LabeledSpan, score_si

Gold = tuple[str, int, int]  # (label, start, end)


@dataclass
class Example:
    """One article for training or scoring: its gold spans and, once encoded, the shipped model's pass."""

    id: str
    text: str
    gold: list[Gold]
    source: str = ""
    encoded: TaggerPass | None = field(default=None, repr=False)
    shipped: list[TechniqueSpan] | None = field(default=None, repr=False)  # the shipped detector's spans


def _is_corrected(data: dict) -> bool:
    engine = ((data.get("models") or {}).get("techniques") or {}).get("engine")
    return engine == HUMAN_ENGINE or any(t.get("engine") == HUMAN_ENGINE for t in data.get("techniques") or [])


def read_corrections(directory: Path) -> tuple[list[Example], list[str]]:
    """The corrected articles in ``directory`` (spinscope/1 JSON) and a message for each file left out."""
    from spinscope.annotation.sources import iter_analyses

    if not Path(directory).is_dir():
        raise AnnotationError(str(directory), "not a folder of corrections (spinscope import writes one)")
    examples: list[Example] = []
    problems: list[str] = []
    seen: set[str] = set()
    for source, data in iter_analyses([str(directory)]):
        if isinstance(data, Exception):
            problems.append(str(data))
            continue
        if not _is_corrected(data):
            problems.append(f"{source}: no human spans (not written by spinscope import): left out")
            continue
        text = data["text"]
        gold = sorted(
            (str(t["technique"]), int(t["start"]), int(t["end"]))
            for t in data.get("techniques") or []
            if t.get("engine", HUMAN_ENGINE) == HUMAN_ENGINE and 0 <= int(t["start"]) < int(t["end"]) <= len(text)
        )
        article_id = str(data.get("id") or Path(source).stem)
        if article_id in seen:
            article_id = f"{article_id}#{len(seen)}"
        seen.add(article_id)
        examples.append(Example(article_id, text, gold, source))
    return examples, problems


def find_ptc(start: Path | None = None) -> Path | None:
    """PTC's ``train`` folder under ``shared/corpora/ptc`` beside this folder or one above it, if there."""
    here = (start or Path.cwd()).resolve()
    for folder in [here, *here.parents]:
        candidate = folder / "shared" / "corpora" / "ptc" / "train"
        if (candidate / "train-task-flc-tc.labels").is_file():
            return candidate
    return None


def read_ptc(root: Path) -> tuple[list[Example], list[Example]]:
    """PTC train as (training articles, the 37 validation articles), split as ``training/ptc.py`` does."""
    root = Path(root)
    if not (root / LABELS_FILE).is_file():
        raise AnnotationError(str(root), f"not PTC's train folder (no {LABELS_FILE})")
    articles = [Example(i, text, gold, str(path)) for i, text, gold, path in read_articles(root)]
    val = validation_ids([a.id for a in articles])
    return [a for a in articles if a.id not in val], [a for a in articles if a.id in val]


def encode(examples: Iterable[Example], model: Any, *, detect: bool) -> None:
    """Run the shipped model over each example once: its pass, and with ``detect`` its spans too."""
    from spinscope.segmentation import sentences

    for ex in examples:
        if ex.encoded is not None and (ex.shipped is not None or not detect):
            continue
        if detect:
            ex.shipped, ex.encoded = model.find_encoded(ex.text, sentences(ex.text))
        else:
            ex.encoded = model.encode(model.tokenize(ex.text))


def piece_targets(ex: Example, labels: Sequence[str]) -> np.ndarray:
    """(n_pieces, len(labels)) 0/1 targets: channel 0 "inside any gold span", then one per label."""
    assert ex.encoded is not None
    index = {label: k for k, label in enumerate(labels)}
    targets = np.zeros((len(ex.encoded.tokens.ids), len(labels)), np.float32)
    for label, start, end in ex.gold:
        inside = pieces_inside(ex.encoded, start, end)
        targets[inside, 0] = 1.0
        if label in index:
            targets[inside, index[label]] = 1.0
    return targets


def predicted_lines(ex: Example, spans: Iterable[TechniqueSpan]) -> list[LabeledSpan]:
    """SemEval lines of a detector's spans (the spin lexicon's left out, as ``spinscope eval`` does)."""
    return [(ex.id, t.technique, t.start, t.end) for t in spans if t.engine not in PTC_LEFT_OUT]


def gold_lines(examples: Iterable[Example]) -> list[LabeledSpan]:
    return [(ex.id, label, start, end) for ex in examples for label, start, end in ex.gold]


def span_figures(predicted: list[LabeledSpan], gold: list[LabeledSpan]) -> dict[str, float]:
    """SI span F1 (techniques ignored, PTC's measure) and labelled span F1 (the same measure counted within
    each label: a span only matches gold of its own technique), with precision and recall."""
    si = score_si(predicted, gold)

    def keyed(lines: list[LabeledSpan]) -> list[LabeledSpan]:
        return [(f"{a}\t{t}", t, s, e) for a, t, s, e in lines]

    labelled = score_si(keyed(predicted), keyed(gold))
    return {
        "span_f1": round(si.f1, 4),
        "span_precision": round(si.precision, 4),
        "span_recall": round(si.recall, 4),
        "labelled_f1": round(labelled.f1, 4),
        "labelled_precision": round(labelled.precision, 4),
        "labelled_recall": round(labelled.recall, 4),
    }


def folds(examples: Sequence[Example], n_folds: int, seed: int) -> list[list[int]]:
    """Article indices split into ``n_folds`` held-out groups (at most one per article)."""
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n = max(2, min(n_folds, len(examples)))
    return [sorted(order[k::n]) for k in range(n)]
