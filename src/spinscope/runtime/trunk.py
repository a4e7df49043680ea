"""How the technique tagger (the trunk whose states the voice and label heads read) covers a long article.

The article is tokenised once; the word pieces are read through windows of up
to ``window`` pieces that overlap by ``2 * margin`` pieces. Each piece takes its
outputs from the one window in which it sits most centrally (at least
``margin`` pieces of context on each side, except at the article's ends), so
every piece is encoded about 1.34 times (512/64) instead of twice (the 0.1
tagger averaged half-overlapping windows). This is how spacy-transformers reads long documents
("strided spans"), with the overlap cut instead of averaged.

Windows run one per onnxruntime call: the shipped model is dynamically
quantised to int8, and dynamic quantisation scales activations over the whole
input tensor, so a window's outputs would depend on what shared its batch. One
window per call keeps an article's result independent of every other article
(tested), and batching 512-piece windows runs no faster per piece on a few
cores (see ``benchmarks/model_speed.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from spinscope.runtime.encoding import TokenizedText, window_arrays


@dataclass(frozen=True)
class CentralWindow:
    """Pieces ``[start, end)`` are read; pieces ``[keep_start, keep_end)`` take their outputs from here."""

    start: int
    end: int
    keep_start: int
    keep_end: int


def central_windows(n_pieces: int, window: int = 512, margin: int = 64) -> list[CentralWindow]:
    """Windows of at most ``window`` pieces (two of them [CLS]/[SEP]) covering ``n_pieces`` pieces, each
    kept piece having ``margin`` pieces of context on both sides where the article allows it."""
    body = window - 2
    if body <= 2 * margin:
        raise ValueError(f"window {window} leaves no room inside margins of {margin}")
    if n_pieces <= body:
        return [CentralWindow(0, n_pieces, 0, n_pieces)] if n_pieces else []
    windows: list[CentralWindow] = []
    keep_start = 0
    start = 0
    while True:
        end = min(start + body, n_pieces)
        if end == n_pieces:
            windows.append(CentralWindow(start, end, keep_start, n_pieces))
            return windows
        keep_end = end - margin
        windows.append(CentralWindow(start, end, keep_start, keep_end))
        keep_start = keep_end
        # the next window starts `margin` pieces before the first piece it keeps, and the last one is
        # pulled back to end exactly at the article's end so it is never short of left context
        start = min(keep_start - margin, max(n_pieces - body, 0))


def window_inputs(tokens: TokenizedText, w: CentralWindow) -> tuple[np.ndarray, np.ndarray]:
    """([CLS] ids [SEP], per-piece extra channels with zero rows for the special tokens)."""
    return window_arrays(tokens, w.start, w.end)


def stitch(n_pieces: int, windows: list[CentralWindow], outputs: list[np.ndarray]) -> np.ndarray:
    """Per-piece rows from each window's outputs (which include [CLS] and [SEP]) over its kept pieces."""
    width = outputs[0].shape[-1]
    result = np.zeros((n_pieces, width), np.float32)
    for w, out in zip(windows, outputs, strict=True):
        lo, hi = w.keep_start - w.start, w.keep_end - w.start
        result[w.keep_start : w.keep_end] = out[1 + lo : 1 + hi]
    return result
