"""Calibrated confidence of technique spans, and the default shown set.

A technique span's ``score`` is what the models say (P(span) x P(technique | span) for the tagger's spans,
a fixed value for the slogan rule, the quote analyser's score for scare quotes); it is not the chance
that the span is right. ``confidence`` is: the probability that a reader with the PTC annotators'
guidelines would mark a span of that technique overlapping it, from a map fitted by
``training/calibrate_techniques.py`` and shipped in ``models/technique-calibration/manifest.json``
(numpy at run time).

Where it was fitted, honestly: on the 37 PTC train articles held out from every model
(``training/ptc_val_ids.txt``), the only ones whose predictions are not fitted to their gold; every choice
(map, threshold) was made by 5-fold cross-validation by article within those 37 (without a GPU the tagger
cannot be refitted per fold, so out-of-fold predictions over all of PTC train do not exist). The figures
are out-of-fold over those 37 articles, and move a lot from fold to fold.

Views (terminal, HTML report, web app, browser extension) show by default only the spans with
``confidence`` at least :data:`SHOWN_MIN_CONFIDENCE` (out-of-fold precision >= 0.5) and fade or hide the
others behind a switch; the JSON keeps every span. Spans without a confidence (the ``--engine rules``
analyser, which has no calibration data, and analyses made before 0.2) are always shown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import numpy as np

from spinscope.runtime.session import MODELS_DIR

CALIBRATION = "technique-calibration"
# The one default threshold of every view: chosen by training/calibrate_techniques.py (its manifest's
# "shown_min_confidence"; tests/test_calibration.py checks they agree).
SHOWN_MIN_CONFIDENCE = 0.42
# What the "logistic" map reads of a tagger span label, in order (model_features): its score's two factors,
# whether it is the span's runner-up label, nested in a longer span, its length, and which technique it names
# (the five commonest in PTC; how often a label is right depends much on its technique, held-out 0.02-0.40).
CALIBRATED_TECHNIQUES = (
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Doubt",
    "Exaggeration,Minimisation",
    "Appeal_to_fear-prejudice",
)
MODEL_FEATURES = (
    "logit_span_prob",
    "logit_label_prob",
    "runner_up",
    "nested",
    "log_chars",
    *(f"is_{t}" for t in CALIBRATED_TECHNIQUES),
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def model_features(
    technique: str, span_prob: float, label_prob: float, rank: int, nested: bool, chars: int
) -> np.ndarray:
    """What the "logistic" map reads of one tagger span label (``MODEL_FEATURES``)."""
    parts = [_logit(span_prob), _logit(label_prob), float(rank > 0), float(nested), math.log(max(chars, 1))]
    return np.array(parts + [float(technique == t) for t in CALIBRATED_TECHNIQUES], np.float64)


# What the "persuasion" map reads of a passage (training/fit_persuasion.py): which source found it; for the
# tagger's spans what their score is made of and whether a phrase of the spin lexicon lies inside; and the
# article around it (a reader judges a passage in its article: a lone "angry" inside a wire report's
# quotation is not the loaded word it is in an op-ed).
PERSUASION_FEATURES = (
    "is_model",
    "logit_span_prob",
    "logit_label_prob",
    "nested",
    "log_chars",
    "lexicon_inside",
    "is_lexicon_phrase",
    "is_learned_word",
    "is_exhortation",
    "is_question",
    "is_lexicon_weak",
    "is_quoted_fragment",
    "is_slogan_rule",
    "is_scare_quote",
    "writer_spin_density",
    "in_direct_quote",
    "in_direct_quote_x_density",
)


@dataclass(frozen=True)
class Evidence:
    """What a detector saw of one span, for the persuasion map. ``engine``: "model", "lexicon", "rules" or
    "quotes"; the tagger's span and best-label probabilities and nesting; a lexicon hit's kind."""

    engine: str
    span_prob: float = 0.0
    label_prob: float = 0.0
    nested: bool = False
    lexicon_kind: str = "phrase"


def persuasion_features(
    evidence: Evidence, start: int, end: int, *, lexicon_inside: bool, density: float, quoted: bool
) -> tuple[float, ...]:
    """What the persuasion map reads of one passage (``PERSUASION_FEATURES``). ``lexicon_inside``: a spin lexicon
    phrase lies inside it; ``density``: the writer's spin lexicon phrases per 100 of the writer's words
    (:func:`writer_spin_density`); ``quoted``: it lies inside a direct quote's content."""
    model = evidence.engine == "model"
    lexicon = evidence.engine == "lexicon"
    density_term = math.log1p(density)
    return (
        float(model),
        _logit(evidence.span_prob) if model else 0.0,
        _logit(evidence.label_prob) if model else 0.0,
        float(model and evidence.nested),
        math.log(max(end - start, 1)) if model else 0.0,
        float(model and lexicon_inside),
        float(lexicon and evidence.lexicon_kind == "phrase"),
        float(lexicon and evidence.lexicon_kind == "learned"),
        float(lexicon and evidence.lexicon_kind == "exhortation"),
        float(lexicon and evidence.lexicon_kind == "question"),
        float(lexicon and evidence.lexicon_kind == "weak"),
        float(lexicon and evidence.lexicon_kind == "fragment"),
        float(evidence.engine == "rules"),
        float(evidence.engine == "quotes"),
        density_term,
        float(quoted),
        float(quoted) * density_term,
    )


