"""Fit the technique confidence calibration (``spinscope.calibration``) on out-of-fold predictions.

    .venv/bin/python -m training.calibrate_techniques [--cache FILE] [--write]

What it calibrates: the technique spans a user is shown by ``spinscope analyze`` (model engine), each
with the score it carries in the JSON (``score``: P(span) x P(technique | span) for the tagger's spans,
a fixed per-rule value for the slogan rule, the quote analyser's score for scare quotes). A shown span is
*right* when it overlaps a gold span of the same technique in PTC.

Which articles: only the 37 PTC train articles held out from every model (``training/ptc_val_ids.txt``).
The tagger, the span classifier and the label head were all fitted on the other 334, so their scores on
those are far too confident to calibrate on, and without a GPU the tagger cannot be refitted per fold. So
every choice here (isotonic map or Platt scaling, the default shown threshold) is made by 5-fold
cross-validation *by article within the 37*: fitted on 4/5 of the articles, measured on the other 1/5.
The figures are therefore out-of-fold over 37 articles (about 1,200 labels), not over all of PTC
train, and their fold-to-fold spread is large. The shipped map is then refitted on all 37.

Spans of the tagger (engine "model") get a monotone map of their score; the slogan rule's spans (engine
"rules") and scare quotes (engine "quotes") each get one value, their share of right spans (their scores
barely vary). The ``--engine rules`` analyser has no calibration data and gets none.

``--write`` installs ``src/spinscope/models/technique-calibration/manifest.json``. Needs scikit-learn
(training only; the package applies the map with numpy). The predictions of the current models on the
37 articles are cached in ``--cache`` (a few minutes to compute on two cores).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.evaluation.techniques import read_article_file
from spinscope.scoring import read_labels

REPO = Path(__file__).resolve().parents[1]
PTC = REPO.parent / "shared" / "corpora" / "ptc" / "train"
ARTICLES = PTC / "train-articles"
GOLD = PTC / "train-task-flc-tc.labels"
IDS = REPO / "training" / "ptc_val_ids.txt"
CACHE = Path("/tmp/spinscope-calibration-predictions.json")
OUT = REPO / "src" / "spinscope" / "models" / "technique-calibration"
FOLDS, SEED = 5, 13
METHODS = ("isotonic", "platt", "logistic")
TARGET_PRECISION = 0.5  # what the default view must reach (issue #14)
BINS = 10


# ---- predictions -------------------------------------------------------------------
def held_out_ids(path: Path = IDS) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def collect(ids: list[str], articles: Path = ARTICLES) -> dict[str, list[dict[str, Any]]]:
    """Every technique span ``spinscope.analyze`` (model engine, nothing filtered) gives each article; the
    tagger's spans also with what their score is made of (``TechniqueModel.candidates``)."""
    import dataclasses

    import spinscope
    from spinscope.analyzers.techniques_model import load_technique_model
    from spinscope.segmentation import paragraphs, sentences

    model = load_technique_model()
    found: dict[str, list[dict[str, Any]]] = {}
    for n, article_id in enumerate(ids, 1):
        text = read_article_file(articles, article_id)
        analysis = spinscope.analyze(spinscope.Article(text=text, id=article_id))
        if analysis.article.text != text:  # offsets must index the corpus text
            raise ValueError(f"article {article_id}: normalisation changed the text")
        candidates, _ = model.candidates(text, sentences(text, paragraphs(text)))
        parts = {(c.start, c.end, c.technique): dataclasses.asdict(c) for c in candidates}
        spans = []
        for t in analysis.to_dict()["techniques"]:
            item = {k: t[k] for k in ("start", "end", "technique", "score", "engine")}
            if t["engine"] == "model":
                item.update(parts[(t["start"], t["end"], t["technique"])])
            spans.append(item)
        found[article_id] = spans
        print(f"  {n}/{len(ids)} article {article_id}: {len(spans)} spans", file=sys.stderr)
    return found


def models_key() -> str:
    """What the cached predictions depend on: the shipped models' checksums (the calibration's own excepted)
    and the package version."""
    import spinscope
    from spinscope.runtime.session import MODELS_DIR

    sums = {
        folder.name: json.loads((folder / "manifest.json").read_text(encoding="utf-8")).get("sha256")
        for folder in sorted(MODELS_DIR.iterdir())
        if (folder / "manifest.json").exists() and folder.name != "technique-calibration"
    }
    return json.dumps({"version": spinscope.__version__, "models": sums}, sort_keys=True)


