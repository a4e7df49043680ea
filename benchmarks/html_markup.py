"""How long does reading a crafted HTML page take? Issue 30: the parse of markup with many tags or
attributes is superlinear and cannot be stopped part-way.

    PYTHONPATH=src .venv/bin/python -m benchmarks.html_markup            # this tree
    PYTHONPATH=/path/to/main/src .venv/bin/python -m benchmarks.html_markup --max-seconds 120   # before

Builds pages of one short paragraph plus (a) N attributes on one tag, (b) N sibling tags with one
attribute each, (c) a tag with 256 attributes spread over N tags (the worst this tree still parses),
and times :func:`spinscope.readers.html.read_html` on each: the seconds, or the refusal (``refused``:
``too much markup``) with the time the scan took. Also times the scan alone on a real-sized page.
``--max-seconds`` skips the larger sizes of a case once one took longer than that.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from spinscope.errors import InputError
from spinscope.readers.html import read_html

PARAGRAPH = "<p>The minister said on Tuesday that the talks would resume next week in the capital city.</p>"


def page(body: str) -> str:
    return f"<html><head><title>T</title></head><body><article>{PARAGRAPH}<div>{body}</div></article></body></html>"


def one_tag(n: int) -> str:
    return page("<p " + " ".join(f'a{i}="v"' for i in range(n)) + ">word</p>")


def siblings(n: int) -> str:
    return page("".join(f'<span data-a{i}="v{i}">w</span>' for i in range(n)))


def wide_tags(n: int) -> str:
    attributes = " ".join(f'a{i}="v"' for i in range(150))
    return page("".join(f"<span {attributes}>w</span>" for i in range(n // 150)))


CASES: dict[str, Callable[[int], str]] = {
    "attributes on one tag": one_tag,
    "sibling tags, 1 attribute each": siblings,
    "tags of 150 attributes": wide_tags,
}


def timed(html: str) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        read_html(html, "bench", id="")
        outcome = "read"
    except InputError as error:
        outcome = "refused" if "markup" in error.reason else f"error: {error.reason[:40]}"
    return time.perf_counter() - start, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,10000,20000,40000,100000", help="N values (comma-separated)")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="skip larger N after a read this slow")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    print(f"{'case':34} {'N':>8} {'KB':>7} {'seconds':>8}  outcome")
    for name, build in CASES.items():
        for n in sizes:
            html = build(n)
            seconds, outcome = timed(html)
            print(f"{name:34} {n:>8,} {len(html) / 1000:>7.0f} {seconds:>8.2f}  {outcome}", flush=True)
            if seconds > args.max_seconds:
                print(f"{name:34} {'':>8} {'':>7} {'':>8}  (larger sizes skipped)")
                break
    try:
        from spinscope.readers.html import markup_refusal
    except ImportError:  # before issue 30: no scan
        return
    real = page(
        "".join(f'<div class="c{i}" id="d{i}"><a href="/x/{i}" rel="n">link {i}</a></div>' for i in range(5000))
    )
    start = time.perf_counter()
    markup_refusal(real)
    print(f"scan alone, a {len(real) / 1000:.0f} KB page of 10,000 tags: {1000 * (time.perf_counter() - start):.1f} ms")


if __name__ == "__main__":
    main()
