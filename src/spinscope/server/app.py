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

import dataclasses
import logging
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from spinscope import __version__
from spinscope.errors import AnalysisStopped, InputError
from spinscope.server.assets import PAGE_CSP, csp_safe_fragment
from spinscope.server.errors import ANALYSIS_FAILED, TextTooLarge, add_error_handlers, classify, error_response
from spinscope.server.hosts import HostCheck, OriginCheck, allowed_hosts
from spinscope.server.limits import (
    RATE_PAID,
    BodyGuard,
    Overloaded,
    RateLimit,
    RateLimited,
    client_key,
    wait_for_disconnect,
)
from spinscope.server.middleware import CrashGuard, SecurityHeaders, add_cors, check_origins
from spinscope.server.pages import add_pages
from spinscope.server.schemas import AnalysisOut, ArticleIn, BatchIn, BatchOut, HealthOut, error_responses
from spinscope.server.settings import Settings
from spinscope.server.state import ServerState
from spinscope.server.store import MEMORY, StoreError
from spinscope.techniques import TECHNIQUES

log = logging.getLogger("spinscope.server")


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

    add_error_handlers(app)

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
        responses=error_responses(400, 403, 413, 415, 422, 429, 502, 503),
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
        responses=error_responses(403, 413, 415, 422, 429, 503),
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

    # the reader's wrong / missed marks, exported for an annotation tool (server/marks.py)
    from spinscope.server.marks import marks_router

    app.include_router(marks_router(state.stored))

    @app.get(
        "/api/result/{result_id}",
        summary="A stored analysis",
        response_model=AnalysisOut,
        responses=error_responses(404, 429),
        tags=["analysis"],
    )
    def api_result(result_id: str) -> Response:
        return JSONResponse({**state.stored(result_id), "permalink": f"/r/{result_id}"})

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

    add_pages(app, state)
    return app


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
