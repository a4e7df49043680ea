"""The web app and REST API: ``create_app(settings)`` gives a FastAPI app over :func:`spinscope.analyze`.

Routes (see ``/docs`` on a running server)::

    GET  /                          the page: paste text or a URL, see the report
    POST /api/analyze               {"text"|"html"|"url": ..., "title"?, "outlet"?, "engine"?, "min_score"?, "sensitivity"?}
                                    -> the spinscope/1 analysis + "permalink": "/r/<id>"
    POST /api/analyze/batch         {"articles": [{...}, ...]} (1 to 20) -> {"results": [analysis or error]}
    GET  /api/techniques            the 14 techniques
    GET  /api/result/<id>           a stored analysis (+ permalink)
    GET  /healthz                   {"status": "ok", "models": {...}, "store": {"state": ...}} (503 "degraded")
    GET  /r/<id>                    the report page of a stored analysis (permalink)
    GET  /r/<id>/fragment           the report as an HTML fragment (what the page inserts)
    GET  /r/<id>/report.html        the self-contained report (download)
    GET  /r/<id>.json               the analysis JSON (download)
    GET  /docs, /openapi.json       API documentation (offline: no CDN)

Every error is JSON ``{"error": "<stable code>", "message": "<one line>"}``, the message in plain words;
a failed fetch adds ``"detail"``, the exact technical reason (resolver or HTTP text):
400 ``empty_input`` ``binary_input`` ``unsupported_language`` ``unsafe_url`` ``invalid_url``
``unsupported_content`` ``invalid_input`` ``host_not_allowed``; 403 ``origin_not_allowed`` (a POST from
another origin's page); 404 ``not_found``; 405
``method_not_allowed``; 408 ``request_timeout``; 413 ``body_too_large`` ``text_too_large``; 415
``unsupported_media_type``; 422 ``invalid_json`` ``invalid_request``; 429 ``rate_limited``;
500 ``internal_error`` (the connection kept); 502 ``fetch_failed``; 503 ``overloaded`` ``analysis_timeout``
``too_many_connections`` ``store_unavailable``.
An analysis whose client disconnects is dropped from the queue, or stopped if it runs.

Models are loaded once, at start-up, and shared by the analysis threads
(:class:`~spinscope.server.limits.AnalysisPool`). Pages are rendered with Jinja2
(autoescaping on): article text and titles never become markup.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from spinscope import __version__, deadline
from spinscope.document import Article
from spinscope.errors import (
    AnalysisStopped,
    EmptyInputError,
    FetchError,
    InputError,
    UnsafeURLError,
    UnsupportedLanguageError,
)
from spinscope.messages import for_people
from spinscope.normalise import normalise_text, replace_surrogates
from spinscope.pipeline import analyze
from spinscope.server.hosts import HostCheck, OriginCheck, allowed_hosts
from spinscope.server.limits import (
    RATE_PAID,
    AnalysisPool,
    BodyGuard,
    Overloaded,
    RateLimit,
    RateLimited,
    TokenBucket,
    client_key,
    error_body,
    retry_after_header,
    text_cost,
    wait_for_disconnect,
)
from spinscope.server.settings import Settings
from spinscope.server.store import MEMORY, ResultStore, StoreError
from spinscope.techniques import TECHNIQUES

log = logging.getLogger("spinscope.server")

_HERE = Path(__file__).resolve().parent
MAX_BATCH = 20
WARM_UP_TEXT = "The minister said on Tuesday that the talks would resume in the capital next week."

# The page's policy: nothing but this origin. Inline scripts and inline style
# attributes are refused too; the report fragment's colours are applied by
# app.js through the CSSOM (see csp_safe_fragment).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


# ---- request and response models (validation and the OpenAPI schema) --------------------------------
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


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
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


# ---- errors --------------------------------------------------------------------------------------------
class TextTooLarge(InputError):
    """The text is longer than the server's limit."""


class InvalidURL(InputError):
    """Not an http(s) URL with a host."""


