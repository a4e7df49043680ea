"""The HTML report in a real browser: Debian's Chromium driven by Playwright.

Run: ``scripts/install-browser.sh`` once (installs the ``chromium`` package),
then ``.venv/bin/pytest -m browser tests/test_report_browser.py``. Without a
``chromium`` binary the tests skip. Playwright's own browser download is never
used (it needs the network).
"""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spinscope.render import render_html
from spinscope.techniques import get_technique

sys.path.insert(0, str(Path(__file__).parent))
from conftest import oped_with_weak_passages, recorded_page
from test_render import TEXT, TITLE, at, story, technique

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/spinscope-report.png")
PAYLOAD_SCRIPT = "<script>alert(1);window.__pwned=1</script>"
PAYLOAD_ATTR = '" onmouseover="alert(1);window.__pwned=2'
PAYLOAD_IMG = '<img src=x onerror="window.__pwned=3">'


def hostile_story() -> dict[str, Any]:
    """The test story plus a paragraph and a title full of markup that must stay text."""
    extra = f"\n\nA reader wrote {PAYLOAD_SCRIPT} and {PAYLOAD_ATTR} and {PAYLOAD_IMG} in the comments."
    text = TEXT + extra
    data = story()
    data["text"] = text
    data["title"] = f"{TITLE} {PAYLOAD_SCRIPT}{PAYLOAD_ATTR}"
    data["paragraphs"] = [*data["paragraphs"], {"start": len(TEXT) + 2, "end": len(text)}]
    data["techniques"].append(technique(f"{PAYLOAD_SCRIPT} and {PAYLOAD_ATTR}", "Slogans", 0.6, text))
    data["claims"].append({**at(f"{PAYLOAD_IMG} in the comments", text), "score": 0.3, "reasons": []})
    return data


@pytest.fixture
def report(browser: Any, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The hostile story's report opened in a fresh page, with everything the page did recorded."""
    path = tmp_path / "report.html"
    path.write_text(render_html(hostile_story()), encoding="utf-8")
    with recorded_page(browser, path.as_uri(), path=path, url=path.as_uri()) as seen:
        yield seen


def test_loads_cleanly_without_network(report: dict[str, Any]) -> None:
    page = report["page"]
    page.wait_for_timeout(200)
    assert report["errors"] == []
    assert report["requests"] == [report["url"]]
    assert page.title().startswith(TITLE)


def test_payloads_stay_text(report: dict[str, Any]) -> None:
    page = report["page"]
    page.locator(".ss-title").hover()
    page.locator("mark.ss-t", has_text="alert(1)").first.hover()
    assert page.evaluate("window.__pwned") is None
    assert report["dialogs"] == []
    assert page.locator(".ss-title").inner_text() == f"{TITLE} {PAYLOAD_SCRIPT}{PAYLOAD_ATTR}"
    assert page.locator(".ss-report script").count() == 1  # only the JSON data block
    assert page.locator(".ss-report img").count() == 0
    assert PAYLOAD_IMG in page.locator(".ss-text").inner_text()


def test_highlights_present(report: dict[str, Any]) -> None:
    page = report["page"]
    marks = page.locator(".ss-text mark.ss-t")
    assert marks.count() >= 5
    texts = marks.all_inner_texts()
    assert "shameful neglect" in texts and "left to rot" in texts
    overlap = page.locator("mark.ss-t", has_text="shameful neglect").first
    assert overlap.get_attribute("data-techniques") == "Loaded_Language Exaggeration,Minimisation"
    background = overlap.evaluate("el => getComputedStyle(el).backgroundImage")
    assert background.startswith("linear-gradient")


def test_click_shows_the_explanation(report: dict[str, Any]) -> None:
    page = report["page"]
    panel = page.locator("#ss-details")
    assert panel.is_hidden()
    page.locator("mark.ss-t", has_text="shameful neglect").first.click()
    assert panel.is_visible()
    body = panel.inner_text()
    for tid in ("Loaded_Language", "Exaggeration,Minimisation"):
        info = get_technique(tid)
        assert info.name in body and info.definition in body and info.example in body
    assert "reckless, shameful neglect" in body and "score 0.91" in body
    # the whole span of each technique covering the clicked place, and whose words they are
    assert "“shameful neglect by the ministry is a disgrace”" in body and "score 0.55" in body
    assert body.count("the writer's words") == 2
    assert "opinion sentence" not in body  # the opinion layer is off by default
    page.locator(".ss-close").click()
    assert panel.is_hidden()
    page.locator('input[data-layer="op"]').check()
    page.locator('input[data-layer="q"]').check()
    page.locator("mark.ss-t", has_text="shameful neglect").first.click()
    assert "opinion sentence" in panel.inner_text()
    page.locator(".ss-close").click()
    page.locator(".ss-q-direct").first.click()
    assert "Direct quote by Ellen Ruiz (person)" in panel.inner_text()
    assert report["errors"] == []


def test_keyboard_focus_and_enter(report: dict[str, Any]) -> None:
    page = report["page"]
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('ss-t')"):
            break
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "reckless, "
    page.keyboard.press("Enter")
    panel = page.locator("#ss-details")
    assert panel.is_visible()
    assert get_technique("Loaded_Language").definition in panel.inner_text()
    assert get_technique("Exaggeration,Minimisation").name not in panel.inner_text()
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("document.activeElement.textContent") == "reckless, "
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "shameful neglect"
    page.keyboard.press(" ")
    assert get_technique("Exaggeration,Minimisation").definition in panel.inner_text()


def test_legend_filters_a_technique(report: dict[str, Any]) -> None:
    page = report["page"]
    button = page.locator('.ss-legend-item[data-technique="Loaded_Language"]')
    assert button.locator(".ss-count").inner_text() == "2"
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    only_loaded = page.locator("mark.ss-t", has_text="reckless,").first
    assert "ss-off" in (only_loaded.get_attribute("class") or "")
    overlap = page.locator("mark.ss-t", has_text="shameful neglect").first
    style = overlap.get_attribute("style") or ""
    assert get_technique("Loaded_Language").colour not in style.lower()
    button.click()
    assert "ss-off" not in (only_loaded.get_attribute("class") or "")
    assert report["errors"] == []


def test_screenshots_and_phone_width(report: dict[str, Any], tmp_path: Path) -> None:
    page = report["page"]
    page.locator("mark.ss-t", has_text="shameful neglect").first.click()
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    shutil.copyfile(tmp_path / "report.png", SCREENSHOT)
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=False)
    shutil.copyfile(tmp_path / "phone.png", SCREENSHOT.with_name("spinscope-report-phone.png"))
    assert SCREENSHOT.stat().st_size > 10_000


