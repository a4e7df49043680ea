"""A quoted speaker's role (issue #26: "the group's chair, Gwen Lloyd," -> Gwen Lloyd, "chair of the group"):
found by the quote rules, kept in the spinscope/1 JSON (additively), shown in the terminal and the HTML
report, written to the Parquet span rows."""

from __future__ import annotations

import pytest
from rich.console import Console

from spinscope.analyzers.quotes import find_quotes
from spinscope.analyzers.quotes.naming import role_of
from spinscope.document import Analysis, Article
from spinscope.render import render_html, render_terminal
from spinscope.segmentation import sentences

TEXT = (
    "Library Closure Row\n\n"
    "The group's chair, Gwen Lloyd, said the closure was a mistake. "
    "Lloyd added that nobody had been consulted. Sam Beale, 54, said he would keep protesting."
)


@pytest.mark.parametrize(
    ("phrase", "name", "role"),
    [
        ("the group's chair, Gwen Lloyd,", "Gwen Lloyd", "chair of the group"),
        ("The company's chief operating officer, Marcus Feld", "Marcus Feld", "chief operating officer of the company"),
        ("The opposition finance spokesman, Erik Dahl,", "Erik Dahl", "opposition finance spokesman"),
        ("Finance Minister Ana Ruiz", "Ana Ruiz", "Finance Minister"),
        ("Headteacher Rhona Calder", "Rhona Calder", "Headteacher"),
        ("Leah Grant, a midwife,", "Leah Grant", "midwife"),
        ("Dock worker Sam Beale, 54", "Sam Beale", "Dock worker"),
        ("Sam Beale, 54,", "Sam Beale", None),  # an age is no role
        ("Mr. Ruiz", "Ruiz", None),  # an honorific is no role
        ("Ken Adeyemi, who runs the food bank", "Ken Adeyemi", None),
        ("the ministry", None, None),
    ],
)
def test_role_of_a_speaker_phrase(phrase: str, name: str | None, role: str | None) -> None:
    assert role_of(phrase, name) == role


def _analysis() -> Analysis:
    quotes = find_quotes(TEXT, sentences(TEXT), use_tagger=False)
    return Analysis(article=Article(text=TEXT, id="library-1", title="Library Closure Row"), quotes=quotes)


def test_the_role_follows_the_name_to_a_later_surname() -> None:
    got = {(q.speaker_name, q.role) for q in _analysis().quotes if q.speaker is not None}
    assert got == {("Gwen Lloyd", "chair of the group"), ("Sam Beale", None)}


def test_role_in_the_json_and_back() -> None:
    data = _analysis().to_dict()
    roles = [q["role"] for q in data["quotes"]]
    assert roles == ["chair of the group", "chair of the group", None]
    again = Analysis.from_dict(data)
    assert [q.role for q in again.quotes] == roles
    # older spinscope/1 JSON without the field still reads
    for q in data["quotes"]:
        del q["role"]
    assert all(q.role is None for q in Analysis.from_dict(data).quotes)


def test_role_shown_in_the_terminal_and_the_html() -> None:
    data = _analysis().to_dict()
    console = Console(record=True, width=200, color_system=None)
    render_terminal(data, console)
    assert "Gwen Lloyd, chair of the group" in console.export_text()
    html = render_html(data)
    assert '<span class="ss-role">, chair of the group</span>' in html
    assert "Gwen Lloyd, chair of the group" in html  # the tooltip of the quote's words


def test_role_in_the_parquet_span_rows() -> None:
    pytest.importorskip("pyarrow")
    from spinscope.batch.rows import analysis_rows, span_schema

    assert "speaker_role" in span_schema().names
    _, spans = analysis_rows(_analysis(), "library-1")
    quoted = [(s["speaker_name"], s["speaker_role"]) for s in spans if s["layer"] == "quote"]
    assert ("Gwen Lloyd", "chair of the group") in quoted
    assert ("Sam Beale", None) in quoted
    assert all(s["speaker_role"] is None for s in spans if s["layer"] != "quote")
