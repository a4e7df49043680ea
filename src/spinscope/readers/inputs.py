"""What a user names on the command line, turned into articles, one input at a time."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from spinscope.document import Article
from spinscope.errors import InputError
from spinscope.readers.collections import ROW_SUFFIXES, iter_rows
from spinscope.readers.html import HTML_SUFFIXES, MAX_HTML_BYTES, read_html
from spinscope.readers.language import check_english
from spinscope.readers.text import MAX_TEXT_BYTES, article_id_for, one_line, read_text, size_reason, sniff_encoding

STDIN = "-"
STDIN_NAME = "<stdin>"
FOLDER_SUFFIXES = frozenset({".txt", ".html", ".htm"})
# Formats people try that need converting first (a clearer message than "binary data").
UNSUPPORTED_SUFFIXES = frozenset({".pdf", ".doc", ".docx", ".odt", ".rtf", ".epub", ".pages", ".xls", ".xlsx"})

Item = tuple[str, Article | InputError]
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


def iter_inputs(
    specs: Iterable[str],
    *,
    stdin: BinaryIO | None = None,
    english_only: bool = False,
    allow_private: bool = False,
    timeout: float | None = None,
) -> Iterator[Item]:
    """Yield ``(source name, Article or InputError)`` for every article the specs name.

    A spec is ``-`` (standard input), an ``http(s)://`` URL, a file (``.txt``,
    ``.text``, ``.md``: text; ``.html``, ``.htm``: HTML; ``.jsonl``, ``.json``,
    ``.csv``, ``.tsv``, ``.parquet``: one article a row) or a folder (its ``.txt``,
    ``.html`` and ``.htm`` files, sorted, not recursive). An input that cannot be
    read yields its :class:`InputError` instead of raising, so a run over many
    inputs goes on past a bad one. ``english_only`` also checks each article's
    language (:func:`check_english`). ``timeout``: seconds per URL fetch (None: ``readers.url.DEFAULT_TIMEOUT``).
    """
    for spec in specs:
        for source, item in _iter_spec(spec, stdin, allow_private, timeout):
            if english_only and isinstance(item, Article):
                try:
                    check_english(item.text, source)
                except InputError as error:
                    item = error
            yield source, item


def read_inputs(specs: Iterable[str], **options: Any) -> list[Article]:
    """Every article the specs name; raise the first :class:`InputError` (for one-shot callers)."""
    articles = []
    for _source, item in iter_inputs(specs, **options):
        if isinstance(item, InputError):
            raise item
        articles.append(item)
    return articles


def _iter_spec(spec: str, stdin: BinaryIO | None, allow_private: bool, timeout: float | None) -> Iterator[Item]:
    if spec == STDIN:
        yield _attempt(STDIN_NAME, lambda: _read_stdin(stdin))
        return
    scheme = _SCHEME.match(spec)
    if scheme:
        if scheme.group(1).lower() not in ("http", "https"):
            reason = f"unsupported URL scheme {scheme.group(1)!r} (only http and https)"
            yield spec, InputError(spec, reason)
        else:
            yield _attempt(spec, lambda: _fetch(spec, timeout, allow_private))
        return
    path = Path(spec)
    try:
        if path.is_dir():
            yield from _iter_folder(path, spec)
            return
        if not path.exists():
            yield spec, InputError(spec, "no such file or directory")
            return
    except OSError as exc:
        yield spec, InputError(spec, _os_reason(exc))
        return
    if path.suffix.lower() in ROW_SUFFIXES:
        try:
            yield from iter_rows(path, spec)
        except OSError as exc:
            yield spec, InputError(spec, _os_reason(exc))
        return
    yield _attempt(spec, lambda: read_file(path, spec))


def _fetch(url: str, timeout: float | None, allow_private: bool) -> Article:
    # httpx (~0.1 s of imports) is loaded only when an input is a URL
    from spinscope.readers.url import DEFAULT_TIMEOUT, fetch_url

    return fetch_url(url, timeout=DEFAULT_TIMEOUT if timeout is None else timeout, allow_private=allow_private)


def _attempt(source: str, read: Callable[[], Article]) -> Item:
    try:
        return source, read()
    except InputError as error:
        return source, error


def _iter_folder(folder: Path, name: str) -> Iterator[Item]:
    try:
        files = sorted(
            entry
            for entry in folder.iterdir()
            if entry.suffix.lower() in FOLDER_SUFFIXES and not entry.name.startswith(".") and entry.is_file()
        )
    except OSError as exc:
        yield name, InputError(name, _os_reason(exc))
        return
    if not files:
        yield name, InputError(name, "no .txt, .html or .htm files in the folder")
        return
    for file in files:
        source = str(file)
        yield _attempt(source, lambda file=file, source=source: read_file(file, source))


def read_file(path: Path | str, source: str | None = None) -> Article:
    """One article from a text or HTML file (by suffix; an unknown suffix is read as text)."""
    path = Path(path)
    source = source or str(path)
    suffix = path.suffix.lower()
    if suffix in UNSUPPORTED_SUFFIXES:
        raise InputError(source, f"unsupported file type {suffix} (save the article as .txt or .html)")
    if suffix in ROW_SUFFIXES:
        raise InputError(source, f"{suffix} files hold many articles: use iter_inputs")
    limit = MAX_HTML_BYTES if suffix in HTML_SUFFIXES else MAX_TEXT_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(source, size_reason(size, limit), code="text_too_large")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file or directory") from None
    except OSError as exc:
        raise InputError(source, _os_reason(exc)) from None
    article_id = article_id_for(source)
    if suffix in HTML_SUFFIXES:
        return read_html(data, source, id=article_id)
    return read_text(data, source, id=article_id)


def _read_stdin(stdin: BinaryIO | None) -> Article:
    if stdin is None and (sys.stdin is None or sys.stdin.closed):
        raise InputError(STDIN_NAME, "no standard input")
    stream = stdin if stdin is not None else sys.stdin.buffer
    data = stream.read(MAX_HTML_BYTES + 1)
    if isinstance(data, str):  # a text stream passed by a caller
        data = data.encode("utf-8")
    head = data[:1024]
    wide = sniff_encoding(head[:64])
    if wide is not None and not wide.startswith("utf-8"):  # UTF-16/32: look at the characters, not the bytes
        head = head.decode(wide, errors="ignore").encode("utf-8")
    head = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return read_html(data, STDIN_NAME, id="")
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(
            STDIN_NAME,
            size_reason(len(data), MAX_TEXT_BYTES, at_least=len(data) > MAX_HTML_BYTES),
            code="text_too_large",
        )
    return read_text(data, STDIN_NAME, id="")


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "cannot read: permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    return f"cannot read: {one_line(exc.strerror or exc)}"


__all__ = ["Item", "iter_inputs", "read_file", "read_inputs"]
