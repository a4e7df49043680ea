"""Renderers: coverage runs, HTML report, terminal view, SemEval lines (all from plain dicts)."""

from __future__ import annotations

import json
import random
import re
from html import unescape
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

import pytest
from rich.console import Console

from spinscope.document import Analysis, Article, Quote, SentenceVoice, Span, TechniqueSpan
from spinscope.render import coverage_runs, render_html, render_terminal, semeval_lines
from spinscope.render.segments import paragraph_spans
from spinscope.techniques import get_technique

# ---- a small, invented news story ------------------------------------------------------
TITLE = "Millbrook braces for a second storm"
TEXT = (
    "The river at Millbrook rose 2.4 metres overnight, council engineers said on Tuesday, "
    "forcing 300 families from their homes.\n\n"
    '"We have never seen water move this fast," said Mayor Ellen Ruiz. '
    'Officials called the damage "manageable", but residents were not convinced.\n\n'
    "This reckless, shameful neglect by the ministry is a disgrace. "
    "Everyone knows the dams were left to rot."
)


def at(phrase: str, text: str = TEXT) -> dict[str, int]:
    start = text.index(phrase)
    assert text.count(phrase) == 1, phrase
    return {"start": start, "end": start + len(phrase)}


def span_text(span: dict[str, int], text: str = TEXT) -> dict[str, Any]:
    return {**span, "text": text[span["start"] : span["end"]]}


def technique(phrase: str, technique_id: str, score: float, text: str = TEXT) -> dict[str, Any]:
    return {**span_text(at(phrase, text), text), "technique": technique_id, "score": score, "engine": "model"}


SENTENCES = [
    (
        "The river at Millbrook rose 2.4 metres overnight, council engineers said on Tuesday, forcing 300 families from their homes.",
        "reporting",
        "writer",
    ),
    ('"We have never seen water move this fast," said Mayor Ellen Ruiz.', "reporting", "quoted"),
    ('Officials called the damage "manageable", but residents were not convinced.', "reporting", "writer"),
    ("This reckless, shameful neglect by the ministry is a disgrace.", "opinion", "writer"),
    ("Everyone knows the dams were left to rot.", "opinion", "writer"),
]


def story() -> dict[str, Any]:
    """The story as a hand-built ``spinscope/1`` dict: overlapping and nested techniques, three quote kinds."""
    paragraphs = [{"start": s, "end": e} for s, e in paragraph_spans({"text": TEXT})]
    return {
        "schema": "spinscope/1",
        "id": "millbrook-1",
        "title": TITLE,
        "text": TEXT,
        "meta": {
            "id": "millbrook-1",
            "title": TITLE,
            "outlet": "The Valley Courier",
            "date": "2031-04-08",
            "url": "https://example.org/millbrook",
        },
        "techniques": [
            technique("reckless, shameful neglect", "Loaded_Language", 0.91),
            technique("shameful neglect by the ministry is a disgrace", "Exaggeration,Minimisation", 0.55),
            technique("Everyone knows the dams were left to rot", "Bandwagon,Reductio_ad_hitlerum", 0.77),
            technique("left to rot", "Loaded_Language", 0.66),
        ],
        "sentences": [
            {**at(s), "voice": v, "score": 0.9 if v == "opinion" else 0.8, "speaker": who} for s, v, who in SENTENCES
        ],
        "paragraphs": paragraphs,
        "quotes": [
            {
                "kind": "direct",
                "content": span_text(at("We have never seen water move this fast,")),
                "cue": span_text({"start": TEXT.index("said Mayor"), "end": TEXT.index("said Mayor") + 4}),
                "speaker": span_text(at("Mayor Ellen Ruiz")),
                "speaker_name": "Ellen Ruiz",
                "speaker_type": "person",
                "score": 0.97,
            },
            {
                "kind": "indirect",
                "content": span_text(at("The river at Millbrook rose 2.4 metres overnight")),
                "cue": None,
                "speaker": span_text(at("council engineers")),
                "speaker_name": "council engineers",
                "speaker_type": "group",
                "score": 0.7,
            },
            {
                "kind": "scare",
                "content": span_text(at("manageable")),
                "cue": None,
                "speaker": None,
                "speaker_name": None,
                "speaker_type": None,
                "score": 0.8,
            },
        ],
        "claims": [
            {**span_text(at(SENTENCES[0][0])), "score": 0.86, "reasons": ["number", "date", "named actor"]},
        ],
        "summary": {
            "technique_count": 4,
            "word_count": 64,
            "techniques_per_1000_words": 62.5,
            "opinion_share": 0.5,
            "quotes_by_speaker_type": {"person": 1, "group": 1},
        },
        "models": {"techniques": {"name": "tiny-test-model"}},
        "version": "0.2.0",
    }


