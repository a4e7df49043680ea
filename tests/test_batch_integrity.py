"""What a resumed batch trusts, checked (issue 30, items 9 to 11).

Before: resuming with an edited input kept both versions (no ids) or the stale one (ids), silently;
a damaged spans part was not noticed by resume and `stats` crashed with a DuckDB traceback; a full
disk or a read-only output folder gave raw tracebacks. Real files; the full disk and the read-only
folder are a real tmpfs where the test may mount one, and a write that raises ENOSPC everywhere.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from spinscope.batch import run_batch  # noqa: E402
from spinscope.batch.output import ARTICLES_DIR, SPANS_DIR, part_files  # noqa: E402
from spinscope.cli import app  # noqa: E402
from test_batch import canonical, make_articles, read_rows, write_folder, write_jsonl  # noqa: E402

EDITED = "The mayor of Kessel said on Friday that the bridge would reopen next month. Critics called it a disgrace."


def run(inputs: list[Path], out: Path, **options: object) -> object:
    return run_batch([str(p) for p in inputs], out, engine="rules", workers=0, chunk_size=2, **options)  # type: ignore[arg-type]


def one_line_error(output: str) -> str:
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if line.startswith("spinscope: error:")]
    assert len(lines) == 1, output
    return lines[0]


# ---- item 9: an edited input is analysed again, its old rows replaced ---------------------------------------


def test_an_edited_file_with_an_id_replaces_its_rows(tmp_path: Path) -> None:
    articles = make_articles(6, seed=21)
    folder = write_folder(tmp_path / "in", articles)
    out = tmp_path / "out"
    run([folder], out)
    edited = articles[3]["id"]
    (folder / f"{edited}.txt").write_text(EDITED, encoding="utf-8")
    again = run([folder], out)
    assert [key for _source, key in again.edited] == [edited]  # type: ignore[attr-defined]
    assert (again.written, again.skipped_done) == (1, 5)  # type: ignore[attr-defined]
    rows = read_rows(out)
    assert sorted(r["id"] for r in rows) == sorted(a["id"] for a in articles)  # nothing lost, nothing twice
    assert json.loads(next(r for r in rows if r["id"] == edited)["analysis"])["text"] == EDITED
    spans = [s for s in read_rows(out, SPANS_DIR) if s["article_key"] == edited]
    assert spans and all(s["text"] == EDITED[s["start"] : s["end"]] for s in spans)  # no stale span left
    # the same as a fresh run over the edited inputs, and a further resume has nothing to do
    fresh = tmp_path / "fresh"
    run([folder], fresh)
    assert canonical(out) == canonical(fresh)
    third = run([folder], out)
    assert (third.written, third.edited, third.skipped_done) == (0, [], 6)  # type: ignore[attr-defined]


def test_an_edited_row_without_an_id_replaces_its_rows(tmp_path: Path) -> None:
    articles = [{"text": a["text"], "outlet": a["outlet"]} for a in make_articles(5, seed=22)]
    source = write_jsonl(tmp_path / "rows.jsonl", articles)
    out = tmp_path / "out"
    run([source], out)
    articles[2]["text"] = EDITED
    write_jsonl(source, articles)
    result = CliRunner().invoke(
        app, ["batch", str(source), "-o", str(out), "--workers", "0", "--engine", "rules", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "analysed 1 edited input again" in " ".join(result.output.split())
    texts = sorted(json.loads(r["analysis"])["text"] for r in read_rows(out))
    assert texts == sorted(a["text"] for a in articles)  # the edited text once, the old one gone


# ---- item 10: damaged parts are set aside on resume, named by stats ------------------------------------------


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, Path]:
    folder = write_folder(tmp_path / "in", make_articles(8, seed=23))
    out = tmp_path / "out"
    run([folder], out)
    reference = tmp_path / "reference"
    run([folder], reference)
    return folder, out


@pytest.mark.parametrize("damage", ["truncated", "garbage", "fewer rows"])
def test_a_damaged_spans_part_is_redone_on_resume(written: tuple[Path, Path], damage: str) -> None:
    folder, out = written
    before = canonical(out)
    target = part_files(out / SPANS_DIR)[1]
    data = target.read_bytes()
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        target.write_bytes(os.urandom(len(data)))
    else:  # a sound Parquet file that lost its rows: only the recorded count tells
        table = pq.read_table(target)
        pq.write_table(table.slice(0, max(0, table.num_rows - 3)), target)
    again = run([folder], out)
    assert len(again.damaged) == 1 and str(target) in again.damaged[0]  # type: ignore[attr-defined]
    assert again.written == 2  # type: ignore[attr-defined]  # the two articles of that part
    assert canonical(out) == before  # every article once, with all its spans
    assert len(list((out / "damaged").iterdir())) == 2  # the pair, kept for inspection


def test_a_damaged_articles_part_is_redone_on_resume(written: tuple[Path, Path]) -> None:
    folder, out = written
    before = canonical(out)
    target = part_files(out / ARTICLES_DIR)[2]
    target.write_bytes(b"PAR1" + os.urandom(200) + b"PAR1")
    again = run([folder], out)
    assert str(target) in again.damaged[0] and again.written == 2  # type: ignore[attr-defined]
    assert canonical(out) == before


def test_stats_names_a_damaged_part_in_one_line(written: tuple[Path, Path]) -> None:
    pytest.importorskip("duckdb")
    _folder, out = written
    target = part_files(out / SPANS_DIR)[0]
    target.write_bytes(target.read_bytes()[:100])
    result = CliRunner().invoke(app, ["stats", str(out)])
    assert result.exit_code == 1
    line = one_line_error(result.output)
    assert str(target) in " ".join(result.output.split()) and "rerun" in line


# ---- item 11: a full disk or a read-only folder is one line and a non-zero exit --------------------------------


def test_a_full_disk_is_one_line_and_the_resume_completes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_folder(tmp_path / "in", make_articles(6, seed=24))
    out = tmp_path / "out"
    args = ["batch", str(folder), "-o", str(out), "--workers", "0", "--engine", "rules", "--chunk-size", "2"]
    real_write = pq.write_table
    calls = {"n": 0}

    def fill_up(table: object, where: object, **options: object) -> None:
        calls["n"] += 1
        if calls["n"] > 3:  # a part and a half written: then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(table, where, **options)

    monkeypatch.setattr(pq, "write_table", fill_up)
    result = CliRunner().invoke(app, [*args, "--no-progress"])
    assert result.exit_code == 1
    line = " ".join(one_line_error(result.output).split())
    assert "No space left on device" in line and "disk is full" in line and str(out) in line
    assert not [p for p in out.rglob("*.tmp")]  # no temporary file left behind
    monkeypatch.setattr(pq, "write_table", real_write)
    assert CliRunner().invoke(app, [*args, "--no-progress"]).exit_code == 0
    assert len(read_rows(out)) == 6 and len({r["key"] for r in read_rows(out)}) == 6


@contextlib.contextmanager
def tmpfs(where: Path, options: str) -> Iterator[Path]:
    """A real tmpfs at ``where`` (skips the test where this process may not mount one)."""
    where.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        gone = subprocess.run(["umount", str(where)], capture_output=True)
        if gone.returncode != 0:  # still busy (a handle not yet collected): detach it now, freed when closed
            subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_read_only_output_folder_is_one_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", make_articles(2, seed=25))
    with tmpfs(tmp_path / "ro", "ro,size=1m") as mounted:
        result = CliRunner().invoke(
            app, ["batch", str(folder), "-o", str(mounted / "out"), "--workers", "0", "--engine", "rules"]
        )
    assert result.exit_code == 1
    line = " ".join(one_line_error(result.output).split())
    assert str(mounted / "out") in line and "read-only" in line


def test_a_batch_folder_that_turned_read_only_is_one_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", make_articles(3, seed=27))
    with tmpfs(tmp_path / "disk", "size=4m") as mounted:
        out = mounted / "out"
        args = ["batch", str(folder), "-o", str(out), "--workers", "0", "--engine", "rules", "--no-progress"]
        (folder / "extra.txt").write_text(EDITED, encoding="utf-8")
        assert CliRunner().invoke(app, args).exit_code == 0
        (folder / "more.txt").write_text(EDITED + " Again.", encoding="utf-8")
        if subprocess.run(["mount", "-o", "remount,ro", str(mounted)], capture_output=True).returncode != 0:
            pytest.skip("cannot remount the tmpfs read-only")
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 1
        line = " ".join(one_line_error(result.output).split())
        assert str(out) in line and "read-only" in line
        assert len(read_rows(out)) == 4  # what was there is intact


def test_a_real_full_disk_is_one_line(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "in", make_articles(60, seed=26))
    with tmpfs(tmp_path / "small", "size=96k") as mounted:
        out = mounted / "out"
        args = ["batch", str(folder), "-o", str(out), "--workers", "0", "--engine", "rules", "--chunk-size", "1"]
        result = CliRunner().invoke(app, [*args, "--no-progress"])
        assert result.exit_code == 1
        line = " ".join(one_line_error(result.output).split())
        assert "disk is full" in line
        written = {r["key"] for r in read_rows(out)}  # what was committed reads back whole
        assert 0 < len(written) < 60


def test_analyze_output_on_a_read_only_or_full_disk_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = str(Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt")
    with tmpfs(tmp_path / "ro", "ro,size=1m") as mounted:
        target = mounted / "out.json"
        result = CliRunner().invoke(app, ["analyze", demo, "--engine", "rules", "-f", "json", "-o", str(target)])
    assert result.exit_code == 1
    line = " ".join(one_line_error(result.output).split())
    assert str(target) in line and "read-only" in line


def test_analyze_output_on_a_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    demo = str(Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt")

    def full(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "write_text", full)
    target = tmp_path / "report.html"
    result = CliRunner().invoke(app, ["analyze", demo, "--engine", "rules", "-f", "html", "-o", str(target)])
    assert result.exit_code == 1 and "disk is full" in " ".join(one_line_error(result.output).split())
