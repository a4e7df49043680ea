"""The learned attribution tagger (source / cue / content), trained on PolNeAR.

The rules in :mod:`spinscope.analyzers.quotes` know reporting verbs; PolNeAR
also marks attributions made with other words (criticised, endorsed, a poll
showed, "the statement"). This tagger adds recall beside the rules: each word
gets one of ``O``, ``S`` (source), ``C`` (cue), ``T`` (content) from MiniLM-L6
fine-tuned on PolNeAR train (``models/quote-encoder``, trained by
``training/train_quote_encoder.py``). Its inputs are the word pieces, the case
features the technique tagger also reads, and the rules' own tags of each word,
so it learns where to trust and where to extend them. A word's probabilities
are the mean over its pieces; each sentence is then decoded with a Viterbi pass
over label transitions counted in training (weighted by the manifest's
``transition_scale``), plus a per-label bias; both chosen end to end on held-out
data (research/quote_decoding.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from spinscope.document import Quote, Span

LABELS = ("O", "S", "C", "T")
_TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*|[^\w\s]")
ENCODER_NAME = "quote-encoder"


@dataclass
class TaggedText:
    starts: np.ndarray  # token start offsets
    ends: np.ndarray
    sentence: np.ndarray  # sentence index of each token


def tokenize(text: str, sentences: list[Span]) -> TaggedText:
    starts, ends, sent = [], [], []
    for index, s in enumerate(sentences):
        for m in _TOKEN.finditer(text, s.start, s.end):
            starts.append(m.start())
            ends.append(m.end())
            sent.append(index)
    return TaggedText(np.asarray(starts, np.int64), np.asarray(ends, np.int64), np.asarray(sent, np.int64))


# ---- inputs of the encoder tagger (shared with training/train_quote_encoder.py) ---------------

RULE_ROLES = ("S", "C", "T", "s")  # the rules' tags as one-hot input channels; "O" is all zeros


def piece_words(piece_starts: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The word each word piece starts in (by character offset), -1 for pieces outside every word."""
    index = np.searchsorted(starts, piece_starts, side="right") - 1
    inside = (index >= 0) & (piece_starts < ends[np.clip(index, 0, None)])
    return np.where(inside, index, -1)


def role_channels(word_roles: np.ndarray, words: np.ndarray) -> np.ndarray:
    """One-hot of the rules' tag (1-based RULE_ROLES code, 0 = O) of each piece's word."""
    roles = np.where(words >= 0, word_roles[np.clip(words, 0, None)], 0) if len(word_roles) else np.zeros_like(words)
    out = np.zeros((len(words), len(RULE_ROLES)), np.float32)
    hit = roles > 0
    out[np.flatnonzero(hit), roles[hit] - 1] = 1.0
    return out


def role_codes(roles: list[str]) -> np.ndarray:
    return np.asarray([RULE_ROLES.index(r) + 1 if r != "O" else 0 for r in roles], np.int8)


def encoder_inputs(
    tokenizer: Any, text: str, starts: np.ndarray, ends: np.ndarray, roles: np.ndarray, pieces: Any = None
) -> tuple[Any, np.ndarray]:
    """The encoder's input for a text: its word pieces with [case features ; the rules' tag of their word]
    as extra channels (a TokenizedText), and the word each piece starts in. ``pieces``: the text already
    tokenised with ``tokenizer`` (``tokenize_text``), reused instead of tokenising it again."""
    from spinscope.runtime.encoding import TokenizedText, tokenize_text

    if pieces is None:
        pieces = tokenize_text(tokenizer, text)
    words = piece_words(pieces.offsets[:, 0], np.asarray(starts), np.asarray(ends))
    extra = np.concatenate([pieces.case, role_channels(np.asarray(roles), words)], axis=1)
    return TokenizedText(pieces.ids, pieces.offsets, extra), words


def word_probs(piece_probs: np.ndarray, words: np.ndarray, n_words: int) -> np.ndarray:
    """Each word's label probabilities: the mean over its pieces (a word without pieces gets O)."""
    total = np.zeros((n_words, len(LABELS)), np.float32)
    count = np.zeros((n_words, 1), np.float32)
    keep = words >= 0
    np.add.at(total, words[keep], piece_probs[keep])
    np.add.at(count, words[keep], 1.0)
    total[count[:, 0] == 0, 0] = 1.0
    return total / np.maximum(count, 1)