def empty() -> dict[str, Any]:
    return {
        "schema": "spinscope/1",
        "id": "empty",
        "title": None,
        "text": "",
        "meta": {},
        "techniques": [],
        "sentences": [],
        "paragraphs": [],
        "quotes": [],
        "claims": [],
        "summary": {},
        "models": {},
        "version": "",
    }


# ---- a tiny DOM-free reader of the report ------------------------------------------------
class Report(HTMLParser):
    """Collects runs, cards, scripts and every attribute of the rendered HTML."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[dict[str, Any]] = []
        self.cards: list[dict[str, Any]] = []
        self.scripts: list[dict[str, Any]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h1 = ""
        self._open: dict[str, Any] | None = None
        self._kind = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        classes = (attributes.get("class") or "").split()
        if "ss-run" in classes:
            self._open, self._kind = {"attrs": attributes, "tag": tag, "text": ""}, "run"
        elif "ss-span-text" in classes:
            self._open, self._kind = {"attrs": attributes, "text": ""}, "card"
        elif tag == "script":
            self._open, self._kind = {"attrs": attributes, "text": ""}, "script"
        elif tag == "h1":
            self._kind = "h1"

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data
        elif self._kind == "h1":
            self.h1 += data

    def handle_endtag(self, tag: str) -> None:
        if (
            self._open is not None
            and (tag == self._open.get("tag", tag))
            and tag in ("mark", "span", "blockquote", "script")
        ):
            {"run": self.runs, "card": self.cards, "script": self.scripts}[self._kind].append(self._open)
            self._open, self._kind = None, ""
        elif tag == "h1":
            self._kind = ""


# ---- coverage runs -----------------------------------------------------------------------
def sets(runs) -> list[tuple[str, tuple[int, ...]]]:
    return [(r.text, r.indices) for r in runs]


def test_runs_without_spans_is_one_plain_run() -> None:
    assert sets(coverage_runs("hello world", [])) == [("hello world", ())]


def test_runs_of_empty_text_or_window() -> None:
    assert coverage_runs("", [{"start": 0, "end": 0}]) == []
    assert coverage_runs("abc", [{"start": 0, "end": 2}], start=2, end=2) == []


def test_runs_overlap() -> None:
    text = "abcdefghij"
    runs = coverage_runs(text, [{"start": 1, "end": 6}, {"start": 4, "end": 9}])
    assert sets(runs) == [("a", ()), ("bcd", (0,)), ("ef", (0, 1)), ("ghi", (1,)), ("j", ())]
    assert runs[2].spans == ({"start": 1, "end": 6}, {"start": 4, "end": 9})


def test_runs_nesting() -> None:
    runs = coverage_runs("abcdefgh", [{"start": 0, "end": 8, "t": "outer"}, {"start": 3, "end": 5, "t": "inner"}])
    assert sets(runs) == [("abc", (0,)), ("de", (0, 1)), ("fgh", (0,))]
    assert [s["t"] for s in runs[1].spans] == ["outer", "inner"]


def test_runs_adjacent_spans_stay_apart() -> None:
    runs = coverage_runs("aaabbb", [{"start": 0, "end": 3}, {"start": 3, "end": 6}])
    assert sets(runs) == [("aaa", (0,)), ("bbb", (1,))]


def test_runs_identical_spans_share_one_run() -> None:
    assert sets(coverage_runs("xyz", [{"start": 0, "end": 3}, {"start": 0, "end": 3}])) == [("xyz", (0, 1))]


def test_runs_ignore_empty_spans_and_clip() -> None:
    runs = coverage_runs("abcdef", [{"start": 2, "end": 2}, {"start": 4, "end": 99}])
    assert sets(runs) == [("abcd", ()), ("ef", (1,))]


def test_runs_window_keeps_absolute_offsets() -> None:
    runs = coverage_runs("0123456789", [{"start": 0, "end": 5}], start=3, end=8)
    assert [(r.start, r.end, r.indices) for r in runs] == [(3, 5, (0,)), (5, 8, ())]


def test_runs_match_brute_force() -> None:
    rng = random.Random(7)
    for _ in range(200):
        text = "x" * rng.randint(0, 30)
        spans = []
        for _ in range(rng.randint(0, 6)):
            a, b = sorted(rng.randint(0, len(text)) for _ in range(2))
            spans.append({"start": a, "end": b})
        runs = coverage_runs(text, spans)
        assert "".join(r.text for r in runs) == text
        assert all(r.start < r.end for r in runs)
        for left, right in pairwise(runs):
            assert left.end == right.start and left.indices != right.indices
        for run in runs:
            for position in range(run.start, run.end):
                covering = tuple(i for i, s in enumerate(spans) if s["start"] <= position < s["end"])
                assert covering == run.indices


# ---- HTML -------------------------------------------------------------------------------------
def test_html_is_self_contained() -> None:
    html = render_html(story())
    assert html.startswith("<!doctype html>")
    assert "Content-Security-Policy" in html and "default-src 'none'" in unescape(html)
    assert not re.search(
        r"""(src|href)\s*=\s*["']?(https?:)?//""", html.replace('href="https://example.org/millbrook"', "")
    )
    assert "@import" not in html and "url(" not in html
    assert "<style>" in html and "function" in html


