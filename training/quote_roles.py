"""Per-word quote roles (source / cue / content) for PolNeAR attributions, and their token figures.

Shared by ``training.train_quote_encoder`` and ``research.role_head`` (the role codes are those of
``spinscope.analyzers.quote_tagger.LABELS``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from spinscope.analyzers import quote_tagger as qt


def gold_labels(tokens: qt.TaggedText, attributions) -> np.ndarray:
    """One role code per word (0 other, 1 source, 2 cue, 3 content); source and cue win over content."""
    labels = np.zeros(len(tokens.starts), np.int64)
    for attribution in attributions:
        for role, code in (("content", 3), ("source", 1), ("cue", 2)):
            for start, end in attribution.role(role):
                lo = int(np.searchsorted(tokens.starts, start))
                hi = int(np.searchsorted(tokens.starts, end))
                labels[lo:hi] = code
    return labels


def count_roles(pred: np.ndarray, labels: np.ndarray, tp: Counter, fp: Counter, fn: Counter) -> None:
    """Add one sequence's per-role token hits, false alarms and misses (role O is not scored)."""
    for code, name in enumerate(qt.LABELS):
        if code:
            tp[name] += int(((pred == code) & (labels == code)).sum())
            fp[name] += int(((pred == code) & (labels != code)).sum())
            fn[name] += int(((pred != code) & (labels == code)).sum())


def role_figures(tp: Counter, fp: Counter, fn: Counter) -> dict:
    out = {}
    for name in qt.LABELS[1:]:
        p = tp[name] / max(tp[name] + fp[name], 1)
        r = tp[name] / max(tp[name] + fn[name], 1)
        out[name] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(2 * p * r / max(p + r, 1e-9), 4)}
    return out
