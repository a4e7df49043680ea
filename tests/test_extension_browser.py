"""The browser extension (src/spinscope/extension/, loaded from where the package is installed) end to end: Debian's Chromium with the unpacked extension, a local news page,
a real spinscope server, all on loopback.

Chromium's new headless mode loads unpacked extensions (``--load-extension``), so no display is needed. The test
page (tests/fixtures/extension/article.html) is an invented article inside site chrome: navigation, ads, a sponsored
box inside the article, comments. The analysis is triggered the way a reader does it, from the popup (opened as a
page, with ``?tab=`` naming the article's tab). Writes docs/extension.png (shown in the README) with the default
settings: the model engine, balanced sensitivity.
"""

from __future__ import annotations

import functools
import json
import re
import socket
import threading
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import CHROMIUM, CHROMIUM_ARGS, REPO, serve_in_thread
from spinscope.browser_extension import extension_folder

pytestmark = pytest.mark.browser

# the folder `spinscope extension` prints: the installed package's copy, as a user would load it
EXTENSION = extension_folder()
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "extension"
SCREENSHOT = REPO / "docs" / "extension.png"
POPUP_SCREENSHOT = REPO / "docs" / "extension-popup.png"
STOPPED_SCREENSHOT = REPO / "docs" / "extension-not-running.png"

# In the page's own world: every spinscope technique highlight's ranges, with their text and their position
# counted in non-space code points of the article's text nodes (those in [data-test-skip], the byline and the
# sponsored box that Readability leaves out, excluded), so that they compare with the API's offsets whatever whitespace the page has.
RANGES_JS = """
() => {
  const story = document.getElementById("story");
  const nonSpace = (s) => [...s].filter((c) => !/\\s/.test(c)).length;
  const walker = document.createTreeWalker(story, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => n.parentElement.closest("[data-test-skip]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const before = new Map();
  let count = 0;
  let stream = "";
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    before.set(node, count);
    count += nonSpace(node.data);
    stream += [...node.data].filter((c) => !/\\s/.test(c)).join("");
  }
  const ranges = [];
  for (const [name, highlight] of CSS.highlights) {
    if (!/^spinscope-t\\d+$/.test(name)) continue;
    for (const range of highlight) {
      const start = before.get(range.startContainer) + nonSpace(range.startContainer.data.slice(0, range.startOffset));
      const rect = range.getBoundingClientRect();
      ranges.push({ name, text: range.toString(), start, length: nonSpace(range.toString()),
        x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 });
    }
  }
  return { stream, ranges };
}
"""

PANEL = "spinscope-ui .panel"


# A strict policy, as many news sites send: the extension must not need inline styles or scripts in the page.
PAGE_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; object-src 'none'"


class QuietHandler(SimpleHTTPRequestHandler):
    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", PAGE_CSP)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The test news page, served by a plain static file server on loopback, with a strict CSP."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(FIXTURES)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/article.html"
    finally:
        httpd.shutdown()
        httpd.server_close()


def spinscope_app(**options: Any) -> Any:
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    pytest.importorskip("uvicorn", reason="the server extra is not installed")
    from spinscope.server import Settings, create_app

    return create_app(Settings(engine="rules", db_path=":memory:", rate_per_minute=0, **options))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_in_thread(spinscope_app()) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def extension(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """Chromium (new headless) with the unpacked extension loaded; its service worker and id."""
    if CHROMIUM is None:
        pytest.skip("no chromium binary on PATH or at /usr/bin/chromium: run scripts/install-browser.sh")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    arguments = [*CHROMIUM_ARGS, f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}"]
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=arguments,
            viewport={"width": 1100, "height": 760},
        )
        try:
            workers = context.service_workers
            worker = workers[0] if workers else context.wait_for_event("serviceworker", timeout=60_000)
            extension_id = worker.url.split("/")[2]
            yield SimpleNamespace(
                context=context, worker=worker, id=extension_id, origin=f"chrome-extension://{extension_id}"
            )
        finally:
            context.close()


def use_server(extension: SimpleNamespace, address: str) -> None:
    extension.worker.evaluate("(server) => chrome.storage.local.set({ server })", address)


def open_article(extension: SimpleNamespace, url: str) -> tuple[Any, int, list[str]]:
    """A new tab on the article; its tab id and a list collecting the page's errors."""
    page = extension.context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url, wait_until="load")
    tab_ids = extension.worker.evaluate(
        "async (url) => (await chrome.tabs.query({})).filter((t) => t.url === url).map((t) => t.id)", page.url
    )
    assert len(tab_ids) == 1
    return page, tab_ids[0], errors


