"""HTML: the main text of a news page (boilerplate removed) and its metadata, via trafilatura."""

from __future__ import annotations

from typing import Any

from spinscope.document import Article
from spinscope.errors import EmptyInputError, InputError
from spinscope.readers.text import article_from_text, article_id_for, one_line, size_reason

MAX_HTML_BYTES = 20_000_000
"""The largest HTML page read (pages carry markup, scripts and styles: more than the text cap)."""

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
NO_TEXT_REASON = "no article text found in the HTML"


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
    :class:`InputError` when it is too large; malformed HTML is parsed leniently.
    """
    if len(html) > MAX_HTML_BYTES:
        raise InputError(source, size_reason(len(html), MAX_HTML_BYTES))
    if isinstance(html, bytes) and b"\x00" in html[:4096] and not html.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(source, "binary or undecodable data, not HTML")
    if not html.strip():
        raise EmptyInputError(source, NO_TEXT_REASON)

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
