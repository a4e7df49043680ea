"""The one library entry point: read → segment → analyse → summarise.

``analyze`` takes text or an :class:`Article` and returns an :class:`Analysis`;
``analyze_many`` streams many articles and decides what a bad one does
(``on_error``). The CLI, the server and the batch engine are thin shells over
these two functions.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, Protocol, TypeVar

from spinscope import __version__
from spinscope.calibration import (
    DEFAULT_SENSITIVITY,
    Sensitivity,
    apply_sensitivity,
    check_sensitivity,
    score_persuasion,
)
from spinscope.deadline import checkpoint
from spinscope.document import Analysis, Article, Quote, Span, TechniqueSpan
from spinscope.errors import EmptyInputError, InputError, SpinscopeError
from spinscope.normalise import has_text, normalise_text
from spinscope.runtime.preload import ENGINE_MODELS, preload_models
from spinscope.segmentation import paragraphs, sentences
from spinscope.summary import summarise  # defined once there; re-exported here

OnError = Literal["raise", "skip", "yield"]
# "model": the technique tagger's pass (read by the technique and voice heads) and the quote encoder;
# "fast": the tagger's pass, quotes by the rules alone; "rules": no model at all (technique rules, quote
# rules, voice from surface cues).
Engine = Literal["model", "fast", "rules"]
ENGINES = ("model", "fast", "rules")
# About 33,000 words, three times the longest features; the server's default limit too. The cost is linear
# in length (windows, spans, sentences) but about 1 s per 1,000 characters on two cores with the model
# engine, so a 1,000,000-character text would run a quarter of an hour with no output: it is refused
# up front instead (benchmarks/long_article.py prints the figures).
MAX_TEXT_CHARS = 200_000


class TechniqueEngine(Protocol):
    name: str

    def find(self, text: str, sentences: list[Span] | None = None) -> list[TechniqueSpan]: ...

    def describe(self) -> dict[str, object]: ...


@dataclass
class Failure:
    """What ``analyze_many(on_error="yield")`` yields for an input that could not be analysed (and
    :func:`analyse_each` for any item it was told to keep going after): the error's typed record."""

    source: str
    error: SpinscopeError
    article: Article | None = None

    @property
    def code(self) -> str:
        """The error's stable code (``empty_input``, ``text_too_large``...; ``internal_error`` for a fault)."""
        return getattr(self.error, "code", "internal_error")

    @property
    def status(self) -> int:
        """The HTTP status that goes with :attr:`code`."""
        return getattr(self.error, "status", 500)


def technique_engine(engine: Engine = "model") -> TechniqueEngine:
    """The technique detector, loaded once per process ("fast" shares the model engine's)."""
    return _load_technique_engine("model" if engine == "fast" else engine)


# An adapted technique model (a folder written by ``spinscope train``) used instead of the shipped one by the
# model and fast engines: set by ``use_technique_model`` (``analyze --model``, ``serve --model``) or by
# $SPINSCOPE_MODEL.
_adapted_model: str | None = None


def use_technique_model(directory: str | os.PathLike[str] | None) -> None:
    """Analyse with the adapted model in ``directory`` from now on (None: the shipped model); it is loaded,
    and checked, now: a folder that is not a model raises :class:`~spinscope.errors.ModelError`."""
    global _adapted_model
    wanted = None if directory is None else os.fspath(directory)
    if wanted == _adapted_model:
        return
    _adapted_model = wanted
    _load_technique_engine.cache_clear()
    if wanted is not None:
        try:
            _load_technique_engine("model")
        except BaseException:
            _adapted_model = None
            raise


@cache
def _load_technique_engine(engine: str) -> TechniqueEngine:
    if engine == "rules":
        from spinscope.analyzers.techniques_rules import RuleEngine

        return RuleEngine()
    if engine == "model":
        adapted = _adapted_model or os.environ.get("SPINSCOPE_MODEL")
        if adapted:
            from spinscope.annotation.adapt import load_adapted_model

            return load_adapted_model(adapted)
        from spinscope.analyzers.techniques_model import load_technique_model

        return load_technique_model()
    raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")


