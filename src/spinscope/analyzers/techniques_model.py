"""The learned technique detector: a span tagger finds where persuasion happens,
a span classifier names the technique.

Both are all-MiniLM-L6-v2 fine-tuned on PTC (see ``training/``) and run with
onnxruntime. Stage 1 reads the article once through central windows (512 pieces,
each piece's outputs from the window where it has 64 pieces of context on both
sides: ``runtime/trunk.py``); runs of tokens over the tuned thresholds become
spans, snapped to word boundaries. Short exclamations are added as slogans (the
rules' shape). Stage 2 reads each span marked inside its sentence and gives a
distribution over the 14 techniques, multiplied by the label head's over the
tagger's own pass (``technique_labels.py``). The tagger also returns its encoder
states, which the voice and label heads read (encode once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from spinscope.analyzers.technique_labels import shipped_label_head, span_label_features
from spinscope.analyzers.techniques_lexicon import lexicon_spans
from spinscope.analyzers.techniques_rules import SLOGAN_SCORE, slogan_spans
from spinscope.calibration import Evidence, shipped_calibration
from spinscope.document import Span, TechniqueSpan
from spinscope.runtime.encoding import (
    SpanInput,
    TaggerPass,
    TokenizedText,
    average_window_logits,
    decode_spans,
    make_span_input,
    make_windows,
    pad_batch,
    span_feature_vector,
    tokenize_text,
)
from spinscope.runtime.session import ModelBundle, load_bundle, read_manifest

TAGGER = "techniques-tagger"
CLASSIFIER = "techniques-classifier"
SECOND_LABEL_MIN_PROB = 0.3  # a span also gets its runner-up technique when that is at least this likely
# PTC nests short spans (a loaded word) inside long ones (a doubt-casting clause). Inside a long run the
# tagger's peaks mark them: runs over these thresholds that lie strictly inside an outer span are kept too.
NESTED_THRESHOLDS = {"low": 0.55, "high": 0.65}


def _sentence_context(start: int, end: int, sentences: Sequence[Span] | None) -> tuple[int, int] | None:
    """The character range of the sentences a span touches (None: let the caller use the span's line)."""
    touching = [s for s in sentences or () if s.start < end and start < s.end]
    return (touching[0].start, touching[-1].end) if touching else None


@cache
def load_technique_model() -> TechniqueModel:
    """The shipped trunk and technique heads, loaded once per process and shared by every analyser."""
    return TechniqueModel()


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class Candidate:
    """One technique label of one tagger span, before it becomes a :class:`TechniqueSpan`."""

    start: int
    end: int
    technique: str
    span_prob: float  # the tagger's mean "inside a technique span" probability over the span
    label_prob: float  # P(technique | span): classifier x label head, renormalised
    rank: int  # 0: the span's most likely technique, 1: its runner-up
    nested: bool  # a peak inside a longer span


class TechniqueModel:
    """Loads the two shipped ONNX models once; ``find`` returns technique spans for a text."""

    name = "model"

    def __init__(self, batch_size: int | None = None, window: int | None = None, margin: int | None = None) -> None:
        self.tagger: ModelBundle = load_bundle(TAGGER)
        # Technique labels: the span classifier (each span re-read, marked in its sentence) and the label
        # head over the tagger's own pass (analyzers/technique_labels.py) see different things; their
        # product of probabilities names techniques better than either (held-out TC 0.611 / 0.593 -> 0.644).
        # Its session is fetched on first use (after the tagger has run), so that a background preload can
        # still be creating it while the tagger runs (runtime.session.preload).
        self._classifier: ModelBundle | None = None
        self.labels: list[str] = read_manifest(CLASSIFIER)["labels"]
        self.label_head = shipped_label_head()
        if self.label_head is not None and self.label_head.labels != self.labels:
            order = [self.label_head.labels.index(t) for t in self.labels]
            self._head_order: list[int] | None = order
        else:
            self._head_order = None
        # One window per tagger call: dynamic int8 quantisation scales activations over the whole batch
        # (padding included), so a window's outputs would depend on its batch-mates (held-out SI F1 moved
        # by 0.01 between batches of 2 and 8). Batches also run no faster on a few cores, and onnxruntime
        # keeps the attention buffers of the biggest one (8 x 512 pieces: +700 MB RSS).
        self.batch_size = batch_size or 1
        # margin None: the 0.1 reading (half-overlapping windows, averaged); else central windows (runtime.trunk)
        self.window = int(window or self.tagger.manifest["window"])
        self.margin = margin if margin is not None else self.tagger.manifest.get("margin")
        thresholds = self.tagger.manifest["thresholds"]
        self.low, self.high = float(thresholds["low"]), float(thresholds["high"])

    @property
    def classifier(self) -> ModelBundle:
        if self._classifier is None:
            self._classifier = load_bundle(CLASSIFIER)
        return self._classifier

    @classifier.setter
    def classifier(self, bundle: ModelBundle) -> None:
        self._classifier = bundle

    def describe(self) -> dict[str, object]:
        described = {"tagger": self.tagger.describe(), "classifier": self.classifier.describe()}
        if self.label_head is not None:
            described["label_head"] = self.label_head.describe()
        calibration = shipped_calibration()
        if calibration is not None:
            described["calibration"] = calibration.describe()
        return described

    # ---- stage 1 -------------------------------------------------------------------
    def tokenize(self, text: str) -> TokenizedText:
        return tokenize_text(self.tagger.tokenizer, text)

    def token_probabilities(self, tokens: TokenizedText) -> np.ndarray:
        """(n_tokens, 15) probabilities: channel 0 is "inside any technique span"."""
        return self.encode(tokens).probs

    def encode(self, tokens: TokenizedText) -> TaggerPass:
        """Run the tagger over ``tokens``: central windows (``runtime.trunk``) when the manifest gives a margin,
        else the 0.1 reading (half-overlapping windows, outputs averaged where they overlap). Returns
        per-token probabilities and, when the model exports them, the encoder's per-token states."""
        n_labels = len(self.tagger.manifest["labels"])
        if len(tokens.ids) == 0:
            return TaggerPass(tokens, np.zeros((0, n_labels), np.float32), None)
        n = len(tokens.ids)
        if self.margin is not None:
            from spinscope.runtime.trunk import central_windows, stitch, window_inputs

            central = central_windows(n, self.window, int(self.margin))
            logits, states = self._run_windows([window_inputs(tokens, w) for w in central])
            combined = [stitch(n, central, outputs) if outputs else None for outputs in (logits, states)]
        else:
            windows = make_windows(tokens, self.tagger.manifest["window"], self.tagger.manifest["stride"])
            logits, states = self._run_windows([(w.input_ids, w.case) for w in windows])
            combined = [average_window_logits(n, windows, outputs) if outputs else None for outputs in (logits, states)]
        return TaggerPass(tokens, _sigmoid(combined[0]), combined[1])

    def _run_windows(self, inputs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Each window's logits and (when exported) encoder states, ``batch_size`` windows per call."""
        logits: list[np.ndarray] = []
        states: list[np.ndarray] = []
        for i in range(0, len(inputs), self.batch_size):
            chunk = inputs[i : i + self.batch_size]
            ids = pad_batch([window_ids for window_ids, _ in chunk])
            out = self.tagger.run(
                {
                    "input_ids": ids,
                    "attention_mask": (ids != 0).astype(np.int64),
                    "case": pad_batch([c for _, c in chunk]),
                }
            )
            logits.extend(out[0][k, : len(window_ids)] for k, (window_ids, _) in enumerate(chunk))
            if len(out) > 1:
                states.extend(out[1][k, : len(window_ids)] for k, (window_ids, _) in enumerate(chunk))
        return logits, states

    # ---- stage 2 -------------------------------------------------------------------
    def classify(self, inputs: Sequence[SpanInput]) -> np.ndarray:
        """(n_spans, 14) technique probabilities."""
        if not inputs:
            return np.zeros((0, len(self.labels)), np.float32)
        # One span per run: dynamic int8 quantisation scales activations over the whole batch, so a
        # span's label would otherwise depend on which other spans (and how much padding) share its batch.
        probs = []
        for item in inputs:
            ids = item.input_ids[None, :]
            (out,) = self.classifier.run(
                {
                    "input_ids": ids,
                    "attention_mask": np.ones_like(ids),
                    "span_mask": item.span_mask[None, :],
                    "features": span_feature_vector(item)[None, :],
                }
            )
            probs.append(_softmax(out))
        return np.concatenate(probs)

    def span_inputs(
        self, text: str, tokens: TokenizedText, spans: Sequence[tuple[int, int]], sentences: Sequence[Span] | None
    ) -> list[SpanInput]:
        max_tokens = int(self.classifier.manifest.get("max_tokens", 128))
        return [
            make_span_input(tokens, text, start, end, max_tokens, _sentence_context(start, end, sentences))
            for start, end in spans
        ]

    # ---- both ----------------------------------------------------------------------
    def find(self, text: str, sentences: Sequence[Span] | None = None) -> list[TechniqueSpan]:
        """Technique spans of ``text``. ``score`` = P(span) x P(technique | span); ``confidence`` = P(right)
        from the calibration (``spinscope.calibration``: fitted out-of-fold on the 37 held-out PTC articles)."""
        return self.find_encoded(text, sentences)[0]

    def find_encoded(
        self, text: str, sentences: Sequence[Span] | None = None
    ) -> tuple[list[TechniqueSpan], TaggerPass]:
        """:meth:`find`, also returning the tagger's pass for other analysers to reuse."""
        candidates, encoded = self.candidates(text, sentences)
        calibration = shipped_calibration()
        # P(persuasive) is the passage's: its best label (rank 0, which comes first) speaks for it
        best_label: dict[tuple[int, int], Candidate] = {}
        for c in candidates:
            best_label.setdefault((c.start, c.end), c)
        results = []
        for c in candidates:
            confidence = None
            if calibration is not None:
                confidence = calibration.model_confidence(
                    c.technique, c.span_prob, c.label_prob, c.rank, c.nested, c.end - c.start
                )
            score = round(c.span_prob * c.label_prob, 4)
            span = TechniqueSpan(c.start, c.end, c.technique, score, confidence=_rounded(confidence))
            best = best_label[(c.start, c.end)]
            span.evidence = Evidence("model", best.span_prob, best.label_prob, best.nested)
            results.append(span)
        # The tagger misses most short exclamations ("Valdoria first!"); the rules' slogan shape marks
        # persuasion more often than not (held-out SI precision 0.58; SI F1 0.434 -> 0.442), though rarely
        # as Slogans (its calibrated confidence says so: spinscope.calibration).
        have = {(t.start, t.end) for t in results}
        for start, end in slogan_spans(text):
            if (start, end) not in have:
                confidence = calibration.score_confidence("rules", SLOGAN_SCORE) if calibration is not None else None
                span = TechniqueSpan(start, end, "Slogans", SLOGAN_SCORE, "rules", _rounded(confidence))
                span.evidence = Evidence("rules")
                results.append(span)
                have.add((start, end))
        results += lexicon_spans(text, results)
        results.sort(key=lambda t: (t.start, t.end))
        return results, encoded

    def candidates(self, text: str, sentences: Sequence[Span] | None = None) -> tuple[list[Candidate], TaggerPass]:
        """The tagger's technique labels with what their score is made of (span and label probabilities,
        rank, nesting): what :meth:`find_encoded` turns into spans and the calibration reads."""
        tokens = self.tokenize(text)
        encoded = self.encode(tokens)
        probs = encoded.probs
        if len(probs) == 0:
            return [], encoded
        found = decode_spans(text, tokens, probs[:, 0], self.low, self.high)
        nested = self.tagger.manifest.get("nested_thresholds", NESTED_THRESHOLDS)
        peaks = decode_spans(text, tokens, probs[:, 0], nested["low"], nested["high"])
        inner = [p for p in peaks if any(s <= p[0] and p[1] <= e and (s, e) != p[:2] for s, e, _ in found)]
        found = sorted(found + inner)
        technique_probs = self.span_label_probabilities(text, encoded, [(s, e) for s, e, _ in found], sentences)
        results: list[Candidate] = []
        for (start, end, span_score), p in zip(found, technique_probs, strict=True):
            order = np.argsort(-p)
            for rank, k in enumerate(order[:2]):
                if rank == 1 and p[k] < SECOND_LABEL_MIN_PROB:
                    break
                is_inner = (start, end, span_score) in inner
                results.append(Candidate(start, end, self.labels[k], float(span_score), float(p[k]), rank, is_inner))
        return results, encoded

    def span_label_probabilities(
        self,
        text: str,
        encoded: TaggerPass,
        spans: Sequence[tuple[int, int]],
        sentences: Sequence[Span] | None,
    ) -> np.ndarray:
        """(n_spans, 14) technique probabilities of each span: the classifier's, times the label head's over
        the trunk's pass when that is installed (renormalised: a product of experts)."""
        classified = self.classify(self.span_inputs(text, encoded.tokens, spans, sentences))
        if self.label_head is None or not len(spans):
            return classified
        rows = [span_label_features(text, encoded, s, e, _sentence_context(s, e, sentences)) for s, e in spans]
        head = self.label_head.probabilities(np.stack(rows))
        if self._head_order is not None:
            head = head[:, self._head_order]
        product = classified * head
        return product / product.sum(1, keepdims=True)

    def label_spans(self, text: str, spans: Sequence[tuple[int, int, int]]) -> list[list[str]]:
        """For each (start, end, k): the k most likely distinct techniques (the SemEval TC task)."""
        encoded = self.encode(self.tokenize(text))
        probs = self.span_label_probabilities(text, encoded, [(s, e) for s, e, _ in spans], None)
        return [[self.labels[i] for i in np.argsort(-p)[:k]] for p, (_s, _e, k) in zip(probs, spans, strict=True)]
