"""Article-level figures, defined once: the JSON ``summary``, which every renderer only reads.

:func:`summarise` computes them for an :class:`Analysis`; :func:`summary_of` for a plain
``spinscope/1`` dict (a saved JSON), where the renderers fill in figures that an older or
hand-made dict lacks. Both read the same layers through :func:`figures_from_layers`, so a
figure has one definition wherever it is shown.

Whose sentences a figure counts is part of its name:

``sentences`` / ``writer_sentences`` / ``quoted_sentences``
    all sentences / the writer's own (``speaker == "writer"``) / quoted speakers'.
``opinion_sentences``, ``opinion_share``, ``opinion_text_share``
    the writer's opinion sentences, as a count, a share of the writer's sentences and a
    share of the writer's characters (quoted speakers' opinions are not the writer's).
``quoted_opinion_sentences``
    quoted speakers' sentences classed as opinion.
``technique_spans`` / ``technique_count``
    distinct technique spans / technique labels the view shows (``shown``: the analysis' sensitivity,
    ``spinscope.calibration.apply_sensitivity``); ``techniques_per_1000_words`` is shown spans per 1,000
    words of the whole text; ``hidden_technique_spans`` the spans the JSON holds beyond them (what the
    "everything" sensitivity would add). Every technique figure counts what is shown.
``writer_technique_spans``, ``writer_word_count``, ``writer_techniques_per_1000_words``
    the same for the writer's own words: spans whose ``voice_of`` is "writer" (not inside a
    direct quote's content), per 1,000 words outside direct quotes.
``claims``
    checkable claims.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

_WORD = re.compile(r"\w+(?:[-']\w+)*")
# Whose words: a direct quote's content is the speaker's own words; an indirect quote is the writer's
# paraphrase and a scare quote the writer's own choice (as for sentences in analyzers/voice.py).
SPEECH_KINDS = ("direct",)


def _get(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, Mapping) else getattr(item, name, default)


def _bounds(item: Any) -> tuple[int, int] | None:
    start, end = _get(item, "start"), _get(item, "end")
    if isinstance(start, int) and isinstance(end, int) and not isinstance(start, bool):
        return start, end
    return None


def speech_contents(quotes: Sequence[Any]) -> list[tuple[int, int]]:
    """The contents of direct quotes: the quoted speakers' own words."""
    contents = []
    for quote in quotes:
        if _get(quote, "kind", "direct") not in SPEECH_KINDS:
            continue
        bounds = _bounds(_get(quote, "content"))
        if bounds:
            contents.append(bounds)
    return contents


def voice_of(start: int, end: int, contents: Sequence[tuple[int, int]]) -> str:
    """ "quoted" when the span lies inside a direct quote's content (the speaker's words), else "writer"."""
    return "quoted" if any(a <= start and end <= b for a, b in contents) else "writer"


def _shown(technique: Any) -> bool:
    """Whether the view shows a technique span: its ``shown`` flag, else (older dicts) its confidence."""
    shown = _get(technique, "shown")
    if isinstance(shown, bool):
        return shown
    from spinscope.calibration import is_weak

    return not (isinstance(technique, Mapping) and is_weak(technique))


def _ratio(part: float, whole: float, digits: int = 4) -> float:
    return round(part / whole, digits) if whole else 0.0


def figures_from_layers(
    text: str,
    techniques: Sequence[Any],
    sentences: Sequence[Any],
    paragraphs: Sequence[Any],
    quotes: Sequence[Any],
    claims: Sequence[Any],
) -> dict[str, Any]:
    """Every summary figure from the layers (objects or dicts with the ``spinscope/1`` fields)."""
    words = [m.start() for m in _WORD.finditer(text)]
    contents = speech_contents(quotes)
    inside = [False] * (len(text) + 1)
    for a, b in contents:
        a, b = max(0, min(a, len(text))), max(0, min(b, len(text)))
        inside[a:b] = [True] * max(0, b - a)
    writer_words = sum(1 for w in words if not inside[w])

    every_span = {b for b in (_bounds(t) for t in techniques) if b}
    techniques = [t for t in techniques if _shown(t)]
    technique_counts = Counter(str(_get(t, "technique")) for t in techniques)
    spans = {b for b in (_bounds(t) for t in techniques) if b}
    writer_spans = {s for s in spans if voice_of(*s, contents) == "writer"}
    sentence_bounds = [(b, s) for s in sentences if (b := _bounds(s))]
    with_technique = sum(1 for (s, e), _ in sentence_bounds if any(a < e and s < b for a, b in spans))
    writer = [(b, s) for b, s in sentence_bounds if _get(s, "speaker", "writer") == "writer"]
    quoted = [(b, s) for b, s in sentence_bounds if _get(s, "speaker", "writer") != "writer"]
    opinion = [b for b, s in writer if _get(s, "voice") == "opinion"]
    writer_chars = sum(e - s for (s, e), _ in writer)
    quotes_by_kind = Counter(str(_get(q, "kind", "direct")) for q in quotes)
    speech = [q for q in quotes if _get(q, "kind", "direct") != "scare"]
    sources = Counter(_get(q, "speaker_type") or "unknown" for q in speech)
    named = {_get(q, "speaker_name") for q in speech if _get(q, "speaker_name")}
    return {
        "word_count": len(words),
        "sentences": len(sentence_bounds),
        "paragraphs": len(paragraphs),
        "technique_spans": len(spans),
        "technique_count": len(techniques),
        "hidden_technique_spans": len(every_span - spans),
        "techniques_per_1000_words": round(1000 * len(spans) / len(words), 2) if words else 0.0,
        "technique_counts": dict(technique_counts.most_common()),
        "sentences_with_technique_share": _ratio(with_technique, len(sentence_bounds)),
        "opinion_sentences": len(opinion),
        "opinion_share": _ratio(len(opinion), len(writer)),
        "opinion_text_share": _ratio(sum(e - s for s, e in opinion), writer_chars),
        "quotes": dict(quotes_by_kind),
        "quotes_by_speaker_type": dict(sources),
        "distinct_speakers": len(named),
        "claims": len(claims),
        "writer_sentences": len(writer),
        "quoted_sentences": len(quoted),
        "quoted_opinion_sentences": sum(1 for _, s in quoted if _get(s, "voice") == "opinion"),
        "writer_word_count": writer_words,
        "writer_technique_spans": len(writer_spans),
        "writer_techniques_per_1000_words": round(1000 * len(writer_spans) / writer_words, 2) if writer_words else 0.0,
    }


def summarise(analysis: Any) -> dict[str, Any]:
    """The summary of an :class:`~spinscope.document.Analysis` (see the module docstring)."""
    return figures_from_layers(
        analysis.article.text,
        analysis.techniques,
        analysis.sentences or [],
        analysis.paragraphs,
        analysis.quotes,
        analysis.claims,
    )


def summary_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The summary of a plain ``spinscope/1`` dict: its own ``summary``, with any figure it lacks computed
    from its layers by the same definitions (so older and hand-made dicts render too)."""
    from spinscope.render.segments import layer_items, read_layers, valid_span

    layers = read_layers(data)
    paragraphs = [p for p in layer_items(data, "paragraphs") if valid_span(p, len(layers.text))]
    computed = figures_from_layers(
        layers.text, layers.techniques, layers.sentences, paragraphs, layers.quotes, layers.claims
    )
    given = data.get("summary")
    if isinstance(given, Mapping):
        computed.update({k: v for k, v in given.items() if v is not None})
    return computed


__all__ = ["figures_from_layers", "speech_contents", "summarise", "summary_of", "voice_of"]