def rule_roles(text: str, tokens: TaggedText, quotes: list[Quote]) -> list[str]:
    """The rules' role for each token: S / C / T (from direct or indirect quotes), s for scare quotes, O."""
    roles = ["O"] * len(tokens.starts)
    marks: list[tuple[int, int, str]] = []
    for q in quotes:
        if q.kind == "scare":
            marks.append((q.content.start, q.content.end, "s"))
            continue
        marks.append((q.content.start, q.content.end, "T"))
        if q.cue is not None:
            marks.append((q.cue.start, q.cue.end, "C"))
        if q.speaker is not None:
            marks.append((q.speaker.start, q.speaker.end, "S"))
    for start, end, role in marks:
        lo = int(np.searchsorted(tokens.starts, start))
        hi = int(np.searchsorted(tokens.starts, end))
        for i in range(lo, hi):
            roles[i] = role
    return roles


def decode_labels(
    probs: np.ndarray, sentence: np.ndarray, transitions: np.ndarray, start: np.ndarray, bias: np.ndarray
) -> np.ndarray:
    """Each word's label: per-label bias on the log-probabilities, then one Viterbi pass per sentence."""
    logp = np.log(probs + 1e-9) + bias
    labels = np.zeros(len(probs), np.int64)
    bounds = np.flatnonzero(np.diff(sentence)) + 1
    for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, len(sentence)], strict=True):
        labels[lo:hi] = viterbi(logp[lo:hi], transitions, start)
    return labels