MIN_CIEDE2000 = 7.5  # the palette's own minimum is 8.1 (scripts/palette.py); rendering may round a little
VISIONS = ("normal", "deutan", "protan", "tritan")


def test_fourteen_colours_differ_for_colour_blind_readers(browser: Any, tmp_path: Path) -> None:
    """Screenshot one highlight per technique and measure the colours actually drawn: every pair differs by
    at least MIN_CIEDE2000 (CIEDE2000) for normal vision and simulated deuteranopia, protanopia and tritanopia."""
    coloraide = pytest.importorskip("coloraide", reason="the test extra (coloraide) is not installed")
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (with the corpus extra) is not installed")
    from spinscope.techniques import TECHNIQUES

    words = [f"item{chr(97 + i)}" for i in range(len(TECHNIQUES))]
    text = " and ".join(words) + "."
    data = {
        "schema": "spinscope/1",
        "id": "palette",
        "title": "Palette",
        "text": text,
        "techniques": [technique(w, t.id, 0.9, text) for w, t in zip(words, TECHNIQUES, strict=True)],
    }
    path = tmp_path / "palette.html"
    path.write_text(render_html(data), encoding="utf-8")
    with recorded_page(browser, path.as_uri()) as seen:
        page = seen["page"]
        drawn = []
        for word in words:
            mark = page.locator("mark.ss-t", has_text=word).first
            shot = tmp_path / f"{word}.png"
            mark.screenshot(path=str(shot))
            with image_module.open(shot) as image:
                counts = image.convert("RGB").getcolors(maxcolors=1 << 16)
            drawn.append("#{:02x}{:02x}{:02x}".format(*max(counts)[1]))  # the background: the commonest pixel
    assert drawn == [t.colour for t in TECHNIQUES]
    Color = coloraide.Color
    # Machado et al. (2009) simulation at full severity, brought back into the sRGB gamut (as scripts/palette.py)
    views = {
        v: [
            Color(c) if v == "normal" else Color(c).filter(v, method="machado").convert("srgb").fit("srgb")
            for c in drawn
        ]
        for v in VISIONS
    }
    for vision, colours in views.items():
        for i in range(len(colours)):
            for j in range(i + 1, len(colours)):
                difference = colours[i].delta_e(colours[j], method="2000")
                assert difference >= MIN_CIEDE2000, (vision, TECHNIQUES[i].name, TECHNIQUES[j].name, difference)


