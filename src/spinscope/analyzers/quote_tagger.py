"""A linear token tagger for attributions (source / cue / content), trained on PolNeAR.

The rules in :mod:`spinscope.analyzers.quotes` know reporting verbs; PolNeAR
also marks attributions made with other words (criticised, endorsed, a poll
showed, "the statement"). This tagger adds recall beside the rules: each word
gets one of ``O``, ``S`` (source), ``C`` (cue), ``T`` (content) from a
one-layer BiLSTM over each sentence whose input is an embedding bag of hashed
sparse features (the word and its neighbours, shape, quotation marks, position
in the sentence, distance to known cue words, and the rules' own tags),
decoded per sentence with a Viterbi pass over label transitions counted in
training (plus a per-label bias tuned on held-out data). The embedding bag and
decoding are numpy, the BiLSTM runs in onnxruntime; files:
``models/quote_tagger/{weights.npz,head.onnx,manifest.json}`` (see
``training/train_quote_tagger.py``). A weights file without ``head.onnx`` is
the older linear variant (logistic regression over the same features).
"""

from __future__ import annotations

import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from spinscope.document import Quote, Span
from spinscope.errors import ModelError

LABELS = ("O", "S", "C", "T")
N_BUCKETS = 1 << 19
_TOKEN = re.compile(r"\w+(?:[’'\-.&]\w+)*|[^\w\s]")
_QUOTE_MARKS = set("\"“”‘’'«»")
MODEL_DIR = Path(__file__).resolve().parents[1] / "models" / "quote_tagger"
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


def _shape(word: str) -> str:
    if word in _QUOTE_MARKS:
        return "Q"
    if word[0].isdigit():
        return "d"
    if not word[0].isalnum():
        return "p"
    if word.isupper() and len(word) > 1:
        return "X"
    return "Xx" if word[0].isupper() else "x"


def _bucket(n: int) -> str:
    return str(n) if n < 4 else "4-6" if n < 7 else "7-12" if n < 13 else "13+"


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


