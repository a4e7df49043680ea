"""The reader's corrections in a real browser: "missed" and "wrong" marks made on the web page, kept in
localStorage, exported through POST /api/marks/export, and read back by ``spinscope import``.

uvicorn on a loopback port and Debian's Chromium driven by Playwright (skips without them, as
tests/test_server_browser.py does). The article has emoji and a flag before the marked words, so a code
point / UTF-16 slip would move the exported offsets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import SELECT_WORDS, recorded_page, rules_server

pytestmark = pytest.mark.browser

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt"
TAIL = "\n\nA shopkeeper 😀🇺🇦 on Market Row said the glorbs running the council were driving customers away.\n"
TEXT = DEMO.read_text(encoding="utf-8").rstrip("\n") + TAIL
LABEL = "Name_Calling,Labeling"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with rules_server() as url:
        yield url


def export(page: Any, fmt: str, tmp_path: Path) -> Path:
    with page.expect_download() as info:
        page.click(f".sp-marks [data-export='{fmt}']")
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_missed_and_wrong_marks_reach_the_export(browser: Any, server: str, tmp_path: Path) -> None:
    from spinscope.annotation import import_annotations

    with recorded_page(browser, server + "/") as seen:
        page = seen["page"]
        page.fill("#sp-text", TEXT)
        page.click("#sp-submit")
        page.wait_for_selector("#sp-result .ss-report mark.ss-t", timeout=60_000)
        page.wait_for_selector(".sp-marks[data-loaded]", timeout=10_000)
        result_id = page.url.rsplit("/", 1)[1]
        data = page.evaluate(f"fetch('/api/result/{result_id}').then(r => r.json())")
        assert data["text"] == TEXT

        # missed: select "glorbs running the council", choose name-calling
        assert page.evaluate(SELECT_WORDS, ["#sp-result .ss-text", "glorbs running the council"])
        page.select_option("#sp-mark-technique", LABEL)
        page.click("#sp-mark-missed")
        assert "Marked missed" in page.locator("#sp-marks-status").inner_text()

        # wrong: the first shown highlight
        first = page.locator("#sp-result .ss-text mark.ss-t:not(.ss-off)").first
        first.click()
        page.click("#sp-mark-wrong")
        assert page.locator(".sp-mark-wrong").count() == 1
        assert page.locator(".sp-mark-missed").count() == 1
        stored = page.evaluate(f"JSON.parse(localStorage.getItem('spinscope-marks:{result_id}'))")
        (missed,) = stored["missed"]
        (wrong,) = stored["wrong"]
        # code point offsets: the slice of the Python string is exactly the selected words
        assert TEXT[missed["start"] : missed["end"]] == "glorbs running the council"
        assert missed["technique"] == LABEL
        shown = [t for t in data["techniques"] if t["shown"]]
        assert {"start": wrong["start"], "end": wrong["end"], "technique": wrong["technique"]} in [
            {"start": t["start"], "end": t["end"], "technique": t["technique"]} for t in shown
        ]

        # Label Studio: the prediction is what spinscope showed, the annotation the corrected set
        path = export(page, "label-studio", tmp_path)
        (task,) = json.loads(path.read_text(encoding="utf-8"))
        predicted = {
            (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in task["predictions"][0]["result"]
        }
        (annotation,) = task["annotations"]
        corrected = {(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]) for r in annotation["result"]}
        missed_key = (missed["start"], missed["end"], LABEL)
        wrong_key = (wrong["start"], wrong["end"], wrong["technique"])
        assert missed_key in corrected and missed_key not in predicted
        assert wrong_key in predicted and wrong_key not in corrected
        assert corrected == (predicted - {wrong_key}) | {missed_key}
        for r in annotation["result"]:  # Label Studio counts code points, like Python
            assert r["value"]["text"] == TEXT[r["value"]["start"] : r["value"]["end"]]

        # doccano: UTF-16 code units, so the emoji and the flag's two halves each count twice
        line = json.loads(export(page, "doccano", tmp_path).read_text(encoding="utf-8"))
        units = TEXT.encode("utf-16-le")
        spans = {(s, e, label) for s, e, label in line["label"]}
        assert any(units[2 * s : 2 * e].decode("utf-16-le") == "glorbs running the council" for s, e, _ in spans)
        assert (missed["start"] + 3, missed["end"] + 3, LABEL) in spans  # 😀 one extra unit, 🇺🇦 two

        # the marks stay in this browser: the permalink page shows them again after a reload
        page.goto(f"{server}/r/{result_id}")
        page.wait_for_selector(".sp-marks[data-loaded]", timeout=10_000)
        assert page.locator(".sp-mark-missed").count() == 1
        assert page.locator(".sp-mark-wrong").count() == 1
        assert seen["errors"] == []

    # and spinscope import reads the correction back, as it reads Label Studio's own export
    result = import_annotations(path, "label-studio", tmp_path / "imported")
    (written,) = result.written
    imported = json.loads(written.read_text(encoding="utf-8"))
    human = {(t["start"], t["end"], t["technique"]) for t in imported["techniques"]}
    assert human == corrected
    assert all(t["engine"] == "human" for t in imported["techniques"])


def test_export_refuses_a_mark_off_the_text(server: str) -> None:
    import httpx

    created = httpx.post(server + "/api/analyze", json={"text": TEXT, "engine": "rules"}, timeout=60).json()
    result_id = created["permalink"].rsplit("/", 1)[1]
    body = {
        "result_id": result_id,
        "format": "doccano",
        "missed": [{"start": 5, "end": len(TEXT) + 1, "technique": LABEL}],
    }
    answer = httpx.post(server + "/api/marks/export", json=body, timeout=30)
    assert answer.status_code == 422
    assert "off the text" in answer.json()["message"]
    missing = httpx.post(server + "/api/marks/export", json={**body, "result_id": "nosuchresult"}, timeout=30)
    assert missing.status_code == 404
