"""Which ``Host`` the server answers to: a defence against DNS rebinding.

A page on ``attacker.example`` can make its DNS name point at 127.0.0.1 after loading; the
browser then sends that page's requests to a local ``spinscope serve`` with
``Host: attacker.example``, and the page reads the answers as its own origin (the
server's fetcher included). Answering only the host names the server is known by
(loopback names by default, plus the address it listens on and ``--allowed-host``)
refuses them: 400 ``host_not_allowed``.

Which ``Origin`` may change state: a page on another origin can still make a browser POST
to the server (a form, a ``no-cors`` fetch) without reading the answer, spending the
server's fetcher, rate budget and permalink store in the reader's name. A POST whose
``Origin`` is neither the server itself, a browser extension (only the reader can install
one) nor a configured ``--allow-origin`` is refused: 403 ``origin_not_allowed``. A request
with no ``Origin`` (curl, scripts) is not a browser page's and passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spinscope.server.limits import ASGIApp, Receive, Scope, Send, send_error

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
ANY_HOST = "*"
_WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::", "*"})


def host_name(value: str) -> str:
    """``"Example.org:8000"`` -> ``"example.org"``, ``"[::1]:8000"`` -> ``"::1"`` (no port, lower case)."""
    value = value.strip().lower().rstrip(".")
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    if value.count(":") == 1:  # a port (a bare IPv6 address has several colons)
        return value.split(":", 1)[0].rstrip(".")
    return value


def allowed_hosts(extra: Iterable[str] = (), bound: str | None = None) -> tuple[str, ...]:
    """The loopback names, the address the server is bound to (unless it is a wildcard) and ``extra``."""
    names = [*LOOPBACK_HOSTS, *(host_name(h) if h.strip() != ANY_HOST else ANY_HOST for h in extra)]
    if bound is not None and bound.strip() not in _WILDCARD_BINDS:
        names.append(host_name(bound))
    return tuple(dict.fromkeys(name for name in names if name))


class HostCheck:
    """Answer 400 ``host_not_allowed`` to HTTP requests whose ``Host`` is not in ``hosts`` (``"*"``: any)."""

    def __init__(self, app: ASGIApp, *, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(host_name(h) if h != ANY_HOST else ANY_HOST for h in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ANY_HOST not in self.hosts:
            given = next((v.decode("latin-1") for k, v in scope.get("headers") or () if k.lower() == b"host"), "")
            if host_name(given) not in self.hosts:
                shown = " ".join(given.split())[:100] or "(none)"
                message = (
                    f"Host {shown} is not allowed: this server answers to {', '.join(sorted(self.hosts))} "
                    f"(start it with --allowed-host NAME to add one)"
                )
                await send_error(send, 400, "host_not_allowed", message)
                return
        await self.app(scope, receive, send)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_EXTENSION_SCHEME = re.compile(r"^(chrome-extension|moz-extension|safari-web-extension)://", re.IGNORECASE)
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _header(scope: Scope, name: bytes) -> str | None:
    return next((v.decode("latin-1") for k, v in scope.get("headers") or () if k.lower() == name), None)


def _name_and_port(netloc: str) -> tuple[str, str]:
    """``"[::1]:8000"`` -> ``("::1", "8000")``, ``"Example.org"`` -> ``("example.org", "")``."""
    value = netloc.strip().lower()
    if value.startswith("["):
        name, _, rest = value[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else ""
    if value.count(":") == 1:
        name, port = value.split(":")
        return name.rstrip("."), port
    return value.rstrip("."), ""


def same_origin(origin: str, host: str) -> bool:
    """True when ``origin`` (``http://127.0.0.1:8000``) names the server the request reached (``Host``)."""
    given_scheme, _, rest = origin.partition("://")
    if not rest or given_scheme.lower() not in _DEFAULT_PORTS:
        return False
    origin_name, origin_port = _name_and_port(rest.rstrip("/"))
    host_name_, host_port = _name_and_port(host)
    if not host_port:  # behind a TLS proxy the request arrives as http: a Host without a port names the site
        return origin_name == host_name_
    return (origin_name, origin_port or _DEFAULT_PORTS[given_scheme.lower()]) == (host_name_, host_port)


class OriginCheck:
    """Answer 403 ``origin_not_allowed`` to state-changing requests (POST...) from another origin's page."""

    def __init__(self, app: ASGIApp, *, origins: Iterable[str] = ()) -> None:
        self.app = app
        self.origins = frozenset(origin.strip().rstrip("/").lower() for origin in origins)

    def allowed(self, scope: Scope) -> tuple[bool, str]:
        origin = _header(scope, b"origin")
        if origin is None:  # browsers send Origin with every cross-origin POST; say so if they only sent this
            return _header(scope, b"sec-fetch-site") not in ("cross-site", "same-site"), "(none)"
        value = origin.strip().rstrip("/")
        if value.lower() in self.origins or _EXTENSION_SCHEME.match(value):
            return True, value
        return same_origin(value, _header(scope, b"host") or ""), value

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method", "GET").upper() not in _SAFE_METHODS:
            ok, origin = self.allowed(scope)
            if not ok:
                shown = " ".join(origin.split())[:100]
                message = (
                    f"a {scope.get('method')} from another origin ({shown}) is refused: only this server's own "
                    "pages, browser extensions and --allow-origin origins may send one"
                )
                await send_error(send, 403, "origin_not_allowed", message)
                return
        await self.app(scope, receive, send)


__all__ = ["ANY_HOST", "LOOPBACK_HOSTS", "HostCheck", "OriginCheck", "allowed_hosts", "host_name", "same_origin"]
