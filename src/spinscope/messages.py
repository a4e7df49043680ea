"""Errors in plain words: what happened and what to do, for the person at the terminal or the web page.

The readers raise errors whose ``reason`` is exact and technical ("could not connect: cannot resolve x: Name or
service not known"); that text stays available as the technical detail (the API's ``detail`` field). This module
turns the fetch errors a reader meets most into a sentence that names the website and the next step, in one
place, so the CLI and the web app say the same thing.
"""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from spinscope.errors import FetchError, InputError, UnsafeURLError

Where = Literal["cli", "web"]

# What the reader can do instead of fetching, in each place.
INSTEAD = {
    "cli": "or open the page in your browser, save it as .html and analyse the file",
    "web": "or copy the article's text from your browser and paste it here",
}


def _host(url: str) -> str:
    try:
        return urlsplit(url.strip()).hostname or url
    except ValueError:
        return url


def _fetch_message(error: FetchError, where: Where) -> str | None:
    """A plain message for a fetch failure, or None to keep the reader's own reason."""
    reason, host, instead = error.reason, _host(error.source), INSTEAD[where]
    if isinstance(error, UnsafeURLError):
        # the refusal is exact and plain already; say why, and what works instead
        return f"{reason} (spinscope fetches only public websites: {instead.removeprefix('or ')})"
    if reason.startswith(("cannot fetch", "invalid URL")):
        return None  # already plain: what is refused and why
    if re.search(r"cannot resolve ", reason):
        return f"could not find the website {host}: check the address for typing mistakes and that you are online"
    if reason.startswith("could not connect"):
        return f"could not connect to {host}: check the address and that you are online, then try again"
    timed_out = re.match(r"timed out after ([\d.]+) s", reason)
    if timed_out:
        return f"{host} did not send the page within {timed_out.group(1)} seconds: try again later, {instead}"
    status = re.match(r"HTTP (\d{3})", reason)
    if status:
        code = int(status.group(1))
        if code in (404, 410):
            return f"{host} has no page at this address (error {code}): check the address"
        if code in (401, 403, 451):
            return f"{host} would not give the page to spinscope (error {code}), as some sites do with programs: {instead.removeprefix('or ')}"
        if code == 429:
            return f"{host} is turning requests away for now (error 429): try again in a few minutes, {instead}"
        if code >= 500:
            return f"{host} had a problem sending the page (error {code}): try again later, {instead}"
        return f"{host} did not send the page (error {code}): {instead.removeprefix('or ')}"
    if reason.startswith("too many redirects"):
        return f"the address sends you on from page to page too many times: open it in your browser and use the address it ends at, {instead}"
    if reason.startswith(("could not fetch", "invalid redirect")):
        return f"could not download the page from {host}: try again later, {instead}"
    return None


def for_people(error: InputError, where: Where = "cli") -> tuple[str, str | None]:
    """(message, detail): the plain reason, and the exact technical one when the plain one replaces it."""
    plain = _fetch_message(error, where) if isinstance(error, FetchError) else None
    if plain is None:
        return error.reason, None
    if isinstance(error, UnsafeURLError):
        return plain, None  # the plain message holds the whole reason
    return plain, error.reason
