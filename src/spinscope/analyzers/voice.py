"""Whose voice is a sentence in: the writer reporting, or the writer's opinion?

Each sentence gets ``voice`` ("reporting" or "opinion") from a logistic
regression over what the technique tagger already computed for the article
(encode once): the mean of its encoder's per-token states over the sentence
(384 numbers), the mean and the maximum of its 15 per-token probabilities, plus
six surface cues (length, "!", "?", first person plural or singular,
"should/must", digits). It was fitted on NewsSD-ENG (CheckThat! 2023
subjectivity: ``OBJ`` -> reporting, ``SUBJ`` -> opinion), see
``training/train_voice_head.py``; the weights ship in ``models/voice-head``.
``SentenceVoice.score`` is the probability of the label chosen (always >= 0.5).

``speaker`` is "quoted" when more than half of the sentence's non-space
characters lie inside the content of a direct quote: the voice is then still
computed, but it is the quoted speaker's, not the writer's. Otherwise it is
"writer".
"""

from __future__ import annotations

import json
import math
import re
from functools import cache

import numpy as np

from spinscope.analyzers.rhetoric import masked_sentence, rhetoric_cues
from spinscope.document import Quote, SentenceVoice, Span
from spinscope.errors import ModelError
from spinscope.runtime.encoding import TaggerPass
from spinscope.runtime.session import MODELS_DIR

HEAD = "voice-head"
LABELS = ("reporting", "opinion")
QUOTED_SHARE = 0.5
# P(opinion) at least, for a writer's sentence with a cue of rhetoric (spinscope.analyzers.rhetoric)
RHETORIC_OPINION = 0.75
STRONG_CUES = frozenset({"exhortation", "exclamation", "either-or", "verdict"})
# An article "reads as opinion" when at least this many of the writer's sentences (and this share of them)
# are opinion by the head or by a strong cue; then every cue of rhetoric counts.
CONTEXT_MIN_SENTENCES = 2
CONTEXT_MIN_SHARE = 0.1
# Added to the head's logit for the writer's sentences of such an article: P(opinion) 0.3 becomes 0.5.
# Chosen on the spin set's dev half only (its op-eds' checkable sentences score below 0.2).
OPINION_PIECE_LOGIT_SHIFT = 0.85
_FIRST_PERSON = re.compile(r"\b(?:I|we|our|us|my|me)\b")
_MODAL = re.compile(r"\b(?:should|must|need to|ought)\b", re.IGNORECASE)


@cache
def load_head() -> dict:
    return json.loads((MODELS_DIR / HEAD / "manifest.json").read_text(encoding="utf-8"))


def describe(use_model: bool = True) -> dict:
    head = load_head()
    if not use_model:
        return {"voice": {"name": "voice-cues", **head["cues_only"]["describe"]}}
    return {"voice": {k: head[k] for k in ("name", "version", "base", "validation") if k in head}}


def surface_cues(sentence: str) -> np.ndarray:
    """Six cues read off the sentence's surface: length, "!", "?", first person, "should/must", digits."""
    cues = [
        len(sentence.split()) / 40,
        "!" in sentence,
        "?" in sentence,
        bool(_FIRST_PERSON.search(sentence)),
        bool(_MODAL.search(sentence)),
        bool(re.search(r"\d", sentence)),
    ]
    return np.asarray(cues, np.float32)


def sentence_features(sentence: str, probs: np.ndarray, states: np.ndarray | None) -> np.ndarray:
    """The head's input for one sentence, from the tagger's (n_tokens, 15) probabilities and
    (n_tokens, hidden) encoder states over the sentence's tokens."""
    if states is None:
        raise ModelError("the technique tagger does not export its encoder states, which the voice head needs")
    if len(probs) == 0:
        probs = np.zeros((1, probs.shape[1] if probs.ndim == 2 else 15), np.float32)
        states = np.zeros((1, states.shape[1]), np.float32)
    parts = [states.mean(0), probs.mean(0), probs.max(0), surface_cues(sentence)]
    return np.concatenate(parts).astype(np.float32)


def _head_probability(features: np.ndarray, head: dict | None = None) -> np.ndarray:
    """P(opinion) from a logistic regression's ``weights`` and ``bias`` (default: the model head)."""
    head = head or load_head()
    z = features @ np.asarray(head["weights"], np.float32) + float(head["bias"])
    return 1.0 / (1.0 + np.exp(-z))


