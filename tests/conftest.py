"""Shared fixtures. Corpus tests skip cleanly when ../shared/corpora is absent (a user's machine)."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
DEMO = REPO / "examples" / "demo-article.txt"


@pytest.fixture
def demo_text() -> str:
    return DEMO.read_text(encoding="utf-8")


@pytest.fixture
def corpora() -> Path:
    if not CORPORA.is_dir():
        pytest.skip("../shared/corpora is not present on this machine")
    return CORPORA


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
# Debian's Chromium, headless, with the background services off: this machine has no network beyond loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium driven by Playwright; skips when the chromium package is not installed."""
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH or at /usr/bin/chromium: run scripts/install-browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1") -> Iterator[int]:
    """Run an ASGI app under a real uvicorn server on a free loopback port; yields the port."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", timeout_keep_alive=2))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextlib.contextmanager
def recorded_page(browser: Any, address: str, **extra: Any) -> Iterator[dict[str, Any]]:
    """Open ``address`` in a fresh 1280x900 page that records console errors, page errors, requests and
    dialogs (dismissed); yields ``{"errors", "requests", "dialogs", "page", **extra}``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen: dict[str, Any] = {"errors": [], "requests": [], "dialogs": [], "page": page, **extra}
    page.on("console", lambda m: seen["errors"].append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: seen["errors"].append(f"pageerror: {e}"))
    page.on("request", lambda r: seen["requests"].append(r.url))

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(address, wait_until="load")
    try:
        yield seen
    finally:
        context.close()


def oped_with_weak_passages() -> str:
    """An invented op-ed (the spin set's dev article a01) in which the precise sensitivity leaves some passages out
    entirely: the browser tests of the "+N more" switch need passages that appear only when it is ticked."""
    from spinscope.evaluation.spin_set_loader import load_spin_set

    return next(a.text for a in load_spin_set("dev") if a.id.startswith("a01-"))


@contextlib.contextmanager
def rules_server() -> Iterator[str]:
    """The real app (rules engine, in-memory store, no rate limit) served in a thread: its base URL."""
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    pytest.importorskip("uvicorn", reason="the server extra is not installed")
    from spinscope.server import Settings, create_app

    app = create_app(Settings(engine="rules", db_path=":memory:", rate_per_minute=0))
    with serve_in_thread(app) as port:
        yield f"http://127.0.0.1:{port}"


# select the first occurrence of a word under a root element, as a reader's drag would:
# page.evaluate(SELECT_WORDS, [root_selector, words]) -> whether it was found
SELECT_WORDS = """([root, word]) => {
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(word);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + word.length);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      return true;
    }
  }
  return false;
}"""
