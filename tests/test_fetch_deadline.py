"""Issue 30, items 1 and 6: a fetch has one deadline for all of it, and markup is bounded before parsing.

Before: the fetch timeout applied to each read, so a page sending a byte every 0.2 s was never cut
off (nor stopped by an analysis time limit or a cancel); a page with 100,000 attributes took 92 s to
parse. Pages come from a real HTTP server on 127.0.0.1 that trickles; the time bounds asserted are
the deadline plus a generous margin (they prove "it stops", not a speed).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from spinscope import deadline
from spinscope.errors import AnalysisStopped, FetchError, InputError
from spinscope.readers import fetch_url
from spinscope.readers.html import MAX_HTML_TAGS, MAX_TAG_ATTRIBUTES, markup_refusal, read_html

MARGIN = 3.0  # seconds past a deadline that still count as "stopped" on a loaded two-core machine
PARAGRAPH = "<p>The minister said on Tuesday that the talks would resume next week in the capital city.</p>"


class Trickle(BaseHTTPRequestHandler):
    """``/body?seconds=S``: headers at once, then a byte every 0.2 s for S seconds; ``/head?seconds=S``:
    the status line, then the headers a byte every 0.2 s. Either stops when the client hangs up."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        seconds = float(parse_qs(parts.query).get("seconds", ["8"])[0])
        with contextlib.suppress(OSError):
            if parts.path == "/head":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self.drip(b"X-Padding: " + b"a" * 10_000, seconds)
            else:
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.drip(b"Sarnia. " * 12_500, seconds)

    def drip(self, data: bytes, seconds: float) -> None:
        end = time.monotonic() + seconds
        for byte in data:
            if time.monotonic() > end:
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.2)


@pytest.fixture(scope="module")
def trickle() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("path", ["/body", "/head"])
def test_a_trickling_page_is_cut_off_at_the_whole_fetch_deadline(trickle: str, path: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        fetch_url(f"{trickle}{path}?seconds=10", allow_private=True, timeout=1)
    assert time.monotonic() - start < 1 + MARGIN


def test_the_analysis_time_limit_stops_a_fetch(trickle: str) -> None:
    start = time.monotonic()
    with deadline.time_limit(1), pytest.raises(AnalysisStopped) as info:
        fetch_url(f"{trickle}/body?seconds=10", allow_private=True, timeout=60)
    assert info.value.why == "timeout"
    assert time.monotonic() - start < 1 + MARGIN


def test_a_cancel_stops_a_fetch_waiting_for_a_silent_page(trickle: str) -> None:
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    start = time.monotonic()
    with deadline.time_limit(None, cancel), pytest.raises(AnalysisStopped) as info:
        fetch_url(f"{trickle}/head?seconds=10", allow_private=True, timeout=60)
    assert info.value.why == "cancelled"
    assert time.monotonic() - start < 0.5 + MARGIN


def test_a_slow_name_lookup_counts_against_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    from spinscope.readers import url as url_module

    def slow_getaddrinfo(*args: Any, **kwargs: Any) -> list[Any]:
        time.sleep(8)  # a resolver that does not answer (each try waits 5 s)
        raise OSError("no answer")

    monkeypatch.setattr(url_module.socket, "getaddrinfo", slow_getaddrinfo)
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        fetch_url("http://news.example/story", timeout=1)
    assert time.monotonic() - start < 1 + MARGIN


# ---- item 6: markup bounded before parsing ---------------------------------------------------------


def page(body: str) -> str:
    return f"<html><head><title>T</title></head><body><article>{PARAGRAPH}{body}</article></body></html>"


@pytest.mark.parametrize(
    "html, reason",
    [
        (page("<p " + " ".join(f'a{i}="v"' for i in range(100_000)) + ">w</p>"), "a tag with 100,000 attributes"),
        (page("<p " + " ".join(f"a{i}" for i in range(5_000)) + ">w</p>"), "a tag with 5,000 attributes"),
        (page("<i>w</i>" * (MAX_HTML_TAGS + 1)), "tags"),
        (page("".join(f'<span a="1" b="2" c="{i}">w</span>' for i in range(15_000))), "attributes"),
    ],
)
def test_markup_too_large_to_parse_in_time_is_refused_at_once(html: str, reason: str) -> None:
    start = time.monotonic()
    with pytest.raises(InputError) as info:
        read_html(html, "page.html", id="")
    assert info.value.reason.startswith("too much markup to read in time") and reason in info.value.reason
    assert time.monotonic() - start < 2  # the scan, not a parse (the first page took 92 s to parse)


def test_ordinary_pages_pass_the_markup_scan() -> None:
    attributes = " ".join(f'data-x{i}="1"' for i in range(MAX_TAG_ATTRIBUTES - 10))
    busy = page(f'<div class="a" id="b" {attributes}>' + '<a href="/x" rel="next" class="l">x</a>' * 5_000 + "</div>")
    assert markup_refusal(busy) is None
    assert markup_refusal(busy.encode("utf-8")) is None
    assert "minister" in read_html(page('<p class="x">y</p>' * 100), "p.html", id="").text
