"""Connection-level limits for ``spinscope serve``: uvicorn's settings and a header-read timeout.

uvicorn holds a connection whose request headers never finish for as long as the client
likes (its keep-alive timer only starts after a response), so a few hundred half-open
connections would stay open for good. :func:`header_timeout_protocol` wraps uvicorn's HTTP
protocol class with a timer: a connection that has not sent a complete request head within
``header_timeout`` seconds of opening (or of its previous response) is closed.
:func:`uvicorn_config` adds the keep-alive timeout, a cap on connections and a share of it per
client address (:func:`client_cap_protocol`: the API's JSON 503 past either; uvicorn's own
cap answered plain text), and trusts
``X-Forwarded-For`` only from the proxies it is told of: by default no one, so a client
cannot pick its own rate-limit key.
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


def _over_cap_response(limit: int, everyone: bool = False) -> bytes:
    from spinscope.server.limits import error_body

    if everyone:
        message = f"the server has too many open connections (limit {limit}): try again in a few seconds"
    else:
        message = f"too many connections from your address (limit {limit}): close some and try again"
    body = error_body("too_many_connections", message)
    head = (
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nretry-after: 5\r\ncache-control: no-store\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def client_cap_protocol(limit: int, base: type, exempt: frozenset[str] = frozenset(), total: int = 0) -> type:
    """``base`` with at most ``limit`` open connections per client address (an IPv6 client: per /64;
    0: no per-address cap) and ``total`` in all (0: none).

    uvicorn's connection cap is shared by everyone, so one address holding it (half-open
    connections, each within the header timeout) would leave every other client a 503.
    A connection past an address's share is answered 503 ``too_many_connections`` at once
    and closed without reaching uvicorn, so it does not count against the others either.
    ``exempt``: addresses not capped (trusted proxies, through which everyone comes).
    """
    from spinscope.server.limits import client_key

    parent: Any = base
    counts: dict[str, int] = {}  # one table per server (per call), touched only on its event loop
    refusal = _over_cap_response(limit)
    full = _over_cap_response(total, everyone=True)

    class ClientCapProtocol(parent):  # type: ignore[misc, valid-type]
        _cap_key: str | None = None
        _refused = False

        def connection_made(self, transport: Any) -> None:
            if total and len(self.connections) >= total:  # uvicorn's own count of open connections
                self._refuse(transport, full)
                return
            peer = transport.get_extra_info("peername")
            key = client_key({"client": peer}) if isinstance(peer, tuple) and peer else None
            if limit and key is not None and key not in exempt:
                if counts.get(key, 0) >= limit:
                    self._refuse(transport, refusal)
                    return
                counts[key] = counts.get(key, 0) + 1
                self._cap_key = key
            super().connection_made(transport)

        def _refuse(self, transport: Any, answer: bytes) -> None:
            self._refused = True
            transport.write(answer)
            # Half-close and wait a moment before closing: closing with the client's request unread would
            # reset the connection, and the client might never read the 503.
            if transport.can_write_eof():
                transport.write_eof()
            asyncio.get_running_loop().call_later(1.0, transport.close)

        def data_received(self, data: bytes) -> None:
            if not self._refused:
                super().data_received(data)

        def eof_received(self) -> Any:
            return None if self._refused else super().eof_received()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._refused:
                return
            key, self._cap_key = self._cap_key, None
            if key is not None:
                counts[key] -= 1
                if counts[key] <= 0:
                    del counts[key]
            super().connection_lost(exc)

    return ClientCapProtocol


def uvicorn_config(
    app: Any, settings: Settings, host: str = "127.0.0.1", port: int = 8000, **options: Any
) -> uvicorn.Config:
    """The uvicorn configuration ``spinscope serve`` runs ``app`` with (``options`` override it)."""
    import uvicorn

    trusted = settings.forwarded_allow_ips
    protocol = header_timeout_protocol(settings.header_timeout)
    per_client = settings.connections_per_client
    proxies = {address.strip() for address in (trusted or "").split(",") if address.strip()}
    if "*" in proxies:  # behind a trusted proxy every client has the proxy's address
        per_client = 0
    # Both caps are ours, answered with the API's JSON 503 (uvicorn's limit_concurrency answers plain text).
    protocol = client_cap_protocol(per_client, protocol, frozenset(proxies), total=settings.max_connections)
    values: dict[str, Any] = {
        "host": host,
        "port": port,
        "server_header": False,
        "http": protocol,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "limit_concurrency": None,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }
    values.update(options)
    return uvicorn.Config(app, **values)


__all__ = ["client_cap_protocol", "header_timeout_protocol", "uvicorn_config"]
