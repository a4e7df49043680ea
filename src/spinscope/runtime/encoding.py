"""Turning article text into model inputs, shared by training and inference.

Training (``training/``) imports these functions so that the shipped models see
exactly the inputs they were trained on. Everything here is numpy and
``tokenizers``: no torch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

CLS_ID = 101
SEP_ID = 102
PAD_ID = 0
# BERT's vocabulary reserves [unused0..] ids; two of them mark a span in its context.
SPAN_OPEN_ID = 2
SPAN_CLOSE_ID = 3

N_CASE_FEATURES = 3
N_SPAN_FEATURES = 6
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*")


def load_tokenizer(path: str | Path) -> Tokenizer:
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


@dataclass
class TokenizedText:
    """Word pieces of a whole text with their character offsets (no special tokens)."""

    ids: np.ndarray  # (n,) int64
    offsets: np.ndarray  # (n, 2) int64, end exclusive, into the original text
    case: np.ndarray  # (n, N_CASE_FEATURES) float32


def case_features(text: str) -> np.ndarray:
    """Per character: [inside an ALL-CAPS word, inside a Capitalised word, inside double quotes].

    The encoder lowercases its input, so emphasis by capitals (and whether a
    phrase sits inside quotation marks) is passed to the models beside it.
    """
    flags = np.zeros((len(text) + 1, N_CASE_FEATURES), dtype=np.float32)
    for match in _WORD.finditer(text):
        word = match.group()
        if len(word) >= 2 and word.isupper():
            flags[match.start() : match.end(), 0] = 1.0
        if word[0].isupper():
            flags[match.start() : match.end(), 1] = 1.0
    inside = False
    for i, char in enumerate(text):
        if char in '"“”':
            inside = not inside if char == '"' else char == "“"
            flags[i, 2] = 1.0
        elif char == "\n":
            inside = False  # quotes do not run across lines in practice; stops runaway state
        elif inside:
            flags[i, 2] = 1.0
    return flags


def tokenize_text(tokenizer: Tokenizer, text: str) -> TokenizedText:
    encoding = tokenizer.encode(text, add_special_tokens=False)
    ids = np.asarray(encoding.ids, dtype=np.int64)
    offsets = np.asarray(encoding.offsets, dtype=np.int64).reshape(-1, 2)
    char_flags = case_features(text)
    case = char_flags[offsets[:, 0]] if len(ids) else np.zeros((0, N_CASE_FEATURES), np.float32)
    return TokenizedText(ids=ids, offsets=offsets, case=case)


@dataclass
class Window:
    """One model input: ``ids`` are [CLS] tokens[start:end] [SEP]."""

    start: int
    end: int
    input_ids: np.ndarray
    case: np.ndarray


def make_windows(tokens: TokenizedText, max_tokens: int = 256, stride: int = 128) -> list[Window]:
    """Overlapping windows over the token sequence; every token falls in at least one."""
    body = max_tokens - 2
    n = len(tokens.ids)
    starts = list(range(0, max(n - body, 0) + 1, stride))
    if starts[-1] + body < n:
        starts.append(n - body)
    return [
        Window(start, min(start + body, n), *window_arrays(tokens, start, min(start + body, n))) for start in starts
    ]


def window_arrays(tokens: TokenizedText, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """The model input for pieces ``[start, end)``: [CLS] ids [SEP], and the per-piece extra channels (case
    features, plus any others) with zero rows for the two special tokens."""
    ids = np.concatenate([[CLS_ID], tokens.ids[start:end], [SEP_ID]]).astype(np.int64)
    zeros = np.zeros((1, tokens.case.shape[1]), np.float32)
    return ids, np.concatenate([zeros, tokens.case[start:end], zeros])


def pad_batch(sequences: list[np.ndarray], pad_value: float = 0) -> np.ndarray:
    longest = max(len(s) for s in sequences)
    shape = (len(sequences), longest, *sequences[0].shape[1:])
    batch = np.full(shape, pad_value, dtype=sequences[0].dtype)
    for i, seq in enumerate(sequences):
        batch[i, : len(seq)] = seq
    return batch


def average_window_logits(n_tokens: int, windows: list[Window], logits: list[np.ndarray]) -> np.ndarray:
    """Average per-token logits over the windows that contain each token (window logits include CLS/SEP)."""
    n_out = logits[0].shape[-1]
    total = np.zeros((n_tokens, n_out), np.float32)
    count = np.zeros((n_tokens, 1), np.float32)
    for window, window_logits in zip(windows, logits, strict=True):
        length = window.end - window.start
        total[window.start : window.end] += window_logits[1 : 1 + length]
        count[window.start : window.end] += 1
    return total / np.maximum(count, 1)


@dataclass
class TaggerPass:
    """One article read by the span tagger, kept for the analysers that reuse it (encode once)."""

    tokens: TokenizedText
    probs: np.ndarray  # (n_tokens, 15) sigmoid outputs
    states: np.ndarray | None  # (n_tokens, hidden) encoder states; None for a tagger exported without them


# ---- the span classifier's input --------------------------------------------------


@dataclass
class SpanInput:
    input_ids: np.ndarray  # [CLS] left [OPEN] span [CLOSE] right [SEP]
    span_mask: np.ndarray  # 1.0 on the span's own tokens
    case: np.ndarray
    features: np.ndarray  # (N_SPAN_FEATURES,)


def _normalise(s: str) -> str:
    return " ".join(s.lower().split())


def span_features(text: str, start: int, end: int) -> np.ndarray:
    """Hand features the context window cannot see: repetition across the article, length, emphasis."""
    span = text[start:end]
    needle = _normalise(span)
    occurrences = _normalise(text).count(needle) if needle else 0
    words = max(len(span.split()), 1)
    letters = [c for c in span if c.isalpha()]
    caps = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    before, after = text[max(0, start - 1) : start], text[end : end + 1]
    quoted = float(before in "\"“'‘" and before != "" and after in "\"”'’" and after != "")
    return np.asarray(
        [
            np.log1p(max(occurrences - 1, 0)),
            float(occurrences >= 2),
            np.log1p(words) / 3.0,
            caps,
            quoted,
            float("!" in span or text[end : end + 2].strip().startswith("!")),
        ],
        dtype=np.float32,
    )


def make_span_input(
    tokens: TokenizedText,
    text: str,
    start: int,
    end: int,
    max_tokens: int = 128,
    context: tuple[int, int] | None = None,
) -> SpanInput:
    """The span marked inside its sentence: context is the ``context`` character range
    (by default the line holding the span, as PTC has one sentence per line),
    cut to ``max_tokens`` around the span."""
    if context is None:
        context = (text.rfind("\n", 0, start) + 1, (text.find("\n", end) + 1 or len(text) + 1) - 1)
    starts, ends = tokens.offsets[:, 0], tokens.offsets[:, 1]
    ctx_first = int(np.searchsorted(starts, min(context[0], start)))
    ctx_last = int(np.searchsorted(starts, max(context[1], end))) - 1
    inside = np.nonzero((ends > start) & (starts < end))[0]
    if len(inside) == 0:  # a span with no word piece (only spaces/punctuation the tokenizer drops)
        first = int(np.searchsorted(starts, start))
        last = first - 1
    else:
        first, last = int(inside[0]), int(inside[-1])
    budget = max_tokens - 4
    span_len = last - first + 1
    if span_len > budget:  # very long span: keep its head and tail
        keep = budget // 2
        span_ids = np.concatenate([tokens.ids[first : first + keep], tokens.ids[last - keep + 1 : last + 1]])
        span_case = np.concatenate([tokens.case[first : first + keep], tokens.case[last - keep + 1 : last + 1]])
        left_n = right_n = 0
    else:
        span_ids = tokens.ids[first : last + 1]
        span_case = tokens.case[first : last + 1]
        room = budget - span_len
        left_avail, right_avail = max(first - ctx_first, 0), max(ctx_last - last, 0)
        left_n = min(left_avail, room // 2)
        right_n = min(right_avail, room - left_n)
        left_n = min(left_avail, room - right_n)
    left = slice(first - left_n, first)
    right = slice(last + 1, last + 1 + right_n)
    ids = np.concatenate(
        [[CLS_ID], tokens.ids[left], [SPAN_OPEN_ID], span_ids, [SPAN_CLOSE_ID], tokens.ids[right], [SEP_ID]]
    ).astype(np.int64)
    z = np.zeros((1, N_CASE_FEATURES), np.float32)
    case = np.concatenate([z, tokens.case[left], z, span_case, z, tokens.case[right], z])
    mask = np.zeros(len(ids), np.float32)
    mask[2 + left_n : 2 + left_n + len(span_ids)] = 1.0
    return SpanInput(ids, mask, case, span_features(text, start, end))


def span_feature_vector(item: SpanInput) -> np.ndarray:
    """The classifier's hand features: span features plus the mean casing flags of the span's tokens."""
    span_case = item.case[item.span_mask > 0]
    case_mean = span_case.mean(0) if len(span_case) else np.zeros(N_CASE_FEATURES, np.float32)
    return np.concatenate([item.features, case_mean]).astype(np.float32)


# ---- from token scores to character spans -----------------------------------------

_TRIM = " \t\n\r.,;:!?\"'“”‘’()[]-–—"


# Fewer than 1 % of PTC train's gold spans end with one of these words (against 20 % that start
# with one: "the …", "a …"), so a predicted span does not end with them either.
_TRAILING_FUNCTION_WORDS = frozenset("in the of to a an and or but for on with at by as that from".split())
_LAST_WORD = re.compile(r"(?:^|(?<=\s))([A-Za-z]+)$")


def snap_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen to whole words, then trim surrounding spaces and punctuation, and function words at the
    end ("spineless cowards in" -> "spineless cowards"), as the PTC gold does."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    while start < end and text[start] in _TRIM:
        start += 1
    while True:
        while end > start and text[end - 1] in _TRIM:
            end -= 1
        last = _LAST_WORD.search(text, start, end)
        if last is None or last.start(1) == start or last.group(1).lower() not in _TRAILING_FUNCTION_WORDS:
            return start, end
        end = last.start(1)


def decode_spans(
    text: str,
    tokens: TokenizedText,
    probs: np.ndarray,
    low: float,
    high: float,
    min_chars: int = 2,
) -> list[tuple[int, int, float]]:
    """Spans from per-token probabilities with hysteresis: runs of tokens above ``low``
    that contain at least one token above ``high``. Runs never cross a line break.
    Returns (start, end, score) with score the mean probability of the run."""
    spans: list[tuple[int, int, float]] = []
    n = len(probs)
    i = 0
    while i < n:
        if probs[i] < low:
            i += 1
            continue
        j = i
        while j + 1 < n and probs[j + 1] >= low and "\n" not in text[tokens.offsets[j][1] : tokens.offsets[j + 1][0]]:
            j += 1
        run = probs[i : j + 1]
        if run.max() >= high:
            start, end = snap_span(text, int(tokens.offsets[i][0]), int(tokens.offsets[j][1]))
            if end - start >= min_chars:
                spans.append((start, end, float(run.mean())))
        i = j + 1
    return spans
