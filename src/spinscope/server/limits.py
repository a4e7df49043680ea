"""What keeps one client from taking the server down: body size, rate and queue limits.

Three pieces, all in-process (one server process holds the models, the queue and
the buckets; run one process per machine and let the thread pool use the cores):

* :class:`BodyGuard`, an ASGI middleware that refuses a request body over a size
  (by its ``Content-Length`` and by counting the bytes as they stream in), a body
  that takes too long to arrive, a POST to the API that is not JSON (415),
  JSON that is not UTF-8 (400) and JSON nested too deeply (422). It reads the body
  once and replays it to the app.
* :class:`RateLimit`, an ASGI middleware with a token bucket per client address
  (IPv6 clients share a bucket per /64, since one host usually holds a whole /64);
  an analysis is charged by its text's length too (:func:`text_cost`).
* :class:`AnalysisPool`, which runs analyses in worker threads (off the event
  loop; onnxruntime releases the GIL), refuses work when its queue is full
  (:class:`Overloaded`, answered with 503 and ``Retry-After``), stops an analysis
  at its time limit, and drops or stops the work of a client that went away.

The connection-level limits (header-read timeout, keep-alive, connection cap) are
uvicorn's, set in :mod:`spinscope.server.transport`.

Every refusal is the API's error shape: ``{"error": "<code>", "message": "<one line>"}``.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import numpy as np

from spinscope import deadline
from spinscope.errors import AnalysisStopped
from spinscope.readers.text import human_sizes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
T = TypeVar("T")

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DRAIN_FACTOR = 4  # an oversized body up to 4x the limit is read and dropped, so the client sees the 413


def error_body(code: str, message: str, detail: str | None = None) -> bytes:
    """The API's error JSON; ``detail``, when given, is the exact technical reason behind a plain message."""
    body = {"error": code, "message": " ".join(message.split())}
    if detail:
        body["detail"] = " ".join(detail.split())
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


async def send_error(
    send: Send, status: int, code: str, message: str, headers: dict[str, str] | None = None, *, close: bool = False
) -> None:
    """Send a complete JSON error response straight from ASGI middleware."""
    body = error_body(code, message)
    raw = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode("ascii")),
        (b"cache-control", b"no-store"),
    ]
    raw += [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in (headers or {}).items()]
    if close:
        raw.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body, "more_body": False})


