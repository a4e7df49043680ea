"""The data model every stage shares.

An :class:`Article` is text plus metadata. Every result is a set of character
offsets into ``Article.text`` (Python ``str`` indices, ``end`` exclusive), so
``article.text[span.start:span.end]`` is always the marked text. An
:class:`Analysis` gathers the layers the analysers write (techniques, sentences,
quotes, claims) and serialises to the versioned ``spinscope/1`` JSON that the
renderers, the server and the batch engine all read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SCHEMA = "spinscope/1"

Voice = Literal["reporting", "opinion"]
QuoteKind = Literal["direct", "indirect", "scare"]
SpeakerType = Literal["person", "anonymous", "organisation", "group", "document"]


@dataclass(frozen=True, order=True)
class Span:
    """A character range ``[start, end)`` of ``Article.text``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span [{self.start}, {self.end})")

    def text(self, article: Article) -> str:
        return article.text[self.start : self.end]

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def to_dict(self) -> dict[str, int]:
        return {"start": self.start, "end": self.end}


@dataclass
class Article:
    """One news article. ``text`` is what every offset indexes; the rest is metadata where known."""

    text: str
    id: str = ""
    title: str | None = None
    source: str | None = None  # file path or URL it was read from
    outlet: str | None = None
    date: str | None = None  # ISO 8601 date
    url: str | None = None
    author: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id:
            # surrogatepass: an Article holding a lone surrogate can still be made (analyze() replaces it)
            self.id = hashlib.sha1(self.text.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TechniqueSpan:
    """A span using a persuasion technique (one of the 14 PTC classes)."""

    start: int
    end: int
    technique: str
    score: float
    engine: str = "model"  # "model", "lexicon", "rules" or "quotes": who found it
    # P(right) from the calibration (spinscope.calibration); None where there is none (the rules engine)
    confidence: float | None = None
    # P(the passage is persuasive at all, whatever its technique): what the views decide on (None: no map)
    persuasion: float | None = None
    # whether the view at the analysis' sensitivity shows it (spinscope.calibration.apply_sensitivity)
    shown: bool = True
    # the runner-up technique of the same passage when it is nearly as likely ("loaded language or name-calling")
    alternative: str | None = None
    # what the persuasion map reads of the detector's view of the span (spinscope.calibration.Evidence); not
    # serialised: ``persuasion`` is its result
    evidence: Any = field(default=None, repr=False, compare=False)

    @property
    def label_confidence(self) -> float | None:
        """P(the technique is right | the passage is persuasive): ``confidence`` / ``persuasion``, at most 1."""
        if self.confidence is None or not self.persuasion:
            return None
        return round(min(1.0, self.confidence / self.persuasion), 4)

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass
class SentenceVoice:
    """A sentence, and whether it reports or gives the writer's opinion.

    ``speaker`` is "writer" for the writer's own sentences and "quoted" when the
    sentence is mostly someone else's quoted words."""

    start: int
    end: int
    voice: Voice
    score: float
    speaker: str = "writer"


@dataclass
class Quote:
    """Direct, indirect (reported) speech, or a scare quote (no speaker, no cue)."""

    kind: QuoteKind
    content: Span
    cue: Span | None = None
    speaker: Span | None = None
    speaker_name: str | None = None
    speaker_type: SpeakerType | None = None
    score: float = 1.0
    # What the text says the speaker is ("the group's chair, Gwen Lloyd" -> "chair of the group").
    role: str | None = None


@dataclass
class Claim:
    """A checkable factual statement."""

    start: int
    end: int
    score: float
    reasons: list[str] = field(default_factory=list)  # e.g. "number", "date", "named actor"


@dataclass
class Analysis:
    """Everything spinscope found in one article."""

    article: Article
    techniques: list[TechniqueSpan] = field(default_factory=list)
    sentences: list[SentenceVoice] = field(default_factory=list)
    paragraphs: list[Span] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    models: dict[str, Any] = field(default_factory=dict)
    version: str = ""

    # ---- serialisation ----------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``spinscope/1`` JSON object (docs/json.md has every field)."""
        text = self.article.text

        def span_dict(span: Span | None) -> dict[str, Any] | None:
            return None if span is None else {"start": span.start, "end": span.end, "text": text[span.start : span.end]}

        from spinscope.summary import speech_contents, voice_of

        contents = speech_contents(self.quotes)
        meta = self.article.to_dict()
        meta.pop("text")
        return {
            "schema": SCHEMA,
            "id": self.article.id,
            "title": self.article.title,
            "text": text,
            "meta": meta,
            "techniques": [
                # voice_of: "quoted" inside a direct quote's content (the speaker's own words), else "writer"
                {
                    **{k: v for k, v in asdict(t).items() if k != "evidence"},
                    "label_confidence": t.label_confidence,
                    "text": text[t.start : t.end],
                    "voice_of": voice_of(t.start, t.end, contents),
                }
                for t in sorted(self.techniques, key=lambda t: (t.start, t.end))
            ],
            "sentences": [asdict(s) for s in self.sentences],
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "quotes": [
                {
                    "kind": q.kind,
                    "content": span_dict(q.content),
                    "cue": span_dict(q.cue),
                    "speaker": span_dict(q.speaker),
                    "speaker_name": q.speaker_name,
                    "speaker_type": q.speaker_type,
                    "role": q.role,
                    "score": q.score,
                }
                for q in self.quotes
            ],
            "claims": [{**asdict(c), "text": text[c.start : c.end]} for c in self.claims],
            "summary": self.summary,
            "models": self.models,
            "version": self.version,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        """Rebuild an Analysis from its JSON (the inverse of :meth:`to_dict`)."""
        if data.get("schema") != SCHEMA:
            raise ValueError(f"not a {SCHEMA} analysis (schema={data.get('schema')!r})")
        meta = dict(data.get("meta") or {})
        meta.update(text=data["text"], id=data["id"], title=data.get("title"))
        article = Article(**meta)

        from spinscope.calibration import is_weak

        def span(d: dict[str, Any] | None) -> Span | None:
            return None if d is None else Span(d["start"], d["end"])

        return cls(
            article=article,
            techniques=[
                TechniqueSpan(
                    t["start"],
                    t["end"],
                    t["technique"],
                    t["score"],
                    t.get("engine", "model"),
                    t.get("confidence"),
                    t.get("persuasion"),
                    t["shown"] if isinstance(t.get("shown"), bool) else not is_weak(t),
                    t.get("alternative"),
                )
                for t in data.get("techniques", [])
            ],
            sentences=[
                SentenceVoice(s["start"], s["end"], s["voice"], s["score"], s.get("speaker", "writer"))
                for s in data.get("sentences", [])
            ],
            paragraphs=[Span(p["start"], p["end"]) for p in data.get("paragraphs", [])],
            quotes=[
                Quote(
                    kind=q["kind"],
                    content=span(q["content"]),  # type: ignore[arg-type]
                    cue=span(q.get("cue")),
                    speaker=span(q.get("speaker")),
                    speaker_name=q.get("speaker_name"),
                    speaker_type=q.get("speaker_type"),
                    score=q.get("score", 1.0),
                    role=q.get("role"),
                )
                for q in data.get("quotes", [])
            ],
            claims=[Claim(c["start"], c["end"], c["score"], c.get("reasons", [])) for c in data.get("claims", [])],
            summary=data.get("summary", {}),
            models=data.get("models", {}),
            version=data.get("version", ""),
        )

    def to_html(self) -> str:
        """A self-contained HTML report (no network requests)."""
        from spinscope.render.html import render_html

        return render_html(self.to_dict())
