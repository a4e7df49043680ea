"""An adapted technique model: the shipped one, plus a small head trained on a user's corrections.

``spinscope train --corrections DIR -o MODEL_DIR`` (:mod:`.adapt_train`) keeps the shipped ONNX trunk frozen
and fits a per-piece head over what its pass already computes for every word piece: the encoder state (384
numbers) and the tagger's 15 probabilities. The head gives, for each piece, P(inside a span of label L) for
"any" label and for every label it was trained on (the 14 PTC techniques and the user's own). At run time
(numpy only, no torch):

* the shipped detector runs as before;
* a shipped model span whose pieces the head all finds unlikely to be persuasive at all (``any`` below
  ``remove_below``) is dropped: the annotators removed such spans (disabled when the corrections removed
  nothing);
* for each label the corrections used, runs of pieces over the head's thresholds become spans (the
  shipped decoder's hysteresis), added with engine ``adapted`` where no span of that label overlaps.

The model folder holds ``adapter.npz`` (weights, checked against the manifest's sha256) and
``manifest.json`` (labels, thresholds, the data and settings it was trained with, and its figures).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.document import Span, TechniqueSpan
from spinscope.errors import ModelError
from spinscope.runtime.encoding import TaggerPass, decode_spans
from spinscope.runtime.session import load_head_arrays

FORMAT = "spinscope-adapter/1"
ADAPTER_FILE = "adapter.npz"
ANY = "any"
ADDED_ENGINE = "adapted"


def piece_features(encoded: TaggerPass) -> np.ndarray:
    """(n_pieces, hidden + 15): each word piece's encoder state and the tagger's probabilities."""
    if encoded.states is None:
        raise ModelError("the technique tagger exports no encoder states: an adapted model cannot run on it")
    return np.concatenate([encoded.states, encoded.probs], axis=1).astype(np.float32)


def pieces_inside(encoded: TaggerPass, start: int, end: int) -> np.ndarray:
    """A boolean mask of the pieces that overlap ``[start, end)``."""
    offsets = encoded.tokens.offsets
    return (offsets[:, 1] > start) & (offsets[:, 0] < end)


@dataclass(frozen=True)
class Adapter:
    """The trained head: ``labels[0]`` is "any", then one channel per label."""

    labels: list[str]
    arrays: dict[str, np.ndarray]
    add_labels: list[str]  # the labels whose runs are added as spans (those the corrections used)
    low: float
    high: float
    remove_below: float  # 0: never drop a shipped span
    manifest: dict[str, Any]

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n_pieces, len(labels)) sigmoid outputs of the two-layer head."""
        a = self.arrays
        x = (features - a["mean"]) / a["scale"]
        h = np.maximum(x @ a["w1"] + a["b1"], 0.0)
        z = h @ a["w2"] + a["b2"]
        return (1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))).astype(np.float32)

    def describe(self) -> dict[str, Any]:
        keys = ("name", "format", "created", "base", "labels", "own_labels", "figures")
        return {k: self.manifest[k] for k in keys if k in self.manifest}


def write_adapter(directory: Path, arrays: dict[str, np.ndarray], manifest: dict[str, Any]) -> tuple[Path, Path]:
    """Write ``adapter.npz`` and ``manifest.json`` (with the weights' sha256) into ``directory``."""
    from spinscope.runtime.session import _sha256

    directory.mkdir(parents=True, exist_ok=True)
    weights = directory / ADAPTER_FILE
    np.savez(weights, **{k: np.asarray(v, np.float32) for k, v in arrays.items()})
    manifest = {**manifest, "format": FORMAT, "file": ADAPTER_FILE, "sha256": _sha256(weights)}
    target = directory / "manifest.json"
    target.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return weights, target


