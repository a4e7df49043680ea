"""Score the shipped ``voice`` model on a NewsSD-style CSV (columns ``Sentence``, ``Label`` = OBJ / SUBJ).

``OBJ`` is "reporting" and ``SUBJ`` is "opinion"; a sentence is predicted
"opinion" when the model's P(opinion) >= 0.5 (as in
:func:`spinscope.analyzers.voice.classify_sentences`). Reported: accuracy,
precision / recall / F1 per class and their unweighted mean, macro-F1 (the
CheckThat! 2023 subjectivity measure).

    python -m spinscope.evaluation.voice ../shared/corpora/newssd/train/val.csv
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

from spinscope.analyzers.voice import LABELS

GOLD = {"OBJ": "reporting", "SUBJ": "opinion"}


def read_newssd(csv_path: str | Path) -> tuple[list[str], list[str]]:
    """Sentences and their labels as voices ("reporting" / "opinion")."""
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [r["Sentence"].strip() for r in rows], [GOLD[r["Label"].strip().upper()] for r in rows]


def score_voices(gold: list[str], predicted: list[str]) -> dict:
    """Accuracy, per-class precision/recall/F1/support and macro-F1."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    result: dict = {
        "n": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1),
    }
    f1s = []
    for label in LABELS:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
        f1s.append(f1)
    result["macro_f1"] = sum(f1s) / len(f1s)
    return result


def evaluate_voice(csv_path: str | Path, *, bootstrap: int = 0) -> dict:
    """Run the shipped voice head on every sentence of the CSV and score it. ``bootstrap`` > 0 adds
    ``macro_f1_ci95``: a 95 % interval over sentences from that many resamples (seed 0), what the figure can
    resolve (on NewsSD's 99 validation sentences one sentence moves it by about 0.01)."""
    from spinscope.analyzers.voice import opinion_probabilities

    sentences, gold = read_newssd(csv_path)
    probs = opinion_probabilities(sentences)
    predicted = ["opinion" if p >= 0.5 else "reporting" for p in probs]
    result = score_voices(gold, predicted)
    if bootstrap:
        rng = random.Random(0)
        n = len(gold)
        values = []
        for _ in range(bootstrap):
            picks = [rng.randrange(n) for _ in range(n)]
            values.append(score_voices([gold[i] for i in picks], [predicted[i] for i in picks])["macro_f1"])
        values.sort()
        result["macro_f1_ci95"] = (values[int(0.025 * (bootstrap - 1))], values[int(0.975 * (bootstrap - 1))])
    return result


def format_voice_report(results: dict) -> str:
    lines = [f"NewsSD: {results['n']} sentences, accuracy {results['accuracy']:.4f}"]
    lines.append(f"{'class':<10} {'P':>7} {'R':>7} {'F1':>7} {'n':>5}")
    for label in LABELS:
        r = results[label]
        lines.append(f"{label:<10} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f} {r['support']:5d}")
    lines.append(f"macro-F1 {results['macro_f1']:.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m spinscope.evaluation.voice NEWSSD_CSV")
    print(format_voice_report(evaluate_voice(args[0])))


if __name__ == "__main__":
    main()
