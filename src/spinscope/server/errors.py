"""The API's errors: the exceptions only the server raises, their status, code and message, and the
handlers that answer every error as JSON ``{"error", "message"}``."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from spinscope.errors import (
    AnalysisStopped,
    FetchError,
    InputError,
    UnsafeURLError,
)
from spinscope.messages import for_people
from spinscope.server.assets import PAGE_CSP, SECURITY_HEADERS
from spinscope.server.limits import Overloaded, RateLimited, error_body, retry_after_header
from spinscope.server.store import StoreError

log = logging.getLogger("spinscope.server")


class TextTooLarge(InputError):
    """The text is longer than the server's limit."""

    code = "text_too_large"
    status = 413


class InvalidURL(InputError):
    """Not an http(s) URL with a host."""

    code = "invalid_url"


def classify(error: InputError) -> tuple[int, str, str]:
    """(HTTP status, stable code, one-line message) for an input error: the status and code it carries.

    The message is the error's reason, prefixed with the URL for a fetched page
    (pasted text has no name worth showing: its "source" is a field name or a hash);
    a failed fetch is said in plain words (:func:`fetch_detail` keeps the exact reason).
    """
    if isinstance(error, UnsafeURLError):
        return error.status, error.code, for_people(error, "web")[0]
    if isinstance(error, FetchError):
        plain, _detail = for_people(error, "web")
        return error.status, error.code, plain[:1].upper() + plain[1:] + ("" if plain.endswith(".") else ".")
    reason = error.reason
    message = str(error) if re.match(r"https?://", error.source or "", re.IGNORECASE) else reason
    return error.status, error.code, message


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


def one_line(value: str) -> str:
    return " ".join(value.split())


def _describe_validation(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part != "body"]
    text = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    if not location and error.get("type") == "missing":
        return "the request body must be a JSON object"
    if error.get("type") == "extra_forbidden":
        text = "unknown field"
    return f"{'.'.join(location)}: {text}" if location else text


def add_error_handlers(app: FastAPI) -> None:
    """Answer every error as JSON ``{"error", "message"}`` with its status."""

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
        return error_response(exc.status, exc.code, message, {"Retry-After": wait})

    @app.exception_handler(RateLimited)
    async def on_rate_limited(request: Request, exc: RateLimited) -> Response:
        wait = retry_after_header(exc.retry_after)
        message = f"too many requests: try again in {wait} s"
        return error_response(exc.status, exc.code, message, {"Retry-After": wait})

    @app.exception_handler(Exception)
    async def on_crash(request: Request, exc: Exception) -> Response:  # logged by the server; no traceback out
        headers = {**SECURITY_HEADERS, "content-security-policy": PAGE_CSP, "cache-control": "no-store"}
        return error_response(500, "internal_error", SERVER_FAULT, headers)

    @app.exception_handler(StoreError)
    async def on_store_error(request: Request, exc: StoreError) -> Response:
        log.error("spinscope: %s", exc)
        return error_response(exc.status, exc.code, one_line(str(exc)))

    @app.exception_handler(AnalysisStopped)
    async def on_stopped(request: Request, exc: AnalysisStopped) -> Response:
        # cancelled: nobody is listening any more; its 499 goes to the access log only
        return error_response(exc.status, exc.code, str(exc))
