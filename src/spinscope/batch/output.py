"""The batch output folder: Parquet part files, ``errors.jsonl`` and the resume state.

Layout of ``OUTDIR``::

    batch.json                  the settings the folder was made with (layout, engine, min_score, versions)
    articles/part-00000.parquet one row per analysed article (ARTICLE_SCHEMA)
    spans/part-00000.parquet    the spans those articles hold, one row per span (SPAN_SCHEMA)

Layout 2 (this version) added the columns a researcher needs without parsing the stored JSON: on
technique span rows ``persuasion``, ``confidence``, ``label_confidence``, ``voice_of``, ``shown`` (at the
batch's sensitivity), ``shown_at`` and ``alternative``; on article rows the writer-only figures, the
sensitivity and ``date_parsed``. A layout-1 folder is refused with a message rather than mixed.
    errors.jsonl                one JSON object per input that could not be analysed
    .lock                       held (flock) while a batch writes here

Crash safety. A part is a pair of files with the same number. Each is written to a
hidden temporary file in its folder (``.part-00000.parquet.<pid>.tmp``), fsynced, then
renamed into place with :func:`os.replace` (atomic on POSIX): first the spans part,
then the articles part. The articles part is the commit: its ``key`` column is the
record of which articles the part holds. On start (:meth:`BatchOutput.open`),
temporary files are deleted, a spans part without its articles part (a kill between
the two renames) is deleted, and the done keys are read from the articles parts, so
a run killed at any point (even SIGKILL) loses at most the chunks in flight and
never holds half a part or an article twice. ``errors.jsonl`` gets one line per
failed input, written with a single ``write`` on an ``O_APPEND`` descriptor; a torn
last line (no newline) is cut off on the next start.

Checks on resume (:mod:`spinscope.batch.integrity`). Each articles part records its spans
part's row count and its articles' content hashes. A pair that cannot be read or does not
hold the recorded rows is moved to ``damaged/`` and its articles analysed again; an article
whose input has been edited since (another hash; for an article without an id, another key
from the same source) is analysed again and its old rows are removed from their part. A
failed write (disk full, read-only folder) is a one-line :class:`BatchError` saying what to do.

Keys. An article's key is its ``id`` when it has one (a row's ``id`` field, a file's
name), else ``sha1:`` + a hash of its source and text (:func:`article_key`). Inputs
that cannot be read have the key of their source alone (:func:`source_key`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinscope import __version__
from spinscope.batch.folder import (  # noqa: F401 (re-exported: the runners and tests import them from here)
    ARTICLES_DIR,
    ERRORS_FILE,
    LAYOUT,
    LOCK_FILE,
    SETTINGS_FILE,
    SPANS_DIR,
    BatchError,
    article_key,
    check_layout,
    layout_message,
    part_files,
    part_number,
    read_done_keys,
    read_errors,
    source_key,
)
from spinscope.batch.integrity import DAMAGED_DIR, PartDamaged, check_part, part_record, read_record, write_failure
from spinscope.batch.rows import (  # noqa: F401 (re-exported: the runners and tests import them from here)
    QUOTE_KINDS,
    SPEAKER_TYPES,
    TECHNIQUE_FIELDS,
    analysis_rows,
    article_schema,
    articles_table,
    error_row,
    span_schema,
)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _by_place(key: str, source: str | None) -> bool:
    """Whether an article is known by where it is: no id (a hash key) and a place that holds one article
    (a file, a row, a URL; not stdin, whose successive texts are different articles)."""
    return key.startswith("sha1:") and bool(source) and not str(source).startswith("<")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """An OSError while writing ``path`` as a one-line :class:`BatchError` (disk full, read-only folder)."""
    try:
        yield
    except OSError as error:
        raise write_failure(path, error) from None


@contextlib.contextmanager
def _removed_on_error(tmp: Path) -> Iterator[None]:
    """Ctrl-C, disk full: no temporary file left behind (a SIGKILL's is cleaned on start)."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


@dataclass
class BatchOutput:
    """A batch output folder opened for writing (use as a context manager).

    ``settings`` (engine, min_score) must match those the folder was made with.
    After :meth:`open`, ``done`` holds the keys already written and ``failed`` the
    keys recorded in ``errors.jsonl`` (empty with ``retry_errors``, which starts a
    fresh errors file so that it lists what still fails).
    """

    root: Path
    settings: dict[str, Any] = field(default_factory=dict)
    retry_errors: bool = False
    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    next_part: int = 0
    parts_written: int = 0
    cleaned: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # pairs moved to damaged/ on start: why
    part_of: dict[str, int] = field(default_factory=dict)  # done key -> its part's number
    hashes: dict[str, str | None] = field(default_factory=dict)  # done key -> content hash (None: not recorded)
    by_source: dict[str, str] = field(default_factory=dict)  # source -> its done key, for keys without an id
    _expected: dict[str, str] = field(default_factory=dict)  # key planned -> its content hash
    _stale: set[str] = field(default_factory=set)  # done keys whose old rows are to be removed
    _lock: Any = None
    _errors_fd: int | None = None

    def __enter__(self) -> BatchOutput:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- start ----
    def open(self) -> None:
        self.root = Path(self.root)
        if self.root.exists() and not self.root.is_dir():
            raise BatchError(f"{self.root}: exists and is not a folder")
        for folder in (self.root, self.root / ARTICLES_DIR, self.root / SPANS_DIR):
            with _writing(folder):
                folder.mkdir(parents=True, exist_ok=True)
        with _writing(self.root / LOCK_FILE):
            self._lock = open(self.root / LOCK_FILE, "a+")  # noqa: SIM115 (held until close)
        try:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise BatchError(f"{self.root}: another spinscope batch is writing to this folder") from None
        try:
            with _writing(self.root):  # a folder that turned read-only, a disk that filled up: one line
                self._check_settings()
                self._clean()
                self._scan()
                self._open_errors()
            numbers = [*part_files(self.root / ARTICLES_DIR), *part_files(self.root / SPANS_DIR)]
            self.next_part = max(numbers, default=-1) + 1
        except BaseException:
            self.close()
            raise

    def _check_settings(self) -> None:
        path = self.root / SETTINGS_FILE
        wanted = {"layout": LAYOUT, **self.settings}
        if path.exists():
            try:
                found = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise BatchError(f"{path}: unreadable ({exc})") from None
            if found.get("layout") != LAYOUT:
                raise BatchError(
                    layout_message(self.root, found) + ": this version will not mix the two; use a new folder"
                )
            differ = {k: (found.get(k), v) for k, v in wanted.items() if k != "spinscope" and found.get(k) != v}
            if differ:
                shown = ", ".join(f"{k}={old!r} (now {new!r})" for k, (old, new) in differ.items())
                raise BatchError(
                    f"{self.root} holds a batch made with {shown}: rerun with the same settings or use a new folder"
                )
            return
        record = {**wanted, "spinscope": __version__}
        self._write_atomic(path, (json.dumps(record, indent=2) + "\n").encode("utf-8"))

    def _clean(self) -> None:
        """Delete temporary files and spans parts whose articles part was never committed."""
        for folder in (self.root / ARTICLES_DIR, self.root / SPANS_DIR, self.root):
            for entry in folder.iterdir():
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    entry.unlink(missing_ok=True)
                    self.cleaned.append(str(entry))
        committed = part_files(self.root / ARTICLES_DIR)
        for number, path in part_files(self.root / SPANS_DIR).items():
            if number not in committed:
                path.unlink(missing_ok=True)
                self.cleaned.append(str(path))

    def _scan(self) -> None:
        """Read the done keys from the committed pairs; set damaged pairs aside (their articles are redone)."""
        spans = part_files(self.root / SPANS_DIR)
        for number, path in part_files(self.root / ARTICLES_DIR).items():
            try:
                keys, sources, record = check_part(path, spans.get(number))
            except PartDamaged as damaged:
                self._set_aside(path, spans.get(number))
                self.damaged.append(str(damaged))
                continue
            hashes = (record or {}).get("hashes") or {}
            for key, source in zip(keys, sources, strict=True):
                self.done.add(key)
                self.part_of[key] = number
                self.hashes[key] = hashes.get(key)
                if _by_place(key, source):
                    self.by_source[source] = key

    def _set_aside(self, articles: Path, spans: Path | None) -> None:
        folder = self.root / DAMAGED_DIR
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        with _writing(folder):
            folder.mkdir(exist_ok=True)
            os.replace(articles, folder / f"articles-{stamp}-{articles.name}")  # the commit goes first
            if spans is not None:
                os.replace(spans, folder / f"spans-{stamp}-{spans.name}")
        _fsync_dir(articles.parent)

    # ---- resume: edited inputs ----
    def status(self, key: str, source: str, digest: str) -> str:
        """``"done"`` when ``key`` is done from the same content (skip it); ``"edited"`` when an older
        version is done (another hash; for an article without an id, another key from the same source):
        its old rows are marked for removal; else ``"new"``."""
        if key in self.done:
            recorded = self.hashes.get(key)
            if recorded is None or recorded == digest:  # None: a part written before hashes
                return "done"
            self._forget(key)
            return "edited"
        old = self.by_source.get(source) if _by_place(key, source) else None
        if old is not None and old != key and old in self.done:
            self._forget(old)
            return "edited"
        return "new"

    def _forget(self, key: str) -> None:
        self.done.discard(key)
        self._stale.add(key)  # its by_source entry is overwritten when its new version is written

    def expect(self, key: str, digest: str) -> None:
        """Record the content hash of an article about to be analysed (written into its part's record)."""
        self._expected[key] = digest

    def flush_stale(self) -> int:
        """Remove the rows of edited articles from their parts (each part rewritten once, spans first);
        call before the new rows are written. A kill half-way leaves a pair whose spans do not match
        its record: the next start sets it aside and redoes it. Returns the articles removed."""
        import pyarrow as pa
        import pyarrow.compute as pc

        by_part: dict[int, set[str]] = {}
        for key in self._stale:
            if key in self.part_of:
                by_part.setdefault(self.part_of.pop(key), set()).add(key)
            self.hashes.pop(key, None)
        self._stale.clear()
        import pyarrow.parquet as pq

        for number, keys in sorted(by_part.items()):
            name = f"part-{number:05d}.parquet"
            articles_path, spans_path = self.root / ARTICLES_DIR / name, self.root / SPANS_DIR / name
            articles, spans = pq.read_table(articles_path), pq.read_table(spans_path)
            gone = pa.array(sorted(keys), pa.string())
            articles = articles.filter(pc.invert(pc.is_in(articles.column("key"), value_set=gone)))
            spans = spans.filter(pc.invert(pc.is_in(spans.column("article_key"), value_set=gone)))
            if articles.num_rows == 0:
                with _writing(articles_path):
                    articles_path.unlink()
                    spans_path.unlink()
                continue
            hashes = ((read_record(articles.schema.metadata) or {}).get("hashes")) or {}
            record = part_record(spans.num_rows, {k: v for k, v in hashes.items() if k not in keys})
            self._write_table(spans.replace_schema_metadata(None), spans_path)
            self._write_table(articles.replace_schema_metadata(record), articles_path)
        return sum(len(keys) for keys in by_part.values())

    def _open_errors(self) -> None:
        path = self.root / ERRORS_FILE
        if self.retry_errors and path.exists():
            self._write_atomic(path, b"")
        if path.exists():  # cut a torn last line (killed mid-write) so appends start on a fresh line
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                with path.open("r+b") as handle:
                    handle.truncate(data.rfind(b"\n") + 1)
        self.failed = {record["key"] for record in read_errors(self.root)} - self.done
        with _writing(path):
            self._errors_fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    # ---- writing ----
    def _write_atomic(self, path: Path, data: bytes) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with _writing(path), _removed_on_error(tmp):
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        _fsync_dir(path.parent)

    def _write_table(self, table: Any, path: Path) -> None:
        import pyarrow.parquet as pq

        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with _writing(path), _removed_on_error(tmp):
            with open(tmp, "wb") as handle:
                pq.write_table(table, handle, compression="zstd")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        _fsync_dir(path.parent)

    def write_part(self, article_rows: list[dict[str, Any]], span_rows: list[dict[str, Any]]) -> Path | None:
        """Commit one part (spans first, then articles); rows whose key is already done are dropped."""
        import pyarrow as pa

        fresh, keys = [], set()
        for row in article_rows:
            if row["key"] in self.done or row["key"] in keys:
                continue
            keys.add(row["key"])
            fresh.append(row)
        if not fresh:
            return None
        spans = [row for row in span_rows if row["article_key"] in keys]
        spans_schema = span_schema()
        name = f"part-{self.next_part:05d}.parquet"
        self._write_table(pa.Table.from_pylist(spans, schema=spans_schema), self.root / SPANS_DIR / name)
        target = self.root / ARTICLES_DIR / name
        hashes = {key: self._expected.pop(key, None) for key in sorted(keys)}
        record = part_record(len(spans), hashes)  # what the next start checks the pair against
        table = articles_table(fresh)
        self._write_table(table.replace_schema_metadata({**(table.schema.metadata or {}), **record}), target)
        for row in fresh:
            self.part_of[row["key"]] = self.next_part
            self.hashes[row["key"]] = hashes[row["key"]]
            if _by_place(row["key"], row.get("source")):
                self.by_source[row["source"]] = row["key"]
        self.next_part += 1
        self.parts_written += 1
        self.done.update(keys)
        self.failed -= keys
        return target

    def record_errors(self, rows: Iterable[dict[str, Any]]) -> int:
        """Append error records (one ``write`` per line); keys already recorded or done are skipped."""
        if self._errors_fd is None:
            raise BatchError("the batch output is not open")
        count = 0
        for row in rows:
            if row["key"] in self.failed or row["key"] in self.done:
                continue
            data = (json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8")
            with _writing(self.root / ERRORS_FILE):
                written = os.write(self._errors_fd, data)  # one write: a line is whole or torn, never interleaved
                while written < len(data):
                    written += os.write(self._errors_fd, data[written:])
            self.failed.add(row["key"])
            count += 1
        return count

    def close(self) -> None:
        if self._errors_fd is not None:
            with contextlib.suppress(OSError):
                os.fsync(self._errors_fd)
            os.close(self._errors_fd)
            self._errors_fd = None
        if self._lock is not None:
            self._lock.close()  # releases the flock
            self._lock = None


__all__ = [
    "ARTICLES_DIR",
    "ERRORS_FILE",
    "SPANS_DIR",
    "BatchError",
    "BatchOutput",
    "analysis_rows",
    "article_key",
    "article_schema",
    "check_layout",
    "error_row",
    "part_files",
    "read_done_keys",
    "read_errors",
    "source_key",
    "span_schema",
]
