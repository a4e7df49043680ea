"""One definition per figure: the terminal view, the HTML report and the JSON agree on the bundled example.

Before, one article read "Opinion sentences 6 of 25 (18%)" in the terminal (all opinion sentences over
all sentences, beside the writer-only share), "18%" in the HTML and ``opinion_sentences: 3`` in the JSON.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinscope.calibration import is_weak
from spinscope.cli import app
from spinscope.document import Analysis, Article, Quote, SentenceVoice, Span, TechniqueSpan
from spinscope.pipeline import summarise as pipeline_summarise
from spinscope.summary import summarise

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt"


class Figures(HTMLParser):
    """The report's summary values (``dd[data-key]``), list lengths and legend counts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self.items: dict[str, int] = {"spans": 0, "claims": 0, "opinion": 0}
        self.legend: list[int] = []
        self.legend_all: list[int] = []  # every span of a technique, weak ones too (data-count)
        self.headings: dict[str, str] = {}
        self._key: str | None = None
        self._section = ""
        self._count = False
        self._heading: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "dd" and a.get("data-key"):
            self._key = a["data-key"]
            self.values[self._key] = ""
        if tag in ("h2", "h3") and a.get("id"):
            self._heading = a["id"]
            self.headings[self._heading] = ""
        if tag == "section":
            self._section = a.get("aria-labelledby") or ""
        if tag == "li" and "ss-span" in classes:
            self.items["spans"] += 1
        if tag == "li" and (a.get("id") or "").startswith("ss-c-"):
            self.items["claims"] += 1
        if tag == "li" and (a.get("id") or "").startswith("ss-o-"):
            self.items["opinion"] += 1
        if tag == "button" and "ss-legend-item" in classes and a.get("data-count"):
            self.legend_all.append(int(a["data-count"] or 0))
        if tag == "span" and "ss-count" in classes and self._section == "ss-h-legend":
            self._count = True

    def handle_data(self, data: str) -> None:
        if self._key:
            self.values[self._key] += data
        if self._heading:
            self.headings[self._heading] += data
        if self._count:
            self.legend.append(int(data))
            self._count = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "dd":
            self._key = None
        if tag in ("h2", "h3"):
            self._heading = None
        if tag == "details":
            self._section = ""  # the legend's "not found" list counts zeros


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str]:
    folder = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(
        app,
        [
            "analyze",
            str(DEMO),
            "-o",
            str(folder / "view.txt"),
            "--html",
            str(folder / "report.html"),
            "--json",
            str(folder / "analysis.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    return (
        json.loads((folder / "analysis.json").read_text(encoding="utf-8")),
        (folder / "view.txt").read_text(encoding="utf-8"),
        (folder / "report.html").read_text(encoding="utf-8"),
    )


def test_terminal_html_and_json_show_the_same_figures(outputs: tuple[dict, str, str]) -> None:
    data, view, html = outputs
    s = data["summary"]
    writer_opinions = [x for x in data["sentences"] if x["speaker"] == "writer" and x["voice"] == "opinion"]
    assert s["opinion_sentences"] == len(writer_opinions) > 0
    assert s["writer_sentences"] == sum(1 for x in data["sentences"] if x["speaker"] == "writer")
    assert s["claims"] == len(data["claims"]) > 0
    # technique figures count what the view shows (the JSON keeps every span, with its "shown" flag)
    shown = [t for t in data["techniques"] if t["shown"]]
    assert s["technique_count"] == len(shown) > 0
    assert s["technique_spans"] == len({(t["start"], t["end"]) for t in shown})
    every = {(t["start"], t["end"]) for t in data["techniques"]}
    assert s["hidden_technique_spans"] == len(every - {(t["start"], t["end"]) for t in shown}) > 0
    share = f"{round(100 * s['opinion_sentences'] / s['writer_sentences'])}%"

    # terminal: the summary rows, the opinion listing and the claims listing
    flat = " ".join(view.split())
    assert (
        f"Writer's opinion sentences {share} ({s['opinion_sentences']} of the writer's {s['writer_sentences']} sentences)"
        in flat
    )
    assert f"Persuasive passages shown {s['technique_spans']} (sensitivity balanced" in flat
    assert f"+{s['hidden_technique_spans']} more at 'everything'" in flat
    assert f"Checkable claims {s['claims']}" in flat
    assert f"Shown per 1,000 words {s['techniques_per_1000_words']:.1f}" in flat
    assert f"The writer's opinion sentences: {s['opinion_sentences']} of the writer's {s['writer_sentences']}" in flat
    assert f"Checkable claims: {s['claims']}" in flat
    writer_part = view.split("The writer's opinion sentences:")[1].split("Quoted speakers' opinion sentences")[0]
    assert writer_part.count("•") == s["opinion_sentences"]
    claims_part = view.split("Checkable claims:")[1]
    assert len(re.findall(r"^\s+\d+\.\s", claims_part, re.M)) == s["claims"]

    # HTML: the summary bar, the listings and the legend
    report = Figures(html)
    assert report.values["opinion_share"] == share
    assert report.values["technique_spans"] == str(s["technique_spans"])
    assert report.values["claims"] == str(s["claims"])
    assert report.values["techniques_per_1000_words"] == f"{s['techniques_per_1000_words']:.1f}"
    assert report.items == {"spans": len(data["techniques"]), "claims": s["claims"], "opinion": s["opinion_sentences"]}
    assert report.headings["ss-h-found"].split() == [
        "Persuasive",
        "passages",
        str(s["technique_spans"]),
        "shown",
        "·",
        f"+{s['hidden_technique_spans']}",
        "more",
        "at",
        "'everything'",
    ]
    # the legend counts what is highlighted by default (spans under the calibrated threshold are hidden
    # until switched on), and carries every span's count for when they are
    assert sum(report.legend) == sum(1 for t in data["techniques"] if not is_weak(t)) == s["technique_count"]
    assert sum(report.legend_all) == len(data["techniques"])
    assert (
        f"{s['opinion_sentences']} of the writer's {s['writer_sentences']} sentences" in report.headings["ss-h-opinion"]
    )
    assert report.headings["ss-h-claims"].split()[-1] == str(s["claims"])


def _quoted_story() -> Analysis:
    text = 'Rebels are "vile traitors," the minister said. This shameful betrayal must end.'
    inner = text.index("vile traitors")
    own = text.index("shameful betrayal")
    content = Span(text.index('"') + 1, text.index(',"') + 1)
    return Analysis(
        article=Article(text=text),
        techniques=[
            TechniqueSpan(inner, inner + 13, "Name_Calling,Labeling", 0.8),
            TechniqueSpan(own, own + 17, "Loaded_Language", 0.7),
        ],
        sentences=[
            SentenceVoice(0, text.index(" This"), "opinion", 0.8, "quoted"),
            SentenceVoice(text.index("This"), len(text), "opinion", 0.9, "writer"),
        ],
        paragraphs=[Span(0, len(text))],
        quotes=[Quote("direct", content, speaker=Span(text.index("the minister"), text.index(" said")))],
    )


def test_whose_words_a_technique_span_is() -> None:
    analysis = _quoted_story()
    analysis.summary = summarise(analysis)
    data = analysis.to_dict()
    assert [t["voice_of"] for t in data["techniques"]] == ["quoted", "writer"]
    s = data["summary"]
    assert (s["technique_spans"], s["writer_technique_spans"]) == (2, 1)
    assert s["word_count"] == 12 and s["writer_word_count"] == 10  # "vile traitors" is the minister's
    assert s["writer_techniques_per_1000_words"] == 100.0
    assert (s["opinion_sentences"], s["writer_sentences"], s["opinion_share"]) == (1, 1, 1.0)
    assert (s["quoted_opinion_sentences"], s["quoted_sentences"]) == (1, 1)
    assert pipeline_summarise is summarise  # the old import path still works
