"""Fit P(persuasive) of technique spans and the sensitivity presets (``spinscope.calibration``), out-of-fold.

    .venv/bin/python -m training.fit_persuasion [--cache FILE] [--write]

The question a reader asks of a highlighted passage is "is this persuasive?", not "would a PTC annotator have
marked exactly this technique here?" (the ``confidence`` of ``training/calibrate_techniques.py``). So each
span *location* gets ``persuasion``: the probability that it overlaps a gold PTC span of any technique. The
views decide on it; the label shown is the best technique, with the runner-up when close.

Sources and what the map reads (``spinscope.calibration.PERSUASION_FEATURES``):
- the tagger's spans: its "inside a span" probability, length, nesting, the best label's probability, and
  whether a phrase of the hand-written lexicon lies inside (``analyzers/techniques_lexicon.py``);
- lexicon hits where the tagger found nothing (engine "lexicon": a strong or a weak entry or form, a learned
  word, an exhortation, a rhetorical question, a short quoted fragment), the slogan rule
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
SPIN_BALANCED = 0.85
WIRE_FALSE_MAX = 1.0
SPIN_PRECISE = 0.9
PTC_PRECISE = 0.55
WIRE_WORDS: dict[str, int] = {}  # the spin set's wire reports (their words), filled by spin_set_predictions


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


def spin_set_predictions(split: str = "dev") -> tuple[dict[str, list[dict[str, Any]]], dict[str, str], dict, dict]:
    """What ``collect`` gives for PTC, on the invented spin set's ``split`` (its ``dev`` half: the report half is
    never fitted on), with its texts, quotes and marked spans (writer's and quoted: any marked span is
    persuasive)."""
    import dataclasses

    import spinscope
    from spinscope.analyzers.techniques_model import load_technique_model
    from spinscope.evaluation.spin_set_loader import load_spin_set
    from spinscope.segmentation import paragraphs, sentences

    model = load_technique_model()
    found, texts, gold, quotes = {}, {}, {}, {}
    for article in load_spin_set(split):
        analysis = spinscope.analyze(spinscope.Article(text=article.text, id=article.id), sensitivity="everything")
        candidates, _ = model.candidates(article.text, sentences(article.text, paragraphs(article.text)))
        parts = {(c.start, c.end, c.technique): dataclasses.asdict(c) for c in candidates}
        spans = []
        for t in analysis.to_dict()["techniques"]:
            if t["engine"] not in ("model", "rules", "quotes"):
                continue  # lexicon hits are added again by locations(), as for PTC
            item = {k: t[k] for k in ("start", "end", "technique", "score", "engine")}
            if t["engine"] == "model":
                item.update(parts[(t["start"], t["end"], t["technique"])])
            spans.append(item)
        key = f"spin:{article.id}"
        found[key], texts[key], quotes[key] = spans, article.text, analysis.quotes
        gold[key] = [(m.start, m.end) for m in article.spans]
        if article.kind == "wire":
            WIRE_WORDS[key] = article.words
    return found, texts, gold, quotes


def ptc_quotes(texts: dict[str, str], cache: Path) -> dict[str, list[Any]]:
    """The quote analyser's quotes of each PTC article (cached beside the predictions: about a second each)."""
    import pickle

    from spinscope.analyzers import quotes
    from spinscope.segmentation import paragraphs, sentences

    path = cache.with_suffix(".quotes.pkl")
    if path.exists():
        cached = pickle.loads(path.read_bytes())
        if sorted(cached) == sorted(texts):
            return cached
    found = {a: quotes.find_quotes(t, sentences(t, paragraphs(t)), use_tagger=True) for a, t in texts.items()}
    path.write_bytes(pickle.dumps(found))
    return found


def ptc_gold(predictions: dict[str, list[dict[str, Any]]], gold_path: Path = GOLD) -> dict:
    gold: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for article, _technique, start, end in read_labels(gold_path):
        if article in predictions:
            gold[article].append((start, end))
    return gold


def technique_spans(text: str, predictions: list[dict[str, Any]]) -> list[Any]:
    """The model engine's technique spans of one article, rebuilt from the cached predictions with the evidence
    the engine gives them (analyzers/techniques_model.py), plus the lexicon's spans where nothing was found."""
    from spinscope.analyzers.techniques_lexicon import lexicon_spans
    from spinscope.calibration import Evidence
    from spinscope.document import TechniqueSpan

    best = {(int(t["start"]), int(t["end"])): t for t in predictions if t["engine"] == "model" and t["rank"] == 0}
    spans = []
    for t in predictions:
        if t["engine"] == "lexicon":
            continue  # a cache made by another version of the lexicon: its hits are found again below
        key = (int(t["start"]), int(t["end"]))
        span = TechniqueSpan(*key, t["technique"], float(t["score"]), t["engine"])
        if t["engine"] == "model":
            b = best[key]
            span.evidence = Evidence("model", b["span_prob"], b["label_prob"], bool(b["nested"]))
        elif t["engine"] in ("rules", "quotes"):
            span.evidence = Evidence(t["engine"])
        spans.append(span)
    return spans + lexicon_spans(text, spans)