def test_html_highlighted_runs_are_exact_text() -> None:
    data = story()
    report = Report(render_html(data))
    technique_runs = [r for r in report.runs if "data-t" in r["attrs"]]
    assert technique_runs
    for run in report.runs:
        start, end = int(run["attrs"]["data-start"]), int(run["attrs"]["data-end"])
        assert run["text"] == TEXT[start:end]
    for i, t in enumerate(data["techniques"]):
        pieces = [r["text"] for r in technique_runs if str(i) in r["attrs"]["data-t"].split()]
        assert "".join(pieces) == TEXT[t["start"] : t["end"]] == t["text"]
    assert [c["text"] for c in report.cards] == [t["text"] for t in data["techniques"]]


def test_html_overlap_lists_every_technique() -> None:
    report = Report(render_html(story()))
    overlap = next(r for r in report.runs if r["text"] == "shameful neglect")
    assert overlap["tag"] == "mark"
    assert overlap["attrs"]["data-techniques"].split() == ["Loaded_Language", "Exaggeration,Minimisation"]
    assert "ss-overlap" in overlap["attrs"]["class"]
    assert get_technique("Loaded_Language").colour in overlap["attrs"]["style"]
    assert get_technique("Exaggeration,Minimisation").colour in overlap["attrs"]["style"]
    assert "Loaded language (0.91)" in overlap["attrs"]["title"]
    assert overlap["attrs"]["tabindex"] == "0" and overlap["attrs"]["role"] == "button"
    nested = next(r for r in report.runs if r["text"] == "left to rot")
    assert nested["attrs"]["data-t"].split() == ["2", "3"]  # Bandwagon (0.77) before Loaded (0.66)


def test_html_marks_opinion_quotes_and_claims() -> None:
    report = Report(render_html(story()))
    by_text = {r["text"]: r["attrs"] for r in report.runs}
    assert "ss-op" in by_text["This "]["class"]
    assert "ss-q-direct" in by_text["We have never seen water move this fast,"]["class"]
    assert "ss-q-scare" in by_text["manageable"]["class"]
    assert "ss-sp" in by_text["Mayor Ellen Ruiz"]["class"]
    claim_runs = [a for a in by_text.values() if "ss-cl" in a["class"]]
    assert claim_runs and all(a.get("data-c") == "0" for a in claim_runs)
    assert "ss-q-indirect" in by_text["The river at Millbrook rose 2.4 metres overnight"]["class"]