def _as_article(item: str | Article) -> Article:
    """The Article to analyse, its text normalised as the readers do (the offsets index that text)."""
    if isinstance(item, Article):
        text = normalise_text(item.text)
        return item if text == item.text else dataclasses.replace(item, text=text)
    if isinstance(item, str):
        return Article(text=normalise_text(item), source="<text>")
    raise TypeError(f"analyze() takes text or an Article, not {type(item).__name__}")


def check_article(article: Article) -> None:
    """Raise a clear InputError for text spinscope cannot analyse (empty, huge, not English)."""
    source = article.source or article.id
    if not has_text(article.text):  # whitespace, zero-width or bidi characters only
        raise EmptyInputError(source, "empty: no text to analyse")
    if len(article.text) > MAX_TEXT_CHARS:
        raise InputError(
            source,
            f"too large: {len(article.text):,} characters (limit {MAX_TEXT_CHARS:,}, about 33,000 words): "
            "split it into articles or chapters",
            code="text_too_large",
        )
    from spinscope.readers.language import check_english

    check_english(article.text, source)


def analyze(
    item: str | Article,
    *,
    engine: Engine = "model",
    min_score: float = 0.0,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
) -> Analysis:
    """Analyse one article (text or :class:`Article`) and return its :class:`Analysis`.

    ``engine`` picks the analysers: "model" (the default: the technique tagger's pass, read by the technique
    and voice heads, and the quote encoder), "fast" (the tagger's pass; quotes by the rules alone) or "rules"
    (no model runs: the transparent technique rules, quotes by the rules, voice from surface cues);
    ``min_score`` drops technique spans scored below it; ``sensitivity`` ("precise", "balanced": the default,
    "everything") decides which technique spans are ``shown`` by the views and counted in the summary (the
    JSON keeps every span; ``spinscope.calibration.apply_sensitivity``).
    Raises :class:`~spinscope.errors.InputError` for input that cannot be analysed.
    """
    article = _as_article(item)
    check_sensitivity(sensitivity)
    check_article(article)
    # the first analysis in a process: its sessions are created in the background while segmentation runs
    loader = preload_models(engine)
    text = article.text
    blocks = paragraphs(text)
    sentence_spans = sentences(text, blocks)
    checkpoint()  # between steps (and before each model run): a server's time limit or cancel stops here
    detector = technique_engine(engine)
    # the tagger's pass over the article (None for the rules), read again by the voice head
    encoded = None
    if hasattr(detector, "find_encoded"):
        found, encoded = detector.find_encoded(text, sentence_spans)
    else:
        found = detector.find(text, sentence_spans)
    techniques = [t for t in found if t.score >= min_score]

    from spinscope.analyzers import claims, quote_tagger, quotes, voice

    use_models = engine != "rules"
    use_tagger = engine == "model"
    checkpoint()
    # the quote encoder reads the tagger's word pieces when both ship the same tokenizer file (tokenise once)
    word_pieces = None
    if use_tagger and encoded is not None and quote_tagger.shares_tokenizer(getattr(detector, "tagger", None)):
        word_pieces = encoded.tokens
    found_quotes = quotes.find_quotes(text, sentence_spans, use_tagger, blocks=blocks, word_pieces=word_pieces)
    checkpoint()
    techniques += scare_quote_techniques(found_quotes, techniques, min_score, calibrated=use_models)
    # is each passage persuasive at all: read in its article, now that its quotes are known
    score_persuasion(text, techniques, found_quotes)
    apply_sensitivity(techniques, sensitivity)
    voices = voice.classify_sentences(text, sentence_spans, found_quotes, encoded, use_model=use_models)
    checkpoint()
    found_claims = claims.find_claims(text, sentence_spans, found_quotes, voices, blocks)
    models: dict[str, Any] = {"techniques": {"engine": detector.name, **detector.describe()}}
    models.update(voice.describe(use_models))
    models.update(quote_tagger.describe(use_tagger))
    analysis = Analysis(
        article=article,
        techniques=techniques,
        sentences=voices,
        paragraphs=blocks,
        quotes=found_quotes,
        claims=found_claims,
        models=models,
        version=__version__,
    )
    analysis.summary = {**summarise(analysis), "sensitivity": sensitivity}
    if loader is not None:
        loader.join()  # usually done already; no thread of ours outlives the call (e.g. before a fork)
    return analysis