def locations(
    predictions: dict[str, list[dict[str, Any]]],
    texts: dict[str, str],
    gold: dict[str, list[tuple[int, int]]],
    quotes: dict[str, list[Any]],
) -> list[Location]:
    """Every passage the model engine would list (once per location), with the features the pipeline gives it
    (spinscope.calibration.passage_features) and whether it is persuasive."""
    from spinscope.calibration import passage_features

    out = []
    for article, found in predictions.items():
        spans = technique_spans(texts[article], found)
        seen = set()
        for span, features in zip(spans, passage_features(texts[article], spans, quotes[article]), strict=True):
            key = (span.start, span.end)
            if features is None or key in seen:
                continue
            seen.add(key)
            persuasive = _overlaps(gold[article], *key)
            out.append(Location(article, *key, span.evidence.engine, features, persuasive))
    return out


def corpus(item: Location | str) -> str:
    name = item if isinstance(item, str) else item.article
    return "spin" if name.startswith("spin:") else "ptc"


def fit(items: list[Location]) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression

    from spinscope.calibration import PERSUASION_FEATURES

    x = np.array([i.features for i in items], float)
    y = np.array([i.persuasive for i in items], float)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    # Each corpus weighs the same in the fit: PTC (what its annotators mark) and the reader-marked spin set
    counts = {c: sum(corpus(i) == c for i in items) for c in ("ptc", "spin")}
    weight = np.array([len(items) / (len(counts) * counts[corpus(i)]) if counts[corpus(i)] else 1.0 for i in items])
    lr = LogisticRegression(C=1.0, max_iter=1000).fit((x - mean) / scale, y, sample_weight=weight)
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
CORPORA = ("ptc", "spin")


def by_corpus(items: list[Location], prob: np.ndarray, threshold: float, gold: dict) -> dict[str, dict[str, float]]:
    out = {}
    for name in CORPORA:
        keep = [k for k, i in enumerate(items) if corpus(i) == name]
        if keep:
            out[name] = figures([items[k] for k in keep], prob[keep], threshold, gold)
    return out


def wire_false_rate(items: list[Location], prob: np.ndarray, threshold: float) -> float:
    """Shown passages touching no mark per 1,000 words of the spin set's wire reports among ``items``."""
    articles = {i.article for i in items if i.article in WIRE_WORDS}
    words = sum(WIRE_WORDS[a] for a in articles)
    false = sum(
        1 for i, p in zip(items, prob, strict=True) if i.article in articles and p >= threshold and not i.persuasive
    )
    return 1000.0 * false / words if words else 0.0


def pick_thresholds(items: list[Location], prob: np.ndarray, gold: dict) -> dict[str, float]:
    """balanced: the lowest threshold (the most found) at which the spin set's shown passages are persuasive
    at least SPIN_BALANCED of the time and its wire reports get at most WIRE_FALSE_MAX false highlights per
    1,000 words (what issue #24 asks of the default view); precise: the lowest threshold above it whose
    spin-set precision reaches SPIN_PRECISE and PTC's PTC_PRECISE."""
    table = {t: by_corpus(items, prob, t, gold) for t in GRID}

    def acceptable(t: float) -> bool:
        spin = table[t].get("spin")
        return (spin is None or spin["precision"] >= SPIN_BALANCED) and wire_false_rate(
            items, prob, t
        ) <= WIRE_FALSE_MAX

    balanced = next((t for t in GRID if acceptable(t)), 0.5)
    precise = next(
        (
            t
            for t in GRID
            if t > balanced
            and all(f["shown"] for f in table[t].values())
            and table[t].get("spin", {}).get("precision", 1.0) >= SPIN_PRECISE
            and table[t]["ptc"]["precision"] >= PTC_PRECISE
        ),
        min(0.98, balanced + 0.2),
    )
    return {"precise": float(precise), "balanced": float(balanced), "everything": 0.0}


def cross_validate(items: list[Location], gold: dict) -> tuple[np.ndarray, list[dict[str, float]], list[dict]]:
    """Out-of-fold probabilities; per fold the thresholds chosen on the other folds and their held-out figures
    (by article, PTC's and the spin set's articles dealt into the folds separately)."""
    prob = np.zeros(len(items))
    chosen = []
    per_fold = []
    articles = sorted({i.article for i in items})
    splits = [folds([a for a in articles if corpus(a) == name]) for name in CORPORA]
    for k in range(len(splits[0])):
        keep = {a for split in splits for a in split[k]}
        train = [i for i in items if i.article not in keep]
        test_index = [n for n, i in enumerate(items) if i.article in keep]
        test = [items[n] for n in test_index]
        spec = fit(train)
        thresholds = pick_thresholds(train, predict(spec, train), gold)
        p = predict(spec, test)
        prob[test_index] = p
        chosen.append(thresholds)
        per_fold.append({name: by_corpus(test, p, t, gold) for name, t in thresholds.items()})
    return prob, chosen, per_fold