def features(
    text: str, tokens: TaggedText, roles: list[str], cue_words: frozenset[str], buckets: int = N_BUCKETS
) -> list[list[int]]:
    """Hashed feature ids (``crc32(name) % buckets``) for every token."""
    words = [text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist(), strict=True)]
    low = [w.lower() for w in words]
    n = len(words)
    sent = tokens.sentence.tolist()
    # position in the sentence, quotation state, nearest cue words
    first = [0] * n
    last = [0] * n
    for i in range(n):
        first[i] = first[i - 1] if i and sent[i - 1] == sent[i] else i
    for i in range(n - 1, -1, -1):
        last[i] = last[i + 1] if i + 1 < n and sent[i + 1] == sent[i] else i
    inside = [False] * n
    state = False
    for i, w in enumerate(words):
        if i and sent[i - 1] != sent[i] and text[tokens.ends[i - 1] : tokens.starts[i]].count("\n") >= 2:
            state = False
        if w in ("“", "„"):
            state = True
        elif w == "”":
            state = False
        elif w == '"':
            state = not state
        inside[i] = state
    cue_left = [-1] * n
    cue_right = [-1] * n
    seen = -1
    for i in range(n):
        if i and sent[i - 1] != sent[i]:
            seen = -1
        cue_left[i] = seen
        if low[i] in cue_words:
            seen = i
    seen = -1
    for i in range(n - 1, -1, -1):
        if i + 1 < n and sent[i + 1] != sent[i]:
            seen = -1
        cue_right[i] = seen
        if low[i] in cue_words:
            seen = i
    out: list[list[int]] = []

    def w(i: int) -> str:
        if i < first_i or i > last_i:
            return "<s>" if i < first_i else "</s>"
        return low[i]

    def r(i: int) -> str:
        return roles[i] if first_i <= i <= last_i else "-"

    for i in range(n):
        first_i, last_i = first[i], last[i]
        names = [
            "b",
            "w=" + low[i],
            "w-1=" + w(i - 1),
            "w+1=" + w(i + 1),
            "w-2=" + w(i - 2),
            "w+2=" + w(i + 2),
            "w-3=" + w(i - 3),
            "w+3=" + w(i + 3),
            "b-=" + w(i - 1) + "|" + low[i],
            "b+=" + low[i] + "|" + w(i + 1),
            "sh=" + _shape(words[i]),
            "sh-1=" + (_shape(words[i - 1]) if i > first_i else "<s>"),
            "sh+1=" + (_shape(words[i + 1]) if i < last_i else "</s>"),
            "suf=" + low[i][-3:],
            "in=" + str(inside[i]),
            "r=" + roles[i],
            "r-1=" + r(i - 1),
            "r+1=" + r(i + 1),
            "r-2=" + r(i - 2),
            "r+2=" + r(i + 2),
            "rw=" + roles[i] + "|" + low[i],
            "pos=" + _bucket(i - first_i),
            "end=" + _bucket(last_i - i),
            "cl=" + (_bucket(i - cue_left[i]) if cue_left[i] >= 0 else "none"),
            "cr=" + (_bucket(cue_right[i] - i) if cue_right[i] >= 0 else "none"),
            "clw=" + (low[cue_left[i]] if cue_left[i] >= 0 else "none"),
            "crw=" + (low[cue_right[i]] if cue_right[i] >= 0 else "none"),
            "in|cl=" + str(inside[i]) + (_bucket(i - cue_left[i]) if cue_left[i] >= 0 else "none"),
        ]
        out.append([zlib.crc32(name.encode("utf-8")) % buckets for name in names])
    return out


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
class TaggerModel:
    weights: np.ndarray  # (N_BUCKETS, len(LABELS)) float32
    transitions: np.ndarray  # (L, L) log-probabilities
    start: np.ndarray  # (L,)
    cue_words: frozenset[str]
    manifest: dict
    bias: np.ndarray = field(default_factory=lambda: np.zeros(len(LABELS), np.float32))

    def tag(self, text: str, sentences: list[Span], quotes: list[Quote]) -> tuple[TaggedText, np.ndarray, np.ndarray]:
        tokens = tokenize(text, sentences)
        if len(tokens.starts) == 0:
            return tokens, np.zeros(0, np.int64), np.zeros((0, len(LABELS)), np.float32)
        feats = features(text, tokens, rule_roles(text, tokens, quotes), self.cue_words)
        ids = np.asarray(feats, np.int64)
        logits = self.weights[ids].sum(1)
        logits -= logits.max(1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(1, keepdims=True)
        logp = np.log(probs + 1e-9) + self.bias
        labels = np.zeros(len(ids), np.int64)
        sent = tokens.sentence
        boundaries = np.flatnonzero(np.diff(sent)) + 1
        for lo, hi in zip(np.r_[0, boundaries], np.r_[boundaries, len(sent)], strict=True):
            labels[lo:hi] = viterbi(logp[lo:hi], self.transitions, self.start)
        return tokens, labels, probs


@dataclass
class LstmTaggerModel(TaggerModel):
    """Hashed features -> embedding bag (numpy) -> one BiLSTM layer over each sentence (``head.onnx``,
    onnxruntime) -> 4 logits -> Viterbi."""

    session: object = None

    def tag(self, text: str, sentences: list[Span], quotes: list[Quote]) -> tuple[TaggedText, np.ndarray, np.ndarray]:
        tokens = tokenize(text, sentences)
        n = len(tokens.starts)
        if n == 0:
            return tokens, np.zeros(0, np.int64), np.zeros((0, len(LABELS)), np.float32)
        buckets = self.weights.shape[0]
        ids = np.asarray(features(text, tokens, rule_roles(text, tokens, quotes), self.cue_words, buckets), np.int64)
        x = self.weights[ids].sum(1).astype(np.float32)
        sent = tokens.sentence
        bounds = np.flatnonzero(np.diff(sent)) + 1
        spans = list(zip(np.r_[0, bounds].tolist(), np.r_[bounds, n].tolist(), strict=True))
        logits = np.zeros((n, len(LABELS)), np.float32)
        for lo, hi in spans:  # one sentence per call: no padding, so the backward direction is exact
            (out,) = self.session.run(None, {"x": x[None, lo:hi]})  # type: ignore[attr-defined]
            logits[lo:hi] = out[0]
        logits -= logits.max(1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(1, keepdims=True)
        logp = np.log(probs + 1e-9) + self.bias
        labels = np.zeros(n, np.int64)
        for lo, hi in spans:
            labels[lo:hi] = viterbi(logp[lo:hi], self.transitions, self.start)
        return tokens, labels, probs


@dataclass
class EncoderTaggerModel:
    """MiniLM-L6 fine-tuned on PolNeAR (``models/quote-encoder``, ``training/train_quote_encoder.py``):
    word pieces + case features + the rules' tags -> 4 logits per piece (512-piece windows, logits
    averaged where they overlap) -> mean probabilities per word -> bias + Viterbi, as the BiLSTM's."""

    bundle: Any  # spinscope.runtime.session.ModelBundle
    transitions: np.ndarray
    start: np.ndarray
    bias: np.ndarray
    manifest: dict

    def tag(self, text: str, sentences: list[Span], quotes: list[Quote]) -> tuple[TaggedText, np.ndarray, np.ndarray]:
        from spinscope.runtime.encoding import TokenizedText, average_window_logits, make_windows, tokenize_text

        tokens = tokenize(text, sentences)
        n = len(tokens.starts)
        if n == 0:
            return tokens, np.zeros(0, np.int64), np.zeros((0, len(LABELS)), np.float32)
        pieces = tokenize_text(self.bundle.tokenizer, text)
        words = piece_words(pieces.offsets[:, 0], tokens.starts, tokens.ends)
        roles = role_codes(rule_roles(text, tokens, quotes))
        extra = np.concatenate([pieces.case, role_channels(roles, words)], axis=1)
        windows = make_windows(TokenizedText(pieces.ids, pieces.offsets, extra), self.window, self.stride)
        logits = []
        for w in windows:  # one window per call: dynamic int8 results then do not depend on batch-mates
            ids = w.input_ids[None]
            (out,) = self.bundle.run({"input_ids": ids, "attention_mask": np.ones_like(ids), "case": w.case[None]})
            logits.append(out[0])
        averaged = average_window_logits(len(pieces.ids), windows, logits)
        averaged -= averaged.max(1, keepdims=True)
        piece_probs = np.exp(averaged)
        piece_probs /= piece_probs.sum(1, keepdims=True)
        probs = word_probs(piece_probs, words, n)
        logp = np.log(probs + 1e-9) + self.bias
        labels = np.zeros(n, np.int64)
        bounds = np.flatnonzero(np.diff(tokens.sentence)) + 1
        for lo, hi in zip(np.r_[0, bounds], np.r_[bounds, n], strict=True):
            labels[lo:hi] = viterbi(logp[lo:hi], self.transitions, self.start)
        return tokens, labels, probs

    @property
    def window(self) -> int:
        return int(self.manifest.get("window", 512))

    @property
    def stride(self) -> int:
        return int(self.manifest.get("stride", 256))


def load_encoder() -> EncoderTaggerModel:
    from spinscope.runtime.session import load_bundle

    bundle = load_bundle(ENCODER_NAME)
    m = bundle.manifest
    return EncoderTaggerModel(
        bundle=bundle,
        transitions=np.asarray(m["transitions"], np.float32),
        start=np.asarray(m["start"], np.float32),
        bias=np.asarray(m["bias"], np.float32),
        manifest=m,
    )


def load_weights(path: Path) -> TaggerModel:
    """Load ``weights.npz``; its sha256 must match the manifest beside it when that names one."""
    manifest_path = path.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    expected = manifest.get("sha256")
    if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
        raise ModelError(f"quote tagger: {path.name} does not match its manifest sha256 (corrupt install?)")
    data = np.load(path, allow_pickle=False)
    common = {
        "weights": data["weights"].astype(np.float32),
        "transitions": data["transitions"].astype(np.float32),
        "start": data["start"].astype(np.float32),
        "cue_words": frozenset(str(w) for w in data["cue_words"]),
        "manifest": manifest,
        "bias": data["bias"].astype(np.float32) if "bias" in data else np.zeros(len(LABELS), np.float32),
    }
    head = path.parent / manifest.get("head", "head.onnx") if manifest.get("head") else None
    if head is not None:
        import onnxruntime as ort

        expected_head = manifest.get("head_sha256")
        if expected_head and hashlib.sha256(head.read_bytes()).hexdigest() != expected_head:
            raise ModelError(f"quote tagger: {head.name} does not match its manifest sha256 (corrupt install?)")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # tiny matrices: more threads only add overhead
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(head), options, providers=["CPUExecutionProvider"])
        return LstmTaggerModel(**common, session=session)
    return TaggerModel(**common)


@cache
def shipped() -> TaggerModel | EncoderTaggerModel | None:
    """The shipped tagger (the encoder one when installed, else the BiLSTM), or None when neither is."""
    from spinscope.runtime.session import available

    if available(ENCODER_NAME):
        return load_encoder()
    path = MODEL_DIR / "weights.npz"
    return load_weights(path) if path.exists() else None


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
    text: str, sentences: list[Span], quotes: list[Quote], model: TaggerModel | EncoderTaggerModel
) -> list[tuple[Span | None, Span, list[Span], float]]:
    """(speaker, cue, contents, score) for each cue the tagger finds. Source and content runs go to the
    nearest cue of their sentence; content runs of a sentence without a cue go to the last cue of the
    sentence before (a quotation that runs on). ``contents`` may be empty (a cue and a source only)."""
    tokens, labels, probs = model.tag(text, sentences, quotes)
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