def writer_spin_density(text: str, hits: Sequence[Any], contents: Sequence[tuple[int, int]]) -> float:
    """The writer's spin lexicon words and phrases (``LexiconHit`` of kind "phrase" or "learned" outside direct
    quotes' ``contents``)
    per 100 of the writer's words."""

    def inside(start: int, end: int) -> bool:
        return any(a <= start and end <= b for a, b in contents)

    quoted_words = sum(len(text[a:b].split()) for a, b in contents)
    words = max(len(text.split()) - quoted_words, 1)
    return 100.0 * sum(1 for h in hits if h.kind in ("phrase", "learned") and not inside(h.start, h.end)) / words


def passage_features(text: str, techniques: Sequence[Any], quotes: Sequence[Any]) -> list[tuple[float, ...] | None]:
    """The persuasion map's features of each technique span with ``evidence`` (None for the others): the one
    definition that training (training/fit_persuasion.py) and the pipeline share."""
    from spinscope.analyzers.techniques_lexicon import lexicon_hits
    from spinscope.summary import speech_contents

    hits = lexicon_hits(text)
    contents = speech_contents(quotes)
    density = writer_spin_density(text, hits, contents)
    out: list[tuple[float, ...] | None] = []
    for t in techniques:
        if t.evidence is None:
            out.append(None)
            continue
        inside = any(t.start <= h.start and h.end <= t.end and h.kind in ("phrase", "learned") for h in hits)
        quoted = any(a <= t.start and t.end <= b for a, b in contents)
        out.append(
            persuasion_features(t.evidence, t.start, t.end, lexicon_inside=inside, density=density, quoted=quoted)
        )
    return out


def score_persuasion(text: str, techniques: Sequence[Any], quotes: Sequence[Any]) -> None:
    """Set ``persuasion`` of each technique span that has ``evidence``, once the quotes are known (the pipeline
    runs it after the quote analyser); without a shipped map, nothing changes."""
    calibration = shipped_calibration()
    block = calibration.manifest.get("persuasion") if calibration is not None else None
    if not block:
        return
    for t, features in zip(techniques, passage_features(text, techniques, quotes), strict=True):
        if features is not None:
            t.persuasion = round(persuasion_probability(block["map"], features), 4)


def persuasion_probability(spec: Mapping[str, Any], features: Sequence[float]) -> float:
    """P(persuasive) of a passage under a fitted logistic ``spec`` (the manifest's persuasion map)."""
    if len(spec["weights"]) != len(features):
        raise ValueError(
            f"the persuasion map reads {len(spec['weights'])} features, this version gives {len(features)}: "
            "refit it with training/fit_persuasion.py"
        )
    x = (np.asarray(features, np.float64) - np.asarray(spec["mean"])) / np.asarray(spec["scale"])
    z = float(x @ np.asarray(spec["weights"]) + spec["bias"])
    return 1.0 / (1.0 + math.exp(-z))


@dataclass(frozen=True)
class Calibration:
    """Maps from what a span's source says to P(right), one per source ("model", "rules", "quotes")."""

    maps: Mapping[str, Mapping[str, Any]]
    manifest: Mapping[str, Any]

    def covers(self, engine: str) -> bool:
        return engine in self.maps

    def score_confidence(self, engine: str, score: float) -> float:
        """P(right) of a span from its ``score`` alone (a "constant" or "interp" map)."""
        spec = self.maps[engine]
        if spec["method"] == "constant":
            return float(spec["value"])
        if "x" in spec:
            return float(np.clip(np.interp(score, spec["x"], spec["y"]), 0.0, 1.0))
        raise ValueError(f"the {engine!r} calibration needs the span's features, not its score")

    def model_confidence(
        self, technique: str, span_prob: float, label_prob: float, rank: int, nested: bool, chars: int
    ) -> float:
        """P(right) of one tagger span label."""
        spec = self.maps["model"]
        if spec["method"] != "logistic":
            return self.score_confidence("model", span_prob * label_prob)
        x = (model_features(technique, span_prob, label_prob, rank, nested, chars) - spec["mean"]) / spec["scale"]
        z = float(x @ np.asarray(spec["weights"]) + spec["bias"])
        return 1.0 / (1.0 + math.exp(-z))

    def describe(self) -> dict[str, Any]:
        described = {k: self.manifest[k] for k in ("name", "version", "base", "validation") if k in self.manifest}
        return {**described, "shown_min_confidence": SHOWN_MIN_CONFIDENCE}


