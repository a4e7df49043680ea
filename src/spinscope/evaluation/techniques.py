"""``spinscope eval``: SemEval-2020 Task 11 figures for the technique detector.

SI (span identification) is scored on the spans the detector finds in the
articles; TC (technique classification) on the gold spans, the way the shared
task did: the classifier labels each gold span, a span listed k times getting
its k most likely techniques. Per technique we give the TC F1 and a span-level
F1 (the SI measure restricted to that technique's spans, predicted by the full
detector).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from spinscope.errors import InputError
from spinscope.render.semeval import PTC_LEFT_OUT
from spinscope.scoring import LabeledSpan, read_labels, score_si, score_tc


def _read_ids(path: Path) -> set[str]:
    try:
        return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None


def read_article_file(folder: Path, article_id: str) -> str:
    path = folder / f"article{article_id}.txt"
    try:
        with open(path, encoding="utf-8", newline="") as handle:  # raw text: the offsets count every byte as written
            return handle.read()
    except FileNotFoundError:
        raise InputError(
            str(path), "no such file (the spans file names an article that is not in --articles)"
        ) from None


def predict_techniques(articles: Path, lines: list[tuple[str, str, int, int]]) -> list[tuple[str, str, int, int]]:
    """Label each line's span; a span listed k times gets its k most likely distinct techniques, in order."""
    from spinscope.pipeline import technique_engine

    model = technique_engine("model")
    by_article: dict[str, dict[tuple[int, int], int]] = defaultdict(dict)
    for article_id, _t, start, end in lines:
        counts = by_article[article_id]
        counts[(start, end)] = counts.get((start, end), 0) + 1
    labels: dict[tuple[str, int, int], list[str]] = {}
    for article_id, counts in by_article.items():
        text = read_article_file(articles, article_id)
        keys = list(counts)
        for (start, end), ranked in zip(
            keys,
            model.label_spans(text, [(s, e, counts[(s, e)]) for s, e in keys]),
            strict=True,  # type: ignore[attr-defined]
        ):
            labels[(article_id, start, end)] = ranked
    used: dict[tuple[str, int, int], int] = defaultdict(int)
    result = []
    for article_id, _t, start, end in lines:
        key = (article_id, start, end)
        result.append((article_id, labels[key][used[key]], start, end))
        used[key] += 1
    return result


def predict_spans(articles: Path, ids: list[str], engine: str = "model") -> list[LabeledSpan]:
    """Run the detector over ``article<ID>.txt`` files and return SemEval lines."""
    from spinscope.pipeline import technique_engine
    from spinscope.segmentation import sentences

    detector = technique_engine(engine)  # type: ignore[arg-type]
    predicted: list[LabeledSpan] = []
    for article_id in ids:
        text = read_article_file(articles, article_id)
        for span in detector.find(text, sentences(text)):
            if span.engine not in PTC_LEFT_OUT:  # the spin lexicon answers a reader's question, not PTC's task
                predicted.append((article_id, span.technique, span.start, span.end))
    return predicted


def evaluate_techniques(
    articles: Path, gold_path: Path, *, pred: Path | None = None, ids: Path | None = None, engine: str = "model"
) -> dict[str, Any]:
    if not articles.is_dir():
        raise InputError(str(articles), "not a folder of article<ID>.txt files")
    gold = read_labels(gold_path)
    if ids is not None:
        keep = _read_ids(ids)
        gold = [g for g in gold if g[0] in keep]
    article_ids = sorted({g[0] for g in gold})
    if pred is not None:
        predicted = read_labels(pred)
        scored = set(article_ids)
        predicted = [p for p in predicted if p[0] in scored]
        tc_pred = predicted
        source = str(pred)
    else:
        predicted = predict_spans(articles, article_ids, engine)
        source = f"spinscope {engine} engine"
        tc_pred = []
        if engine in ("model", "fast"):
            tc_pred = predict_techniques(articles, gold)
    si = score_si(predicted, gold)
    tc = score_tc(tc_pred, gold) if tc_pred else None
    gold_by: dict[str, list[LabeledSpan]] = defaultdict(list)
    pred_by: dict[str, list[LabeledSpan]] = defaultdict(list)
    for line in gold:
        gold_by[line[1]].append(line)
    for line in predicted:
        pred_by[line[1]].append(line)
    per_technique = {}
    for technique in sorted(gold_by):
        span = score_si(pred_by.get(technique, []), gold_by[technique])
        row: dict[str, Any] = {"support": len(gold_by[technique]), "predicted": len(pred_by.get(technique, []))}
        row["span_f1"] = round(span.f1, 4)
        if tc is not None:
            row["tc_f1"] = round(tc.per_technique[technique].f1, 4) if technique in tc.per_technique else 0.0
        per_technique[technique] = row
    return {
        "articles": len(article_ids),
        "gold_spans": len(gold),
        "predicted_spans": len(predicted),
        "predictions": source,
        "si": {"precision": round(si.precision, 4), "recall": round(si.recall, 4), "f1": round(si.f1, 4)},
        "tc": None
        if tc is None
        else {
            "micro_f1": round(tc.micro.f1, 4),
            "precision": round(tc.micro.precision, 4),
            "recall": round(tc.micro.recall, 4),
        },
        "per_technique": per_technique,
    }


def format_technique_report(figures: dict[str, Any]) -> str:
    si, tc = figures["si"], figures["tc"]
    lines = [
        f"articles {figures['articles']}  gold spans {figures['gold_spans']}  predicted spans {figures['predicted_spans']}  ({figures['predictions']})",
        f"SI  precision {si['precision']:.4f}  recall {si['recall']:.4f}  F1 {si['f1']:.4f}",
        f"TC  micro-F1 {tc['micro_f1']:.4f}" if tc else "TC  not scored (predictions are not on the gold spans)",
        "",
        f"{'technique':38} {'gold':>5} {'pred':>5} {'span F1':>8} {'TC F1':>7}",
    ]
    for technique, row in sorted(figures["per_technique"].items(), key=lambda kv: -kv[1]["support"]):
        tc_f1 = f"{row['tc_f1']:.4f}" if "tc_f1" in row else "-"
        lines.append(f"{technique:38} {row['support']:5d} {row['predicted']:5d} {row['span_f1']:8.4f} {tc_f1:>7}")
    return "\n".join(lines) + "\n"
