"""Whose voice is a sentence in: the writer reporting, or the writer's opinion?

Each sentence gets ``voice`` ("reporting" or "opinion") from the shipped
``voice`` model: all-MiniLM-L6-v2 fine-tuned on NewsSD-ENG (CheckThat! 2023
subjectivity: ``OBJ`` -> reporting, ``SUBJ`` -> opinion), see
``training/train_voice.py``. ``SentenceVoice.score`` is the model's probability
of the label it chose (so always >= 0.5); the probability of "opinion" is
``score`` when voice == "opinion" and ``1 - score`` otherwise.

``speaker`` is "quoted" when more than half of the sentence's non-space
characters lie inside the content of a direct quote: the voice is then still
computed, but it is the quoted speaker's, not the writer's. Otherwise it is
"writer".

The input encoding (:func:`encode_sentences`) is shared with training, so the
model sees at inference exactly what it saw when it was trained.
"""

from __future__ import annotations

import numpy as np

from spinscope.document import Quote, SentenceVoice, Span
from spinscope.runtime.encoding import CLS_ID, PAD_ID, SEP_ID

MODEL_NAME = "voice"
LABELS = ("reporting", "opinion")  # output order of the model's logits
MAX_TOKENS = 128
QUOTED_SHARE = 0.5


def encode_sentences(tokenizer, sentences: list[str], max_tokens: int = MAX_TOKENS) -> tuple[np.ndarray, np.ndarray]:
    """``[CLS] sentence [SEP]`` word-piece ids (cut to ``max_tokens``) padded into a batch, and the attention mask."""
    rows = []
    for sentence in sentences:
        ids = tokenizer.encode(" ".join(sentence.split()), add_special_tokens=False).ids[: max_tokens - 2]
        rows.append([CLS_ID, *ids, SEP_ID])
    longest = max((len(r) for r in rows), default=2)
    input_ids = np.full((len(rows), longest), PAD_ID, dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, : len(row)] = row
    attention_mask = (input_ids != PAD_ID).astype(np.int64)
    return input_ids, attention_mask


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def opinion_probabilities(sentences: list[str], batch: int = 1, bundle=None) -> np.ndarray:
    """P(opinion) for each sentence string, from the shipped ``voice`` model (or ``bundle``).

    One sentence per model call by default: the model is dynamically quantised, and dynamic
    quantisation scales activations per batch, so a sentence's score would otherwise depend on
    the sentences batched with it (and on their padding)."""
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    if bundle is None:
        from spinscope.runtime.session import load_bundle

        bundle = load_bundle(MODEL_NAME)
    max_tokens = int(bundle.manifest.get("max_tokens", MAX_TOKENS))
    opinion = list(bundle.manifest.get("labels", LABELS)).index("opinion")
    # Sort by length so that each batch pads little.
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    result = np.zeros(len(sentences), dtype=np.float32)
    for i in range(0, len(order), batch):
        chunk = order[i : i + batch]
        input_ids, attention_mask = encode_sentences(bundle.tokenizer, [sentences[j] for j in chunk], max_tokens)
        (logits,) = bundle.run({"input_ids": input_ids, "attention_mask": attention_mask})[:1]
        result[chunk] = _softmax(np.asarray(logits, dtype=np.float32))[:, opinion]
    return result


def quoted_share(sentence: Span, quotes: list[Quote], text: str) -> float:
    """Share of the sentence's non-space characters that lie inside a direct quote's content."""
    covered = np.zeros(sentence.end - sentence.start, dtype=bool)
    for quote in quotes:
        if quote.kind != "direct" or not quote.content.overlaps(sentence):
            continue
        lo = max(quote.content.start, sentence.start) - sentence.start
        hi = min(quote.content.end, sentence.end) - sentence.start
        covered[lo:hi] = True
    chars = np.frombuffer(text[sentence.start : sentence.end].encode("utf-32-le"), dtype=np.uint32)
    visible = np.array([not chr(c).isspace() for c in chars], dtype=bool) if len(chars) else covered
    total = int(visible.sum())
    return float((covered & visible).sum()) / total if total else 0.0


def classify_sentences(text: str, sentences: list[Span], quotes: list[Quote]) -> list[SentenceVoice]:
    """One :class:`SentenceVoice` per sentence, in order (see the module docstring for ``score`` and ``speaker``)."""
    probs = opinion_probabilities([text[s.start : s.end] for s in sentences])
    result = []
    for sentence, p in zip(sentences, probs, strict=True):
        voice = "opinion" if p >= 0.5 else "reporting"
        score = float(p if voice == "opinion" else 1.0 - p)
        speaker = "quoted" if quoted_share(sentence, quotes, text) > QUOTED_SHARE else "writer"
        result.append(SentenceVoice(sentence.start, sentence.end, voice, round(score, 4), speaker))
    return result