def load_predictions(cache: Path, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The predictions on ``ids``, from ``cache`` when it was made by the same models (else computed and cached).
    A change of rules (quotes, slogans) is not in the key: delete the cache after one."""
    key = models_key()
    if cache.exists():
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("key") == key and sorted(cached.get("predictions", {})) == sorted(ids):
            return cached["predictions"]
    found = collect(ids)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps({"key": key, "predictions": found}), encoding="utf-8")
    return found


# ---- what is right -----------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """One technique label of one span, as the JSON carries it, judged against the gold."""

    article: str
    start: int
    end: int
    technique: str
    engine: str
    score: float
    right: bool  # overlaps a gold span of the same technique
    partial: float  # SemEval partial credit: share of its characters inside such gold spans
    parts: tuple[float, float, int, bool] | None = None  # a tagger span's span_prob, label_prob, rank, nested

    def features(self) -> np.ndarray:
        from spinscope.calibration import model_features

        assert self.parts is not None
        return model_features(self.technique, *self.parts, self.end - self.start)


def judge(predictions: dict[str, list[dict[str, Any]]], gold_path: Path = GOLD) -> tuple[list[Shown], list]:
    """Each predicted label judged against the gold spans of its article; also the gold lines of those articles."""
    keep = set(predictions)
    gold = [g for g in read_labels(gold_path) if g[0] in keep]
    by_key: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for article, technique, start, end in gold:
        by_key[(article, technique)].append((start, end))
    shown = []
    for article, spans in predictions.items():
        for t in spans:
            start, end = int(t["start"]), int(t["end"])
            covered = np.zeros(max(end - start, 1), bool)
            right = False
            for g_start, g_end in by_key.get((article, t["technique"]), []):
                lo, hi = max(start, g_start), min(end, g_end)
                if lo < hi:
                    right = True
                    covered[lo - start : hi - start] = True
            parts = (t["span_prob"], t["label_prob"], t["rank"], t["nested"]) if "span_prob" in t else None
            shown.append(
                Shown(
                    article,
                    start,
                    end,
                    t["technique"],
                    t["engine"],
                    float(t["score"]),
                    right,
                    float(covered.mean()),
                    parts,
                )
            )
    return shown, gold


def recall(shown: list[Shown], gold: list) -> float:
    """Share of gold (span, technique) lines overlapped by a shown span of the same technique."""
    if not gold:
        return 0.0
    by_key: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for s in shown:
        by_key[(s.article, s.technique)].append((s.start, s.end))
    hit = sum(
        any(s < end and start < e for s, e in by_key.get((article, technique), []))
        for article, technique, start, end in gold
    )
    return hit / len(gold)


# ---- maps ----------------------------------------------------------------------------
GRID = np.linspace(0.0, 1.0, 201)  # Platt maps are stored as breakpoints on this grid (np.interp at run time)


def fit_model_map(method: str, model: list[Shown]) -> dict[str, Any]:
    """The tagger spans' map to P(right): ``isotonic`` or ``platt`` (monotone in the score, stored as
    breakpoints ``x`` -> ``y``), or ``logistic`` over their features (``spinscope.calibration.MODEL_FEATURES``)."""
    right = np.array([s.right for s in model], float)
    scores = np.array([s.score for s in model])
    if method == "isotonic":
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(scores, right)
        x, y = iso.X_thresholds_, iso.y_thresholds_
    elif method == "platt":
        from sklearn.linear_model import LogisticRegression

        def logit(s: np.ndarray) -> np.ndarray:
            s = np.clip(s, 1e-4, 1 - 1e-4)
            return np.log(s / (1 - s))[:, None]

        lr = LogisticRegression(C=1e4).fit(logit(scores), right)
        x, y = GRID, lr.predict_proba(logit(GRID))[:, 1]
    elif method == "logistic":
        from sklearn.linear_model import LogisticRegression

        from spinscope.calibration import MODEL_FEATURES

        features = np.stack([s.features() for s in model])
        mean, scale = features.mean(0), features.std(0) + 1e-9
        lr = LogisticRegression(C=1.0).fit((features - mean) / scale, right)
        return {
            "method": method,
            "features": list(MODEL_FEATURES),
            "mean": [round(float(v), 6) for v in mean],
            "scale": [round(float(v), 6) for v in scale],
            "weights": [round(float(v), 6) for v in lr.coef_[0]],
            "bias": round(float(lr.intercept_[0]), 6),
        }
    else:
        raise ValueError(method)
    return {"method": method, "x": [round(float(v), 6) for v in x], "y": [round(float(v), 6) for v in y]}


def share_right(right: np.ndarray) -> float:
    """One value for a source whose scores barely vary: its share of right spans, shrunk a little towards 1/2."""
    return round(float((right.sum() + 1) / (len(right) + 2)), 4)


def fit_calibration(items: list[Shown], method: str) -> dict[str, Any]:
    """The calibration of every source of the model engine's technique spans, fitted on ``items``."""
    maps: dict[str, Any] = {"model": fit_model_map(method, [s for s in items if s.engine == "model"])}
    for engine in sorted({s.engine for s in items} - {"model"}):
        right = np.array([s.right for s in items if s.engine == engine])
        maps[engine] = {"method": "constant", "value": share_right(right)}
    return maps