MAX_JSON_DEPTH = 32  # the API's bodies nest 3 levels deep
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON body nest (brackets inside strings do not count), in linear
    time; a body with too few brackets to pass :data:`MAX_JSON_DEPTH` gives 0 or 1 without a scan."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return 0 if b"[" not in body and b"{" not in body else 1  # cannot nest deeper than the limit
    brackets = np.frombuffer(b"".join(_JSON_BRACKET.findall(_JSON_STRING.sub(b"", body))), dtype=np.uint8)
    if not len(brackets):
        return 0
    steps = np.where((brackets == ord("[")) | (brackets == ord("{")), 1, -1)
    return int(np.cumsum(steps).max())


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def is_json_type(content_type: str | None) -> bool:
    """``application/json`` or ``application/<something>+json``, with or without parameters."""
    if not content_type:
        return False
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def _too_large(size: int | None, limit: int) -> str:
    """``size`` unknown (no Content-Length): "more than" the limit."""
    shown, limit_shown = human_sizes(limit if size is None else size, limit)
    return f"request body too large: {'more than ' if size is None else ''}{shown} (limit {limit_shown})"


class BodyGuard:
    """Read a request body once, within limits, and replay it to the app.

    ``max_bytes``: larger bodies get 413 ``body_too_large`` (a declared
    ``Content-Length`` over it is refused before reading; a body up to
    ``DRAIN_FACTOR`` times the limit is still read and dropped so that the
    client, which is usually still sending, reads the 413 instead of a reset
    connection). ``timeout``: seconds the whole body may take (408).
    ``json_prefixes``: POSTs under these paths must be ``application/json``
    (415 ``unsupported_media_type``) in UTF-8 (400 ``binary_input``).
    """

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, timeout: float = 30.0, json_prefixes: tuple[str, ...] = ("/api/",)
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.json_prefixes = json_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = _header(scope, b"content-length")
        length = int(declared) if declared and declared.isdigit() else None
        if length is not None and length > limit * DRAIN_FACTOR:
            await send_error(send, 413, "body_too_large", _too_large(length, limit), close=True)
            return
        body = bytearray()
        received = 0
        more = True
        try:
            with anyio.fail_after(self.timeout):
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client went away: nothing to answer
                    chunk = message.get("body", b"")
                    received += len(chunk)
                    more = bool(message.get("more_body", False))
                    if received <= limit:
                        body.extend(chunk)
                    elif received > limit * DRAIN_FACTOR:
                        break
        except TimeoutError:
            await send_error(send, 408, "request_timeout", f"the request body took over {self.timeout:g} s", close=True)
            return
        if received > limit or (length is not None and length > limit):
            await send_error(send, 413, "body_too_large", _too_large(length, limit), close=more)
            return
        path = scope.get("path", "")
        if scope.get("method") == "POST" and path.startswith(self.json_prefixes):
            content_type = _header(scope, b"content-type")
            if not is_json_type(content_type):
                given = content_type.split(";", 1)[0].strip() if content_type else "none"
                message_text = f"send JSON with Content-Type: application/json (got {given})"
                await send_error(send, 415, "unsupported_media_type", message_text)
                return
            try:
                bytes(body).decode("utf-8")
            except UnicodeDecodeError:
                await send_error(send, 400, "binary_input", "the request body is not UTF-8 text (JSON must be UTF-8)")
                return
            depth = json_depth(bytes(body))
            if depth > MAX_JSON_DEPTH:  # the JSON parser would recurse past Python's limit (a 400 http_error)
                message_text = f"malformed JSON: nested {depth} levels deep (limit {MAX_JSON_DEPTH})"
                await send_error(send, 422, "invalid_json", message_text)
                return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def client_key(scope: Scope) -> str:
    """The rate-limit key of a request: its client address (an IPv6 /64 for IPv6 clients)."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address.ipv4_mapped or address) if isinstance(address, ipaddress.IPv6Address) else str(address)


class TokenBucket:
    """Per-key token buckets: ``burst`` tokens at most, refilled at ``per_minute`` a minute.

    ``per_minute <= 0`` turns limiting off. Thread-safe; buckets that have
    refilled completely are forgotten (their state is the same as a new one's)
    when the table grows past ``max_keys``.
    """

    def __init__(self, per_minute: float, burst: int, max_keys: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, key: str, cost: float = 1.0) -> float:
        """Take ``cost`` tokens: 0.0 when allowed, else the seconds until they would be there.

        A cost over ``burst`` is charged ``burst``: a bucket can never hold more, and a request
        that could never pass would be told to retry for ever. It passes when the bucket is full."""
        if not self.enabled:
            return 0.0
        cost = min(cost, self.burst)
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= cost:
                self._buckets[key] = (tokens - cost, now)
                if len(self._buckets) > self.max_keys:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (cost - tokens) / self.rate

    def give(self, key: str, tokens: float) -> None:
        """Give back ``tokens`` taken for a request that was refused later (it then cost nothing)."""
        if not self.enabled or tokens <= 0:
            return
        now = time.monotonic()
        with self._lock:
            held, last = self._buckets.get(key, (self.burst, now))
            self._buckets[key] = (min(self.burst, held + (now - last) * self.rate + tokens), now)

    def _forget_full(self, now: float) -> None:
        full = [k for k, (tokens, last) in self._buckets.items() if tokens + (now - last) * self.rate >= self.burst]
        for key in full:
            del self._buckets[key]

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


class RateLimited(Exception):
    """Raised by an endpoint that charges more than one token (a batch)."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"rate limited: retry after {retry_after:.1f} s")


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds))) if math.isfinite(seconds) else "60"


RATE_PAID = "rate_paid"  # scope["state"] key: tokens RateLimit took for a request whose endpoint charges the rest


