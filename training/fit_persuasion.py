"""Fit P(persuasive) of technique spans and the sensitivity presets (``spinscope.calibration``), out-of-fold.

    .venv/bin/python -m training.fit_persuasion [--cache FILE] [--write]

The question a reader asks of a highlighted passage is "is this persuasive?", not "would a PTC annotator have
marked exactly this technique here?" (the ``confidence`` of ``training/calibrate_techniques.py``). So each
span *location* gets ``persuasion``: the probability that it overlaps a gold PTC span of any technique. The
views decide on it; the label shown is the best technique, with the runner-up when close.

Sources and what the map reads (``spinscope.calibration.PERSUASION_FEATURES``):
- the tagger's spans: its "inside a span" probability, length, nesting, the best label's probability, and
  whether a phrase of the hand-written lexicon lies inside (``analyzers/techniques_lexicon.py``);
- lexicon phrases and exhortations where the tagger found nothing (engine "lexicon"), the slogan rule
  (engine "rules") and scare quotes (engine "quotes"): one indicator each.

Which articles: the 37 PTC train articles held out from every shipped model (``training/ptc_val_ids.txt``),
the only ones with honest predictions until the tagger is cross-validated over all of PTC train (issue #23).
Every choice (the presets' thresholds) is made by 5-fold cross-validation by article within them: fitted on
4/5, measured on 1/5; the figures printed are pooled out-of-fold.
"""

from __future__ import annotations

import argparse
import json
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.evaluation.techniques import read_article_file
from spinscope.scoring import read_labels
from training.calibrate_techniques import ARTICLES, CACHE, GOLD, OUT, folds, held_out_ids, load_predictions

# What each preset promises, out-of-fold on PTC: "precise" shows passages that are persuasive at least this
# often, "balanced" (the default) the threshold with the best F1 of persuasive passages found; "everything"
# shows every span.
PRECISE_TARGET = 0.75


@dataclass(frozen=True)
class Location:
    """One highlighted passage (a span's location, whatever its labels), judged against the gold."""

    article: str
    start: int
    end: int
    engine: str  # model, lexicon, rules, quotes
    features: tuple[float, ...]
    persuasive: bool  # overlaps a gold span of any technique


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def locations(predictions: dict[str, list[dict[str, Any]]], gold_path: Path = GOLD) -> tuple[list[Location], dict]:
    """Every passage the model engine would list (model spans once per location, the slogan rule, scare quotes,
    and lexicon hits outside every tagger span), with its features and whether it is persuasive."""
    from spinscope.analyzers.techniques_lexicon import lexicon_hits
    from spinscope.calibration import persuasion_features

    gold: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for article, _technique, start, end in read_labels(gold_path):
        if article in predictions:
            gold[article].append((start, end))
    out = []
    for article, spans in predictions.items():
        text = read_article_file(ARTICLES, article)
        hits = lexicon_hits(text)
        model = {}
        for t in spans:
            key = (int(t["start"]), int(t["end"]))
            if t["engine"] == "model":
                if t["rank"] == 0:
                    model[key] = t
            elif t["engine"] in ("rules", "quotes"):
                feats = persuasion_features(t["engine"])
                out.append(Location(article, *key, t["engine"], feats, _overlaps(gold[article], *key)))
        for (start, end), t in model.items():
            inside = any(start <= h.start and h.end <= end for h in hits)
            feats = persuasion_features(
                "model", t["span_prob"], t["label_prob"], bool(t["nested"]), end - start, lexicon_inside=inside
            )
            out.append(Location(article, start, end, "model", feats, _overlaps(gold[article], start, end)))
        covered = list(model)
        for h in hits:
            if not _overlaps(covered, h.start, h.end):
                feats = persuasion_features("lexicon", exhortation=h.source == "exhortation")
                out.append(Location(article, h.start, h.end, "lexicon", feats, _overlaps(gold[article], h.start, h.end)))
    return out, gold


def fit(items: list[Location]) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    from spinscope.calibration import PERSUASION_FEATURES

    x = np.array([i.features for i in items], float)
    y = np.array([i.persuasive for i in items], float)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    lr = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y)
    return {
        "method": "logistic",
        "features": list(PERSUASION_FEATURES),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "weights": [round(float(v), 6) for v in lr.coef_[0]],
        "bias": round(float(lr.intercept_[0]), 6),
    }


def predict(spec: dict[str, Any], items: list[Location]) -> np.ndarray:
    from spinscope.calibration import persuasion_probability

    return np.array([persuasion_probability(spec, i.features) for i in items])


