"""The ``spinscope`` command, run in-process with Typer's runner."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinscope.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "readers"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def assert_offsets_exact(analysis: dict) -> None:
    text = analysis["text"]
    for span in analysis["techniques"] + analysis["claims"]:
        assert text[span["start"] : span["end"]] == span["text"]
    for quote in analysis["quotes"]:
        for part in ("content", "cue", "speaker"):
            if quote[part]:
                assert text[quote[part]["start"] : quote[part]["end"]] == quote[part]["text"]
    for sentence in analysis["sentences"]:
        assert 0 <= sentence["start"] < sentence["end"] <= len(text)


def test_help_lists_every_command() -> None:
    result = run("--help")
    for command in ("analyze", "techniques", "label-spans", "eval", "eval-quotes", "eval-voice", "eval-spin"):
        assert command in result.output


def test_techniques_lists_the_fourteen_classes() -> None:
    rows = json.loads(run("techniques", "--json").output)
    assert len(rows) == 14 and {"Loaded_Language", "Name_Calling,Labeling"} <= {r["id"] for r in rows}


@pytest.mark.parametrize("engine", ["rules", "model", "fast"])
def test_analyze_text_file_json_offsets(tmp_path: Path, engine: str) -> None:
    target = tmp_path / "out.json"
    result = run("analyze", "examples/demo-article.txt", "--engine", engine, "-f", "json", "-o", str(target))
    assert result.exit_code == 0, result.output
    analysis = json.loads(target.read_text())
    assert analysis["schema"] == "spinscope/1" and analysis["techniques"]
    assert_offsets_exact(analysis)


def test_analyze_html_page(tmp_path: Path) -> None:
    target = tmp_path / "page.json"
    assert run("analyze", str(FIXTURES / "page.html"), "-f", "json", "-o", str(target)).exit_code == 0
    analysis = json.loads(target.read_text())
    assert analysis["title"] and len(analysis["text"]) > 200
    assert_offsets_exact(analysis)


def test_demo_writes_terminal_html_and_json(tmp_path: Path) -> None:
    result = run(
        "analyze", "examples/demo-article.txt", "--html", str(tmp_path / "r.html"), "--json", str(tmp_path / "a.json")
    )
    assert result.exit_code == 0
    assert "Valdoria" in result.output
    assert (tmp_path / "r.html").read_text().lower().startswith("<!doctype html>")
    assert json.loads((tmp_path / "a.json").read_text())["schema"] == "spinscope/1"


def test_show_weak_shows_the_spans_the_default_view_hides(tmp_path: Path) -> None:
    """The text and HTML views hide technique spans the sensitivity leaves out; --show-weak shows them
    (faded, marked "?" without colour); the JSON has every span either way."""
    from spinscope.calibration import is_weak

    plain = run(
        "analyze", "examples/demo-article.txt", "--json", str(tmp_path / "a.json"), "--html", str(tmp_path / "a.html")
    )
    data = json.loads((tmp_path / "a.json").read_text())
    weak = [t for t in data["techniques"] if is_weak(t)]
    hidden = data["summary"]["hidden_technique_spans"]
    assert weak and not re.search(r"\[\d+\?>", plain.output) and f"+{hidden} more at 'everything'" in plain.output
    shown = run("analyze", "examples/demo-article.txt", "--show-weak", "--html", str(tmp_path / "b.html"))
    assert len(re.findall(r"\[\d+\?>", shown.output)) == len(weak)
    started = 'class="ss-report ss-hide-op ss-hide-q ss-hide-cl ss-show-weak"'
    assert started in (tmp_path / "b.html").read_text() and started not in (tmp_path / "a.html").read_text()


def test_semeval_output_uses_article_ids(tmp_path: Path) -> None:
    article = tmp_path / "article4242.txt"
    article.write_text(Path("examples/demo-article.txt").read_text())
    result = run("analyze", str(article), "-f", "semeval")
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert lines and all(len(parts) == 4 and parts[0] == "4242" for parts in lines)
    assert all(int(parts[2]) < int(parts[3]) for parts in lines)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("missing.txt", None, "no such file"),
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\t \n", "empty"),
        ("binary.txt", bytes(range(256)) * 4, "binary"),
        ("german.txt", (FIXTURES / "german.txt").read_bytes(), "English"),
        ("nothing.html", (FIXTURES / "no_text.html").read_bytes(), "no article text"),
    ],
)
def test_bad_input_one_line_error(tmp_path: Path, name: str, content: bytes | None, reason: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = runner.invoke(app, ["analyze", str(path), "--engine", "rules"])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback
    errors = [line for line in result.output.splitlines() if "error" in line]
    assert len(errors) == 1 and name in errors[0] and reason in errors[0]


def test_huge_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"The minister spoke at length. " * 1_700_000)  # ~50 MB
    result = runner.invoke(app, ["analyze", str(path), "--engine", "rules"])
    assert result.exit_code == 1 and "too large" in result.output


def test_refused_url_is_a_clear_error() -> None:
    result = runner.invoke(app, ["analyze", "http://127.0.0.1:9/article", "--engine", "rules"])
    assert result.exit_code == 1
    assert "refusing to fetch" in result.output and "loopback" in result.output


def test_multi_input_keeps_going_and_exit_status_says_some_failed(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    out = tmp_path / "reports"
    result = runner.invoke(
        app,
        [
            "analyze",
            "examples/demo-article.txt",
            str(tmp_path / "empty.txt"),
            "-f",
            "json",
            "-o",
            str(out),
            "--engine",
            "rules",
        ],
    )
    assert result.exit_code == 1
    assert "1 of 2 inputs failed" in result.output
    assert json.loads((out / "demo-article.json").read_text())["schema"] == "spinscope/1"


def test_eval_with_predictions_matches_hand_computed(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "article1.txt").write_text("x" * 40)
    (tmp_path / "gold.txt").write_text("1\tDoubt\t0\t10\n1\tSlogans\t20\t30\n")
    (tmp_path / "pred.txt").write_text("1\tDoubt\t5\t15\n")
    result = run(
        "eval",
        "--articles",
        str(articles),
        "--gold",
        str(tmp_path / "gold.txt"),
        "--pred",
        str(tmp_path / "pred.txt"),
        "--json",
    )
    figures = json.loads(result.output)
    assert figures["si"] == {"precision": 0.5, "recall": 0.25, "f1": 0.3333}


def test_label_spans_gives_k_distinct_techniques_for_repeated_spans(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    text = Path("examples/demo-article.txt").read_text()
    (articles / "article9.txt").write_text(text)
    start = text.index("spineless cowards")
    end = start + len("spineless cowards")
    spans = tmp_path / "spans.txt"
    spans.write_text(f"9\t?\t{start}\t{end}\n9\t?\t{start}\t{end}\n9\t?\t0\t6\n")
    result = run("label-spans", "--articles", str(articles), "--spans", str(spans), "-o", str(tmp_path / "out.txt"))
    assert result.exit_code == 0
    lines = [line.split("\t") for line in (tmp_path / "out.txt").read_text().splitlines()]
    assert [(p[0], p[2], p[3]) for p in lines] == [("9", str(start), str(end))] * 2 + [("9", "0", "6")]
    assert lines[0][1] != lines[1][1]
    from spinscope.techniques import TECHNIQUE_IDS

    assert all(p[1] in TECHNIQUE_IDS for p in lines)


@pytest.mark.parametrize(
    ("missing", "args", "advice"),
    [
        ("duckdb", ["stats", "{tmp}"], "pip install 'spinscope[corpus]'"),
        ("pyarrow", ["batch", "examples/demo-article.txt", "-o", "{tmp}/out", "--no-progress"], "spinscope[corpus]"),
        ("fastapi", ["serve", "--port", "0"], "pip install 'spinscope[server]'"),
    ],
)
def test_messages_keep_their_brackets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missing: str, args: list[str], advice: str
) -> None:
    """Rich console markup read "[corpus]" as a style tag and printed "pip install 'spinscope'"."""
    monkeypatch.setitem(sys.modules, missing, None)  # as if the extra were not installed
    if missing == "fastapi":
        for name in [n for n in sys.modules if n.startswith("spinscope.server")]:
            monkeypatch.delitem(sys.modules, name)
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 1
    assert advice in result.output


def test_error_line_prints_brackets_literally() -> None:
    from rich.console import Console

    from spinscope.cli import error_line

    console = Console(file=io.StringIO(), width=200, no_color=True, markup=False)
    console.print(error_line("bad [corpus] and [bold]not bold[/] [link=x]"))
    assert console.file.getvalue().strip() == "spinscope: error: bad [corpus] and [bold]not bold[/] [link=x]"


def test_no_output_overwrites_another_in_one_run(tmp_path: Path) -> None:
    """Issue 30: ``-o out.json`` over a file of several articles kept the last (exit 0), and two folders'
    article1.txt gave one report. Now one file for several articles is refused before anything is
    written (exit 2), and a folder gets one file per article."""
    demo = Path("examples/demo-article.txt").read_text(encoding="utf-8")
    rows = tmp_path / "two.jsonl"
    rows.write_text("".join(json.dumps({"id": str(i), "text": demo}) + "\n" for i in (1, 2)), encoding="utf-8")
    target = tmp_path / "out.json"
    for option in ("-o", "--json", "--html"):
        result = runner.invoke(app, ["analyze", str(rows), "-f", "json", option, str(target), "--engine", "rules"])
        assert result.exit_code == 2, result.output
        assert "several articles" in " ".join(result.output.split()) and not target.exists()
    folders = []
    for name in ("north", "south"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "article1.txt").write_text(demo.replace("Valdoria", name.title()), encoding="utf-8")
        folders.append(str(tmp_path / name))
    out = tmp_path / "reports"
    result = runner.invoke(app, ["analyze", *folders, "-f", "json", "-o", str(out), "--engine", "rules"])
    assert result.exit_code == 0, result.output
    written = sorted(path.name for path in out.iterdir())
    assert written == ["article1.json", "south_article1.json"]
    assert "South" in json.loads((out / "south_article1.json").read_text())["text"]
