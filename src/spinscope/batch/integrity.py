"""What a batch folder's resume trusts, checked: part pairs, content hashes and write failures.

    content_hash(payload)        a hash of what an article's analysis depends on (text and metadata, not its key)
    part_record(spans, hashes)   the record an articles part carries (Parquet key-value metadata)
    check_part(articles, spans)  (keys, sources, hashes) of a sound pair, or PartDamaged naming the file and why
    write_failure(path, error)   a one-line BatchError for an OSError (disk full, read-only folder, ...)

An articles part records how many span rows its spans part holds and the content hash of each
article it holds. On resume a pair that cannot be read, or whose spans part does not hold the
recorded rows, is moved to ``OUTDIR/damaged/`` and its articles are analysed again; an article
whose input now hashes differently is analysed again and its old rows removed.
Parts written before these records (no metadata) are checked for readability only.
"""

from __future__ import annotations

import errno
import hashlib
import json
from pathlib import Path
from typing import Any

from spinscope.errors import SpinscopeError

RECORD_KEY = b"spinscope"
DAMAGED_DIR = "damaged"
HASHED_FIELDS = ("text", "title", "outlet", "date", "url", "author", "metadata")


class PartDamaged(SpinscopeError):
    """A part pair that cannot be trusted (the message names the file and the problem)."""


def content_hash(article: dict[str, Any]) -> str:
    """What the analysis of an article payload's ``article`` dict depends on, hashed (its id and source
    are its key's business: a renamed file is not an edited one)."""
    fields = {name: article.get(name) for name in HASHED_FIELDS}
    data = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha1(data.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def part_record(span_rows: int, hashes: dict[str, str | None]) -> dict[bytes, bytes]:
    """The key-value metadata of an articles part: its spans part's row count and its articles' hashes."""
    record = {"spans": span_rows, "hashes": hashes}
    return {RECORD_KEY: json.dumps(record, separators=(",", ":")).encode("utf-8")}


def read_record(metadata: dict[bytes, bytes] | None) -> dict[str, Any] | None:
    if not metadata or RECORD_KEY not in metadata:
        return None  # a part written before records
    try:
        record = json.loads(metadata[RECORD_KEY])
    except (ValueError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _why(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def check_part(articles: Path, spans: Path | None) -> tuple[list[str], list[str | None], dict[str, Any] | None]:
    """The keys and sources of a committed pair and its record; :class:`PartDamaged` when the articles
    part cannot be read, the spans part is missing or unreadable, or holds other than the recorded rows."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(articles)
        table = parquet.read(columns=["key", "source"])
        record = read_record(parquet.schema_arrow.metadata)
    except Exception as error:  # pyarrow raises ArrowInvalid, OSError, ...
        raise PartDamaged(f"{articles}: unreadable part file ({_why(error)})") from None
    hashes = (record or {}).get("hashes")
    if isinstance(hashes, dict) and len(hashes) != table.num_rows:
        raise PartDamaged(f"{articles}: holds {table.num_rows} articles, its record lists {len(hashes)}")
    if spans is None:
        raise PartDamaged(f"{articles}: its spans part is missing")
    try:
        rows = pq.read_table(spans).num_rows  # every column: a damaged page anywhere is found now, not by stats
    except Exception as error:
        raise PartDamaged(f"{spans}: unreadable part file ({_why(error)})") from None
    if record is not None and record.get("spans") != rows:
        raise PartDamaged(f"{spans}: holds {rows} span rows, its articles part recorded {record.get('spans')}")
    return table.column("key").to_pylist(), table.column("source").to_pylist(), record


def find_damaged(articles: dict[int, Path], spans: dict[int, Path]) -> PartDamaged | None:
    """The first damaged pair of a folder (for ``stats``, which reads them all), or None."""
    for number, path in articles.items():
        try:
            check_part(path, spans.get(number))
        except PartDamaged as damaged:
            return damaged
    return None


def write_failure(path: Path | str, error: OSError) -> SpinscopeError:
    """A one-line error for a failed write under a batch folder, saying what to do; the folder stays
    consistent (a part is committed whole or not at all), so the advice is always to rerun."""
    from spinscope.batch.folder import BatchError

    code = error.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        advice = "the disk is full: free some space and rerun the same command to resume"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM):
        advice = "the folder is read-only: make it writable or choose another with -o"
    else:
        advice = "rerun the same command to resume once that is fixed"
    reason = error.strerror or _why(error)
    return BatchError(f"{path}: cannot write ({reason}); {advice}")


__all__ = [
    "DAMAGED_DIR",
    "PartDamaged",
    "check_part",
    "content_hash",
    "find_damaged",
    "part_record",
    "read_record",
    "write_failure",
]
