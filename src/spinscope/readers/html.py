"""HTML: the main text of a news page (boilerplate removed) and its metadata, via trafilatura."""

from __future__ import annotations

import re
from typing import Any

from spinscope import deadline
from spinscope.document import Article
from spinscope.errors import EmptyInputError, InputError
from spinscope.readers.text import article_from_text, article_id_for, one_line, size_reason, sniff_encoding

MAX_HTML_BYTES = 20_000_000
"""The largest HTML page read (pages carry markup, scripts and styles: more than the text cap)."""

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
NO_TEXT_REASON = "no article text found in the HTML"

# lxml, trafilatura, justext and htmldate all take superlinear time in the number of tags and of
# attributes (100,000 attributes on one tag: 92 s; 40,000 sibling tags: 21 s), and a parse cannot
# be stopped part-way. A linear scan refuses, before parsing, markup over these bounds; a news
# page has a few thousand tags and a few dozen attributes on its busiest one.
MAX_HTML_TAGS = 15_000
MAX_HTML_ATTRIBUTES = 40_000
MAX_TAG_ATTRIBUTES = 200
MARKUP_REASON = "too much markup to read in time"
_TAGS = {str: re.compile(r"<[A-Za-z][^>]*>"), bytes: re.compile(rb"<[A-Za-z][^>]*>")}
_ATTRIBUTES = {  # a name, then maybe = and a value (as html.parser reads them)
    str: re.compile(r"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?"""),
    bytes: re.compile(rb"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?"""),
}


def markup_refusal(html: str | bytes) -> str | None:
    """Why ``html`` has too many tags or attributes to parse in bounded time, or ``None``.

    Linear in the page's length (a 1 MB page: milliseconds); stops counting at the first bound passed.
    """
    kind = bytes if isinstance(html, bytes) else str
    tags = attributes = 0
    attribute = _ATTRIBUTES[kind]
    for tag in _TAGS[kind].finditer(html):  # type: ignore[arg-type]
        tags += 1
        if tags > MAX_HTML_TAGS:
            return f"{MARKUP_REASON}: more than {MAX_HTML_TAGS:,} tags (save the article's text and analyse that)"
        inside = tag.group()[1:-1]
        if len(inside) < 8:
            continue  # <p>, <div>, <span ...: no room for more than one attribute
        count = len(attribute.findall(inside)) - 1  # the first is the tag's name
        if count > MAX_TAG_ATTRIBUTES:
            return f"{MARKUP_REASON}: a tag with {count:,} attributes (limit {MAX_TAG_ATTRIBUTES:,})"
        attributes += count
        if attributes > MAX_HTML_ATTRIBUTES:
            return f"{MARKUP_REASON}: more than {MAX_HTML_ATTRIBUTES:,} attributes (save the article's text and analyse that)"
    return None


def _blocks(document: Any) -> list[str]:
    """The extracted text as blocks (paragraphs, headings, lists, quotes), one string each."""
    from trafilatura.xml import xmltotxt

    body = getattr(document, "body", None)
    if body is not None and len(body):
        raw = [xmltotxt(element, False) for element in body]
    else:
        raw = (document.text or "").split("\n")
    blocks = []
    for block in raw:
        lines = [line.strip() for line in (block or "").splitlines()]
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
    return blocks


def read_html(
    html: str | bytes,
    source: str,
    url: str | None = None,
    *,
    id: str | None = None,
) -> Article:
    """Extract the article from an HTML page.

    ``Article.text`` is the main text, its paragraphs separated by blank lines (the
    page's headline, when trafilatura keeps it, is the first paragraph); the title,
    author, date (ISO ``YYYY-MM-DD``), site name (``outlet``) and URL come from the
    page's metadata. ``url`` (where the page was fetched from) wins over the page's
    own canonical URL and helps the metadata extraction.

    Raises :class:`EmptyInputError` when the page has no article text and
    :class:`InputError` when it is too large or has too many tags or attributes to parse in
    bounded time (:func:`markup_refusal`); malformed HTML is parsed leniently.
    """
    if len(html) > MAX_HTML_BYTES:
        raise InputError(source, size_reason(len(html), MAX_HTML_BYTES), code="text_too_large")
    if isinstance(html, bytes) and (wide := sniff_encoding(html[:64])) not in (None, "utf-8-sig"):
        try:  # UTF-16/32: decoded here, so the markup bounds count characters and the parser gets text
            html = html.decode(wide)
        except UnicodeDecodeError:
            raise InputError(source, f"not valid {wide.upper()} (binary or undecodable data, not HTML)") from None
    if isinstance(html, bytes) and b"\x00" in html[:4096]:
        raise InputError(source, "binary or undecodable data, not HTML", code="binary_input")
    if not html.strip():
        raise EmptyInputError(source, NO_TEXT_REASON)
    refusal = markup_refusal(html)
    if refusal is not None:
        raise InputError(source, refusal)
    deadline.checkpoint()  # the parse cannot be stopped once begun: do not begin past the time limit

    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_tables=False,  # layout and data tables: not prose to analyse
            output_format="python",
        )
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise InputError(source, f"could not parse the HTML: {one_line(exc) or type(exc).__name__}") from exc
    if document is None:
        raise EmptyInputError(source, NO_TEXT_REASON)

    text = "\n\n".join(_blocks(document))
    if not text.strip():
        raise EmptyInputError(source, NO_TEXT_REASON)

    def meta(name: str) -> str | None:
        value = getattr(document, name, None)
        return one_line(value) if value else None

    extra = {key: value for key in ("description", "hostname", "language") if (value := meta(key))}
    return article_from_text(
        text,
        source,
        id=article_id_for(source, HTML_SUFFIXES) if id is None else id,
        title=meta("title"),
        detect_title=False,
        author=meta("author"),
        date=meta("date"),
        outlet=meta("sitename"),
        url=url or meta("url"),
        metadata=extra,
    )
