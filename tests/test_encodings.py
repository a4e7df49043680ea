"""Encodings by detection in every reader, strict CSV, and `batch`'s exit status (issue 30, item 12).

Before: a UTF-16 CSV with a BOM was "not valid UTF-8" while UTF-16 .txt was read; a UTF-16 JSONL
gave "invalid JSON" on every line; a CSV with an unterminated quote merged the rows after it into
one field, silently; `batch` exited 0 when its only input was refused. Real files throughout.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinscope.cli import app
from spinscope.errors import InputError
from spinscope.readers.collections import iter_rows
from spinscope.readers.inputs import read_file
from spinscope.readers.text import sniff_encoding

TEXT = "The senator said on Tuesday that the plan would pass. Critics called it a shameful surrender."
WIDE = ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-8-sig"]


def rows(path: Path) -> list[tuple[str, object]]:
    return list(iter_rows(path))


@pytest.mark.parametrize("encoding", WIDE)
def test_csv_in_any_unicode_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(f'id,text\n1,"{TEXT}"\n2,"{TEXT} Again, “quoted”."\n'.encode(encoding))
    read = rows(path)
    assert [type(article).__name__ for _, article in read] == ["Article", "Article"], read
    assert [article.id for _, article in read] == ["1", "2"]  # type: ignore[attr-defined]
    assert read[1][1].text.endswith("Again, “quoted”.")  # type: ignore[attr-defined]


@pytest.mark.parametrize("encoding", WIDE)
def test_jsonl_in_any_unicode_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.jsonl"
    lines = "".join(json.dumps({"id": n, "text": TEXT}, ensure_ascii=False) + "\n" for n in ("x", "y"))
    path.write_bytes(lines.encode(encoding))
    read = rows(path)
    assert [(source.rsplit(":", 1)[1], article.id) for source, article in read] == [  # type: ignore[attr-defined]
        ("line 1", "x"),
        ("line 2", "y"),
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_json_array_in_utf16(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(json.dumps([{"id": "a", "text": TEXT}]).encode(encoding))
    assert [article.id for _, article in rows(path)] == ["a"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32"])
def test_text_and_html_files_without_or_with_a_bom(tmp_path: Path, encoding: str) -> None:
    text = tmp_path / "story.txt"
    text.write_bytes(TEXT.encode(encoding))
    assert read_file(text).text == TEXT
    page = tmp_path / "page.html"
    html = f"<html><head><title>T</title></head><body><article><p>{TEXT}</p><p>{TEXT}</p></article></body></html>"
    page.write_bytes(html.encode(encoding))
    assert TEXT in read_file(page).text


def test_sniffing_leaves_binary_alone() -> None:
    assert sniff_encoding(bytes(range(64))) is None
    assert sniff_encoding(b"plain ascii text, nothing wide") is None


def test_an_unterminated_quote_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(f'id,text\n1,"{TEXT}"\n2,"{TEXT}\n3,"{TEXT}"\n4,"{TEXT}"\n', encoding="utf-8")
    read = rows(path)
    errors = [(source, item) for source, item in read if isinstance(item, InputError)]
    assert len(errors) == 1 and errors[0][0].endswith("q.csv:line 3")
    assert "unterminated quote" in errors[0][1].reason
    ids = [item.id for _, item in read if not isinstance(item, InputError)]  # type: ignore[attr-defined]
    assert ids == ["1", "4"]  # row 3 went into the broken field: reported, not merged into row 2
    path.write_text(f'id,text\n1,"{TEXT}"\n2,"never closed\n', encoding="utf-8")
    last = rows(path)[-1]
    assert last[0].endswith(":line 3") and "never closed (unterminated quote)" in last[1].reason  # type: ignore[union-attr]


def test_batch_exits_non_zero_when_its_only_input_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from spinscope.batch.output import read_errors

    path = tmp_path / "broken.csv"
    path.write_text("title,body\nA,B\n", encoding="utf-8")  # no text column: refused as a whole
    out = tmp_path / "out"
    args = ["batch", str(path), "-o", str(out), "--workers", "0", "--engine", "rules", "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "1 input could not be analysed" in " ".join(result.output.split())
    assert [e["message"] for e in read_errors(out)] == ["no 'text' column (columns: title, body)"]
    again = CliRunner().invoke(app, args)  # still refused on resume: still non-zero
    assert again.exit_code == 1 and len(read_errors(out)) == 1


def test_batch_counts_every_refused_row(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from spinscope.batch.output import read_errors

    path = tmp_path / "rows.csv"
    path.write_text(f'id,text\n1,"{TEXT}"\n2,""\n3,"{TEXT}\n4,"{TEXT}"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", str(path), "-o", str(out), "--workers", "0", "--engine", "rules"])
    assert result.exit_code == 1
    assert sorted(e["source"].rsplit(":", 1)[1] for e in read_errors(out)) == ["line 3", "line 4"]


@pytest.mark.parametrize("content", [b"", b"\n\n", b"id,text\n", b"id,text\n,\n"])
def test_a_collection_without_rows_is_a_refusal(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / ("rows.csv" if content.startswith(b"id") else "rows.jsonl")
    path.write_bytes(content)
    [(source, item)] = rows(path)
    assert source == str(path) and isinstance(item, InputError) and item.reason.startswith("empty")


def test_utf16_html_on_stdin_is_read_as_html() -> None:
    import io

    from spinscope.readers.inputs import iter_inputs

    html = f"<!doctype html><html><body><article><p>{TEXT}</p><p>{TEXT}</p></article></body></html>"
    [(_, article)] = list(iter_inputs(["-"], stdin=io.BytesIO(html.encode("utf-16"))))
    assert not isinstance(article, InputError) and "<p>" not in article.text and TEXT in article.text