def test_html_sections_and_summary() -> None:
    html = render_html(story())
    for expected in (
        TITLE,
        "The Valley Courier",
        "2031-04-08",
        'data-key="technique_spans">4<',
        'data-key="techniques_per_1000_words">62.5<',
        'data-key="opinion_share">50%<',
        "2 of the writer&#39;s 4 sentences",
        "person 1, group 1; scare quotes 1",
        "Ellen Ruiz",
        "Checkable claims",
        "number, date, named actor",
        get_technique("Loaded_Language").definition,
        get_technique("Loaded_Language").example,
        "tiny-test-model",
    ):
        assert expected in html, expected
    legend = re.search(r'data-technique="Loaded_Language"[^>]*>.*?class="ss-count"[^>]*>(\d+)<', html, re.S)
    assert legend and legend.group(1) == "2"
    # definitions once each, however many spans use the technique
    assert html.count(get_technique("Loaded_Language").definition) == 1
    assert "<td>tiny-test-model</td>" in html  # the models as a table, not raw JSON
    assert '{"name"' not in html.split('id="spinscope-data"')[0]


def test_html_summary_falls_back_to_layers() -> None:
    data = story() | {"summary": {}}
    html = render_html(data)
    assert 'data-key="technique_spans">4<' in html
    assert 'data-key="opinion_share">50%<' in html  # 2 of the writer's 4 sentences
    assert "person 1, group 1; scare quotes 1" in html


def test_html_embeds_the_analysis_json() -> None:
    data = story()
    report = Report(render_html(data))
    blob = next(s for s in report.scripts if s["attrs"].get("id") == "spinscope-data")
    assert blob["attrs"]["type"] == "application/json"
    assert json.loads(blob["text"]) == data


@pytest.mark.parametrize(
    "payload", ["<script>alert(1)</script>", '" onmouseover="alert(1)', "</script><!--", "{{ 7*7 }} & &amp;"]
)
def test_html_escapes_text_and_title(payload: str) -> None:
    text = f"Breaking: {payload} was posted by the ministry. It is a disgrace {payload}."
    data = empty() | {
        "title": f"Title {payload}",
        "text": text,
        "meta": {"outlet": payload, "url": "javascript:alert(1)"},
        "techniques": [technique(f"disgrace {payload}", "Loaded_Language", 0.9, text)],
        "sentences": [{**at(f"It is a disgrace {payload}.", text), "voice": "opinion", "score": 0.9}],
        "quotes": [{"kind": "scare", "content": at(payload + " was", text), "speaker_name": payload}],
        "claims": [
            {**at(f"Breaking: {payload} was posted by the ministry.", text), "score": 0.5, "reasons": [payload]}
        ],
    }
    for standalone in (True, False):
        html = render_html(data, standalone=standalone)
        report = Report(html)
        assert "alert(1)</script>" not in html
        assert 'onmouseover="alert' not in html
        assert not any(
            (value or "").lower().startswith("javascript:") for _tag, attrs in report.tags for value in attrs.values()
        )
        assert not any(name.startswith("on") for _tag, attrs in report.tags for name in attrs)
        assert len(report.scripts) == (2 if standalone else 1)
        assert report.h1 == f"Title {payload}"
        assert "{{" not in html or payload.startswith("{{")
        for run in report.runs:
            assert run["text"] == text[int(run["attrs"]["data-start"]) : int(run["attrs"]["data-end"])]
        assert "".join(r["text"] for r in report.runs if "data-t" in r["attrs"]) == f"disgrace {payload}"
        blob = next(s for s in report.scripts if s["attrs"].get("id") == "spinscope-data")
        assert json.loads(blob["text"]) == data


def test_html_fragment_has_the_same_markup() -> None:
    data = story()
    page, fragment = render_html(data), render_html(data, standalone=False)
    assert fragment.lstrip().startswith('<div class="ss-report ')
    assert "<html" not in fragment and "<style>" not in fragment and "<head>" not in fragment
    assert fragment.strip() in page


def test_html_renders_empty_layers() -> None:
    html = render_html(empty())
    assert "Untitled article" in html
    assert "This article has no text." in html
    assert "No persuasion techniques found." in html and "No quotes found." in html
    assert "No checkable claims found." in html and "None of the writer's sentences reads as opinion." in html
    assert 'data-key="opinion_share">0%<' in html
    assert render_html({"text": "Just one line."}).count("Just one line.") >= 1


def test_html_without_paragraphs_splits_blank_lines() -> None:
    data = story() | {"paragraphs": []}
    report = Report(render_html(data))
    assert "".join(r["text"] for r in report.runs if "data-t" in r["attrs"]).startswith("reckless")
    article = render_html(data).split('<div class="ss-text">')[1].split("</div>")[0]
    assert article.count("<p>") == 3


