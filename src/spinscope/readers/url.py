"""Fetching a news page by URL, safely.

A server that runs spinscope for other people (``spinscope serve``) fetches URLs
that strangers type in, so a URL must not reach what only the server can reach:
its loopback services, the private network, or the cloud metadata service (which
hands out credentials). Server-side request forgery (SSRF) is refused twice:

* before a request, the URL is checked (scheme, metadata host names, literal IPs),
  so that the common cases fail fast with a clear message;
* when connecting, a custom httpcore network backend resolves the host name itself,
  refuses if any address is unsafe, and connects to the very address it checked.
  A second DNS lookup by the socket library could give another answer (DNS
  rebinding: public address when checked, 127.0.0.1 when connected); there is none.

Redirects are followed by hand (at most :data:`MAX_REDIRECTS`), each hop checked
the same way. HTTPS certificates are verified against the host name of the URL,
not the IP connected to (httpcore passes the URL's host as the TLS server name).
"""

from __future__ import annotations

import codecs
import functools
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
from collections.abc import Collection, Iterable
from typing import Any

import httpcore
import httpx

from spinscope import deadline
from spinscope.document import Article
from spinscope.errors import FetchError, InputError, UnsafeURLError
from spinscope.readers.html import read_html
from spinscope.readers.text import one_line, read_text, size_reason

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_REDIRECTS = 5
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BYTES = 5_000_000
ALLOW_PRIVATE_ENV = "SPINSCOPE_ALLOW_PRIVATE_URLS"
USER_AGENT = "spinscope (news article analysis; +https://pypi.org/project/spinscope/)"

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})

# Cloud instance metadata services: refused even with allow_private (nothing to analyse
# there, and credentials to lose). AWS, GCP, Azure, OpenStack, Oracle: 169.254.169.254;
# AWS over IPv6: fd00:ec2::254; AWS ECS tasks: 169.254.170.2; Alibaba: 100.100.100.200.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata", "instance-data"})

_UNIQUE_LOCAL = ipaddress.ip_network("fc00::/7")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_kind(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched ("loopback", "private", ...), or ``None`` if it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return address_kind(embedded)
    if address in METADATA_ADDRESSES:
        return "cloud metadata"
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and address in _UNIQUE_LOCAL:
        return "unique-local"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        return "non-public"  # e.g. 100.64.0.0/10, carrier-grade NAT
    return None


def _env_allows_private() -> bool:
    return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


class _Policy:
    """Which addresses may be connected to."""

    def __init__(self, allow_private: bool, allow_hosts: Iterable[str]) -> None:
        self.allow_private = allow_private
        # "[::1]:8080" -> "::1:8080", the form refusal() compares with
        self.allow_hosts = frozenset(host.lower().replace("[", "").replace("]", "") for host in allow_hosts)

    def refusal(self, host: str, port: int, address: IPAddress | None) -> str | None:
        """The kind of address to refuse (see :func:`address_kind`), or ``None`` to allow."""
        host = host.lower().rstrip(".").strip("[]")
        if host in METADATA_HOSTS:
            return "cloud metadata"
        if address is None:
            return None
        kind = address_kind(address)
        if kind is None or kind == "cloud metadata":
            return kind
        if self.allow_private or host in self.allow_hosts or f"{host}:{port}" in self.allow_hosts:
            return None
        return kind


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


class _Refused(Exception):
    """Raised inside the connection pool; :func:`fetch_url` turns it into :class:`UnsafeURLError`."""

    def __init__(self, host: str, address: IPAddress | None, kind: str) -> None:
        self.host, self.address, self.kind = host, address, kind
        super().__init__(f"{host}: {kind} address")

    def reason(self, url: str, hop: str = "") -> str:
        shown = "" if self.address is None or _is_ip_literal(self.host) else f" ({self.host} is {self.address})"
        return f"refusing to fetch {url}{hop}: {self.kind} address{shown}"


class _OutOfTime(Exception):
    """The whole fetch took longer than its deadline (raised inside the pool; see :func:`fetch_url`)."""


class _Budget:
    """One fetch's deadline, for everything it does: connecting, sending, every read, every redirect.

    httpx's timeouts are per operation, so a page sending one byte a second is never cut off.
    Each operation gets what is left of the whole (``_OutOfTime`` when nothing is), and a read
    waits in slices of :data:`SLICE` seconds, checking between them the analysis's time limit
    and cancel flag (:func:`spinscope.deadline.checkpoint`: a server's time limit, a client that
    went away), so that even a page that sends nothing stops at once when its analysis does.
    """

    SLICE = 0.25

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self, timeout: float | None) -> float:
        """Seconds the next operation may take: ``timeout`` or what is left, whichever is less."""
        deadline.checkpoint()
        left = self.end - time.monotonic()
        if left <= 0:
            raise _OutOfTime
        return left if timeout is None else min(timeout, left)


