"""Hostile and odd inputs (issue 17): nothing crashes a run, a bad input is one clear error and the run goes on.

Each test here failed before its fix: zero-width or bidi-only text (a ModelError from the
voice head), lone surrogates (UnicodeEncodeError / TypeError from the tokenizer), ids
missing from read errors, escape sequences reaching the terminal, and batch workers
outliving a ``kill -9`` of their parent. The server's items are in test_server_hardening.py,
the fuzz test in test_fuzz.py.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import spinscope
from spinscope.cli import app
from spinscope.document import Article
from spinscope.errors import EmptyInputError, InputError
from spinscope.normalise import has_text, normalise_text, visible_controls
from spinscope.readers import read_text, row_article

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo-article.txt"
SURROGATE_TEXT = "The senator said \ud800 the plan would pass on Tuesday."
INVISIBLE = ["\u200b", "\u202e", "\u200b\u200c\u200d\u2060\ufeff", " \u202a\u202c\u2066\u2069 \n\u200e\u200f", "\ufffd"]


def assert_offsets_exact(data: dict) -> None:
    text = data["text"]
    for span in data["techniques"] + data["claims"]:
        assert text[span["start"] : span["end"]] == span["text"]
    for quote in data["quotes"]:
        for part in ("content", "cue", "speaker"):
            if quote[part]:
                assert text[quote[part]["start"] : quote[part]["end"]] == quote[part]["text"]
    for sentence in data["sentences"] + data["paragraphs"]:
        assert 0 <= sentence["start"] <= sentence["end"] <= len(text)


# ---- the shared normalisation ------------------------------------------------------------------------


def test_normalise_text_keeps_length_for_surrogates_and_fixes_line_ends() -> None:
    assert normalise_text(SURROGATE_TEXT) == SURROGATE_TEXT.replace("\ud800", "\ufffd")
    assert len(normalise_text(SURROGATE_TEXT)) == len(SURROGATE_TEXT)
    assert normalise_text("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"
    assert normalise_text("\ud83d\ude00") == "\ufffd\ufffd"  # a pair left as two code points is two lone halves
    assert not any(has_text(text) for text in INVISIBLE)
    assert has_text("\u200bA") and has_text("42") and has_text("!") and has_text("€")


@pytest.mark.parametrize("text", INVISIBLE)
def test_invisible_only_text_is_an_empty_input(text: str) -> None:
    with pytest.raises(EmptyInputError, match="empty"):
        spinscope.analyze(text, engine="rules")
    with pytest.raises(EmptyInputError):
        read_text(text.encode("utf-8"), "zw.txt")
    with pytest.raises(EmptyInputError):
        spinscope.analyze(Article(text=text), engine="rules")


def test_lone_surrogate_in_a_python_string_is_replaced_and_offsets_hold() -> None:
    analysis = spinscope.analyze(SURROGATE_TEXT, engine="rules")
    text = analysis.article.text
    assert text == SURROGATE_TEXT.replace("\ud800", "\ufffd")
    data = json.loads(analysis.to_json())
    assert data["text"] == text and data["sentences"]
    assert_offsets_exact(data)
    # An Article holding one (made by hand) is built and analysed the same way.
    article = Article(text=SURROGATE_TEXT, id="given")
    assert spinscope.analyze(article, engine="rules").article.text == text


def test_analyze_normalises_line_ends_and_the_offsets_index_the_returned_text() -> None:
    raw = DEMO.read_text(encoding="utf-8").replace("\n", "\r\n")
    analysis = spinscope.analyze(raw, engine="rules")
    assert "\r" not in analysis.article.text
    assert analysis.article.text == raw.replace("\r\n", "\n")
    assert_offsets_exact(analysis.to_dict())


def test_rows_with_an_id_keep_it_in_their_read_error() -> None:
    with pytest.raises(EmptyInputError) as info:
        row_article({"id": "zw-1", "text": "\u200b"}, "rows.jsonl:line 2")
    assert info.value.article_id == "zw-1"
    with pytest.raises(InputError) as missing:
        row_article({"id": 7, "title": "no text"}, "rows.jsonl:line 3")
    assert missing.value.article_id == "7"
    assert row_article({"id": "s", "text": SURROGATE_TEXT}, "x").text == normalise_text(SURROGATE_TEXT)


def test_error_messages_show_control_characters_instead_of_obeying_them() -> None:
    error = InputError("bad\x1b]0;pwned\x07name.txt", "reason with \x1b[2J and \x9b31m")
    assert "\x1b" not in str(error) and "\x07" not in str(error) and "\x9b" not in str(error)
    assert "␛]0;pwned␇name.txt" in str(error)
    assert visible_controls("tab\tand\nnewline stay") == "tab\tand\nnewline stay"


# ---- the CLI: a multi-input run goes on -----------------------------------------------------------------


def test_cli_multi_input_goes_on_past_invisible_and_surrogate_inputs(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("Officials in Kessel said the bridge would reopen on Friday after repairs.\n", encoding="utf-8")
    (tmp_path / "zw.txt").write_text("\u200b\u202e", encoding="utf-8")
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        json.dumps({"id": "sur", "text": SURROGATE_TEXT}) + "\n" + json.dumps({"id": "bidi", "text": "\u202e"}) + "\n",
        encoding="utf-8",
    )
    last = tmp_path / "b.txt"
    last.write_text("The council approved the budget on Monday, the mayor's office said.\n", encoding="utf-8")
    out = tmp_path / "out"
    specs = [str(good), str(tmp_path / "zw.txt"), str(rows), str(last)]
    result = CliRunner().invoke(app, ["analyze", *specs, "-f", "json", "-o", str(out), "--engine", "rules"])
    assert result.exit_code == 1, result.output
    assert "2 of 5 inputs failed" in result.output
    assert "Traceback" not in result.output
    written = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in out.iterdir()}
    assert {"a.json", "b.json"} <= set(written)
    replaced = [data for data in written.values() if "\ufffd" in data["text"]]
    assert len(replaced) == 1 and replaced[0]["id"] == "sur"
    for data in written.values():
        assert_offsets_exact(data)


# ---- the terminal renderer ------------------------------------------------------------------------------


def test_terminal_output_carries_no_escape_sequence_from_the_article() -> None:
    hostile = (
        "Hijack\x1b]0;owned\x07 title",
        "The minister said\x1b[2J\x1b[31m the talks were a shameful surrender\x9b2J.\x00\x7f\n\n"
        'Critics said "it is a\x1b[5m betrayal" on Monday.',
    )
    data = spinscope.analyze(hostile[1], engine="rules").to_dict()
    data["title"] = hostile[0]
    data["meta"]["outlet"] = "Evil\x1b[8m Times"
    from spinscope.render import render_terminal

    stream = io.StringIO()
    render_terminal(data, Console(file=stream, width=100, no_color=True, force_terminal=False))
    output = stream.getvalue()
    controls = [c for c in output if (ord(c) < 0x20 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert controls == []
    assert "␛[2J" in output and "Hijack" in output
    assert "\x1b" in data["text"]  # the JSON keeps the text exactly


# ---- batch: one line in errors.jsonl, the run completes, resume works --------------------------------------


def test_batch_records_odd_rows_once_with_their_ids_and_resumes(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from spinscope.batch import run_batch
    from spinscope.batch.output import read_errors
    from test_batch import make_articles, read_rows

    articles = make_articles(3, seed=5)
    rows = [
        articles[0],
        {"id": "zero-width", "text": "\u200b\u200b"},
        {"id": "bidi", "text": "\u202e\n"},
        {"id": "surrogate", "text": SURROGATE_TEXT + " Engineers inspected the embankment."},
        articles[1],
        articles[2],
    ]
    source = tmp_path / "rows.jsonl"
    source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "out"
    first = run_batch([str(source)], out, engine="rules", workers=0, chunk_size=2)
    assert (first.written, first.failed) == (4, 2)
    errors = read_errors(out)
    assert sorted(e["id"] for e in errors) == ["bidi", "zero-width"]
    assert {e["error"] for e in errors} == {"EmptyInputError"} and {e["stage"] for e in errors} == {"read"}
    again = run_batch([str(source)], out, engine="rules", workers=0)
    assert (again.written, again.failed, again.skipped_done, again.skipped_failed) == (0, 0, 4, 2)
    ids = [row["id"] for row in read_rows(out)]
    assert sorted(ids) == sorted(["surrogate", *(a["id"] for a in articles)])
    assert len(read_errors(out)) == 2


def _children(pid: int) -> set[int]:
    """Every descendant of ``pid`` (Linux /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; init reaps it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_of_the_batch_leaves_no_worker_and_the_resume_gives_every_id_once(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from spinscope.batch.output import ARTICLES_DIR, part_files
    from test_batch import cli, make_articles, read_rows, write_jsonl

    articles = make_articles(40, seed=3)
    source = write_jsonl(tmp_path / "rows.jsonl", articles)
    out = tmp_path / "out"
    command = cli("batch", str(source), "-o", str(out), "--engine", "rules", "--workers", "2", "--chunk-size", "2")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    main = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
    )
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while not part_files(out / ARTICLES_DIR):
            assert main.poll() is None, "the batch ended before the kill"
            assert time.monotonic() < deadline, "no part file within 120 s"
            time.sleep(0.02)
        workers = _children(main.pid)
        assert len(workers) >= 2  # two workers (and multiprocessing's resource tracker)
        os.kill(main.pid, signal.SIGKILL)  # the main process alone, as `kill -9 PID` does
        main.wait()
        deadline = time.monotonic() + 5
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = sorted(pid for pid in workers if _alive(pid))
        assert not left, f"processes left 5 s after the kill: {left}"
    finally:
        for pid in workers:  # only if the test failed: do not leave them running
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = [row["id"] for row in read_rows(out)]
    assert sorted(ids) == sorted(a["id"] for a in articles)


def test_a_million_characters_are_refused_up_front() -> None:
    """A 1,000,000-character text ran for more than ten minutes with no output; now it is refused at once."""
    text = ("The minister said the talks would resume next week. " * 20_000)[:1_000_000]
    with pytest.raises(InputError, match=r"too large: 1,000,000 characters \(limit 200,000"):
        spinscope.analyze(text, engine="rules")
    result = CliRunner().invoke(app, ["analyze", "-", "--engine", "rules"], input=text)
    assert result.exit_code == 1 and "too large: 1,000,000 characters" in result.output
