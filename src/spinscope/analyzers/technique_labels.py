"""The technique label head: a second opinion on a span's technique from the tagger's own pass.

The span classifier re-reads every found span marked inside its sentence. This
head reads what the tagger's pass already computed (``runtime.trunk``): the
encoder states pooled over the span and over its sentence, the tagger's 14
per-technique probabilities over the span, and hand features a window cannot see
(how often the span recurs in the article, length, capitals, quotation marks,
exclamation, whether it is in the headline). A multinomial logistic regression
over them gives 14 probabilities (numpy at run time; fitted by
``training/train_label_head.py`` with its regularisation chosen by 5-fold
cross-validation over PTC train's articles). Alone it names techniques less well
than the classifier; ``techniques_model`` multiplies the two, which beats both.
The weights ship in ``models/technique-labels/head.npz``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from spinscope.runtime.encoding import TaggerPass, span_features
from spinscope.runtime.session import MODELS_DIR, load_head_arrays

HEAD = "technique-labels"


def _line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    return text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1


def span_label_features(
    text: str, encoded: TaggerPass, start: int, end: int, context: tuple[int, int] | None = None
) -> np.ndarray:
    """The head's input for the span ``text[start:end]``; ``context`` is its sentence (default: its line)."""
    if encoded.states is None:
        raise ValueError("the trunk pass has no encoder states")
    starts, ends = encoded.tokens.offsets[:, 0], encoded.tokens.offsets[:, 1]
    hidden = encoded.states.shape[1]
    n_probs = encoded.probs.shape[1] - 1
    inside = (ends > start) & (starts < end)
    ctx_lo, ctx_hi = context if context is not None else _line_bounds(text, start, end)
    around = (ends > min(ctx_lo, start)) & (starts < max(ctx_hi, end))
    if inside.any():
        span_states = encoded.states[inside].astype(np.float32)
        span_probs = encoded.probs[inside, 1:].astype(np.float32)
        case = encoded.tokens.case[inside].mean(0)
    else:  # a span of punctuation only: no piece of its own
        span_states = np.zeros((1, hidden), np.float32)
        span_probs = np.zeros((1, n_probs), np.float32)
        case = np.zeros(encoded.tokens.case.shape[1], np.float32)
    ctx_states = encoded.states[around].astype(np.float32) if around.any() else span_states
    headline = float(text.find("\n") == -1 or start < text.find("\n"))
    parts = [
        span_states.mean(0),
        ctx_states.mean(0),
        span_probs.mean(0),
        span_probs.max(0),
        span_features(text, start, end),
        case,
        np.asarray([headline], np.float32),
    ]
    return np.concatenate(parts).astype(np.float32)


@dataclass(frozen=True)
class LabelHead:
    labels: list[str]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (n_features, n_labels)
    bias: np.ndarray
    manifest: dict

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        """(n_spans, n_labels) softmax probabilities for stacked :func:`span_label_features` rows."""
        if len(features) == 0:
            return np.zeros((0, len(self.labels)), np.float32)
        z = ((features - self.mean) / self.scale) @ self.weights + self.bias
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(1, keepdims=True)).astype(np.float32)

    def describe(self) -> dict:
        return {k: self.manifest[k] for k in ("name", "version", "base", "validation") if k in self.manifest}


def load_label_head(directory: Path | None = None) -> LabelHead:
    folder = directory or MODELS_DIR / HEAD
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    arrays = load_head_arrays(folder, manifest)
    return LabelHead(
        labels=list(manifest["labels"]),
        mean=arrays["mean"],
        scale=arrays["scale"],
        weights=arrays["weights"],
        bias=arrays["bias"],
        manifest=manifest,
    )


@cache
def shipped_label_head() -> LabelHead | None:
    folder = MODELS_DIR / HEAD
    return load_label_head(folder) if (folder / "manifest.json").exists() else None
