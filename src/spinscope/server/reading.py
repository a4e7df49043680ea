"""The server's input reader: a request's ``text``, ``html`` or ``url`` (fetched under the server's rules)
read into an :class:`~spinscope.document.Article`, with the request's title, outlet and page URL, within the
server's text limit. Runs in an analysis thread."""

from __future__ import annotations

from typing import Any

from spinscope.document import Article
from spinscope.errors import FetchError, UnsafeURLError
from spinscope.server.errors import InvalidURL, TextTooLarge, one_line
from spinscope.server.schemas import ArticleIn
from spinscope.server.settings import Settings


def read_article(item: ArticleIn, settings: Settings) -> Article:
    limit = settings.max_text_chars
    if item.url is not None:
        from spinscope.readers.url import check_url, fetch_url

        url = item.url.strip()
        options: dict[str, Any] = {
            "allow_private": settings.allow_private_urls,
            "allow_hosts": settings.fetch_allow_hosts,
        }
        try:
            check_url(url, **options)
        except UnsafeURLError:
            raise
        except FetchError as error:
            raise InvalidURL("url", error.reason) from None
        article = fetch_url(url, timeout=settings.fetch_timeout, max_bytes=settings.max_fetch_bytes, **options)
    elif item.html is not None:
        from spinscope.readers.html import read_html

        article = read_html(item.html, "html", id="")
        article.source = None
    else:
        from spinscope.readers.text import read_text

        article = read_text(item.text or "", "text", id="")
        article.source = None
    if len(article.text) > limit:
        source = article.source if article.source else "text"
        raise TextTooLarge(source, f"too large: {len(article.text):,} characters of text (limit {limit:,})")
    if item.title is not None and item.title.strip():
        article.title = one_line(item.title)
    if item.outlet is not None and item.outlet.strip():
        article.outlet = one_line(item.outlet)
    if item.page_url is not None and item.page_url.strip() and item.url is None:
        article.url = item.page_url.strip()
    return article