class _BoundedStream(httpcore.NetworkStream):
    """A network stream whose operations fit in the fetch's :class:`_Budget`."""

    def __init__(self, stream: httpcore.NetworkStream, budget: _Budget) -> None:
        self._stream = stream
        self._budget = budget

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        waited = 0.0
        while True:
            step = min(self._budget.left(None), _Budget.SLICE)
            if timeout is not None:
                if waited >= timeout:  # the per-read timeout itself: no data at all for that long
                    raise httpcore.ReadTimeout(f"no data for {timeout:g} s")
                step = min(step, timeout - waited)
            try:
                return self._stream.read(max_bytes, step)
            except httpcore.ReadTimeout:
                waited += step

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._budget.left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(ssl_context, server_hostname, self._budget.left(timeout))
        return _BoundedStream(stream, self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


def _resolve(host: str, port: int, budget: _Budget | None) -> list[Any]:
    """``getaddrinfo`` for a TCP connection, within ``budget``: the look-up cannot be interrupted
    (a resolver can take 5 s a try), so it runs in a daemon thread that is left behind if time runs out."""
    if budget is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    outcome: list[Any] = []
    done = threading.Event()

    def look_up() -> None:
        try:
            outcome.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP))
        except BaseException as exc:  # handed to the fetching thread
            outcome.append(exc)
        finally:
            done.set()

    threading.Thread(target=look_up, name="spinscope-resolve", daemon=True).start()
    while not done.wait(min(budget.left(None), _Budget.SLICE)):
        pass
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return list(outcome[0])


class SafeNetworkBackend(httpcore.SyncBackend):
    """An httpcore backend that resolves host names itself and connects only to allowed addresses
    (within ``budget``, the whole fetch's deadline, when given)."""

    def __init__(self, policy: _Policy, budget: _Budget | None = None) -> None:
        self._policy = policy
        self._budget = budget

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = _resolve(host, port, self._budget)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}") from exc
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        # Refuse if *any* answer is unsafe: a name that resolves to a public and a
        # private address at once is an attack, not a misconfiguration.
        for address in addresses:
            kind = self._policy.refusal(host, port, address)
            if kind is not None:
                raise _Refused(host, address, kind)
        error: Exception = httpcore.ConnectError(f"cannot resolve {host}: no address")
        for address in addresses:
            if self._budget is not None:
                timeout = self._budget.left(timeout)
            try:  # connecting to the checked IP literal: no second lookup
                stream = super().connect_tcp(str(address), port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
                continue
            return stream if self._budget is None else _BoundedStream(stream, self._budget)
        raise error


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default TLS settings (certifi's CA bundle, certificate and host name checks), loaded once."""
    return httpx.create_ssl_context(trust_env=False)


def _client(policy: _Policy, timeout: float, budget: _Budget | None = None) -> httpx.Client:
    transport = httpx.HTTPTransport(verify=_ssl_context(), trust_env=False, retries=0)
    if not isinstance(getattr(transport, "_pool", None), httpcore.ConnectionPool):  # pragma: no cover
        raise RuntimeError("unsupported httpx version: cannot install the SSRF-safe network backend")
    transport._pool.close()
    # httpx's own pool, with our network backend.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=_ssl_context(),
        max_connections=4,
        retries=0,
        network_backend=SafeNetworkBackend(policy, budget),
    )
    return httpx.Client(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=timeout),
        follow_redirects=False,
        trust_env=False,  # no proxies from the environment: we must see the real address
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"},
        event_hooks={"response": [_refuse_odd_redirect]},
    )


class _OddRedirect(Exception):
    """A redirect to a Location that is not an http(s) URL (``mailto:``, ``javascript:``, ``data:``...)."""

    def __init__(self, location: str) -> None:
        self.location = location
        super().__init__(location)


def _refuse_odd_redirect(response: httpx.Response) -> None:
    """Stop before httpx builds the next request from a Location it cannot represent.

    httpx prepares the redirect request even with ``follow_redirects=False``, and for
    ``mailto:x@y`` or ``javascript:...`` that raises ``httpx.InvalidURL``, outside its
    ``HTTPError`` family. Response hooks run first, so the refusal is ours and clear.
    """
    location = response.headers.get("location")
    if response.status_code not in REDIRECT_CODES or location is None:
        return
    scheme = _SCHEME.match(location.strip())
    if scheme is not None and scheme.group(1).lower() not in ("http", "https"):
        raise _OddRedirect(location)


def check_url(url: str, *, allow_private: bool = False, allow_hosts: Collection[str] = ()) -> None:
    """Refuse, before any request, URLs that cannot or must not be fetched.

    Raises :class:`FetchError` (not http/https, no host, invalid) or
    :class:`UnsafeURLError` (a metadata host, or a literal unsafe IP address).
    Host names are checked again, after resolution, when connecting.
    """
    _precheck(url, url, _Policy(allow_private or _env_allows_private(), allow_hosts))


def _precheck(source: str, url: str, policy: _Policy, hop: str = "") -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(source, f"invalid URL {url}: {one_line(exc)}") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(source, f"cannot fetch {url}: only http and https URLs are supported")
    host = parsed.host
    if not host:
        raise FetchError(source, f"invalid URL {url}: no host name")
    try:
        address: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    kind = policy.refusal(host, parsed.port or (443 if parsed.scheme == "https" else 80), address)
    if kind is not None:
        raise UnsafeURLError(source, _Refused(host, address, kind).reason(url, hop))
    return parsed