def _tagger():
    from spinscope.analyzers.techniques_model import load_technique_model

    return load_technique_model()


def cue_probabilities(sentences: list[str]) -> np.ndarray:
    """P(opinion) from the six surface cues alone (``--engine rules``: no model runs). A separate logistic
    regression fitted like the main head (``training/train_voice_head.py``, manifest ``cues_only``)."""
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    return _head_probability(np.stack([surface_cues(s) for s in sentences]), load_head()["cues_only"])


def standalone_features(sentences: list[str]) -> np.ndarray:
    """The head's inputs for standalone sentence strings, each read by the tagger on its own."""
    model = _tagger()
    rows = []
    for sentence in sentences:
        encoded = model.encode(model.tokenize(sentence))
        rows.append(sentence_features(sentence, encoded.probs, encoded.states))
    return np.stack(rows)


def opinion_probabilities(sentences: list[str]) -> np.ndarray:
    """P(opinion) for standalone sentence strings (each read by the tagger on its own)."""
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    return _head_probability(standalone_features(sentences))


def sentence_probabilities(
    text: str, sentences: list[Span], encoded: TaggerPass | None = None, use_model: bool = True
) -> np.ndarray:
    """P(opinion) per sentence of an article, from the article's trunk pass (``encoded``), or from the
    surface cues alone when ``use_model`` is off."""
    if not sentences:
        return np.zeros(0, dtype=np.float32)
    if not use_model:
        return cue_probabilities([text[s.start : s.end] for s in sentences])
    if encoded is None:
        model = _tagger()
        encoded = model.encode(model.tokenize(text))
    starts = encoded.tokens.offsets[:, 0]
    rows = []
    for sentence in sentences:
        inside = (starts >= sentence.start) & (starts < sentence.end)
        states = encoded.states[inside] if encoded.states is not None else None
        rows.append(sentence_features(text[sentence.start : sentence.end], encoded.probs[inside], states))
    return _head_probability(np.stack(rows))


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


def classify_sentences(
    text: str,
    sentences: list[Span],
    quotes: list[Quote],
    encoded: TaggerPass | None = None,
    use_model: bool = True,
) -> list[SentenceVoice]:
    """One :class:`SentenceVoice` per sentence, in order (see the module docstring for ``score`` and ``speaker``).
    ``encoded`` reuses the technique tagger's pass over the article when the caller has it."""
    probs = [float(p) for p in sentence_probabilities(text, sentences, encoded, use_model)]
    speakers = ["quoted" if quoted_share(s, quotes, text) > QUOTED_SHARE else "writer" for s in sentences]
    cues = [
        set(rhetoric_cues(masked_sentence(text, s, quotes))) if who == "writer" else set()
        for s, who in zip(sentences, speakers, strict=True)
    ]
    # The head never learnt the writer's rhetoric (NewsSD holds little of it), so rules decide: the strong
    # cues anywhere; first person, questions and fragments only in an article that otherwise reads as
    # opinion ("a buying agent tells me" is reporting in a news story, "we have heard that before" is not).
    opinionated = sum(
        p >= 0.5 or bool(c & STRONG_CUES) for p, c, who in zip(probs, cues, speakers, strict=True) if who == "writer"
    )
    writer_sentences = speakers.count("writer")
    in_opinion_piece = opinionated >= max(CONTEXT_MIN_SENTENCES, CONTEXT_MIN_SHARE * writer_sentences)
    result = []
    for sentence, p, speaker, found in zip(sentences, probs, speakers, cues, strict=True):
        if in_opinion_piece and speaker == "writer" and use_model:
            # the prior odds of opinion are higher in an opinion piece than in NewsSD, whose prior the head has
            # (not for the surface-cue head of --engine rules, which already calls half of a wire report opinion)
            p = 1.0 / (1.0 + math.exp(-(math.log(max(p, 1e-6) / max(1.0 - p, 1e-6)) + OPINION_PIECE_LOGIT_SHIFT)))
        if found & STRONG_CUES or (in_opinion_piece and found):
            p = max(p, RHETORIC_OPINION)
        voice = "opinion" if p >= 0.5 else "reporting"
        score = float(p if voice == "opinion" else 1.0 - p)
        result.append(SentenceVoice(sentence.start, sentence.end, voice, round(score, 4), speaker))
    return result