SCARE_QUOTE_TECHNIQUE = "Doubt"


def scare_quote_techniques(
    found_quotes: list[Quote],
    techniques: list[TechniqueSpan],
    min_score: float,
    *,
    calibrated: bool = False,
) -> list[TechniqueSpan]:
    """Scare quotes (the "peacekeepers") are a persuasion signal: they cast doubt on the quoted word.
    The quote analyser finds them exactly, so they join the technique layer (engine "quotes"). With
    ``calibrated`` (the model engines) they carry the calibration's confidence (low: PTC's annotators rarely
    mark them as Doubt) and the evidence the persuasion map reads, which decides whether views show them
    (spinscope.calibration.score_persuasion)."""
    from spinscope.calibration import Evidence, shipped_calibration

    calibration = shipped_calibration() if calibrated else None
    have = {(t.start, t.end, t.technique) for t in techniques}
    added = []
    for quote in found_quotes:
        span = (quote.content.start, quote.content.end, SCARE_QUOTE_TECHNIQUE)
        if quote.kind == "scare" and span not in have and quote.score >= min_score:
            confidence = None
            if calibration is not None and calibration.covers("quotes"):
                confidence = round(calibration.score_confidence("quotes", quote.score), 4)
            added.append(TechniqueSpan(*span, score=round(quote.score, 4), engine="quotes", confidence=confidence))
            added[-1].evidence = Evidence("quotes") if calibrated else None
    return added


Key = TypeVar("Key")
Item = TypeVar("Item")
Result = TypeVar("Result")


def analyse_each(
    items: Iterable[tuple[Key, Item | InputError]],
    analyse: Callable[[Item], Result],
    *,
    keep: type[Exception] | tuple[type[Exception], ...] = InputError,
) -> Iterator[tuple[Key, Result | Failure]]:
    """Analyse many inputs, lazily: the one loop the API, the CLI, the server and batch share.

    ``items``: (key, item) pairs, where an item may be the :class:`InputError` a reader gave for an
    unreadable input. Yields (key, ``analyse(item)``), or (key, :class:`Failure`) where the item was
    an error or ``analyse`` raised one of the ``keep`` kinds; any other error ends the loop.
    """
    for key, item in items:
        try:
            if isinstance(item, InputError):
                raise item
            result = analyse(item)
        except keep as error:
            source = error.source if isinstance(error, InputError) else str(key)
            yield key, Failure(source=source, error=error, article=item if isinstance(item, Article) else None)  # type: ignore[arg-type]
        else:
            yield key, result


def analyze_many(
    items: Iterable[str | Article | InputError],
    *,
    engine: Engine = "model",
    min_score: float = 0.0,
    sensitivity: Sensitivity = DEFAULT_SENSITIVITY,
    on_error: OnError = "raise",
) -> Iterator[Analysis | Failure]:
    """Analyse a stream of articles lazily.

    ``items`` may also carry :class:`InputError` objects (what the readers yield
    for an unreadable input). ``on_error``: "raise" stops at the first bad
    input, "skip" drops it, "yield" yields a :class:`Failure` in its place.
    """
    if on_error not in ("raise", "skip", "yield"):
        raise ValueError("on_error must be 'raise', 'skip' or 'yield'")

    def analyse(item: str | Article) -> Analysis:
        return analyze(item, engine=engine, min_score=min_score, sensitivity=sensitivity)

    for _, outcome in analyse_each(((None, item) for item in items), analyse):
        if not isinstance(outcome, Failure):
            yield outcome
        elif on_error == "raise":
            raise outcome.error
        elif on_error == "yield":
            yield outcome


__all__ = [
    "ENGINE_MODELS",
    "Failure",
    "analyse_each",
    "analyze",
    "analyze_many",
    "check_article",
    "preload_models",
    "summarise",
    "technique_engine",
    "use_technique_model",
]
