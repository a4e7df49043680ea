"""Permalinks: analyses kept in an embedded SQLite database, under unguessable ids.

One table, one row per analysis: the ``spinscope/1`` JSON, zlib-compressed. The
store keeps at most ``max_results`` analyses, at most ``max_per_client`` of them
from one client (so one client cannot push everyone else's permalinks out), and
none older than ``retention_days``; all three are enforced on every write, so the
file stays small without a clean-up job. A client is stored as a hash of its
rate-limit key salted anew by each server run, never as an address (so after a
restart, earlier results no longer count against a client). Ids are ``secrets.token_urlsafe(16)`` (128 random bits):
a permalink can be shared, but not guessed or enumerated.

The default file is ``$SPINSCOPE_DB``, else ``$XDG_CACHE_HOME/spinscope/results.sqlite3``
(``~/.cache/spinscope/results.sqlite3``). ``":memory:"`` keeps results in memory
only (tests, throw-away servers).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import sqlite3
import threading
import time
import zlib
from pathlib import Path
from typing import Any

DB_ENV = "SPINSCOPE_DB"
MEMORY = ":memory:"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    id      TEXT PRIMARY KEY,
    created REAL NOT NULL,
    data    BLOB NOT NULL,
    client  TEXT
);
CREATE INDEX IF NOT EXISTS results_created ON results (created);
"""
_CLIENT_INDEX = "CREATE INDEX IF NOT EXISTS results_client ON results (client, created)"


def default_db_path() -> Path:
    """``$SPINSCOPE_DB``, else ``$XDG_CACHE_HOME/spinscope/results.sqlite3`` (``~/.cache/...``)."""
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(cache).expanduser() if cache else Path.home() / ".cache"
    return base / "spinscope" / "results.sqlite3"


def valid_id(result_id: str) -> bool:
    return bool(ID_PATTERN.match(result_id))


class ResultStore:
    """A small, thread-safe SQLite store of analyses (one connection, one lock: writes are rare and quick)."""

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        max_results: int = 1000,
        retention_days: float = 30.0,
        max_per_client: int | None = None,
    ) -> None:
        self.path = str(path) if path is not None else str(default_db_path())
        self.max_results = max(1, max_results)
        # default: a tenth of the store, so at least ten clients share it
        self.max_per_client = max(1, max_per_client if max_per_client is not None else self.max_results // 10)
        self._salt = secrets.token_bytes(16)  # client hashes mean nothing outside this process
        self.retention_seconds = max(0.0, retention_days) * 86400.0
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
        if self.path != MEMORY:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with contextlib.suppress(OSError):  # analyses of what users pasted: not for other local users
                os.chmod(self.path, 0o600)
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
        if "client" not in columns:  # a database written before per-client limits
            self._db.execute("ALTER TABLE results ADD COLUMN client TEXT")
        self._db.execute(_CLIENT_INDEX)

    def put(self, analysis: dict[str, Any], client: str | None = None) -> str:
        """Store an analysis dict; return its new id. Drops expired and surplus results, and the
        oldest of ``client``'s beyond ``max_per_client``."""
        result_id = secrets.token_urlsafe(16)
        owner = None if client is None else hashlib.sha256(self._salt + client.encode("utf-8")).hexdigest()[:32]
        data = zlib.compress(json.dumps(analysis, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO results (id, created, data, client) VALUES (?, ?, ?, ?)", (result_id, now, data, owner)
                )
                self._prune(now, owner)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return result_id

    def _prune(self, now: float, owner: str | None = None) -> None:
        if owner is not None:
            self._db.execute(
                "DELETE FROM results WHERE id IN (SELECT id FROM results WHERE client = ? "
                "ORDER BY created DESC, rowid DESC LIMIT -1 OFFSET ?)",
                (owner, self.max_per_client),
            )
        if self.retention_seconds:
            self._db.execute("DELETE FROM results WHERE created < ?", (now - self.retention_seconds,))
        self._db.execute(
            "DELETE FROM results WHERE id IN (SELECT id FROM results ORDER BY created DESC, rowid DESC LIMIT -1 OFFSET ?)",
            (self.max_results,),
        )

    def get(self, result_id: str) -> dict[str, Any] | None:
        """The analysis stored under ``result_id``, or ``None`` (unknown, malformed or expired id)."""
        if not valid_id(result_id):
            return None
        with self._lock:
            row = self._db.execute("SELECT created, data FROM results WHERE id = ?", (result_id,)).fetchone()
        if row is None:
            return None
        created, data = row
        if self.retention_seconds and created < time.time() - self.retention_seconds:
            return None
        return json.loads(zlib.decompress(data).decode("utf-8"))

    def __len__(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


__all__ = ["DB_ENV", "MEMORY", "ResultStore", "default_db_path", "valid_id"]