def test_html_tolerates_unknown_technique_and_bad_spans() -> None:
    data = story()
    data["techniques"] = [
        *data["techniques"],
        {"start": 0, "end": 3, "technique": "Brand_New_Thing", "score": 0.5},
        {"start": 5, "end": 99999, "technique": "Doubt", "score": 0.5},
        {"start": "x", "end": 3, "technique": "Doubt", "score": 0.5},
    ]
    html = render_html(data)
    assert "Brand New Thing" in html
    assert 'data-technique="Doubt"' in html  # in the legend, with no spans


def test_analysis_object_round_trip_renders() -> None:
    text = "Prices soared. Critics said it was a catastrophe."
    hot = text.index("a catastrophe")
    analysis = Analysis(
        article=Article(text=text, title="Prices"),
        techniques=[TechniqueSpan(hot, hot + 13, "Exaggeration,Minimisation", 0.8)],
        sentences=[SentenceVoice(0, 14, "reporting", 0.9), SentenceVoice(15, len(text), "reporting", 0.6)],
        paragraphs=[Span(0, len(text))],
        quotes=[
            Quote(
                "indirect",
                Span(text.index("it was"), len(text) - 1),
                cue=Span(text.index("said"), text.index("said") + 4),
                speaker=Span(15, 22),
                speaker_name="Critics",
                speaker_type="group",
            )
        ],
    )
    html = analysis.to_html()
    assert Report(html).cards[0]["text"] == "a catastrophe"
    assert render_html(json.loads(analysis.to_json())) == html


# ---- terminal ---------------------------------------------------------------------------------
def test_terminal_renders_everything_at_width_80() -> None:
    console = Console(record=True, width=80, color_system="truecolor", force_terminal=True)
    render_terminal(story(), console)
    out = console.export_text(clear=False)
    assert TITLE in out
    assert "Loaded language" in out and "Bandwagon" in out
    assert "reckless, shameful neglect[1]" in out  # footnote number after the span
    assert "Ellen Ruiz" in out and "scare" in out
    assert "The writer's opinion sentences: 2 of the writer's 4 sentences (50%)" in out
    assert "Checkable claims: 1" in out
    assert all(len(line) <= 80 for line in out.splitlines())
    styled = console.export_html(inline_styles=True)
    assert get_technique("Loaded_Language").colour in styled


def test_terminal_no_color_and_literal_brackets() -> None:
    data = story()
    data["title"] = "[red]not markup[/red]"
    console = Console(record=True, width=80, no_color=True)
    render_terminal(data, console)
    out = console.export_text()
    assert "[red]not markup[/red]" in out
    assert "\x1b[" not in out
    assert all(len(line) <= 80 for line in out.splitlines())


def test_terminal_without_colour_marks_both_ends_of_spans() -> None:
    """Piped text showed only where a span ended ("neglect[1]"): its start was lost without colour."""
    console = Console(record=True, width=200, no_color=True)
    render_terminal(story(), console)
    out = console.export_text()
    # 1 Loaded language, 2 Exaggeration, 3 Bandwagon (taxonomy order); nested spans close inside out
    assert "This [1>reckless, [2>shameful neglect<1] by the ministry is a disgrace<2]." in out
    assert "[3>Everyone knows the dams were [1>left to rot<1]<3]." in out
    assert "[n> … <n] mark where a span of technique n starts and ends." in out


def test_terminal_renders_empty_analysis() -> None:
    console = Console(record=True, width=80)
    render_terminal(empty(), console)
    out = console.export_text()
    assert "Untitled article" in out
    assert "No persuasion techniques found." in out
    assert "The writer's opinion sentences: 0 of the writer's 0 sentences" in out


# ---- SemEval -----------------------------------------------------------------------------------
def test_semeval_lines_sorted_by_start() -> None:
    data = story()
    data["techniques"] = list(reversed(data["techniques"]))
    lines = semeval_lines(data, "111")
    starts = [int(line.split("\t")[2]) for line in lines]
    assert starts == sorted(starts) and len(lines) == 4
    first = data["techniques"][-1]
    assert lines[0] == f"111\tLoaded_Language\t{first['start']}\t{first['end']}"
    assert semeval_lines(data)[0].startswith("millbrook-1\t")
    assert semeval_lines(empty()) == []
