"""Connection-level limits for ``spinscope serve``: uvicorn's settings and a header-read timeout.

uvicorn holds a connection whose request headers never finish for as long as the client
likes (its keep-alive timer only starts after a response), so a few hundred half-open
connections would stay open for good. :func:`header_timeout_protocol` wraps uvicorn's HTTP
protocol class with a timer: a connection that has not sent a complete request head within
``header_timeout`` seconds of opening (or of its previous response) is closed.
:func:`uvicorn_config` adds the keep-alive timeout, a cap on connections (uvicorn answers
503 past it) and trusts ``X-Forwarded-For`` only from the proxies it is told of: by default
no one, so a client cannot pick its own rate-limit key.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

    from spinscope.server.settings import Settings


def _base_protocol() -> type:
    """uvicorn's own choice for ``http="auto"``: httptools when installed, else h11."""
    try:
        import httptools  # noqa: F401
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return HttpToolsProtocol
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return H11Protocol


def header_timeout_protocol(seconds: float, base: type | None = None) -> type:
    """``base`` (uvicorn's HTTP protocol class) with a deadline for each request's head."""
    parent: Any = base or _base_protocol()

    class HeaderTimeoutProtocol(parent):  # type: ignore[misc, valid-type]
        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._arm_head_timer()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._in_request():
                self._disarm_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and not self._in_request():
                self._arm_head_timer()  # the next request's head gets the same time

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_head_timer()
            super().connection_lost(exc)

        def _in_request(self) -> bool:
            cycle = getattr(self, "cycle", None)  # set by uvicorn once a request's head is complete
            return cycle is not None and not cycle.response_complete

        def _arm_head_timer(self) -> None:
            self._disarm_head_timer()
            self._head_timer = self.loop.call_later(seconds, self._head_timed_out)

        def _disarm_head_timer(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_timed_out(self) -> None:
            self._head_timer = None
            if not self._in_request() and not self.transport.is_closing():
                self.transport.close()

    return HeaderTimeoutProtocol


def uvicorn_config(
    app: Any, settings: Settings, host: str = "127.0.0.1", port: int = 8000, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration ``spinscope serve`` runs ``app`` with (``options`` override it)."""
    import uvicorn

    trusted = settings.forwarded_allow_ips
    values: dict[str, Any] = {
        "host": host,
        "port": port,
        "server_header": False,
        "http": header_timeout_protocol(settings.header_timeout),
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": settings.max_connections or None,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }
    values.update(options)
    return uvicorn.Config(app, **values)


__all__ = ["header_timeout_protocol", "uvicorn_config"]