def load_adapter(directory: Path) -> Adapter:
    """Read a model folder written by ``spinscope train``; a clear :class:`ModelError` when it is not one."""
    directory = Path(directory)
    path = directory / "manifest.json"
    if not directory.is_dir() or not path.is_file():
        raise ModelError(f"{directory}: not a model folder (no manifest.json): make one with spinscope train")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ModelError(f"{path}: cannot read it ({error})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelError(f"{path}: not a {FORMAT} manifest (written by spinscope train)")
    arrays = load_head_arrays(directory, {**manifest, "name": str(directory)})
    missing = {"mean", "scale", "w1", "b1", "w2", "b2"} - set(arrays)
    if missing:
        raise ModelError(f"{directory / ADAPTER_FILE}: lacks {', '.join(sorted(missing))}")
    decode = manifest.get("decoding") or {}
    return Adapter(
        labels=list(manifest["labels"]),
        arrays=arrays,
        add_labels=list(decode.get("add_labels") or []),
        low=float(decode.get("low", 0.3)),
        high=float(decode.get("high", 0.5)),
        remove_below=float(decode.get("remove_below", 0.0)),
        manifest=manifest,
    )


def _overlaps(a: TechniqueSpan, start: int, end: int) -> bool:
    return a.start < end and start < a.end


def adapt_spans(
    text: str, encoded: TaggerPass, spans: list[TechniqueSpan], adapter: Adapter, probs: np.ndarray | None = None
) -> list[TechniqueSpan]:
    """The shipped detector's ``spans`` of ``text`` corrected by the adapter (see the module's docstring);
    ``probs``: the head's outputs when the caller has them already."""
    if len(encoded.tokens.ids) == 0:
        return list(spans)
    if probs is None:
        probs = adapter.probabilities(piece_features(encoded))
    kept: list[TechniqueSpan] = []
    for span in spans:
        if span.engine == "model" and adapter.remove_below > 0:
            inside = pieces_inside(encoded, span.start, span.end)
            if inside.any() and float(probs[inside, 0].max()) < adapter.remove_below:
                continue
        kept.append(span)
    for label in adapter.add_labels:
        channel = adapter.labels.index(label)
        for start, end, score in decode_spans(text, encoded.tokens, probs[:, channel], adapter.low, adapter.high):
            if any(s.technique == label and _overlaps(s, start, end) for s in kept):
                continue
            kept.append(TechniqueSpan(start, end, label, round(score, 4), engine=ADDED_ENGINE))
    kept.sort(key=lambda t: (t.start, t.end, t.technique))
    return kept


class AdaptedTechniqueModel:
    """The shipped :class:`~spinscope.analyzers.techniques_model.TechniqueModel` with an adapter on top; it
    answers everything else (``encode``, ``label_spans``...) as the shipped model does."""

    name = "model"

    def __init__(self, base: Any, adapter: Adapter, directory: Path) -> None:
        self.base = base
        self.adapter = adapter
        self.directory = directory

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)

    def describe(self) -> dict[str, object]:
        return {**self.base.describe(), "adapter": {"path": str(self.directory), **self.adapter.describe()}}

    def find(self, text: str, sentences: list[Span] | None = None) -> list[TechniqueSpan]:
        return self.find_encoded(text, sentences)[0]

    def find_encoded(self, text: str, sentences: list[Span] | None = None) -> tuple[list[TechniqueSpan], TaggerPass]:
        spans, encoded = self.base.find_encoded(text, sentences)
        return adapt_spans(text, encoded, spans, self.adapter), encoded


def load_adapted_model(directory: Path) -> AdaptedTechniqueModel:
    from spinscope.analyzers.techniques_model import load_technique_model

    directory = Path(directory).expanduser().resolve()
    adapter = load_adapter(directory)
    base = load_technique_model()
    trained_on = (adapter.manifest.get("base") or {}).get("sha256")
    if trained_on and trained_on != base.tagger.manifest.get("sha256"):
        raise ModelError(
            f"{directory}: trained on another technique tagger than this spinscope ships "
            f"({base.tagger.manifest.get('version')}): train it again with spinscope train"
        )
    return AdaptedTechniqueModel(base, adapter, directory)
