"""The public Python API: exact exported names, analyze / analyze_many, JSON round trip, README snippet."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import spinscope
from spinscope import Analysis, Article, EmptyInputError, Failure, InputError

EXPECTED_API = {
    "SCHEMA", "TECHNIQUES", "Analysis", "Article", "Claim", "EmptyInputError", "Failure", "FetchError", "InputError",
    "ModelError", "Quote", "SentenceVoice", "Span", "SpinscopeError", "Technique", "TechniqueSpan", "UnsafeURLError",
    "UnsupportedLanguageError", "__version__", "analyze", "analyze_many", "get_technique",
}  # fmt: skip


def test_public_names_are_exact() -> None:
    assert set(spinscope.__all__) == EXPECTED_API
    assert all(hasattr(spinscope, name) for name in spinscope.__all__)


def test_analyze_text_and_round_trip(demo_text: str) -> None:
    analysis = spinscope.analyze(demo_text, engine="rules")
    data = analysis.to_dict()
    assert data["schema"] == "spinscope/1" and data["text"] == demo_text
    assert Analysis.from_dict(data).to_dict() == data
    summary = data["summary"]
    assert summary["technique_count"] == len(data["techniques"])
    assert summary["word_count"] > 200 and summary["techniques_per_1000_words"] > 0


def test_min_score_filters(demo_text: str) -> None:
    everything = spinscope.analyze(demo_text, engine="rules")
    confident = spinscope.analyze(demo_text, engine="rules", min_score=0.55)
    assert 0 < len(confident.techniques) < len(everything.techniques)
    assert all(t.score >= 0.55 for t in confident.techniques)


def test_analyze_many_on_error(demo_text: str) -> None:
    items = [demo_text, "   ", Article(text=demo_text, id="x"), InputError("feed.jsonl:3", "invalid JSON")]
    results = list(spinscope.analyze_many(items, engine="rules", on_error="yield"))
    assert [type(r).__name__ for r in results] == ["Analysis", "Failure", "Analysis", "Failure"]
    assert isinstance(results[1], Failure) and "empty" in str(results[1].error)
    assert len(list(spinscope.analyze_many(items, engine="rules", on_error="skip"))) == 2
    with pytest.raises(EmptyInputError):
        list(spinscope.analyze_many(items, engine="rules"))


def test_analyse_each_keeps_going_with_typed_failures() -> None:
    from spinscope.pipeline import analyse_each

    def analyse(item: str) -> str:
        if item == "fault":
            raise RuntimeError("a bug")
        return spinscope.analyze(item, engine="rules").to_dict()["schema"]

    items = [
        ("a", "The minister said the talks would resume."),
        ("b", "   "),
        ("c", InputError("c.txt", "no such file")),
    ]
    outcomes = dict(analyse_each(items, analyse))
    assert outcomes["a"] == "spinscope/1"
    assert (outcomes["b"].code, outcomes["b"].status) == ("empty_input", 400)
    assert (outcomes["c"].code, outcomes["c"].source) == ("invalid_input", "c.txt")
    kept = dict(analyse_each([("d", "fault")], analyse, keep=Exception))
    assert (kept["d"].code, kept["d"].status, kept["d"].source) == ("internal_error", 500, "d")
    with pytest.raises(RuntimeError):  # not kept: it ends the loop
        list(analyse_each([("d", "fault")], analyse))


def test_bad_python_input() -> None:
    with pytest.raises(EmptyInputError):
        spinscope.analyze("")
    with pytest.raises(TypeError):
        spinscope.analyze(b"bytes are not text")  # type: ignore[arg-type]


def test_readme_python_snippet_runs() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    snippets = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert snippets, "the README should show the Python API"
    for snippet in snippets:
        exec(compile(snippet, "README.md", "exec"), {})


def test_fast_engine_reads_quotes_with_the_rules_alone(demo_text: str) -> None:
    from spinscope.analyzers.quotes import find_quotes
    from spinscope.segmentation import paragraphs, sentences

    full = spinscope.analyze(demo_text)
    fast = spinscope.analyze(demo_text, engine="fast")
    assert fast.models["quotes"] == {"engine": "rules"} and full.models["quotes"]["engine"] == "rules+tagger"
    assert fast.techniques == full.techniques
    spans = sentences(demo_text, paragraphs(demo_text))
    assert fast.quotes == find_quotes(demo_text, spans, use_tagger=False)
    with pytest.raises(ValueError, match="unknown engine"):
        spinscope.analyze(demo_text, engine="quick")  # type: ignore[arg-type]
