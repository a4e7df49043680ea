"""The app's own middleware: the crash guard, the security headers and CORS for browser extensions."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI

from spinscope.server.assets import PAGE_CSP, SECURITY_HEADERS
from spinscope.server.limits import error_body

log = logging.getLogger("spinscope.server")


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
