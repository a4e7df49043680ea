"""What ``spinscope serve`` can be told (:class:`Settings`), apart from the app that uses it, so that the
transport (:mod:`spinscope.server.transport`) and the app both read it without importing each other."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Settings:
    """Everything ``spinscope serve`` can be told. The defaults suit one machine serving a few people."""

    engine: Literal["model", "fast", "rules"] = "model"
    db_path: str | Path | None = None  # None: $SPINSCOPE_DB or ~/.cache/spinscope/results.sqlite3; ":memory:"
    threads: int = 0  # analysis threads; 0: one per CPU core
    queue_size: int = 16  # analyses that may wait for a thread; more get 503
    max_body_bytes: int = 6_000_000
    max_text_chars: int = 200_000  # about 33,000 words; a long feature is 10,000
    rate_per_minute: float = 60.0  # per client address, for /api/ and /r/; 0 turns rate limiting off
    rate_burst: int = 30
    fetch_timeout: float = 10.0
    max_fetch_bytes: int = 5_000_000
    fetch_allow_hosts: tuple[str, ...] = ()  # hosts allowed although private ("intranet:8080"); tests
    allow_private_urls: bool = False
    max_results: int = 1000
    max_results_per_client: int = 100  # permalinks one client address keeps; its older ones go first
    retention_days: float = 30.0
    body_timeout: float = 30.0
    analysis_timeout: float = 120.0  # seconds one analysis may run (not wait); 0: no limit
    rate_chars_per_token: int = 10_000  # an analysis costs one rate-limit token per 10,000 characters begun
    header_timeout: float = 10.0  # seconds a connection has to send a request's head
    keep_alive_timeout: int = 5  # seconds an idle keep-alive connection stays open
    max_connections: int = 256  # open connections (and requests) at once; uvicorn answers 503 past it
    max_connections_per_client: int | None = None  # per client address; None: a quarter of max_connections; 0: off
    forwarded_allow_ips: str | None = None  # proxies whose X-Forwarded-For is trusted ("10.0.0.2"); None: none
    warm_up: bool = True  # load the models at start-up (and run one tiny analysis)
    # Host headers answered (DNS rebinding): loopback names; `spinscope serve` adds the bound address; "*": any
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
    # Browser-extension origins ("chrome-extension://<id>") whose scripts may call the API (CORS); none by default
    allowed_origins: tuple[str, ...] = ()

    @property
    def connections_per_client(self) -> int:
        """The per-address connection cap in force (0: none): one address may not hold every connection."""
        if self.max_connections_per_client is not None:
            return max(0, self.max_connections_per_client)
        return max(1, self.max_connections // 4) if self.max_connections else 0

    @property
    def thread_count(self) -> int:
        return self.threads if self.threads > 0 else (os.cpu_count() or 1)
