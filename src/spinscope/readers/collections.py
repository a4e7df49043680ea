"""Files holding many articles: JSON Lines / JSON, CSV / TSV and Parquet.

Each row is an article: a ``text`` field (required) and optional ``id``, ``title``,
``url``, ``outlet``, ``date`` and ``author``; any other fields go to
``Article.metadata``. The readers yield an :class:`InputError` for a bad row
(naming ``file:line N``) and go on with the next one.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from spinscope.document import Article
from spinscope.errors import EmptyInputError, InputError
from spinscope.readers.text import article_from_text, one_line, sniff_encoding

FIELDS = ("id", "title", "url", "outlet", "date", "author")
ROW_SUFFIXES = frozenset({".jsonl", ".json", ".ndjson", ".csv", ".tsv", ".parquet"})

Item = tuple[str, Article | InputError]


def row_article(record: Any, source: str) -> Article:
    """One row (a mapping) as an :class:`Article`; :class:`InputError` naming ``source`` if it is not one."""
    if not isinstance(record, dict):
        raise InputError(source, f"expected an object with a 'text' field, got {type(record).__name__}")
    meta: dict[str, str | None] = {}
    for name in FIELDS:
        value = record.get(name)
        if hasattr(value, "isoformat"):  # a date or datetime from Parquet
            value = value.isoformat()
        meta[name] = None if value is None or value == "" else str(value)
    article_id = meta.pop("id")  # errors name it too: errors.jsonl then says which row failed
    text = record.get("text")
    if text is None:
        raise InputError(source, "missing 'text' field", article_id=article_id)
    if not isinstance(text, str):
        raise InputError(source, f"'text' must be a string, not {type(text).__name__}", article_id=article_id)
    extra = {key: value for key, value in record.items() if key not in FIELDS and key != "text"}
    try:
        return article_from_text(
            text, source, id=article_id or "", title=meta.pop("title"), detect_title=False, metadata=extra, **meta
        )
    except InputError as error:
        error.article_id = article_id
        raise


def _item(record: Any, source: str) -> Item:
    try:
        return source, row_article(record, source)
    except InputError as error:
        return source, error


def _encoding(path: Path) -> str:
    """The file's encoding by its BOM or NUL pattern (:func:`sniff_encoding`); UTF-8 when it shows none."""
    with path.open("rb") as handle:
        return sniff_encoding(handle.read(64)) or "utf-8"


def _lines(path: Path, encoding: str) -> Iterator[tuple[int, bytes | str]]:
    """(number, line): bytes for UTF-8 (each line decoded alone: one bad line is one error), else text."""
    if encoding.startswith("utf-8"):
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                yield number, raw[3:] if number == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
        return
    with path.open(encoding=encoding, newline="") as handle:  # UTF-16/32: a wide BOM is eaten by the codec
        for number, line in enumerate(handle, start=1):
            yield number, line.removeprefix("\ufeff") if number == 1 else line