class RateLimit:
    """Charge one token per request under ``prefixes``; answer 429 ``rate_limited`` when a bucket is empty.

    ``priced``: POSTs to these paths cost more than one token, by their size, which only their
    endpoint knows. They are not refused here: a 429 here could only say when one token is back,
    and the request, retried then, would be refused again. The token is taken if it is there
    (``scope["state"]["rate_paid"]``: 1, else 0) and the endpoint charges the rest, or the whole,
    with a ``Retry-After`` for the whole."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        bucket: TokenBucket,
        prefixes: tuple[str, ...] = ("/api/", "/r/"),
        priced: tuple[str, ...] = ("/api/analyze", "/api/analyze/batch"),
    ) -> None:
        self.app = app
        self.bucket = bucket
        self.prefixes = prefixes
        self.priced = frozenset(priced)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.bucket.enabled and scope.get("path", "").startswith(self.prefixes):
            wait = self.bucket.take(client_key(scope))
            if scope.get("method") == "POST" and scope.get("path", "").rstrip("/") in self.priced:
                scope.setdefault("state", {})[RATE_PAID] = 0 if wait > 0 else 1
            elif wait > 0:
                message = f"too many requests: try again in {retry_after_header(wait)} s"
                await send_error(send, 429, "rate_limited", message, {"Retry-After": retry_after_header(wait)})
                return
        await self.app(scope, receive, send)


def text_cost(chars: int, chars_per_token: int) -> int:
    """Rate-limit tokens an analysis of ``chars`` characters costs: one per ``chars_per_token`` begun
    (a 200,000-character text is 20 short ones' worth of work, and is charged so)."""
    return max(1, math.ceil(chars / chars_per_token)) if chars_per_token > 0 else 1


async def wait_for_disconnect(receive: Receive) -> None:
    """Return when the client has gone away (call once the request body has been read)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class Overloaded(Exception):
    """The analysis queue is full."""

    code = "overloaded"
    status = 503

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__("the server is busy")


class AnalysisPool:
    """Run analyses in at most ``threads`` worker threads, with at most ``queue_size`` more waiting.

    :meth:`run` raises :class:`Overloaded` at once when the queue is full rather
    than letting requests pile up (each waiting request holds its text in memory).
    """

    def __init__(self, threads: int, queue_size: int) -> None:
        self.threads = max(1, threads)
        self.capacity = self.threads + max(0, queue_size)
        self.pending = 0
        self._limiter: anyio.CapacityLimiter | None = None
        self._seconds = 0.5  # running mean of a job's run time (not its wait), for Retry-After

    def _capacity_limiter(self) -> anyio.CapacityLimiter:
        if self._limiter is None:  # made lazily: it must belong to the running event loop
            self._limiter = anyio.CapacityLimiter(self.threads)
        return self._limiter

    def retry_after(self) -> float:
        return max(1.0, self._seconds * self.pending / self.threads)

    async def run(
        self,
        function: Callable[..., T],
        *args: Any,
        time_limit: float | None = None,
        cancel: threading.Event | None = None,
    ) -> T:
        """``function(*args)`` in a worker thread. ``time_limit`` (seconds of running, not waiting) and
        ``cancel`` stop it at its next checkpoint (:mod:`spinscope.deadline`) with ``AnalysisStopped``;
        cancelling the calling task while the job waits for a thread drops it without running it."""
        if self.pending >= self.capacity:
            raise Overloaded(self.retry_after())
        self.pending += 1

        def timed() -> T:
            if cancel is not None and cancel.is_set():  # given up while queued
                raise AnalysisStopped("cancelled", "the request was cancelled (the client went away)")
            start = time.monotonic()
            try:
                with deadline.time_limit(time_limit, cancel):
                    return function(*args)
            finally:
                self._seconds = 0.8 * self._seconds + 0.2 * (time.monotonic() - start)

        try:
            return await anyio.to_thread.run_sync(timed, limiter=self._capacity_limiter())
        finally:
            self.pending -= 1


__all__ = [
    "RATE_PAID",
    "AnalysisPool",
    "BodyGuard",
    "Overloaded",
    "RateLimit",
    "RateLimited",
    "TokenBucket",
    "client_key",
    "error_body",
    "is_json_type",
    "json_depth",
    "retry_after_header",
    "send_error",
    "text_cost",
    "wait_for_disconnect",
]