def confidences(maps: dict[str, Any], items: list[Shown]) -> np.ndarray:
    """Each item's calibrated confidence under ``maps`` (what the package computes at run time)."""
    from spinscope.calibration import load_calibration

    calibration = load_calibration({"maps": maps})
    out = []
    for s in items:
        if s.engine == "model":
            assert s.parts is not None
            out.append(calibration.model_confidence(s.technique, *s.parts, s.end - s.start))
        else:
            out.append(calibration.score_confidence(s.engine, s.score))
    return np.array(out)


# ---- figures -------------------------------------------------------------------------
def ece(prob: np.ndarray, right: np.ndarray, bins: int = BINS) -> float:
    """Expected calibration error: the count-weighted gap between mean confidence and share right, per bin."""
    edges = np.minimum((prob * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        inside = edges == b
        if inside.any():
            total += inside.sum() * abs(prob[inside].mean() - right[inside].mean())
    return float(total / len(prob)) if len(prob) else 0.0


def brier(prob: np.ndarray, right: np.ndarray) -> float:
    return float(np.mean((prob - right) ** 2))


def choose_threshold(conf: np.ndarray, right: np.ndarray, target: float) -> float:
    """The lowest confidence threshold (0.01 steps) whose shown set has at least ``target`` precision."""
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        shown = conf >= t
        if shown.any() and right[shown].mean() >= target:
            return float(t)
    return 1.0


def folds(ids: list[str], k: int = FOLDS, seed: int = SEED) -> list[list[str]]:
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return [order[i::k] for i in range(k)]


# ---- cross-validation by article -------------------------------------------------------
@dataclass
class Fold:
    articles: list[str]
    threshold: float
    conf: np.ndarray  # out-of-fold confidences of the fold's items
    items: list[Shown]
    gold: list


def cross_validate(items: list[Shown], gold: list, method: str, target: float = TARGET_PRECISION) -> list[Fold]:
    """Fit the maps and choose the threshold on 4/5 of the articles; keep the other 1/5's confidences."""
    out = []
    for held in folds(sorted({s.article for s in items} | {g[0] for g in gold})):
        keep = set(held)
        train = [s for s in items if s.article not in keep]
        test = [s for s in items if s.article in keep]
        maps = fit_calibration(train, method)
        threshold = choose_threshold(confidences(maps, train), np.array([s.right for s in train], float), target)
        out.append(Fold(held, threshold, confidences(maps, test), test, [g for g in gold if g[0] in keep]))
    return out


def shown_figures(items: list[Shown], shown: np.ndarray, gold: list) -> dict[str, float]:
    picked = [s for s, on in zip(items, shown, strict=True) if on]
    return {
        "shown": len(picked),
        "precision": float(np.mean([s.right for s in picked])) if picked else float("nan"),
        "partial_precision": float(np.mean([s.partial for s in picked])) if picked else float("nan"),
        "recall": recall(picked, gold),
    }


def summarise_cv(result: list[Fold]) -> dict[str, Any]:
    """Pooled and per-fold (mean, sd) figures of one cross-validation."""
    conf = np.concatenate([f.conf for f in result])
    items = [s for f in result for s in f.items]
    right = np.array([s.right for s in items], float)
    raw = np.array([s.score for s in items])
    gold = [g for f in result for g in f.gold]
    shown = np.concatenate([f.conf >= f.threshold for f in result])
    per_fold = []
    for f in result:
        r = np.array([s.right for s in f.items], float)
        per_fold.append(
            {
                "ece_raw": ece(np.array([s.score for s in f.items]), r),
                "ece": ece(f.conf, r),
                "brier": brier(f.conf, r),
                "threshold": f.threshold,
                **shown_figures(f.items, f.conf >= f.threshold, f.gold),
                "all_precision": float(r.mean()) if len(r) else float("nan"),
                "all_recall": recall(f.items, f.gold),
            }
        )
    return {
        "pooled": {
            "items": len(items),
            "ece_raw": ece(raw, right),
            "ece": ece(conf, right),
            "brier_raw": brier(raw, right),
            "brier": brier(conf, right),
            **shown_figures(items, shown, gold),
            "all_precision": float(right.mean()),
            "all_partial_precision": float(np.mean([s.partial for s in items])),
            "all_recall": recall(items, gold),
        },
        "folds": per_fold,
        "conf": conf,
        "right": right,
        "raw": raw,
    }


def mean_sd(rows: list[dict[str, float]], key: str) -> str:
    values = np.array([r[key] for r in rows], float)
    values = values[np.isfinite(values)]
    return f"{values.mean():.3f} ± {values.std(ddof=1):.3f}" if len(values) > 1 else "n/a"


def reliability_rows(prob: np.ndarray, right: np.ndarray, bins: int = BINS) -> list[tuple[str, int, float, float]]:
    edges = np.minimum((prob * bins).astype(int), bins - 1)
    rows = []
    for b in range(bins):
        inside = edges == b
        if inside.any():
            rows.append(
                (
                    f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                    int(inside.sum()),
                    float(prob[inside].mean()),
                    float(right[inside].mean()),
                )
            )
    return rows


# ---- the choice, the report and the shipped file -------------------------------------------
TARGETS = (0.5, 0.55, 0.6)  # the training folds' precision the threshold must reach (in-sample, so optimistic)


@dataclass
class Choice:
    method: str
    target: float
    cv: dict[str, Any]  # summarise_cv of the chosen method and target
    table: list[tuple[str, float, dict[str, Any]]]  # every (method, target) tried


def choose(items: list[Shown], gold: list) -> Choice:
    """The map with the lowest out-of-fold Brier score; then the lowest training-fold precision target whose
    out-of-fold shown set reaches TARGET_PRECISION (pooled and mean over folds)."""
    table = [(m, t, summarise_cv(cross_validate(items, gold, m, t))) for m in METHODS for t in TARGETS]
    method = min(METHODS, key=lambda m: next(cv["pooled"]["brier"] for mm, _, cv in table if mm == m))
    for m, target, cv in table:
        fold_mean = np.nanmean([f["precision"] for f in cv["folds"]])
        if m == method and cv["pooled"]["precision"] >= TARGET_PRECISION and fold_mean >= TARGET_PRECISION:
            return Choice(method, target, cv, table)
    raise SystemExit(f"no threshold rule reaches out-of-fold precision {TARGET_PRECISION} with {method}")


def report(choice: Choice, items: list[Shown], gold: list) -> str:
    """The figures, as printed (and stored in the manifest)."""
    p = choice.cv["pooled"]
    folds_ = choice.cv["folds"]
    lines = [
        f"{len({s.article for s in items} | {g[0] for g in gold})} held-out PTC articles ({IDS.name}), {len(items)} technique labels shown "
        f"by `spinscope analyze` (model engine), {len(gold)} gold spans; {FOLDS}-fold CV by article (seed {SEED})",
        "right = overlaps a gold span of the same technique; pooled out-of-fold, per-fold mean ± sd",
        "",
        f"{'map':9} {'target':>6} {'ECE':>6} {'Brier':>6} {'shown':>5} {'precision':>9} {'partial P':>9} {'recall':>6}  fold precision",
    ]
    for method, target, cv in choice.table:
        q = cv["pooled"]
        lines.append(
            f"{method:9} {target:6.2f} {q['ece']:6.3f} {q['brier']:6.3f} {q['shown']:5d} {q['precision']:9.3f} "
            f"{q['partial_precision']:9.3f} {q['recall']:6.3f}  {mean_sd(cv['folds'], 'precision')}"
        )
    lines += [
        "",
        f"chosen: {choice.method} map (lowest out-of-fold Brier), threshold = the lowest confidence whose training "
        f"folds' shown set has precision >= {choice.target} (the lowest target whose out-of-fold precision >= "
        f"{TARGET_PRECISION})",
        f"expected calibration error ({BINS} bins): raw score {p['ece_raw']:.3f}, calibrated {p['ece']:.3f} "
        f"(per fold {mean_sd(folds_, 'ece_raw')} -> {mean_sd(folds_, 'ece')}); Brier {p['brier_raw']:.3f} -> {p['brier']:.3f}",
        "",
        "reliability (out-of-fold)      raw score                  calibrated confidence",
        f"{'bin':9} {'n':>5} {'mean':>6} {'right':>6}     {'n':>5} {'mean':>6} {'right':>6}",
    ]
    raw = dict((r[0], r[1:]) for r in reliability_rows(choice.cv["raw"], choice.cv["right"]))
    cal = dict((r[0], r[1:]) for r in reliability_rows(choice.cv["conf"], choice.cv["right"]))
    for b in sorted(set(raw) | set(cal)):
        left = "{:5d} {:6.3f} {:6.3f}".format(*raw[b]) if b in raw else " " * 19
        right = "{:5d} {:6.3f} {:6.3f}".format(*cal[b]) if b in cal else ""
        lines.append(f"{b:9} {left}     {right}")
    lines += [
        "",
        f"default view (confidence >= the fold's threshold, thresholds {[f['threshold'] for f in folds_]}):",
        f"  shown {p['shown']} of {p['items']} labels; precision {p['precision']:.3f} (per fold "
        f"{mean_sd(folds_, 'precision')}), SemEval partial-credit precision {p['partial_precision']:.3f}, "
        f"recall {p['recall']:.3f} (per fold {mean_sd(folds_, 'recall')})",
        f"  everything (the JSON): precision {p['all_precision']:.3f}, partial-credit {p['all_partial_precision']:.3f}, "
        f"recall {p['all_recall']:.3f}",
    ]
    return "\n".join(lines)


def final_fit(items: list[Shown], choice: Choice) -> tuple[dict[str, Any], float]:
    """The shipped maps (fitted on all 37 articles) and the threshold the same rule gives on them."""
    maps = fit_calibration(items, choice.method)
    threshold = choose_threshold(confidences(maps, items), np.array([s.right for s in items], float), choice.target)
    return maps, threshold


def manifest(maps: dict[str, Any], threshold: float, choice: Choice, printed: str) -> dict[str, Any]:
    p = choice.cv["pooled"]
    return {
        "name": "technique-calibration",
        "version": "1.0.0",
        "base": f"{choice.method} map of the model engine's technique spans to P(right) (training/calibrate_techniques.py)",
        "right": "the span overlaps a gold PTC span of the same technique",
        "fitted_on": "the 37 PTC train articles held out from every model (training/ptc_val_ids.txt), "
        "the only ones whose predictions are not fitted to their gold; choices by 5-fold CV by article within them",
        "maps": maps,
        "shown_min_confidence": threshold,
        "validation": {
            "split": "out-of-fold over the 37 held-out PTC train articles (5-fold CV by article)",
            "ece_raw_score": round(p["ece_raw"], 4),
            "ece": round(p["ece"], 4),
            "brier": round(p["brier"], 4),
            "default_view_precision": round(p["precision"], 4),
            "default_view_partial_precision": round(p["partial_precision"], 4),
            "default_view_recall": round(p["recall"], 4),
            "all_spans_precision": round(p["all_precision"], 4),
        },
        "command": ".venv/bin/python -m training.calibrate_techniques --write",
        "output": printed.splitlines(),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache", type=Path, default=CACHE, help="the models' predictions on the 37 articles")
    parser.add_argument("--write", action="store_true", help=f"install the calibration into {OUT}")
    args = parser.parse_args(argv)
    items, gold = judge(load_predictions(args.cache, held_out_ids()))
    choice = choose(items, gold)
    printed = report(choice, items, gold)
    maps, threshold = final_fit(items, choice)
    printed += f"\nshipped: {choice.method} map and threshold {threshold:.2f} refitted on all 37 articles"
    print(printed)
    if args.write:
        OUT.mkdir(parents=True, exist_ok=True)
        text = json.dumps(manifest(maps, threshold, choice, printed), indent=1, ensure_ascii=False) + "\n"
        (OUT / "manifest.json").write_text(text, encoding="utf-8")
        print(f"wrote {OUT / 'manifest.json'}; SHOWN_MIN_CONFIDENCE in spinscope/calibration.py must be {threshold}")


if __name__ == "__main__":
    main()