def fetch_url(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_private: bool = False,
    allow_hosts: Collection[str] = (),
) -> Article:
    """Fetch ``url`` and read the article in it (HTML or plain text).

    ``timeout`` bounds the whole fetch (seconds: the name look-up, connecting, the headers,
    the body, every redirect), however slowly the page trickles in; it also stops when the
    analysis it runs in does (:mod:`spinscope.deadline`: a server's time limit, a client that went away,
    raising :class:`~spinscope.errors.AnalysisStopped`). A body over ``max_bytes``
    is cut off with an :class:`InputError` ("too large"). Loopback, private,
    link-local, unique-local, multicast, reserved and unspecified addresses are
    refused (:class:`UnsafeURLError`) unless ``allow_private`` is true or the
    environment variable ``SPINSCOPE_ALLOW_PRIVATE_URLS=1`` is set; ``allow_hosts``
    allows single hosts (``"intranet.example"``, ``"10.0.0.5"``, ``"127.0.0.1:8080"``)
    instead. Cloud metadata addresses are always refused.

    Raises :class:`FetchError` (HTTP errors, connection failures, too many redirects),
    :class:`InputError` (unsupported content type, too large) and whatever
    :func:`read_html` / :func:`read_text` raise.
    """
    policy = _Policy(allow_private or _env_allows_private(), allow_hosts)
    current = url
    parsed = _precheck(url, url, policy)  # fail fast, before building a client
    with _client(policy, timeout, _Budget(timeout)) as client:
        for hop in range(MAX_REDIRECTS + 1):
            label = "" if hop == 0 else f" (redirect {hop})"
            if hop:
                parsed = _precheck(url, current, policy, label)
            try:
                with client.stream("GET", parsed) as response:
                    if response.status_code in REDIRECT_CODES and "location" in response.headers:
                        current = _redirect_target(url, response)
                        continue
                    return _read_response(url, response, max_bytes)
            except _Refused as refused:
                raise UnsafeURLError(url, refused.reason(current, label)) from None
            except _OddRedirect as odd:
                shown = one_line(odd.location)
                reason = f"cannot fetch {shown} (redirect {hop + 1}): only http and https URLs are supported"
                raise FetchError(url, reason) from None
            except httpx.InvalidURL as exc:  # any other Location httpx cannot build a request from
                raise FetchError(url, f"invalid redirect (redirect {hop + 1}): {one_line(exc)}") from None
            except _OutOfTime:
                raise FetchError(
                    url, f"timed out after {timeout:g} s (the whole page must arrive in that time)"
                ) from None
            except httpx.TimeoutException as exc:
                raise FetchError(url, f"timed out after {timeout:g} s ({type(exc).__name__})") from exc
            except httpx.ConnectError as exc:
                raise FetchError(url, f"could not connect: {one_line(exc) or 'connection failed'}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(url, f"could not fetch: {one_line(exc) or type(exc).__name__}") from exc
    raise FetchError(url, f"too many redirects (more than {MAX_REDIRECTS})")


def _read_response(url: str, response: httpx.Response, max_bytes: int) -> Article:
    if response.status_code >= 300 or response.status_code < 200:
        raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
    content_type = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type and content_type not in HTML_TYPES | TEXT_TYPES:
        raise InputError(
            url,
            f"unsupported content type {content_type} (spinscope reads HTML and plain text)",
            code="unsupported_content",
        )
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise InputError(url, size_reason(int(length), max_bytes), code="text_too_large")
    body = bytearray()
    for chunk in response.iter_bytes():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise InputError(url, size_reason(max_bytes, max_bytes, at_least=True), code="text_too_large")
    data = bytes(body)
    final_url = str(response.url)
    if not content_type:  # no header: sniff
        head = data[:512].lstrip().lower()
        content_type = "text/html" if head.startswith((b"<!doctype html", b"<html")) else "text/plain"
    body_text = _decode_declared(data, response.charset_encoding)
    if content_type in HTML_TYPES:
        return read_html(body_text, url, url=final_url, id="")
    article = read_text(body_text, url, id="")
    article.url = final_url
    return article


def _redirect_target(source: str, response: httpx.Response) -> str:
    location = response.headers["location"]
    try:
        return str(response.url.join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(source, f"invalid redirect to {one_line(location)!r}: {one_line(exc)}") from exc


def _decode_declared(data: bytes, charset: str | None) -> str | bytes:
    """The body as ``str`` when the server declared a charset that fits, else the bytes (detected later).

    Valid UTF-8 stays bytes (detected as UTF-8): servers often declare ISO-8859-1
    by default for pages that are UTF-8.
    """
    if not charset or data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return data
    if name in ("latin-1", "iso8859-1", "ascii"):
        name = "cp1252"  # as browsers do (WHATWG): the "latin-1" label means windows-1252
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        return data