def open_popup(extension: SimpleNamespace, tab_id: int) -> Any:
    popup = extension.context.new_page()
    popup.set_viewport_size({"width": 400, "height": 700})
    popup.goto(f"chrome-extension://{extension.id}/popup.html?tab={tab_id}")
    return popup


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def non_space(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def squeeze(text: str) -> str:
    return " ".join(text.split())


def test_highlights_match_the_api_spans(extension: SimpleNamespace, server: str, site: str) -> None:
    use_server(extension, server)
    page, tab_id, errors = open_article(extension, site)
    body_before = page.evaluate("document.body.outerHTML")
    text_before = page.evaluate("document.documentElement.textContent")

    popup = open_popup(extension, tab_id)
    popup.click("#analyse")
    popup.wait_for_selector("#result:not([hidden]), #error:not([hidden])", timeout=120_000)
    assert popup.locator("#error").is_hidden(), popup.locator("#error").inner_text()
    permalink = popup.locator("#permalink").get_attribute("href") or ""
    assert permalink.startswith(server + "/r/")
    analysis = fetch_json(server + "/api/result/" + permalink.rsplit("/", 1)[1])
    techniques = fetch_json(server + "/api/techniques")
    assert analysis["techniques"], "the test article should hold techniques the rules engine finds"

    # Readability kept the article and left the site chrome out; the page address came along as metadata
    text = analysis["text"]
    assert text.startswith("Harbour plan sinks amid “betrayal” row\n\nThe town council of Port Elwin voted")
    assert "Tomas Brandt" in text and "Stand up for Port Elwin" in text
    for chrome in ("Sponsored", "Advertisement", "seagull77", "Most read", "Politics", "Coastal Ledger"):
        assert chrome not in text
    assert analysis["meta"]["url"] == site
    assert "\n\n" in text and "  " not in text

    # every highlight range is exactly one shown API span: same technique, same text, same place in the article
    seen = page.evaluate(RANGES_JS)
    api_stream = re.sub(r"\s", "", text)
    assert api_stream in seen["stream"]
    shift = seen["stream"].index(api_stream)
    names = {f"spinscope-t{i}": t["id"] for i, t in enumerate(techniques)}
    painted = sorted((names[r["name"]], r["start"], r["length"], squeeze(r["text"])) for r in seen["ranges"])
    expected = sorted(
        (s["technique"], shift + non_space(text[: s["start"]]), non_space(s["text"]), squeeze(s["text"]))
        for s in analysis["techniques"]
        if s["shown"]
    )
    assert painted == expected

    # the popup: counts per technique, the quotes with their speakers, the opinion share
    counts = [int(c) for c in popup.locator("#techniques .count").all_inner_texts()]
    assert sum(counts) == analysis["summary"]["technique_count"] == sum(s["shown"] for s in analysis["techniques"])
    assert "Tomas Brandt" in popup.locator("#quotes").inner_text()
    share = round(analysis["summary"]["opinion_share"] * 100)
    assert f"opinion: {share}% of sentences" in popup.locator("#overview").inner_text()
    popup.screenshot(path="/tmp/spinscope-extension-popup.png", full_page=True)

    # a click on a passage (one that overlaps no other) opens its panel
    alone = [r for r in seen["ranges"] if sum(1 for o in seen["ranges"] if overlaps(r, o)) == 1]
    target = alone[0]
    by_id = {t["id"]: t for t in techniques}
    technique = by_id[names[target["name"]]]
    panel = page.locator(PANEL)
    assert panel.is_hidden()
    page.mouse.click(target["x"], target["y"])
    assert panel.is_visible()
    assert page.locator(f"{PANEL} .name").inner_text() == technique["name"]
    assert page.locator(f"{PANEL} .definition").inner_text() == technique["definition"]
    assert "score" in page.locator(f"{PANEL} .score").inner_text()
    page.mouse.click(5, 740)  # elsewhere: the panel closes
    assert panel.is_hidden()

    # by keyboard: Tab to the bar's "next technique" button; Enter opens the passage after the clicked one
    in_order = sorted(seen["ranges"], key=lambda r: r["start"])
    following = in_order[(in_order.index(target) + 1) % len(in_order)]
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.shadowRoot?.activeElement?.className === 'next'"):
            break
    assert page.evaluate("document.activeElement?.shadowRoot?.activeElement?.className") == "next"
    page.keyboard.press("Enter")
    assert panel.is_visible()
    assert page.locator(f"{PANEL} .name").inner_text() == by_id[names[following["name"]]]["name"]
    assert page.evaluate("CSS.highlights.get('spinscope-current').size") == 1
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    # caret browsing (F7): the caret moved into a passage opens its panel
    page.evaluate(
        """(name) => { const range = [...CSS.highlights.get(name)][0];
        getSelection().collapse(range.startContainer, range.startOffset + 1); }""",
        target["name"],
    )
    page.locator(PANEL).wait_for(state="visible")
    assert page.locator(f"{PANEL} .name").inner_text() == by_id[names[target["name"]]]["name"]
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    page.evaluate("getSelection().removeAllRanges()")

    # a technique switched off in the popup disappears from the page, and comes back
    toggle = popup.locator("#techniques input").first
    hidden_name = next(name for name, tid in names.items() if tid == toggle.get_attribute("value"))
    toggle.uncheck()
    popup.wait_for_function("document.querySelector('#techniques input').checked === false")
    page.wait_for_function(f"!CSS.highlights.has('{hidden_name}')")
    toggle.check()
    page.wait_for_function(f"CSS.highlights.has('{hidden_name}')")

    # settings: a minimum score and the opinion layer apply to the page at once
    popup.locator("#settings summary").click()
    popup.fill("#min-score", "0.55")
    popup.check('input[name="layer"][value="opinion"]')
    popup.click("#settings-form button[type=submit]")
    popup.locator("#saved", has_text="Saved").wait_for()
    strong = sum(1 for s in analysis["techniques"] if s["score"] >= 0.55 and s["shown"])
    assert 0 < strong < sum(s["shown"] for s in analysis["techniques"])
    count = "[...CSS.highlights].filter(([k]) => /^spinscope-t/.test(k)).reduce((n, [, h]) => n + h.size, 0)"
    page.wait_for_function(f"{count} === {strong}")
    opinions = sum(1 for s in analysis["sentences"] if s["voice"] == "opinion")
    assert opinions > 0 and page.evaluate("CSS.highlights.get('spinscope-opinion').size") == opinions
    extension.worker.evaluate("chrome.storage.local.remove(['minScore', 'layers'])")

    # the page's own DOM is as it was: highlights are ranges, the UI sits in a shadow root outside <body>
    assert page.evaluate("document.body.outerHTML") == body_before
    assert page.evaluate("document.documentElement.textContent") == text_before
    assert errors == []
    page.close()
    popup.close()


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a["start"] < b["start"] + b["length"] and b["start"] < a["start"] + a["length"]


def test_server_stopped_shows_the_command(extension: SimpleNamespace, site: str) -> None:
    with serve_in_thread(spinscope_app()) as port:
        address = f"http://127.0.0.1:{port}"
        use_server(extension, address)
        assert fetch_json(address + "/healthz")["status"] == "ok"
    # the server has stopped
    page, tab_id, _ = open_article(extension, site)
    popup = open_popup(extension, tab_id)
    popup.click("#analyse")
    error = popup.locator("#error")
    error.wait_for(state="visible", timeout=120_000)
    assert f"spinscope is not running at {address}" in error.inner_text()
    assert "keep it running" in error.inner_text()
    # the settings' port is named, so the command starts a server where the extension looks
    command = f"spinscope serve --port {port}"
    assert error.locator("code").inner_text() == command
    assert popup.locator("#result").is_hidden()
    bar = page.locator("spinscope-ui .bar")
    assert bar.is_visible() and bar.locator("code").inner_text() == command
    assert page.evaluate("[...CSS.highlights.keys()].filter((k) => k.startsWith('spinscope-')).length") == 0

    # the default address (port 8000, when nothing listens there): the plain command, and the picture for
    # docs/extension.md
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", 8000))
        except OSError:
            pytest.skip("port 8000 is in use here")
    extension.worker.evaluate("chrome.storage.local.remove(['server'])")
    popup.reload()
    popup.click("#analyse")
    popup.locator("#error", has_text="spinscope is not running at http://127.0.0.1:8000").wait_for(timeout=120_000)
    assert popup.locator("#error code").inner_text() == "spinscope serve"
    popup.screenshot(path=str(STOPPED_SCREENSHOT), clip={"x": 0, "y": 0, "width": 400, "height": 210})
    page.close()
    popup.close()


def analyse_in_popup(extension: SimpleNamespace, site: str) -> tuple[Any, Any]:
    page, tab_id, _ = open_article(extension, site)
    popup = open_popup(extension, tab_id)
    popup.click("#analyse")
    popup.wait_for_selector("#result:not([hidden]), #error:not([hidden])", timeout=120_000)
    return page, popup


def test_other_address_needs_allow_origin(extension: SimpleNamespace, site: str) -> None:
    """127.0.0.2 is loopback too, but outside the extension's host access: only CORS lets it in."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.2", 0))
        except OSError:
            pytest.skip("127.0.0.2 is not a loopback address here")
    # `spinscope serve --host 127.0.0.2` answers to its bound address (issue 30's Host allow-list)
    bound = ("localhost", "127.0.0.1", "::1", "127.0.0.2")
    with serve_in_thread(spinscope_app(allowed_hosts=bound), host="127.0.0.2") as port:
        use_server(extension, f"http://127.0.0.2:{port}")
        page, popup = analyse_in_popup(extension, site)
        assert popup.locator("#result").is_hidden()
        command = f"spinscope serve --port {port} --allow-origin {extension.origin}"
        assert popup.locator("#error code").inner_text() == command
        page.close()
        popup.close()
    with serve_in_thread(
        spinscope_app(allowed_origins=(extension.origin,), allowed_hosts=bound), host="127.0.0.2"
    ) as port:
        use_server(extension, f"http://127.0.0.2:{port}")
        page, popup = analyse_in_popup(extension, site)
        assert popup.locator("#error").is_hidden()
        assert popup.locator("#permalink").get_attribute("href", timeout=1000).startswith(f"http://127.0.0.2:{port}/r/")
        assert page.evaluate("[...CSS.highlights.keys()].filter((k) => /^spinscope-t/.test(k)).length") > 0
        page.close()
        popup.close()


@pytest.fixture(scope="module")
def model_server() -> Iterator[str]:
    """A server on the model engine, whose technique spans carry a persuasion probability and a shown flag."""
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    from spinscope.server import Settings, create_app

    with serve_in_thread(create_app(Settings(engine="model", db_path=":memory:", rate_per_minute=0))) as port:
        yield f"http://127.0.0.1:{port}"


def highlight_sizes(page: Any, prefix: str) -> int:
    return page.evaluate(
        "(p) => [...CSS.highlights].filter(([k]) => new RegExp('^' + p + '\\\\d+$').test(k))"
        ".reduce((n, [, h]) => n + h.size, 0)",
        prefix,
    )


def test_weak_spans_are_hidden_until_asked(extension: SimpleNamespace, model_server: str, site: str) -> None:
    """The default shown set: spans the analysis' sensitivity leaves out (shown: false) are not painted until
    the "show weak" setting is on; then they are, in their own (faded) highlights."""
    use_server(extension, model_server)
    page, tab_id, errors = open_article(extension, site)
    popup = open_popup(extension, tab_id)
    popup.click("#analyse")
    popup.wait_for_selector("#result:not([hidden]), #error:not([hidden])", timeout=120_000)
    assert popup.locator("#error").is_hidden(), popup.locator("#error").inner_text()
    permalink = popup.locator("#permalink").get_attribute("href") or ""
    analysis = fetch_json(model_server + "/api/result/" + permalink.rsplit("/", 1)[1])
    weak = [s for s in analysis["techniques"] if not s["shown"]]
    strong = [s for s in analysis["techniques"] if s["shown"]]
    assert weak and strong, "the test article should hold spans the default sensitivity shows and leaves out"

    assert highlight_sizes(page, "spinscope-t") == len(strong)
    assert highlight_sizes(page, "spinscope-w") == 0

    # the picture for the README (docs/extension.png): the default settings (model engine, balanced), the first
    # shown passage's explanation open
    page.evaluate("window.scrollTo(0, 0)")
    first = min(page.evaluate(RANGES_JS)["ranges"], key=lambda r: r["start"])
    page.mouse.click(first["x"], first["y"])
    page.locator(PANEL).wait_for(state="visible")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))
    page.keyboard.press("Escape")
    popup.screenshot(path=str(POPUP_SCREENSHOT), full_page=True)  # docs/extension.md, step 6

    hidden = analysis["summary"]["hidden_technique_spans"]
    assert f"+{hidden} more at 'everything'" in popup.locator("#overview").inner_text()
    counts = [int(c) for c in popup.locator("#techniques .count").all_inner_texts()]
    assert sum(counts) == len(strong)

    popup.locator("#settings summary").click()
    popup.check("#show-weak")
    popup.click("#settings-form button[type=submit]")
    popup.locator("#saved", has_text="Saved").wait_for()
    page.wait_for_function(
        "(n) => [...CSS.highlights].filter(([k]) => /^spinscope-w\\d+$/.test(k)).reduce((m, [, h]) => m + h.size, 0) === n",
        arg=len(weak),
    )
    assert highlight_sizes(page, "spinscope-t") == len(strong)
    assert "more at 'everything'" not in popup.locator("#overview").inner_text()
    extension.worker.evaluate("chrome.storage.local.remove(['showWeak'])")
    assert errors == []
    page.close()
    popup.close()