def test_layers_start_off_and_each_switches_on(report: dict[str, Any]) -> None:
    """Only techniques are drawn at first; opinion shading, quote underlines and claim rules each have a switch
    and a line in the legend that says what they look like."""
    page = report["page"]
    opinion = page.locator(".ss-op").first
    quote = page.locator(".ss-q-indirect").first
    speaker = page.locator(".ss-sp").first
    claim = page.locator(".ss-cl").first

    def drawn() -> dict[str, bool]:
        return {
            "op": opinion.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)",
            "q": quote.evaluate("el => getComputedStyle(el).borderBottomColor") != "rgba(0, 0, 0, 0)",
            "sp": int(speaker.evaluate("el => getComputedStyle(el).fontWeight")) >= 600,
            "cl": claim.evaluate("el => getComputedStyle(el).textDecorationLine") != "none",
        }

    assert drawn() == {"op": False, "q": False, "sp": False, "cl": False}
    legend = page.locator(".ss-layers").inner_text()
    for words in ("dashed underline: an indirect quote", "solid underline: a direct quote", "bold: the speaker"):
        assert words in legend
    assert "Grey shading" in legend and "Line above" in legend
    page.locator('input[data-layer="q"]').check()
    assert drawn() == {"op": False, "q": True, "sp": True, "cl": False}
    page.locator('input[data-layer="op"]').check()
    page.locator('input[data-layer="cl"]').check()
    assert drawn() == {"op": True, "q": True, "sp": True, "cl": True}
    assert "dashed" in quote.evaluate("el => getComputedStyle(el).borderBottomStyle")


def test_weak_spans_hidden_until_switched_on(browser: Any, tmp_path: Path) -> None:
    """The real analysis of the bundled example: spans the default sensitivity leaves out are not highlighted,
    listed or counted until "Show +N more" is ticked; then they are, faded; unticked, gone again."""
    import spinscope
    from spinscope.calibration import is_weak

    # at the precise sensitivity, on an op-ed whose weaker passages are left out entirely (not only other labels of
    # shown ones: in the bundled example every passage left out at precise now overlaps a shown one)
    text = oped_with_weak_passages()
    data = spinscope.analyze(text, sensitivity="precise").to_dict()
    weak = [i for i, t in enumerate(data["techniques"]) if is_weak(t)]
    strong = [i for i, t in enumerate(data["techniques"]) if not is_weak(t)]
    assert weak and strong
    shown = [(t["start"], t["end"]) for t in data["techniques"] if not is_weak(t)]
    assert any(not any(s < t["end"] and t["start"] < e for s, e in shown) for t in data["techniques"] if is_weak(t))
    path = tmp_path / "demo.html"
    path.write_text(render_html(data), encoding="utf-8")
    lit = "[...document.querySelectorAll('.ss-text mark.ss-t')].filter(m => !m.classList.contains('ss-off'))"
    painted = f"new Set({lit}.flatMap(m => m.dataset.t.split(' ').map(Number).filter(i => !{weak}.includes(i) || document.querySelector('.ss-report').classList.contains('ss-show-weak'))))"
    with recorded_page(browser, path.as_uri()) as seen:
        page = seen["page"]
        cards = page.locator(".ss-spans > .ss-span:visible")
        legend = "[...document.querySelectorAll('button.ss-legend-item .ss-count')].reduce((n, c) => n + Number(c.textContent), 0)"

        def state() -> tuple[int, int, int, int]:
            weak_lit = page.evaluate(f"{lit}.filter(m => m.classList.contains('ss-weak')).length")
            return cards.count(), page.evaluate(legend), len(page.evaluate(f"[...{painted}]")), weak_lit

        assert state() == (len(strong), len(strong), len(strong), 0)
        box = page.locator("input[data-weak]")
        hidden = data["summary"]["hidden_technique_spans"]
        assert page.locator(".ss-weak-box").inner_text().startswith(f"Show +{hidden} more at 'everything'")
        box.check()
        shown = state()
        assert shown[:3] == (len(data["techniques"]),) * 3 and shown[3] > 0
        faded = page.locator(".ss-text mark.ss-weak").first
        # the technique's colour, mostly transparent (#rrggbb59, which the browser reads back as rgba)
        assert re.search(r"rgba\(\d+, \d+, \d+, 0\.3\d*\)", faded.get_attribute("style") or "")
        box.uncheck()
        assert state() == (len(strong), len(strong), len(strong), 0)
        assert seen["errors"] == []


def test_readme_picture_of_the_report(browser: Any, tmp_path: Path) -> None:
    """docs/report.png, shown in the README: the bundled example's report with the default settings (model engine,
    balanced sensitivity), its first screen, one passage's explanation open."""
    import spinscope
    from spinscope.readers.text import read_text

    # read as `spinscope analyze examples/demo-article.txt` (and `make demo`) reads it: title and source
    demo = Path(__file__).parents[1] / "examples" / "demo-article.txt"
    article = read_text(demo.read_bytes(), "examples/demo-article.txt")
    path = tmp_path / "demo.html"
    path.write_text(spinscope.analyze(article).to_html(), encoding="utf-8")
    with recorded_page(browser, path.as_uri()) as seen:
        page = seen["page"]
        shown = page.locator(".ss-text mark.ss-t:not(.ss-weak)")
        assert shown.count() > 0
        shown.first.click()
        target = Path(__file__).parents[1] / "docs" / "report.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000
        assert seen["errors"] == []