def mean_sd(values: list[float]) -> str:
    v = np.array([x for x in values if math.isfinite(x)])
    return f"{v.mean():.3f} ± {v.std(ddof=1):.3f}" if len(v) > 1 else "n/a"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=CACHE, help="the models' predictions on the 37 articles")
    parser.add_argument("--write", action="store_true", help=f"add the map and presets to {OUT}/manifest.json")
    args = parser.parse_args(argv)
    predictions = load_predictions(args.cache, held_out_ids())
    texts = {a: read_article_file(ARTICLES, a) for a in predictions}
    gold = ptc_gold(predictions)
    # The spin set is analysed with no persuasion map (a map of other features would not load); the file is
    # put back as it was unless --write replaces the map.
    path = OUT / "manifest.json"
    original = path.read_text(encoding="utf-8")
    stripped = {k: v for k, v in json.loads(original).items() if k != "persuasion"}
    path.write_text(json.dumps(stripped, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    try:
        spin_found, spin_texts, spin_gold, spin_quotes = spin_set_predictions("dev")
    finally:
        path.write_text(original, encoding="utf-8")
    quotes = ptc_quotes(texts, args.cache)
    predictions.update(spin_found)
    texts.update(spin_texts)
    gold.update(spin_gold)
    quotes.update(spin_quotes)
    items = locations(predictions, texts, gold, quotes)
    lines = []
    for name, what in (("ptc", "held-out PTC articles"), ("spin", "articles of the spin set's dev half")):
        part = [i for i in items if corpus(i) == name]
        n_gold = sum(len(v) for a, v in gold.items() if corpus(a) == name)
        lines.append(
            f"{name}: {len({i.article for i in part})} {what}, {len(part)} passages "
            f"({', '.join(f'{e} {sum(i.engine == e for i in part)}' for e in ('model', 'lexicon', 'rules', 'quotes'))}), "
            f"{n_gold} marked spans; persuasive by source: "
            + ", ".join(
                f"{e} {np.mean([i.persuasive for i in part if i.engine == e]):.2f}"
                for e in ("model", "lexicon", "rules", "quotes")
                if any(i.engine == e for i in part)
            )
        )
    lines.append(
        "persuasive = overlaps a marked span of any technique (PTC gold; the spin set's writer and quoted marks)"
    )
    prob, chosen, per_fold = cross_validate(items, gold)
    lines += ["", "out-of-fold, pooled (probabilities from maps fitted on the other folds):"]
    lines.append(
        f"{'threshold':>9}   {'PTC shown':>9} {'P':>6} {'R':>6} {'F1':>6}   {'spin shown':>10} {'P':>6} {'R':>6} {'F1':>6}"
    )
    for t in (0.0, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8):
        f = by_corpus(items, prob, t, gold)
        cells = [
            f"{f[c]['shown']:9d} {f[c]['precision']:6.3f} {f[c]['recall']:6.3f} {f[c]['f1']:6.3f}" for c in CORPORA
        ]
        lines.append(f"{t:9.2f}   {cells[0]}   {' ' + cells[1]}")
    lines += [
        "",
        "presets: thresholds chosen on the training folds, figures on the held-out fold (mean ± sd over folds):",
    ]
    validation: dict[str, Any] = {}
    for name in ("precise", "balanced", "everything"):
        ts = [c[name] for c in chosen]
        row = {}
        for c in CORPORA:
            row[c] = {m: mean_sd([f[name][c][m] for f in per_fold if c in f[name]]) for m in ("precision", "recall")}
        validation[name] = row
        lines.append(
            f"  {name:10} thresholds {ts}: PTC precision {row['ptc']['precision']}, recall {row['ptc']['recall']}; "
            f"spin dev precision {row['spin']['precision']}, recall {row['spin']['recall']}"
        )
    spec = fit(items)
    thresholds = pick_thresholds(items, predict(spec, items), gold)
    lines += ["", f"shipped: map refitted on all {len({i.article for i in items})} articles, thresholds {thresholds}"]
    printed = "\n".join(lines)
    print(printed)
    if args.write:
        path = OUT / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["persuasion"] = {
            "question": "is this passage persuasive at all? P(it overlaps a marked span of any technique), fitted "
            "with equal weight on the 37 held-out PTC articles and the spin set's dev half",
            "map": spec,
            "sensitivity": thresholds,
            "validation": validation,
            "command": ".venv-train/bin/python -m training.fit_persuasion --write",
            "output": printed.splitlines(),
        }
        path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
