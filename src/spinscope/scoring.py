"""SemEval-2020 Task 11 measures, written to match the official scorers.

Span identification (SI), per Da San Martino et al. (2020):

    P(S, T) = 1/|S| * sum_{s in S, t in T} |s ∩ t| / |s|
    R(S, T) = 1/|T| * sum_{s in S, t in T} |s ∩ t| / |t|

where S are predicted and T gold spans (sets of character indices), counted over
all articles, and overlapping spans of the same article are merged first (the
task ignores the technique for SI). F1 is the harmonic mean.

Technique classification (TC) is scored on gold spans: for each span the
multiset of predicted techniques is matched against the multiset of gold ones;
micro precision/recall/F1 count the matches.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spinscope.errors import InputError

LabeledSpan = tuple[str, str, int, int]  # (article id, technique, start, end)


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float
    f1: float

    @staticmethod
    def from_pr(precision: float, recall: float) -> PRF:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return PRF(precision, recall, f1)


@dataclass
class TechniqueScores:
    micro: PRF
    per_technique: dict[str, PRF] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping spans (end-exclusive); spans that only touch stay apart, as in the official scorer."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _by_article(spans: Iterable[LabeledSpan]) -> dict[str, list[tuple[int, int]]]:
    grouped: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for article_id, _technique, start, end in spans:
        grouped[article_id].append((start, end))
    return {k: merge_spans(v) for k, v in grouped.items()}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score_si(predicted: Iterable[LabeledSpan], gold: Iterable[LabeledSpan]) -> PRF:
    """Span-identification precision, recall and F1 (technique labels ignored)."""
    pred_by = _by_article(predicted)
    gold_by = _by_article(gold)
    p_sum = r_sum = 0.0
    n_pred = sum(len(v) for v in pred_by.values())
    n_gold = sum(len(v) for v in gold_by.values())
    for article_id, pred_spans in pred_by.items():
        gold_spans = gold_by.get(article_id, [])
        for s in pred_spans:
            for t in gold_spans:
                inter = _overlap(s, t)
                if inter:
                    p_sum += inter / (s[1] - s[0])
                    r_sum += inter / (t[1] - t[0])
    precision = p_sum / n_pred if n_pred else 0.0
    recall = r_sum / n_gold if n_gold else 0.0
    return PRF.from_pr(precision, recall)


def score_tc(predicted: Iterable[LabeledSpan], gold: Iterable[LabeledSpan]) -> TechniqueScores:
    """Technique-classification micro and per-technique scores over exact (article, start, end) spans."""
    gold_labels: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    pred_labels: dict[tuple[str, int, int], Counter[str]] = defaultdict(Counter)
    for article_id, technique, start, end in gold:
        gold_labels[(article_id, start, end)][technique] += 1
    for article_id, technique, start, end in predicted:
        pred_labels[(article_id, start, end)][technique] += 1

    correct: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    for key, labels in gold_labels.items():
        n_gold.update(labels)
        correct.update(labels & pred_labels.get(key, Counter()))
    for labels in pred_labels.values():
        n_pred.update(labels)

    def prf(c: int, p: int, g: int) -> PRF:
        return PRF.from_pr(c / p if p else 0.0, c / g if g else 0.0)

    micro = prf(sum(correct.values()), sum(n_pred.values()), sum(n_gold.values()))
    techniques = sorted(set(n_gold) | set(n_pred))
    per = {t: prf(correct[t], n_pred[t], n_gold[t]) for t in techniques}
    return TechniqueScores(micro=micro, per_technique=per, support={t: n_gold[t] for t in techniques})


def read_labels(path: str | Path) -> list[LabeledSpan]:
    """Read a SemEval label file: ``id<TAB>technique<TAB>start<TAB>end`` per line (SI files may omit the technique)."""
    path = Path(path)
    spans: list[LabeledSpan] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except UnicodeDecodeError:
        raise InputError(str(path), "not a UTF-8 text file") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        parts = line.rstrip("\n").split("\t")
        try:
            if len(parts) == 4:
                spans.append((parts[0], parts[1], int(parts[2]), int(parts[3])))
            elif len(parts) == 3:
                spans.append((parts[0], "?", int(parts[1]), int(parts[2])))
            else:
                raise ValueError
        except ValueError:
            raise InputError(str(path), f"line {number} is not 'id<TAB>technique<TAB>start<TAB>end'") from None
    return spans


def write_labels(spans: Iterable[LabeledSpan], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for article_id, technique, start, end in spans:
            handle.write(f"{article_id}\t{technique}\t{start}\t{end}\n")
