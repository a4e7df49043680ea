"""The API's request and response models: validation and the OpenAPI schema."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from spinscope.normalise import normalise_text, replace_surrogates

MAX_BATCH = 20
EXAMPLE_ARTICLE = {
    "text": "Border talks collapse\n\nThe so-called peace plan is a shameful surrender, the senator said on Monday.",
    "engine": "rules",
}


class ArticleIn(BaseModel):
    """One article: exactly one of ``text``, ``html`` or ``url``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE_ARTICLE]})

    text: str | None = Field(None, description="The article as plain text (English).")
    html: str | None = Field(None, description="A news page's HTML; its main text is extracted.")
    url: str | None = Field(None, max_length=2000, description="An http(s) URL to fetch (public addresses only).")
    title: str | None = Field(None, max_length=1000, description="The headline, if not in the text.")
    page_url: str | None = Field(
        None, max_length=2000, description="Where `text` or `html` was read (kept in the result; never fetched)."
    )
    outlet: str | None = Field(None, max_length=300, description="The publication.")
    engine: Literal["model", "fast", "rules"] | None = Field(
        None, description="model, fast (quotes by rules alone) or rules (server default)."
    )
    # allow_inf_nan=False: NaN is "not a finite number", not "should be <= 1"
    min_score: float = Field(
        0.0, ge=0.0, le=1.0, strict=True, allow_inf_nan=False, description="Drop technique spans scored lower."
    )
    sensitivity: Literal["precise", "balanced", "everything"] = Field(
        "balanced",
        description="Which persuasive passages are marked shown and counted in the summary: precise (fewer, "
        "surer), balanced or everything. Every span is returned either way, with its 'shown' flag.",
    )

    @model_validator(mode="after")
    def _one_input(self) -> ArticleIn:
        given = [name for name in ("text", "html", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, html or url" + (f" (got {', '.join(given)})" if given else ""))
        return self

    @field_validator("text", "html", "url", "title", "page_url", "outlet", mode="before")
    @classmethod
    def _no_lone_surrogates(cls, value: Any) -> Any:
        """Lone surrogates (JSON ``"\\ud800"``) become U+FFFD one for one, as the CLI's readers do."""
        return replace_surrogates(value) if isinstance(value, str) else value

    def text_length(self) -> int:
        """The length of ``text`` as analysed (line ends normalised): what the limit applies to."""
        return len(normalise_text(self.text)) if self.text is not None else 0


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"articles": [EXAMPLE_ARTICLE]}]})

    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_BATCH)


class ErrorOut(BaseModel):
    error: str = Field(description="A stable code, e.g. unsafe_url, rate_limited.")
    message: str = Field(description="What went wrong, in one line.")


class AnalysisOut(BaseModel):
    """The ``spinscope/1`` analysis (docs/json.md has every field) plus its permalink."""

    model_config = ConfigDict(extra="allow")

    schema_: str = Field(alias="schema", examples=["spinscope/1"])
    id: str
    title: str | None
    text: str
    techniques: list[dict[str, Any]]
    sentences: list[dict[str, Any]]
    quotes: list[dict[str, Any]]
    claims: list[dict[str, Any]]
    summary: dict[str, Any]
    models: dict[str, Any]
    permalink: str = Field(examples=["/r/3q2-7wEXAMPLEidVfS1cQ"])


class BatchOut(BaseModel):
    results: list[AnalysisOut | ErrorOut]


class HealthOut(BaseModel):
    status: str = Field(description="ok, or degraded when the permalink store is unavailable (then 503).")
    version: str
    engine: str
    models: dict[str, Any]
    queue: dict[str, int]
    store: dict[str, Any] = Field(
        description="The permalink store: state (ok, recreated, restored, unavailable), path, results."
    )


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    described = {
        400: "Bad input: empty, binary, not English, an unsafe or invalid URL",
        403: "A POST from a page on another origin",
        404: "No such result",
        413: "Request body or text too large",
        415: "Not JSON",
        422: "Malformed JSON or invalid fields",
        429: "Rate limited (see Retry-After)",
        502: "The URL could not be fetched",
        503: "Overloaded (see Retry-After), the analysis ran past its time limit, or the permalink store is unavailable",
    }
    return {code: {"model": ErrorOut, "description": described[code]} for code in codes}