def classify(error: InputError) -> tuple[int, str, str]:
    """(HTTP status, stable code, one-line message) for an input error.

    The message is the error's reason, prefixed with the URL for a fetched page
    (pasted text has no name worth showing: its "source" is a field name or a hash);
    a failed fetch is said in plain words (:func:`fetch_detail` keeps the exact reason).
    """
    reason = error.reason
    message = str(error) if re.match(r"https?://", error.source or "", re.IGNORECASE) else reason
    if isinstance(error, UnsafeURLError):
        return 400, "unsafe_url", for_people(error, "web")[0]
    if isinstance(error, InvalidURL):
        return 400, "invalid_url", reason
    if isinstance(error, FetchError):
        plain, _detail = for_people(error, "web")
        return 502, "fetch_failed", plain[:1].upper() + plain[1:] + ("" if plain.endswith(".") else ".")
    if isinstance(error, EmptyInputError):
        return 400, "empty_input", message
    if isinstance(error, UnsupportedLanguageError):
        return 400, "unsupported_language", message
    if isinstance(error, TextTooLarge) or reason.startswith("too large"):
        return 413, "text_too_large", message
    if reason.startswith("binary or undecodable"):
        return 400, "binary_input", message
    if reason.startswith("unsupported content type"):
        return 400, "unsupported_content", message
    return 400, "invalid_input", message


# A fault of ours: the person can only retry or report it; the traceback is in the server's log, never in the answer.
ANALYSIS_FAILED = (
    "the analysis failed because of a fault in the spinscope server: try again, and if it fails again, "
    "report it with the article (the server's log has the details)"
)
SERVER_FAULT = "the spinscope server had a fault: try again, and report it if it happens again"


def fetch_detail(error: InputError) -> str | None:
    """The exact technical reason behind a plain message (the ``detail`` field), or None."""
    _plain, detail = for_people(error, "web")
    return f"{error.source}: {detail}" if detail else None


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, detail: str | None = None
) -> Response:
    return Response(error_body(code, message, detail), status, headers=headers, media_type="application/json")


def _one_line(value: str) -> str:
    return " ".join(value.split())


# ---- the report, made safe for a strict Content-Security-Policy -----------------------------------------
_STYLE_ATTRIBUTE = re.compile(r' style="([^"<>]*)"')


def csp_safe_fragment(fragment: str) -> str:
    """The report fragment with ``style="..."`` attributes renamed ``data-ss-style``.

    Under ``style-src 'self'`` a browser ignores inline style attributes (and logs
    an error for each); app.js copies them through the CSSOM instead, which the
    policy allows. Only the markup before the first ``<script`` (the JSON data
    block, which comes last) is touched: there, article text is HTML-escaped, so
    a literal ``style="`` can only be one of the template's own attributes.
    """
    markup, script, rest = fragment.partition("<script")
    return _STYLE_ATTRIBUTE.sub(r' data-ss-style="\1"', markup) + script + rest