def figures(items: list[Location], prob: np.ndarray, threshold: float, gold: dict) -> dict[str, float]:
    """Precision of the passages shown at ``threshold``, and recall of gold spans (any technique) they touch."""
    shown = [i for i, p in zip(items, prob, strict=True) if p >= threshold]
    by_article: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i in shown:
        by_article[i.article].append((i.start, i.end))
    articles = {i.article for i in items}
    gold_lines = [(a, s, e) for a in articles for s, e in gold.get(a, [])]
    found = sum(_overlaps(by_article[a], s, e) for a, s, e in gold_lines)
    precision = float(np.mean([i.persuasive for i in shown])) if shown else float("nan")
    recall = found / len(gold_lines) if gold_lines else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if shown and precision + recall else 0.0
    return {"shown": len(shown), "precision": precision, "recall": recall, "f1": f1}


GRID = [round(float(t), 2) for t in np.arange(0.0, 1.0, 0.02)]


def pick_thresholds(items: list[Location], prob: np.ndarray, gold: dict) -> dict[str, float]:
    table = {t: figures(items, prob, t, gold) for t in GRID}
    balanced = max(GRID, key=lambda t: table[t]["f1"])
    precise = next((t for t in GRID if table[t]["shown"] and table[t]["precision"] >= PRECISE_TARGET), 0.98)
    return {"precise": float(max(precise, balanced)), "balanced": float(balanced), "everything": 0.0}


def cross_validate(items: list[Location], gold: dict) -> tuple[np.ndarray, list[dict[str, float]], list[dict]]:
    """Out-of-fold probabilities; per fold the thresholds chosen on the other folds and their held-out figures."""
    prob = np.zeros(len(items))
    chosen = []
    per_fold = []
    index = {id(i): k for k, i in enumerate(items)}
    for held in folds(sorted({i.article for i in items})):
        keep = set(held)
        train = [i for i in items if i.article not in keep]
        test = [i for i in items if i.article in keep]
        spec = fit(train)
        thresholds = pick_thresholds(train, predict(spec, train), gold)
        p = predict(spec, test)
        for i, value in zip(test, p, strict=True):
            prob[index[id(i)]] = value
        chosen.append(thresholds)
        per_fold.append({name: figures(test, p, t, gold) for name, t in thresholds.items()})
    return prob, chosen, per_fold


def mean_sd(values: list[float]) -> str:
    v = np.array([x for x in values if math.isfinite(x)])
    return f"{v.mean():.3f} ± {v.std(ddof=1):.3f}" if len(v) > 1 else "n/a"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=CACHE, help="the models' predictions on the 37 articles")
    parser.add_argument("--write", action="store_true", help=f"add the map and presets to {OUT}/manifest.json")
    args = parser.parse_args(argv)
    items, gold = locations(load_predictions(args.cache, held_out_ids()))
    lines = [
        f"{len({i.article for i in items})} held-out PTC articles, {len(items)} passages "
        f"({', '.join(f'{e} {sum(i.engine == e for i in items)}' for e in ('model', 'lexicon', 'rules', 'quotes'))}), "
        f"{sum(len(v) for v in gold.values())} gold spans; persuasive = overlaps a gold span of any technique",
        "share persuasive by source: "
        + ", ".join(
            f"{e} {np.mean([i.persuasive for i in items if i.engine == e]):.3f}"
            for e in ("model", "lexicon", "rules", "quotes")
            if any(i.engine == e for i in items)
        ),
    ]
    prob, chosen, per_fold = cross_validate(items, gold)
    lines.append("")
    lines.append("out-of-fold, pooled over the 5 folds (probabilities from maps fitted on the other 4):")
    lines.append(f"{'threshold':>9} {'shown':>6} {'precision':>9} {'recall':>6} {'F1':>6}")
    for t in (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        f = figures(items, prob, t, gold)
        lines.append(f"{t:9.2f} {f['shown']:6d} {f['precision']:9.3f} {f['recall']:6.3f} {f['f1']:6.3f}")
    lines.append("")
    lines.append("presets, thresholds chosen on the training folds, figures on the held-out fold (mean ± sd over folds):")
    for name in ("precise", "balanced", "everything"):
        ts = [c[name] for c in chosen]
        lines.append(
            f"  {name:10} thresholds {ts}: precision {mean_sd([f[name]['precision'] for f in per_fold])}, "
            f"recall {mean_sd([f[name]['recall'] for f in per_fold])}"
        )
    spec = fit(items)
    full = predict(spec, items)
    thresholds = pick_thresholds(items, full, gold)
    lines.append("")
    lines.append(f"shipped: map refitted on all {len({i.article for i in items})} articles, thresholds {thresholds}")
    printed = "\n".join(lines)
    print(printed)
    if args.write:
        path = OUT / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["persuasion"] = {
            "question": "is this passage persuasive at all? P(it overlaps a gold PTC span of any technique)",
            "map": spec,
            "sensitivity": thresholds,
            "validation": {
                name: {
                    "precision": mean_sd([f[name]["precision"] for f in per_fold]),
                    "recall": mean_sd([f[name]["recall"] for f in per_fold]),
                }
                for name in ("precise", "balanced", "everything")
            },
            "command": ".venv/bin/python -m training.fit_persuasion --write",
            "output": printed.splitlines(),
        }
        path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