def viterbi(log_probs: np.ndarray, transitions: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Best label path for one sentence (log-space)."""
    n, k = log_probs.shape
    score = start + log_probs[0]
    back = np.zeros((n, k), np.int64)
    for i in range(1, n):
        cand = score[:, None] + transitions
        back[i] = cand.argmax(0)
        score = cand.max(0) + log_probs[i]
    path = np.zeros(n, np.int64)
    path[-1] = int(score.argmax())
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


@dataclass
class EncoderTaggerModel:
    """MiniLM-L6 fine-tuned on PolNeAR (``models/quote-encoder``, ``training/train_quote_encoder.py``):
    word pieces + case features + the rules' tags -> 4 logits per piece (512-piece windows side by
    side, as the manifest's stride says) -> mean probabilities per word -> bias + Viterbi per sentence."""

    bundle: Any  # spinscope.runtime.session.ModelBundle
    transitions: np.ndarray
    start: np.ndarray
    bias: np.ndarray
    manifest: dict

    def tag(
        self, text: str, sentences: list[Span], quotes: list[Quote], word_pieces: Any = None
    ) -> tuple[TaggedText, np.ndarray, np.ndarray]:
        """Each word's label (decoded) and label probabilities (``word_pieces``: as :meth:`word_probabilities`)."""
        tokens, probs = self.word_probabilities(text, sentences, quotes, word_pieces)
        if len(probs) == 0:
            return tokens, np.zeros(0, np.int64), probs
        return tokens, decode_labels(probs, tokens.sentence, self.transitions, self.start, self.bias), probs

    def word_probabilities(
        self, text: str, sentences: list[Span], quotes: list[Quote], word_pieces: Any = None
    ) -> tuple[TaggedText, np.ndarray]:
        """The encoder's label probabilities for each word (before decoding). ``word_pieces``: ``text`` already
        tokenised with this encoder's tokenizer (a ``TokenizedText``: the technique tagger's pass, when
        :func:`shares_tokenizer` says the two ship the same tokenizer file), else tokenised here."""
        from spinscope.runtime.encoding import average_window_logits, make_windows

        tokens = tokenize(text, sentences)
        n = len(tokens.starts)
        if n == 0:
            return tokens, np.zeros((0, len(LABELS)), np.float32)
        roles = role_codes(rule_roles(text, tokens, quotes))
        pieces, words = encoder_inputs(self.bundle.tokenizer, text, tokens.starts, tokens.ends, roles, word_pieces)
        windows = make_windows(pieces, self.window, self.stride)
        logits = []
        for w in windows:  # one window per call: dynamic int8 results then do not depend on batch-mates
            ids = w.input_ids[None]
            (out,) = self.bundle.run({"input_ids": ids, "attention_mask": np.ones_like(ids), "case": w.case[None]})
            logits.append(out[0])
        averaged = average_window_logits(len(pieces.ids), windows, logits)
        averaged -= averaged.max(1, keepdims=True)
        piece_probs = np.exp(averaged)
        piece_probs /= piece_probs.sum(1, keepdims=True)
        return tokens, word_probs(piece_probs, words, n)

    @property
    def window(self) -> int:
        return int(self.manifest.get("window", 512))

    @property
    def stride(self) -> int:
        return int(self.manifest.get("stride", self.window - 2))


def describe(use_tagger: bool = True) -> dict:
    """What goes into ``Analysis.models``: the attribution tagger behind the quotes (rules only without it,
    or when ``use_tagger`` is off, as ``find_quotes`` takes it)."""
    model = shipped() if use_tagger else None
    if model is None:
        return {"quotes": {"engine": "rules"}}
    return {"quotes": {"engine": "rules+tagger", **model.bundle.describe()}}


def load_encoder() -> EncoderTaggerModel:
    from spinscope.runtime.session import load_bundle

    bundle = load_bundle(ENCODER_NAME)
    m = bundle.manifest
    # The transitions are counted in training; the encoder's probabilities already see the context, so they
    # are weighted down (research/quote_decoding.py chose the weight and the bias end to end).
    scale = float(m.get("transition_scale", 1.0))
    return EncoderTaggerModel(
        bundle=bundle,
        transitions=np.asarray(m["transitions"], np.float32) * scale,
        start=np.asarray(m["start"], np.float32) * scale,
        bias=np.asarray(m["bias"], np.float32),
        manifest=m,
    )


def shares_tokenizer(bundle: Any) -> bool:
    """Whether the shipped encoder reads word pieces from the same tokenizer file (by sha256, as loaded) as
    ``bundle`` (a ``ModelBundle``: the technique tagger's), so that the tagger's tokenisation of a text can be
    its input too. False when either was loaded without a digest or the encoder is not installed."""
    model = shipped()
    mine = None if model is None else getattr(model.bundle, "tokenizer_sha256", None)
    return mine is not None and mine == getattr(bundle, "tokenizer_sha256", None)


@cache
def shipped() -> EncoderTaggerModel | None:
    """The shipped tagger, or None when it is not installed."""
    from spinscope.runtime.session import available

    return load_encoder() if available(ENCODER_NAME) else None


def spans_of(labels: np.ndarray, tokens: TaggedText, probs: np.ndarray) -> list[tuple[str, int, int, int, float]]:
    """(label, first token, last token, sentence, mean probability) for each run of one non-O label."""
    runs = []
    i = 0
    n = len(labels)
    while i < n:
        lab = int(labels[i])
        if lab == 0:
            i += 1
            continue
        j = i
        while j + 1 < n and labels[j + 1] == lab and tokens.sentence[j + 1] == tokens.sentence[i]:
            j += 1
        runs.append((LABELS[lab], i, j, int(tokens.sentence[i]), float(probs[i : j + 1, lab].mean())))
        i = j + 1
    return runs


def tagger_attributions(
    text: str, sentences: list[Span], quotes: list[Quote], model: EncoderTaggerModel, word_pieces: Any = None
) -> list[tuple[Span | None, Span, list[Span], float]]:
    """(speaker, cue, contents, score) for each cue the tagger finds. Source and content runs go to the
    nearest cue of their sentence; content runs of a sentence without a cue go to the last cue of the
    sentence before (a quotation that runs on). ``contents`` may be empty (a cue and a source only)."""
    tokens, labels, probs = model.tag(text, sentences, quotes, word_pieces)
    runs = spans_of(labels, tokens, probs)
    cues = [r for r in runs if r[0] == "C"]
    items: dict[int, dict] = {id(c): {"cue": c, "S": [], "T": []} for c in cues}
    by_sentence: dict[int, list] = {}
    for c in cues:
        by_sentence.setdefault(c[3], []).append(c)
    for run in runs:
        if run[0] == "C":
            continue
        same = by_sentence.get(run[3])
        if not same and run[0] == "T":
            same = by_sentence.get(run[3] - 1)
            same = same[-1:] if same else None
        if not same:
            continue
        nearest = min(same, key=lambda c: min(abs(c[1] - run[2]), abs(run[1] - c[2])))
        items[id(nearest)][run[0]].append(run)
    out = []
    starts, ends = tokens.starts, tokens.ends
    for item in items.values():
        cue = item["cue"]
        source = min(item["S"], key=lambda r: abs(r[2] - cue[1])) if item["S"] else None
        speaker = Span(int(starts[source[1]]), int(ends[source[2]])) if source else None
        contents = [Span(int(starts[r[1]]), int(ends[r[2]])) for r in item["T"]]
        score = float(np.mean([cue[4]] + [r[4] for r in item["T"]]))
        out.append((speaker, Span(int(starts[cue[1]]), int(ends[cue[2]])), contents, score))
    return out