@cache
def report_download_csp() -> str:
    """The policy of the self-contained report (its inline CSS, its one script by hash), for the download."""
    from spinscope.render.html import report_js

    digest = base64.b64encode(hashlib.sha256(report_js().encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


# ---- static assets and templates -----------------------------------------------------------------------
@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    version: str


@cache
def _assets() -> dict[str, Asset]:
    from spinscope.render.html import report_css, report_js

    sources: dict[str, tuple[bytes, str]] = {
        "report.css": (report_css().encode("utf-8"), "text/css; charset=utf-8"),
        "report.js": (report_js().encode("utf-8"), "text/javascript; charset=utf-8"),
    }
    types = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml"}
    for path in sorted((_HERE / "static").iterdir()):
        if path.suffix in types:
            sources[path.name] = (path.read_bytes(), types[path.suffix])
    return {
        name: Asset(body, media_type, hashlib.sha256(body).hexdigest()[:10])
        for name, (body, media_type) in sources.items()
    }


def asset_url(name: str) -> str:
    return f"/static/{name}?v={_assets()[name].version}"


@cache
def _templates() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.globals.update(asset_url=asset_url, version=__version__)
    environment.filters["inline_code"] = inline_code
    return environment


def inline_code(text: str) -> Markup:
    """Markdown-style `code` spans as ``<code>``; everything escaped."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def render_page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_templates().get_template(name).render(**context), status_code=status)


# ---- the state one app holds ---------------------------------------------------------------------------
class ServerState:
    """Settings, the permalink store, the analysis pool, the rate limiter and the loaded models' descriptions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = ResultStore(
            settings.db_path,
            max_results=settings.max_results,
            retention_days=settings.retention_days,
            max_per_client=settings.max_results_per_client,
        )
        if self.store.recovered:
            log.warning("spinscope: %s; moved it to %s and started a new one", self.store.problem, self.store.recovered)
        self.pool = AnalysisPool(settings.thread_count, settings.queue_size)
        self.bucket = TokenBucket(settings.rate_per_minute, settings.rate_burst)
        self.models: dict[str, Any] = {}

    def warm_up(self) -> dict[str, Any]:
        """Load the configured engine's models (and the other analysers') by analysing one sentence."""
        if not self.models:
            self.models = analyze(WARM_UP_TEXT, engine=self.settings.engine).models
            log.info("spinscope: models loaded (%s engine)", self.settings.engine)
        return self.models

    def cost(self, chars: int) -> int:
        """Rate-limit tokens an analysis of ``chars`` characters costs (:func:`text_cost`)."""
        return text_cost(chars, self.settings.rate_chars_per_token)

    def charge(self, client: str, tokens: int, paid: int = 0) -> None:
        """Take ``tokens`` rate-limit tokens (less ``paid``, already taken by the middleware); raise
        :class:`RateLimited` if the client has not got them.

        At most a full bucket is charged, ``paid`` included: a request costing more passes when the
        bucket is full, never "429 for ever". A refusal gives ``paid`` back, so that the request's
        Retry-After (when the whole charge will be there) is true when it is retried."""
        if not self.bucket.enabled:
            return
        cost = min(tokens, int(self.bucket.burst)) - paid
        if cost > 0 and (wait := self.bucket.take(client, cost)) > 0:
            self.bucket.give(client, paid)
            raise RateLimited(wait)

    def cost_of(self, item: ArticleIn) -> int:
        """What analysing ``item`` costs before it is read: a text over the limit costs one token (it is
        refused with 413 at once), a fetched page one token until its text is known."""
        chars = item.text_length() if item.text is not None else len(item.html or "")
        if chars > self.settings.max_text_chars and item.text is not None:
            return 1
        return self.cost(chars)

    # Runs in an analysis thread.
    def read(self, item: ArticleIn) -> Article:
        settings = self.settings
        limit = settings.max_text_chars
        if item.url is not None:
            from spinscope.readers.url import check_url, fetch_url

            url = item.url.strip()
            options: dict[str, Any] = {
                "allow_private": settings.allow_private_urls,
                "allow_hosts": settings.fetch_allow_hosts,
            }
            try:
                check_url(url, **options)
            except UnsafeURLError:
                raise
            except FetchError as error:
                raise InvalidURL("url", error.reason) from None
            article = fetch_url(url, timeout=settings.fetch_timeout, max_bytes=settings.max_fetch_bytes, **options)
        elif item.html is not None:
            from spinscope.readers.html import read_html

            article = read_html(item.html, "html", id="")
            article.source = None
        else:
            from spinscope.readers.text import read_text

            article = read_text(item.text or "", "text", id="")
            article.source = None
        if len(article.text) > limit:
            source = article.source if article.source else "text"
            raise TextTooLarge(source, f"too large: {len(article.text):,} characters of text (limit {limit:,})")
        if item.title is not None and item.title.strip():
            article.title = _one_line(item.title)
        if item.outlet is not None and item.outlet.strip():
            article.outlet = _one_line(item.outlet)
        if item.page_url is not None and item.page_url.strip() and item.url is None:
            article.url = item.page_url.strip()
        return article

    def analyze_and_store(self, item: ArticleIn, client: str | None = None) -> dict[str, Any]:
        """Read, analyse and store one article. ``client``: its rate-limit key (a fetched page is charged
        by its text's length once fetched; the permalink counts against the client's share of the store)."""
        article = self.read(item)
        if item.url is not None and client is not None:
            self.charge(client, self.cost(len(article.text)), paid=1)
        analysis = analyze(
            article, engine=item.engine or self.settings.engine, min_score=item.min_score, sensitivity=item.sensitivity
        )
        data = analysis.to_dict()
        return {**data, "permalink": f"/r/{self.store.put(data, client)}"}

    def analyze_batch(self, items: list[ArticleIn], client: str | None = None) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for item in items:
            try:
                with deadline.renewed():  # each article gets the time limit of one analysis
                    results.append(self.analyze_and_store(item, client))
            except InputError as error:
                _status, code, message = classify(error)
                failure = {"error": code, "message": _one_line(message)}
                detail = fetch_detail(error)
                results.append({**failure, "detail": _one_line(detail)} if detail else failure)
            except RateLimited as limited:
                wait = retry_after_header(limited.retry_after)
                results.append({"error": "rate_limited", "message": f"too many requests: try again in {wait} s"})
            except AnalysisStopped as stopped:
                if stopped.why == "cancelled":
                    raise
                results.append({"error": "analysis_timeout", "message": str(stopped)})
            except StoreError as error:
                results.append({"error": "store_unavailable", "message": _one_line(str(error))})
            except Exception:
                log.exception("spinscope: analysis failed")
                results.append({"error": "internal_error", "message": ANALYSIS_FAILED})
        return results

    def close(self) -> None:
        self.store.close()


# ---- middleware -----------------------------------------------------------------------------------------
class CrashGuard:
    """Answer an unexpected exception with the API's 500 JSON, logged here, and do not re-raise it.

    Starlette's own handler for ``Exception`` sends its response and then re-raises, and uvicorn
    closes the connection of any request whose app raised: every 500 cost the client its keep-alive.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if started:  # half a response is out: only closing the connection can tell the client
                raise
            log.exception("spinscope: request failed: %s %s", scope.get("method"), scope.get("path"))
            body = error_body("internal_error", "internal server error")
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add the security headers (and ``Cache-Control: no-store``) to responses that do not set their own."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.defaults = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                added = [(b"content-security-policy", PAGE_CSP.encode("latin-1")), *self.defaults]
                added.append((b"cache-control", b"no-store"))
                headers += [(name, value) for name, value in added if name not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def add_cors(app: FastAPI, origins: tuple[str, ...]) -> None:
    """Let the listed browser-extension origins call the API (outermost, so 429s and 413s reach them too).

    Nothing is added when ``origins`` is empty (the default): browsers then keep other origins' scripts out.
    No credentials, no wildcard, only extension origins (see :func:`check_origins`).
    """
    if origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(check_origins(origins)),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            allow_credentials=False,
            max_age=600,
        )


_EXTENSION_ORIGIN = re.compile(r"(chrome-extension|moz-extension|safari-web-extension)://[A-Za-z0-9-]{1,64}")


def check_origins(origins: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The origins, checked: each must be a browser-extension origin (``chrome-extension://<id>``), else ValueError.

    Web origins and ``*`` are refused: any page could then make a reader's browser send text to the server.
    """
    checked = []
    for origin in origins:
        value = origin.strip().rstrip("/")
        if not _EXTENSION_ORIGIN.fullmatch(value):
            raise ValueError(
                f"not a browser-extension origin: {origin!r} (expected chrome-extension://<id> or moz-extension://<uuid>)"
            )
        checked.append(value)
    return tuple(checked)


# ---- the app ------------------------------------------------------------------------------------------------
def _describe_validation(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    text = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if not location and error.get("type") == "missing":
        return "the request body must be a JSON object"
    if error.get("type") == "extra_forbidden":
        text = "unknown field"
    return f"{'.'.join(location)}: {text}" if location else text


def create_app(settings: Settings | None = None) -> FastAPI:
    """The spinscope web app. Each app has its own store, pool and rate limiter (tests make several)."""
    settings = settings or Settings()
    state = ServerState(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.warm_up:
            await anyio.to_thread.run_sync(state.warm_up)
        try:
            yield
        finally:
            state.close()

    # FastAPI's own /docs page loads Swagger UI from a CDN, which this app's policy
    # (and an offline machine) refuses: it is turned off, and /docs is a plain page
    # rendered here from the same OpenAPI schema (/openapi.json stays available).
    app = FastAPI(
        title="spinscope",
        version=__version__,
        description="Find persuasion techniques, voices, quotes and checkable claims in news articles.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.spinscope = state

    # Outermost first: security headers on everything, then the Host and Origin checks, the body limits, the
    # rate limit, and innermost the crash guard (a 500 that keeps the connection).
    app.add_middleware(CrashGuard)
    app.add_middleware(RateLimit, bucket=state.bucket)
    app.add_middleware(BodyGuard, max_bytes=settings.max_body_bytes, timeout=settings.body_timeout)
    app.add_middleware(OriginCheck, origins=settings.allowed_origins)
    app.add_middleware(HostCheck, hosts=settings.allowed_hosts)
    app.add_middleware(SecurityHeaders)
    add_cors(app, settings.allowed_origins)

    # ---- error handlers: always {"error", "message"} ----
    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = list(exc.errors())
        invalid_json = next((e for e in errors if e.get("type") == "json_invalid"), None)
        if invalid_json is not None:
            detail = (invalid_json.get("ctx") or {}).get("error", "JSON decode error")
            position = invalid_json.get("loc", ("body", "?"))[-1]
            return error_response(422, "invalid_json", f"malformed JSON: {detail} (at character {position})")
        message = "; ".join(_describe_validation(e) for e in errors[:3])
        if len(errors) > 3:
            message += f"; and {len(errors) - 3} more"
        return error_response(422, "invalid_request", message or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed"}
        code = codes.get(exc.status_code, "http_error")
        message = {404: f"no such resource: {request.url.path}", 405: f"{request.method} is not allowed here"}
        text = message.get(exc.status_code, str(exc.detail))
        return error_response(exc.status_code, code, text, dict(exc.headers or {}))

    @app.exception_handler(InputError)
    async def on_input_error(request: Request, exc: InputError) -> Response:
        status, code, message = classify(exc)
        return error_response(status, code, message, detail=fetch_detail(exc))

    @app.exception_handler(Overloaded)
    async def on_overloaded(request: Request, exc: Overloaded) -> Response:
        wait = retry_after_header(exc.retry_after)
        message = f"the server is busy: try again in {wait} s"
        return error_response(503, "overloaded", message, {"Retry-After": wait})

    @app.exception_handler(RateLimited)
    async def on_rate_limited(request: Request, exc: RateLimited) -> Response:
        wait = retry_after_header(exc.retry_after)
        return error_response(429, "rate_limited", f"too many requests: try again in {wait} s", {"Retry-After": wait})

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:  # logged by the server; no traceback out
        headers = {**SECURITY_HEADERS, "content-security-policy": PAGE_CSP, "cache-control": "no-store"}
        return error_response(500, "internal_error", SERVER_FAULT, headers)

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, exc: StoreError) -> Response:
        log.error("spinscope: %s", exc)
        return error_response(503, "store_unavailable", _one_line(str(exc)))

    @app.exception_handler(AnalysisStopped)
    async def on_stopped(request: Request, exc: AnalysisStopped) -> Response:
        if exc.why == "cancelled":  # nobody is listening any more; this goes to the access log only
            return error_response(499, "client_closed_request", str(exc))
        return error_response(503, "analysis_timeout", str(exc))

    async def run_analysis(request: Request, function: Any, *args: Any) -> Any:
        """``function(*args)`` in the pool, stopped at the time limit, and dropped (queued) or stopped
        (running) as soon as the client disconnects: its work would be thrown away."""
        cancel = threading.Event()
        outcome: list[Any] = []

        async def watch(scope: anyio.CancelScope) -> None:
            await wait_for_disconnect(request.receive)
            cancel.set()  # a running analysis stops at its next checkpoint
            scope.cancel()  # a queued one never starts

        async with anyio.create_task_group() as group:
            group.start_soon(watch, group.cancel_scope)
            try:
                outcome.append(
                    await state.pool.run(function, *args, time_limit=settings.analysis_timeout, cancel=cancel)
                )
            except Exception as error:  # re-raised below, outside the task group (no exception group)
                outcome.append(error)
            group.cancel_scope.cancel()
        if not outcome:
            raise AnalysisStopped("cancelled", "the request was cancelled (the client went away)")
        result = outcome[0]
        if isinstance(result, InputError | Overloaded | RateLimited | AnalysisStopped | StoreError):
            raise result
        if isinstance(result, Exception):
            log.error("spinscope: analysis failed", exc_info=result)
            return error_response(500, "internal_error", ANALYSIS_FAILED)
        return result

    # ---- API ----
    @app.post(
        "/api/analyze",
        summary="Analyse one article",
        response_model=AnalysisOut,
        responses=_errors(400, 403, 413, 415, 422, 429, 502, 503),
        tags=["analysis"],
    )
    async def api_analyze(request: Request, article: ArticleIn) -> Response:
        """Analyse text, a page's HTML, or a URL (fetched by the server; private addresses are refused).

        Returns the `spinscope/1` analysis JSON and a `permalink` (`/r/<id>`)
        under which it is kept (the newest 1,000 results, for 30 days, by default).
        Long texts cost more of the rate limit: one request per 10,000 characters begun.
        """
        client = client_key(request.scope)
        limit = settings.max_text_chars
        length = article.text_length()  # after line-end normalisation, as read() counts
        if length > limit:  # 413 before any rate charge: retrying is futile
            raise TextTooLarge("text", f"too large: {length:,} characters (limit {limit:,})")
        state.charge(client, state.cost_of(article), paid=request.scope.get("state", {}).get(RATE_PAID, 0))
        result = await run_analysis(request, state.analyze_and_store, article, client)
        return result if isinstance(result, Response) else JSONResponse(result)

    @app.post(
        "/api/analyze/batch",
        summary="Analyse up to 20 articles",
        response_model=BatchOut,
        responses=_errors(403, 413, 415, 422, 429, 503),
        tags=["analysis"],
    )
    async def api_analyze_batch(request: Request, batch: BatchIn) -> Response:
        """Analyse 1 to 20 articles, in order. A bad article gives `{"error": ..., "message": ...}` in its place.

        A batch counts as one request per article (per 10,000 characters begun) against the rate limit.
        """
        client = client_key(request.scope)
        paid = request.scope.get("state", {}).get(RATE_PAID, 0)
        state.charge(client, sum(state.cost_of(a) for a in batch.articles), paid=paid)
        result = await run_analysis(request, state.analyze_batch, batch.articles, client)
        return result if isinstance(result, Response) else JSONResponse({"results": result})

    @app.get("/api/techniques", summary="The 14 persuasion techniques", tags=["reference"])
    async def api_techniques() -> list[dict[str, str]]:
        """Ids (the SemEval-2020 Task 11 labels), names, definitions, examples and report colours."""
        return [
            {"id": t.id, "name": t.name, "definition": t.definition, "example": t.example, "colour": t.colour}
            for t in TECHNIQUES
        ]

    def stored(result_id: str) -> dict[str, Any]:
        data = state.store.get(result_id)
        if data is None:
            raise StarletteHTTPException(404)
        return data

    # the reader's wrong / missed marks, exported for an annotation tool (server/marks.py)
    from spinscope.server.marks import marks_router

    app.include_router(marks_router(stored))

    @app.get(
        "/api/result/{result_id}",
        summary="A stored analysis",
        response_model=AnalysisOut,
        responses=_errors(404, 429),
        tags=["analysis"],
    )
    def api_result(result_id: str) -> Response:
        return JSONResponse({**stored(result_id), "permalink": f"/r/{result_id}"})

    @app.get("/healthz", summary="Health and loaded models", response_model=HealthOut, tags=["reference"])
    async def healthz() -> Response:
        models = state.models or await anyio.to_thread.run_sync(state.warm_up)
        queue = {"pending": state.pool.pending, "capacity": state.pool.capacity, "threads": state.pool.threads}
        store = await anyio.to_thread.run_sync(state.store.health)
        status = "degraded" if store["state"] == "unavailable" else "ok"
        body = {
            "status": status,
            "version": __version__,
            "engine": settings.engine,
            "models": models,
            "queue": queue,
            "store": store,
        }
        return JSONResponse(body, 503 if status != "ok" else 200)

    # ---- pages ----
    @app.get("/", include_in_schema=False)
    def index() -> HTMLResponse:
        return render_page("index.html.j2", engine=settings.engine, max_chars=settings.max_text_chars)

    @app.get("/r/{result_id}.json", include_in_schema=False)
    def result_json(result_id: str) -> Response:
        body = json.dumps(stored(result_id), ensure_ascii=False, indent=2) + "\n"
        return Response(body, media_type="application/json", headers={"Cache-Control": "private, max-age=3600"})

    def report_fragment(data: dict[str, Any]) -> Markup:
        from spinscope.render.html import render_html

        # our own renderer's output, escaped by its template; only style attributes are renamed
        return Markup(csp_safe_fragment(render_html(data, standalone=False)))

    @app.get("/r/{result_id}", include_in_schema=False)
    def result_page(result_id: str) -> HTMLResponse:
        data = state.store.get(result_id)
        if data is None:
            return render_page("missing.html.j2", status=404, result_id=result_id)
        title = _one_line(str(data.get("title") or "Untitled article"))[:200]
        return render_page("result.html.j2", result_id=result_id, report=report_fragment(data), title=title)

    @app.get("/r/{result_id}/fragment", include_in_schema=False)
    def result_fragment(result_id: str) -> HTMLResponse:
        return render_page("fragment.html.j2", result_id=result_id, report=report_fragment(stored(result_id)))

    @app.get("/r/{result_id}/report.html", include_in_schema=False)
    def result_download(result_id: str) -> Response:
        from spinscope.render.html import render_html

        html = render_html(stored(result_id), standalone=True)
        headers = {
            "Content-Security-Policy": report_download_csp(),
            "Content-Disposition": f'attachment; filename="spinscope-report-{result_id}.html"',
            "Cache-Control": "private, max-age=3600",
        }
        return HTMLResponse(html, headers=headers)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        asset = _assets().get(name)
        if asset is None:
            raise StarletteHTTPException(404)
        return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        asset = _assets()["favicon.svg"]
        return Response(asset.body, media_type=asset.media_type, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return render_page("docs.html.j2", endpoints=_endpoints(app.openapi()), settings=settings)

    return app


def _endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The OpenAPI paths as rows for the offline docs page."""
    examples = {
        "/api/analyze": EXAMPLE_ARTICLE,
        "/api/analyze/batch": {"articles": [EXAMPLE_ARTICLE, {"url": "https://example.org/news/story.html"}]},
    }
    rows = []
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = [
                {"code": code, "description": info.get("description", "")}
                for code, info in sorted(operation.get("responses", {}).items())
            ]
            example = examples.get(path) if method == "post" else None
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "example": json.dumps(example, indent=2) if example else "",
                    "responses": responses,
                }
            )
    return rows


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Run the app under uvicorn (one process; the analysis threads share the models), with the
    connection limits of :func:`spinscope.server.transport.uvicorn_config`."""
    import uvicorn

    from spinscope.server.transport import uvicorn_config

    # The address it listens on is a name it is known by (a LAN address; not 0.0.0.0).
    settings = dataclasses.replace(settings, allowed_hosts=allowed_hosts(settings.allowed_hosts, bound=host))
    # Many requests at once: each model run gets its share of the cores, not all of them.
    os.environ.setdefault("SPINSCOPE_THREADS", str(max(1, (os.cpu_count() or 1) // settings.thread_count)))
    uvicorn.Server(uvicorn_config(create_app(settings), settings, host, port, log_level=log_level)).run()


__all__ = ["MEMORY", "PAGE_CSP", "Settings", "check_origins", "classify", "create_app", "csp_safe_fragment", "serve"]
