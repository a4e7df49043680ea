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

The store checks itself. At start, a file that is not a sound SQLite database is moved
aside as ``<name>.corrupt-<timestamp>`` and a fresh one is started (``recovered`` says so);
a file that cannot be opened at all (permissions, a folder) raises :class:`StoreError`.
While serving, a file deleted or replaced under it is noticed on the next read or write
(its inode changed) and recreated; one overwritten in place (its header is checked, as an open
connection would serve from its cache) is put back by closing the connection, which replays the
journal, or else moved aside the same way: never a permalink written into a deleted file. What cannot be repaired raises
:class:`StoreError`, which the server answers with 503 ``store_unavailable``.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from spinscope.errors import SpinscopeError

T = TypeVar("T")

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


class StoreError(SpinscopeError):
    """The permalink store cannot be opened or written (the message names the file and the problem)."""

    code = "store_unavailable"
    status = 503


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


_HEADER = b"SQLite format 3\x00"


def _header_ok(path: str) -> bool:
    """True when the file still starts as an SQLite database: an open connection serves from its cache
    and would not notice a file overwritten in place until the next start."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(_HEADER))
    except OSError:
        return False
    return head in (_HEADER, b"")


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


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
        self._lock = threading.Lock()
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file opened
        self.recovered: str | None = None  # where a corrupt file was moved (at start or since)
        # ok | recreated (deleted or corrupt while serving) | restored (overwritten, put back by its journal)
        # | unavailable
        self.state = "ok"
        self.problem: str | None = None
        self._db = self._open()

    # ---- opening and self-checks ----
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
        try:
            if self.path != MEMORY:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                with contextlib.suppress(OSError):  # analyses of what users pasted: not for other local users
                    os.chmod(self.path, 0o600)
                row = db.execute("PRAGMA quick_check").fetchone()
                if row is None or row[0] != "ok":
                    raise sqlite3.DatabaseError(f"integrity check: {row[0] if row else 'no answer'}")
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(results)")}
            if "client" not in columns:  # a database written before per-client limits
                db.execute("ALTER TABLE results ADD COLUMN client TEXT")
            db.execute(_CLIENT_INDEX)
        except BaseException:
            db.close()
            raise
        return db

    def _open(self) -> sqlite3.Connection:
        """Connect, moving a corrupt file aside (once) and starting afresh; :class:`StoreError` if that fails."""
        if self.path != MEMORY:
            try:
                Path(self.path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"permalink store {self.path}: cannot create its folder ({_reason(error)})") from None
        try:
            db = self._connect()
        except sqlite3.OperationalError as error:  # cannot open (permissions, a folder, disk I/O)
            raise StoreError(f"permalink store {self.path}: cannot open it ({_reason(error)})") from None
        except sqlite3.DatabaseError as error:  # not a database, malformed: keep it for inspection, start afresh
            self.recovered = self._move_aside()
            self.problem = f"{self.path} was not a sound SQLite database ({_reason(error)})"
            try:
                db = self._connect()
            except sqlite3.DatabaseError as again:
                raise StoreError(f"permalink store {self.path}: cannot start a new one ({_reason(again)})") from None
        self._identity = _identity(self.path) if self.path != MEMORY else None
        return db

    def _move_aside(self) -> str:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        target = f"{self.path}.corrupt-{stamp}"
        try:
            os.replace(self.path, target)
        except OSError as error:
            raise StoreError(
                f"permalink store {self.path} is corrupt and cannot be moved aside ({_reason(error)})"
            ) from None
        for suffix in ("-wal", "-shm"):  # the old file's journal would be replayed into the new one
            with contextlib.suppress(OSError):
                os.replace(self.path + suffix, target + suffix)
        return target

    def _reopen(self, why: str, corrupt: bool = False) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self.state = "recreated"
        if corrupt and _header_ok(self.path):  # closing checkpointed the journal over the damage
            why += ": its journal restored it"
            self.state = "restored"
        elif corrupt:  # kept for inspection; a new store is started
            self.recovered = self._move_aside()
            why += f": moved it to {self.recovered}, started a new one"
        self.problem = why
        self._db = self._open()  # quick_check: what the journal did not restore is moved aside there

    def _run(self, operation: Callable[[], T]) -> T:
        """``operation()`` under the lock, on a file that is still the one opened (recreated if it was
        deleted or replaced; moved aside and recreated if found corrupt); :class:`StoreError` otherwise."""
        with self._lock:
            try:
                if self.path != MEMORY and _identity(self.path) != self._identity:
                    self._reopen(f"{self.path} was deleted or replaced while serving: started a new one")
                elif self.path != MEMORY and not _header_ok(self.path):
                    self._reopen(f"{self.path} was overwritten while serving", corrupt=True)
                try:
                    result = operation()
                except sqlite3.DatabaseError as error:
                    # only the base class means a damaged file ("malformed", "not a database")
                    if type(error) is not sqlite3.DatabaseError or self.path == MEMORY:
                        raise
                    self._reopen(f"{self.path} was corrupted while serving ({_reason(error)}): started a new one")
                    result = operation()
            except StoreError as error:
                self.state, self.problem = "unavailable", str(error)
                raise
            except sqlite3.Error as error:
                self.state = "unavailable"
                self.problem = f"permalink store {self.path}: {_reason(error)}"
                raise StoreError(self.problem) from None
            if self.state == "unavailable":  # repaired from outside (the path is writable again)
                self.state = "recreated" if self.recovered else "ok"
            return result

    def health(self) -> dict[str, Any]:
        """The store's state for /healthz: checked now (a deleted file is recreated)."""
        try:
            count = len(self)
        except StoreError:
            count = None
        info: dict[str, Any] = {"state": self.state, "path": self.path, "results": count}
        if self.problem:
            info["message"] = self.problem
        if self.recovered:
            info["moved_aside"] = self.recovered
        return info

    def put(self, analysis: dict[str, Any], client: str | None = None) -> str:
        """Store an analysis dict; return its new id. Drops expired and surplus results, and the
        oldest of ``client``'s beyond ``max_per_client``."""
        result_id = secrets.token_urlsafe(16)
        owner = None if client is None else hashlib.sha256(self._salt + client.encode("utf-8")).hexdigest()[:32]
        data = zlib.compress(json.dumps(analysis, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)
        now = time.time()

        def insert() -> None:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT INTO results (id, created, data, client) VALUES (?, ?, ?, ?)", (result_id, now, data, owner)
                )
                self._prune(now, owner)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

        self._run(insert)
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
        row = self._run(
            lambda: self._db.execute("SELECT created, data FROM results WHERE id = ?", (result_id,)).fetchone()
        )
        if row is None:
            return None
        created, data = row
        if self.retention_seconds and created < time.time() - self.retention_seconds:
            return None
        return json.loads(zlib.decompress(data).decode("utf-8"))

    def __len__(self) -> int:
        return int(self._run(lambda: self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]))

    def close(self) -> None:
        with self._lock:
            self._db.close()


__all__ = ["DB_ENV", "MEMORY", "ResultStore", "StoreError", "default_db_path", "valid_id"]