def load_calibration(manifest: Mapping[str, Any]) -> Calibration:
    maps = {}
    for engine, spec in manifest["maps"].items():
        spec = dict(spec)
        for key in ("x", "y", "mean", "scale", "weights"):
            if key in spec:
                spec[key] = np.asarray(spec[key], np.float64)
        maps[engine] = spec
    return Calibration(maps, manifest)


@cache
def shipped_calibration() -> Calibration | None:
    path = MODELS_DIR / CALIBRATION / "manifest.json"
    return load_calibration(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else None


# ---- sensitivity: which passages a view shows ---------------------------------------------------------
Sensitivity = Literal["precise", "balanced", "everything"]
SENSITIVITIES: tuple[Sensitivity, ...] = ("precise", "balanced", "everything")
DEFAULT_SENSITIVITY: Sensitivity = "balanced"
# A passage's runner-up technique is named beside its best when its score is at least this share of the best's.
ALTERNATIVE_MIN_RATIO = 0.5
# Two passages covering mostly the same words (intersection over union at least this) are one highlight.
SAME_PASSAGE_IOU = 0.6


def sensitivity_thresholds() -> dict[str, float]:
    """The minimum ``persuasion`` of each preset (training/fit_persuasion.py, in the calibration manifest)."""
    calibration = shipped_calibration()
    block = calibration.manifest.get("persuasion") if calibration is not None else None
    if not block:
        return {"precise": 1.0, "balanced": 0.0, "everything": 0.0}
    return {name: float(block["sensitivity"][name]) for name in SENSITIVITIES}


def check_sensitivity(sensitivity: str) -> Sensitivity:
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"unknown sensitivity {sensitivity!r}: use one of {', '.join(SENSITIVITIES)}")
    return sensitivity  # type: ignore[return-value]


def apply_sensitivity(techniques: Sequence[Any], sensitivity: str = DEFAULT_SENSITIVITY) -> None:
    """Set ``shown`` and ``alternative`` of each :class:`~spinscope.document.TechniqueSpan` for a view at
    ``sensitivity``. "everything" shows every span. Otherwise a passage is shown when its ``persuasion`` reaches
    the preset's threshold (spans without one, from the rules engine, always are), once: of the labels of one
    passage the most likely is shown and the runner-up named beside it when close, and a passage covering
    mostly the same words as a more persuasive one already shown is left to that one."""
    check_sensitivity(sensitivity)
    for t in techniques:
        t.shown, t.alternative = True, None
    if sensitivity == "everything":
        return
    threshold = sensitivity_thresholds()[sensitivity]
    by_location: dict[tuple[int, int], list[Any]] = {}
    for t in techniques:
        by_location.setdefault((t.start, t.end), []).append(t)

    def persuasion(labels: list[Any]) -> float:
        values = [t.persuasion for t in labels if t.persuasion is not None]
        return max(values) if values else 1.0  # no map (the rules engine): shown, as before

    shown_at: dict[tuple[int, int], Any] = {}  # location -> its shown label
    for (start, end), labels in sorted(by_location.items(), key=lambda kv: (-persuasion(kv[1]), kv[0])):
        labels.sort(key=lambda t: -t.score)
        for t in labels:
            t.shown = False
        if persuasion(labels) < threshold:
            continue
        same = next((shown_at[o] for o in shown_at if _iou((start, end), o) >= SAME_PASSAGE_IOU), None)
        candidates = labels if same is None else [same, *labels]
        best = candidates[0]
        runner_up = next((t for t in candidates[1:] if t.technique != best.technique), None)
        if best.alternative is None and runner_up is not None and runner_up.score >= ALTERNATIVE_MIN_RATIO * best.score:
            best.alternative = runner_up.technique
        if same is None:
            best.shown = True
            shown_at[(start, end)] = best


def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def is_weak(span: Mapping[str, Any], threshold: float = SHOWN_MIN_CONFIDENCE) -> bool:
    """Whether a technique span of the JSON is left out of the default view (views fade or hide it): its
    ``shown`` flag where it has one (analyses since 0.2), else its confidence below ``threshold``."""
    shown = span.get("shown")
    if isinstance(shown, bool):
        return not shown
    confidence = span.get("confidence")
    if isinstance(confidence, bool) or not isinstance(confidence, int | float) or not math.isfinite(confidence):
        return False  # no calibrated confidence: nothing to judge it by, so it is shown
    return confidence < threshold
