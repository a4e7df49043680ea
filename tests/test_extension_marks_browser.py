"""The reader's corrections in the browser extension: "wrong" from a passage's panel, "missed" on words selected
in the page, exported from the popup through the server (POST /api/marks/export).

The same harness as tests/test_extension_browser.py (Debian's Chromium with the unpacked extension, the test news
page, a real server, all on loopback); skips without them. An emoji and a flag are put in the page before the
selected words, so a UTF-16 / code point slip would move the exported offsets.
"""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from conftest import SELECT_WORDS
from test_extension_browser import PANEL, extension, fetch_json, open_article, open_popup, server, site, use_server

pytestmark = pytest.mark.browser
__all__ = ["extension", "server", "site"]  # fixtures, used by name

WORDS = "Our harbour, our future"
# the emoji go into the page's own text, before the words the reader will select
ADD_EMOJI = """() => {
  const p = [...document.querySelectorAll('p')].find((e) => e.textContent.includes('Stand up for Port Elwin'));
  p.firstChild.data = '😀🇺🇦 ' + p.firstChild.data;
}"""
FIRST_HIGHLIGHT = """() => {
  for (const [name, highlight] of CSS.highlights) {
    if (!/^spinscope-t\\d+$/.test(name)) continue;
    const rect = [...highlight][0].getClientRects()[0];
    return { x: rect.left + 2, y: rect.top + rect.height / 2 };
  }
  return null;
}"""


def export(popup: Any, fmt: str) -> str:
    """Export from the popup; the file's content, read from the link the popup saves it through."""
    popup.click(f"#export-{fmt}")
    popup.wait_for_selector(f"#marks-file[data-format='{fmt}']:not([hidden])")
    return popup.evaluate("fetch(document.querySelector('#marks-file').href).then((r) => r.text())")


def test_extension_marks_reach_the_export(extension: SimpleNamespace, server: str, site: str) -> None:
    use_server(extension, server)
    page, tab_id, errors = open_article(extension, site)
    page.evaluate(ADD_EMOJI)
    popup = open_popup(extension, tab_id)
    popup.click("#analyse")
    popup.wait_for_selector("#result:not([hidden]), #error:not([hidden])", timeout=120_000)
    assert popup.locator("#error").is_hidden(), popup.locator("#error").inner_text()
    result_id = (popup.locator("#permalink").get_attribute("href") or "").rsplit("/", 1)[1]
    analysis = fetch_json(server + "/api/result/" + result_id)
    text = analysis["text"]
    assert "😀🇺🇦 Stand up for Port Elwin" in text
    popup.wait_for_function("document.querySelector('#mark-technique').options.length === 14")

    # missed: words selected in the page, a technique chosen in the popup
    assert page.evaluate(SELECT_WORDS, ["body", WORDS])
    popup.select_option("#mark-technique", "Slogans")
    popup.click("#mark-missed")
    popup.locator("#marks-count", has_text="0 wrong, 1 missed").wait_for()
    assert f"Marked missed: “{WORDS}”" in popup.locator("#marks-count").inner_text()
    page.evaluate("getSelection().removeAllRanges()")

    # wrong: a highlighted passage's panel
    point = page.evaluate(FIRST_HIGHLIGHT)
    page.mouse.click(point["x"], point["y"])
    assert page.locator(PANEL).is_visible()
    page.click(f"{PANEL} .wrong")
    assert "Marked wrong" in page.locator(f"{PANEL} .marked").inner_text()

    stored = extension.worker.evaluate(f"chrome.storage.local.get('marks:{result_id}')")[f"marks:{result_id}"]
    (missed,) = stored["missed"]
    (wrong,) = stored["wrong"]
    assert text[missed["start"] : missed["end"]] == WORDS  # code points, past the emoji and the flag
    assert any(
        (t["start"], t["end"], t["technique"]) == (wrong["start"], wrong["end"], wrong["technique"])
        for t in analysis["techniques"]
        if t["shown"]
    )

    # exported from the popup: Label Studio (code points) with the correction as the annotation
    popup.reload()
    popup.locator("#marks-count", has_text="1 wrong, 1 missed").wait_for()
    (task,) = json.loads(export(popup, "label-studio"))
    corrected = {
        (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in task["annotations"][0]["result"]
    }
    predicted = {
        (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in task["predictions"][0]["result"]
    }
    missed_key = (missed["start"], missed["end"], "Slogans")
    wrong_key = (wrong["start"], wrong["end"], wrong["technique"])
    assert corrected == (predicted - {wrong_key}) | {missed_key}
    # doccano counts UTF-16 units: each astral character before the words (the emoji, the flag's two halves,
    # any the page had) counts one more
    line = json.loads(export(popup, "doccano"))
    units = text.encode("utf-16-le")
    shift = sum(1 for c in text[: missed["start"]] if ord(c) > 0xFFFF)
    assert shift >= 3
    assert [missed["start"] + shift, missed["end"] + shift, "Slogans"] in line["label"]
    assert units[2 * (missed["start"] + shift) : 2 * (missed["end"] + shift)].decode("utf-16-le") == WORDS
    assert errors == []
    page.close()
    popup.close()
