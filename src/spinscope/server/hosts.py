"""Which ``Host`` the server answers to: a defence against DNS rebinding.

A page on ``attacker.example`` can make its DNS name point at 127.0.0.1 after loading; the
browser then sends that page's requests to a local ``spinscope serve`` with
``Host: attacker.example``, and the page reads the answers as its own origin (the
server's fetcher included). Answering only the host names the server is known by
(loopback names by default, plus the address it listens on and ``--allowed-host``)
refuses them: 400 ``host_not_allowed``.
"""

from __future__ import annotations

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


__all__ = ["ANY_HOST", "LOOPBACK_HOSTS", "HostCheck", "allowed_hosts", "host_name"]