def iter_jsonl(path: Path, name: str | None = None) -> Iterator[Item]:
    """JSON Lines (one object a line); a ``.json`` file may also hold one JSON array of objects.
    UTF-8, or UTF-16/32 with a BOM or recognisable without one."""
    name = name or str(path)
    encoding = _encoding(path)
    if path.suffix.lower() == ".json":
        data = path.read_bytes()
        text = data.decode(encoding, errors="replace") if not encoding.startswith("utf-8") else ""
        first = text.lstrip("\ufeff \t\r\n")[:1] if text else data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if first in ("[", b"["):
            yield from _iter_json_array(data, name, encoding)
            return
    number = 0
    try:
        for number, raw in _lines(path, encoding):
            source = f"{name}:line {number}"
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                record = json.loads(line.strip())
            except UnicodeDecodeError:
                yield source, InputError(source, "not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield source, InputError(source, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            yield _item(record, source)
    except UnicodeDecodeError:  # a UTF-16/32 file broken part-way: the rest cannot be split into lines
        source = f"{name}:line {number + 1}"
        yield source, InputError(source, f"not valid {encoding.upper()}: the rest of the file is not read")


def _iter_json_array(data: bytes, name: str, encoding: str = "utf-8") -> Iterator[Item]:
    codec = "utf-8-sig" if encoding.startswith("utf-8") else encoding
    try:
        records = json.loads(data.decode(codec).removeprefix("\ufeff"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = (
            f"invalid JSON: {exc.msg} (line {exc.lineno})"
            if isinstance(exc, json.JSONDecodeError)
            else f"not valid {codec.removesuffix('-sig').upper()}"
        )
        yield name, InputError(name, reason)
        return
    for number, record in enumerate(records, start=1):
        yield _item(record, f"{name}:item {number}")


def iter_csv(path: Path, name: str | None = None) -> Iterator[Item]:
    """CSV (``,``) or TSV (tab), UTF-8 (or UTF-16/32, :func:`sniff_encoding`), with a header row that has a
    ``text`` column. Strict: an unterminated quote is an error naming the line its record starts on (the
    lenient parser would swallow every row after it into one field)."""
    name = name or str(path)
    # Articles are longer than csv's default field limit (128 KiB).
    csv.field_size_limit(max(csv.field_size_limit(), 4 * 5_000_000 + 1))
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    encoding = _encoding(path)
    codec = "utf-8-sig" if encoding.startswith("utf-8") else encoding
    with path.open(encoding=codec, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        line = 1
        try:
            header = next(reader, None)
            if header is None:
                yield name, InputError(name, "empty CSV file: no header row")
                return
            columns = [column.strip().lower() for column in header]
            if "text" not in columns:
                shown = ", ".join(column for column in columns if column) or "none"
                yield name, InputError(name, f"no 'text' column (columns: {shown})")
                return
            while True:
                line = reader.line_num + 1  # where the next record starts
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    source = f"{name}:line {line}"
                    reason = one_line(exc)
                    if reason == "unexpected end of data":  # the quote opened in this record is never closed
                        reason = "a quoted field is never closed (unterminated quote)"
                    elif reader.line_num > line:  # a quote ran over line ends into the next rows
                        reason += f" (the record runs on to line {reader.line_num}: an unterminated quote?)"
                    yield source, InputError(source, f"invalid CSV: {reason}")
                    continue
                if not any(cell.strip() for cell in row):
                    continue
                source = f"{name}:line {line}"
                if len(row) > len(columns):
                    yield source, InputError(source, f"{len(row)} fields, but the header has {len(columns)}")
                    continue
                yield _item({column: cell for column, cell in zip(columns, row, strict=False) if column}, source)
        except UnicodeDecodeError:
            source = f"{name}:line {line}"
            shown = codec.removesuffix("-sig").upper()
            yield source, InputError(source, f"not valid {shown} (save the file as UTF-8)")


def iter_parquet(path: Path, name: str | None = None) -> Iterator[Item]:
    """Parquet (needs pyarrow: ``pip install 'spinscope[corpus]'``); rows are numbered from 1."""
    name = name or str(path)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield name, InputError(name, "reading Parquet needs pyarrow: pip install 'spinscope[corpus]'")
        return
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for a bad file
        yield name, InputError(name, f"not a readable Parquet file: {one_line(exc)}")
        return
    columns = parquet.schema_arrow.names
    if "text" not in columns:
        yield name, InputError(name, f"no 'text' column (columns: {', '.join(columns) or 'none'})")
        return
    number = 0
    for batch in parquet.iter_batches(batch_size=256):
        for record in batch.to_pylist():
            number += 1
            yield _item(record, f"{name}:row {number}")


def iter_rows(path: Path, name: str | None = None) -> Iterator[Item]:
    """The articles in a JSONL/JSON, CSV/TSV or Parquet file, by its suffix; a file without a single row is
    one refusal (an input that gives nothing must not pass unnoticed)."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        rows = iter_jsonl(path, name)
    elif suffix in (".csv", ".tsv"):
        rows = iter_csv(path, name)
    elif suffix == ".parquet":
        rows = iter_parquet(path, name)
    else:
        raise ValueError(f"not a collection file: {path}")
    return _not_empty(rows, name or str(path))


def _not_empty(rows: Iterator[Item], name: str) -> Iterator[Item]:
    count = 0
    for count, item in enumerate(rows, start=1):  # noqa: B007 (count is read after the loop)
        yield item
    if count == 0:
        yield name, EmptyInputError(name, "empty: no rows with articles in the file")
