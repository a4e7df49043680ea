"""Readers: turn what users give spinscope (text, files, HTML, URLs, corpora) into :class:`Article` objects.

    read_text(data, source)         plain text (bytes or str): encoding, newlines, PTC titles
    read_html(html, source, url)    a news page's main text and metadata (trafilatura)
    fetch_url(url)                  an http(s) page, fetched with SSRF protection
    check_english(text, source)     refuse non-English text
    iter_inputs(specs)              many inputs (-, URLs, files, folders, JSONL/CSV/Parquet),
                                    yielding (source, Article or InputError) and going on after errors

Every error is an :class:`spinscope.errors.InputError` (or a subclass) whose message is
one line: ``<source>: <reason>``.
"""

from __future__ import annotations

from spinscope.readers.collections import iter_csv, iter_jsonl, iter_parquet, iter_rows, row_article
from spinscope.readers.html import MAX_HTML_BYTES, read_html
from spinscope.readers.inputs import iter_inputs, read_file, read_inputs
from spinscope.readers.language import check_english, is_english
from spinscope.readers.text import MAX_TEXT_BYTES, decode_bytes, normalise_newlines, read_text

# readers.url needs httpx (~0.1 s of imports): its names load on first use, so that reading files does not pay it
_URL_NAMES = ("ALLOW_PRIVATE_ENV", "MAX_REDIRECTS", "address_kind", "check_url", "fetch_url")


def __getattr__(name: str) -> object:
    if name in _URL_NAMES:
        from spinscope.readers import url

        return getattr(url, name)
    raise AttributeError(f"module 'spinscope.readers' has no attribute {name!r}")


__all__ = [
    "ALLOW_PRIVATE_ENV",
    "MAX_HTML_BYTES",
    "MAX_REDIRECTS",
    "MAX_TEXT_BYTES",
    "address_kind",
    "check_english",
    "check_url",
    "decode_bytes",
    "fetch_url",
    "is_english",
    "iter_csv",
    "iter_inputs",
    "iter_jsonl",
    "iter_parquet",
    "iter_rows",
    "normalise_newlines",
    "read_file",
    "read_html",
    "read_inputs",
    "read_text",
    "row_article",
]
