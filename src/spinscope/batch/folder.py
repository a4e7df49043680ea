"""A batch output folder as it is read: its names and layout, the keys of articles and inputs, the
committed parts, the done keys and ``errors.jsonl`` (writing is :mod:`spinscope.batch.output`'s)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from spinscope.document import Article
from spinscope.errors import SpinscopeError

LAYOUT = "spinscope-batch/2"
LAYOUT_CHANGES = {
    "spinscope-batch/1": "its rows lack the span confidences, voice_of, shown and the writer-only figures",
}
SETTINGS_FILE = "batch.json"
ERRORS_FILE = "errors.jsonl"
LOCK_FILE = ".lock"
ARTICLES_DIR = "articles"
SPANS_DIR = "spans"
_PART = re.compile(r"^part-(\d{5,})\.parquet$")


class BatchError(SpinscopeError):
    """A batch cannot start or go on (folder locked, settings differ, a worker died, a model is missing)."""


# ---- keys ------------------------------------------------------------------------


def _hash(*parts: str) -> str:
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return "sha1:" + digest.hexdigest()[:20]


def article_key(article: Article, source: str) -> str:
    """The article's ``id`` if it was given one, else ``sha1:`` + hash(source, text).

    :class:`Article` fills a missing id with the first 12 hex digits of sha1(text), so
    an id equal to that was made up, not given: two rows with the same text but no id
    then still get different keys (their sources differ).
    """
    made_up = hashlib.sha1(article.text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    if article.id and article.id != made_up:
        return article.id
    return _hash(source, article.text)


def source_key(source: str) -> str:
    """The key of an input that could not be read (no text): a hash of its source name."""
    return _hash(source)


# ---- the folder ------------------------------------------------------------------


def layout_message(root: Path, found: dict[str, Any]) -> str:
    """Why a folder written in another layout cannot be used as it is (for batch and stats)."""
    layout = found.get("layout")
    why = LAYOUT_CHANGES.get(str(layout), "its rows have other columns")
    return (
        f"{root} holds a batch written by spinscope {found.get('spinscope', '?')} in layout {layout!r} ({why}); "
        f"this version reads and writes {LAYOUT!r}: run `spinscope batch` again into a new folder (-o NEW_FOLDER)"
    )


def check_layout(root: Path) -> None:
    """Raise :class:`BatchError` when ``root`` was written in another layout than this version's."""
    try:
        found = json.loads((root / SETTINGS_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return  # no settings file: the part files' columns are checked where they are read
    if isinstance(found, dict) and found.get("layout") != LAYOUT:
        raise BatchError(layout_message(root, found))


def part_number(name: str) -> int | None:
    match = _PART.match(name)
    return int(match.group(1)) if match else None


def part_files(folder: Path) -> dict[int, Path]:
    """The committed part files of ``folder`` by number (temporary files are not parts)."""
    if not folder.is_dir():
        return {}
    parts = {}
    for entry in folder.iterdir():
        number = part_number(entry.name)
        if number is not None:
            parts[number] = entry
    return dict(sorted(parts.items()))


def committed_parts(root: Path) -> tuple[dict[int, Path], dict[int, Path]]:
    """The committed articles parts of a batch folder and the spans parts that go with them, by number, once
    its layout is checked: what ``stats`` and ``stories`` read. :class:`BatchError` when it has no articles part."""
    articles = part_files(root / ARTICLES_DIR)
    if not articles:
        raise BatchError(f"{root}: no articles/part-*.parquet files (is this a spinscope batch folder?)")
    check_layout(root)
    spans = {number: path for number, path in part_files(root / SPANS_DIR).items() if number in articles}
    return articles, spans


def read_done_keys(root: Path) -> set[str]:
    """The keys of the articles held by the committed parts of a batch folder."""
    import pyarrow.parquet as pq

    keys: set[str] = set()
    for path in part_files(root / ARTICLES_DIR).values():
        try:
            column = pq.read_table(path, columns=["key"]).column("key")
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
            raise BatchError(f"{path}: unreadable part file ({' '.join(str(exc).split())})") from None
        keys.update(column.to_pylist())
    return keys


def read_errors(root: Path) -> list[dict[str, Any]]:
    """The records of ``errors.jsonl`` (a torn or invalid line is left out)."""
    path = root / ERRORS_FILE
    if not path.exists():
        return []
    records = []
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # torn last line
            try:
                record = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(record, dict) and "key" in record:
                records.append(record)
    return records
