"""``spinscope export`` / ``spinscope import``: Label Studio, doccano and brat, with characters outside the
Basic Multilingual Plane before and inside the spans (each is two UTF-16 code units, one Python index).

The offsets each tool stores are checked against independent oracles: Python slicing for code points
(Label Studio, brat), slicing the UTF-16 encoding for doccano (what JavaScript's ``String.slice`` does).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from spinscope.annotation import Utf16Index, export_annotations, import_annotations
from spinscope.annotation.brat import fragments
from spinscope.cli import app
from spinscope.document import Analysis, Article, TechniqueSpan

runner = CliRunner()

# 😀 and 𝔘 are one astral character each; the flag 🇺🇦 is two (regional indicators); é is in the BMP
TEXT = (
    "Title 😀 of the day\n\n"
    "The 🇺🇦 regime's thugs, 𝔘nbelievable liars, attacked the café.\n"
    "Valdoria first! 😀😀 Everyone knows it."
)
SPANS = [
    ("regime's thugs", "Name_Calling,Labeling", True),
    ("𝔘nbelievable liars", "Loaded_Language", True),  # starts with an astral character
    ("thugs, 𝔘nbelievable liars, attacked the café.\nValdoria", "Doubt", True),  # crosses a line break
    ("Valdoria first!", "Slogans", False),  # not shown at the default sensitivity
    ("😀😀 Everyone", "Bandwagon,Reductio_ad_hitlerum", True),
]


def run(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def utf16_slice(text: str, start: int, end: int) -> str:
    """What JavaScript's ``text.slice(start, end)`` gives: UTF-16 code units."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def utf16_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def analysis_dict(text: str = TEXT, spans: list[tuple[str, str, bool]] = SPANS, id: str = "art-1") -> dict:
    analysis = Analysis(Article(text=text, id=id, title="Title 😀 of the day", outlet="The Daily"))
    for phrase, technique, shown in spans:
        start = text.index(phrase)
        analysis.techniques.append(TechniqueSpan(start, start + len(phrase), technique, 0.6, shown=shown))
    return analysis.to_dict()


def expected(spans: list[tuple[str, str, bool]] = SPANS, text: str = TEXT, shown_only: bool = True) -> set:
    return {(text.index(p), text.index(p) + len(p), t, p) for p, t, shown in spans if shown or not shown_only}


@pytest.fixture
def analysis_file(tmp_path: Path) -> Path:
    path = tmp_path / "art-1.json"
    path.write_text(json.dumps(analysis_dict(), ensure_ascii=False), encoding="utf-8")
    return path


def imported(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def spans_of(data: dict) -> set:
    return {(t["start"], t["end"], t["technique"], t["text"]) for t in data["techniques"]}


# ---- offsets -------------------------------------------------------------------------------------


def test_utf16_index_agrees_with_the_utf16_encoding_both_ways() -> None:
    index = Utf16Index(TEXT)
    assert TEXT.count("😀") == 3 and len(TEXT.encode("utf-16-le")) // 2 == len(TEXT) + 6
    for i in range(len(TEXT) + 1):
        units = utf16_offset(TEXT, i)
        assert index.to_utf16(i) == units
        assert index.from_utf16(units) == i
    # the second unit of each surrogate pair is no character boundary
    inside = [utf16_offset(TEXT, i) + 1 for i, c in enumerate(TEXT) if ord(c) > 0xFFFF]
    assert len(inside) == 6
    assert all(index.from_utf16(u) is None for u in inside)


# ---- export: every format slices exactly the spans' text -------------------------------------------


def test_label_studio_export_slices_code_points(analysis_file: Path, tmp_path: Path) -> None:
    result = run("export", str(analysis_file), "--to", "label-studio", "-o", str(tmp_path / "ls"))
    assert result.exit_code == 0, result.output
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    assert len(tasks) == 1
    data, results = tasks[0]["data"], tasks[0]["predictions"][0]["result"]
    assert data["text"] == TEXT and data["spinscope_id"] == "art-1"
    found = set()
    for r in results:
        value = r["value"]
        assert (r["from_name"], r["to_name"], r["type"]) == ("technique", "text", "labels")
        assert data["text"][value["start"] : value["end"]] == value["text"]
        found.add((value["start"], value["end"], value["labels"][0], value["text"]))
    assert found == expected()
    config = (tmp_path / "ls" / "labels.xml").read_text(encoding="utf-8")
    assert config.count("<Label ") == 14 and 'value="Name_Calling,Labeling"' in config
    assert 'name="technique" toName="text"' in config and 'value="$text"' in config


def test_doccano_export_counts_utf16_units(analysis_file: Path, tmp_path: Path) -> None:
    result = run("export", str(analysis_file), "--to", "doccano", "-o", str(tmp_path / "dc"), "--spans", "all")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in (tmp_path / "dc" / "doccano.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1 and rows[0]["text"] == TEXT
    found = {(s, e, label, utf16_slice(TEXT, s, e)) for s, e, label in rows[0]["label"]}
    want = {(utf16_offset(TEXT, a), utf16_offset(TEXT, b), t, p) for a, b, t, p in expected(shown_only=False)}
    assert found == want
    # the conversion matters: Python indices would slice the wrong text here
    assert any(TEXT[s:e] != p for s, e, _, p in found)
    labels = json.loads((tmp_path / "dc" / "labels.json").read_text(encoding="utf-8"))
    assert [entry["text"] for entry in labels][:2] == ["Loaded_Language", "Name_Calling,Labeling"]


def test_brat_export_slices_code_points_of_the_utf8_file(analysis_file: Path, tmp_path: Path) -> None:
    result = run("export", str(analysis_file), "--to", "brat", "-o", str(tmp_path / "brat"), "--label", "Dog whistle")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "brat" / "art-1.txt").read_bytes().decode("utf-8")
    assert text == TEXT
    found = set()
    for line in (tmp_path / "brat" / "art-1.ann").read_text(encoding="utf-8").splitlines():
        _tid, middle, shown = line.split("\t")
        name, where = middle.split(" ", 1)
        parts = [tuple(map(int, p.split())) for p in where.split(";")]
        assert " ".join(text[a:b] for a, b in parts) == shown
        found.add((parts[0][0], parts[-1][1], name))
    want = {(a, b, t.replace(",", "_")) for a, b, t, _ in expected()}
    assert found == want
    conf = (tmp_path / "brat" / "annotation.conf").read_text(encoding="utf-8")
    assert "\nName_Calling_Labeling\n" in conf and "\nDog_whistle\n" in conf
    assert "Name_Calling_Labeling | Name-calling / labelling" in (tmp_path / "brat" / "visual.conf").read_text()


def test_brat_fragments_split_at_line_breaks() -> None:
    text = "ab\ncd\n\nef"
    assert fragments(text, 0, len(text)) == [(0, 2), (3, 5), (7, 9)]
    assert fragments(text, 1, 2) == [(1, 2)]


# ---- round trips --------------------------------------------------------------------------------


def test_label_studio_round_trip_with_one_span_deleted_and_one_added(analysis_file: Path, tmp_path: Path) -> None:
    run("export", str(analysis_file), "--to", "label-studio", "-o", str(tmp_path / "ls"))
    task = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))[0]
    predicted = task["predictions"][0]["result"]
    deleted = next(r for r in predicted if r["value"]["labels"] == ["Loaded_Language"])
    kept = [r for r in predicted if r is not deleted]
    added_text = "😀😀"  # astral characters inside the new span too
    start = TEXT.index(added_text)
    added = {
        "id": "Xy12ab",
        "from_name": "technique",
        "to_name": "text",
        "type": "labels",
        "origin": "manual",
        "value": {"start": start, "end": start + 2, "text": added_text, "labels": ["Exaggeration,Minimisation"]},
    }
    # what Label Studio's JSON export looks like: the task, an older and a newer annotation, the predictions
    exported = [
        {
            "id": 7,
            "data": task["data"],
            "annotations": [
                {"id": 1, "result": [], "was_cancelled": True, "updated_at": "2026-12-07T10:00:00Z"},
                {"id": 2, "result": predicted, "was_cancelled": False, "updated_at": "2026-12-07T10:05:00Z"},
                {"id": 3, "result": [*kept, added], "was_cancelled": False, "updated_at": "2026-12-07T11:00:00Z"},
            ],
            "predictions": task["predictions"],
        },
        {"id": 8, "data": {"text": "Nobody looked at this one."}, "annotations": [], "predictions": []},
    ]
    export_file = tmp_path / "project-1-at-2026-12-07.json"
    export_file.write_text(json.dumps(exported, ensure_ascii=False), encoding="utf-8")
    result = run("import", str(export_file), "--from", "label-studio", "-o", str(tmp_path / "back"))
    assert result.exit_code == 0, result.output
    assert "skipped 1 tasks nobody annotated" in result.output
    back = imported(tmp_path / "back")
    assert list(back) == ["art-1"]
    data = back["art-1"]
    assert data["schema"] == "spinscope/1" and data["text"] == TEXT and data["id"] == "art-1"
    assert data["title"] == "Title 😀 of the day" and data["meta"]["outlet"] == "The Daily"
    want = expected() - {
        (TEXT.index(deleted["value"]["text"]), deleted["value"]["end"], "Loaded_Language", deleted["value"]["text"])
    }
    want |= {(start, start + 2, "Exaggeration,Minimisation", added_text)}
    assert spans_of(data) == want
    assert {t["engine"] for t in data["techniques"]} == {"human"} and all(t["shown"] for t in data["techniques"])
    assert data["models"]["techniques"]["engine"] == "human"
    assert data["summary"]["technique_spans"] == len(want)


def test_doccano_round_trip(analysis_file: Path, tmp_path: Path) -> None:
    run("export", str(analysis_file), "--to", "doccano", "-o", str(tmp_path / "dc"))
    row = json.loads((tmp_path / "dc" / "doccano.jsonl").read_text(encoding="utf-8"))
    gone = next(span for span in row["label"] if span[2] == "Doubt")
    row["label"].remove(gone)
    phrase = "😀 Everyone knows it"
    start = TEXT.index(phrase)
    row["label"].append([utf16_offset(TEXT, start), utf16_offset(TEXT, start + len(phrase)), "Dog whistle"])
    row["id"] = 12
    (tmp_path / "edited.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    result = run("import", str(tmp_path / "edited.jsonl"), "--from", "doccano", "-o", str(tmp_path / "back"))
    assert result.exit_code == 0, result.output
    assert "as your own: Dog whistle" in result.output.replace("\n", " ")
    data = imported(tmp_path / "back")["art-1"]
    want = {s for s in expected() if s[2] != "Doubt"} | {(start, start + len(phrase), "Dog whistle", phrase)}
    assert spans_of(data) == want and data["text"] == TEXT and data["title"] == "Title 😀 of the day"
    # an imported file renders like any analysis, own label included
    from spinscope.render.html import render_html

    assert "Dog whistle" in render_html(data)


def test_brat_round_trip_keeps_own_labels(analysis_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    run("export", str(analysis_file), "--to", "brat", "-o", str(folder), "--label", "Dog whistle")
    ann = folder / "art-1.ann"
    lines = [line for line in ann.read_text(encoding="utf-8").splitlines() if "Name_Calling_Labeling" not in line]
    phrase = "𝔘nbelievable"
    start = TEXT.index(phrase)
    lines.append(f"T9\tDog_whistle {start} {start + len(phrase)}\t{phrase}")
    lines.append("#1\tAnnotatorNotes T9\ta note brat keeps")
    ann.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("import", str(folder), "--from", "brat", "-o", str(tmp_path / "back"))
    assert result.exit_code == 0, result.output
    data = imported(tmp_path / "back")["art-1"]
    want = {s for s in expected() if s[2] != "Name_Calling,Labeling"} | {
        (start, start + len(phrase), "Dog whistle", phrase)
    }
    assert spans_of(data) == want and data["text"] == TEXT


# ---- bad input ----------------------------------------------------------------------------------


def _ls_export(tmp_path: Path, value: dict) -> Path:
    task = {
        "id": 42,
        "data": {"text": TEXT, "spinscope_id": "art-1"},
        "annotations": [
            {
                "id": 1,
                "result": [{"id": "r1", "type": "labels", "from_name": "technique", "to_name": "text", "value": value}],
            }
        ],
    }
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([task], ensure_ascii=False), encoding="utf-8")
    return path


def test_label_studio_span_whose_text_does_not_match_is_an_error(tmp_path: Path) -> None:
    start = TEXT.index("regime's")
    # the offsets JavaScript would give (one UTF-16 unit more per astral character before them)
    value = {"start": start + 2, "end": start + 10, "text": "regime's", "labels": ["Loaded_Language"]}
    result = run("import", str(_ls_export(tmp_path, value)), "--from", "label-studio", "-o", str(tmp_path / "back"))
    assert result.exit_code == 1
    assert "task 42, span 1 (Loaded_Language" in result.output
    assert "does not match the article's" in result.output
    assert not list((tmp_path / "back").glob("*.json"))


def test_span_off_the_text_is_an_error(tmp_path: Path) -> None:
    value = {"start": len(TEXT) - 2, "end": len(TEXT) + 5, "labels": ["Doubt"]}
    result = run("import", str(_ls_export(tmp_path, value)), "--from", "label-studio", "-o", str(tmp_path / "back"))
    assert result.exit_code == 1
    assert "task 42, span 1 (Doubt" in result.output and "is off the text" in result.output


def test_doccano_span_cutting_an_emoji_in_half_is_an_error(tmp_path: Path) -> None:
    emoji = utf16_offset(TEXT, TEXT.index("😀"))
    path = tmp_path / "dc.jsonl"
    path.write_text(json.dumps({"id": 3, "text": TEXT, "label": [[emoji + 1, emoji + 6, "Doubt"]]}) + "\n", "utf-8")
    result = run("import", str(path), "--from", "doccano", "-o", str(tmp_path / "back"))
    assert result.exit_code == 1
    assert "line 1, span 1 (Doubt" in result.output and "in half" in result.output


def test_brat_text_mismatch_names_the_annotation(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tDoubt 0 5\tTitel\n", encoding="utf-8")
    result = run("import", str(tmp_path), "--from", "brat", "-o", str(tmp_path / "back"))
    assert result.exit_code == 1
    assert "a.ann: T1 on line 1, span 1 (Doubt [0, 5])" in result.output.replace("\n", "")


def test_unknown_format_is_refused(analysis_file: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", str(analysis_file), "--to", "prodigy", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2 and "prodigy" in result.output
    result = runner.invoke(app, ["import", str(analysis_file), "--from", "inception", "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    with pytest.raises(ValueError, match="unknown annotation format"):
        export_annotations([str(analysis_file)], "prodigy", tmp_path / "x")
    with pytest.raises(ValueError, match="unknown annotation format"):
        import_annotations(analysis_file, "conll", tmp_path / "x")


def test_export_reports_a_bad_input_and_goes_on(analysis_file: Path, tmp_path: Path) -> None:
    bad = tmp_path / "notes.pdf"
    bad.write_bytes(b"%PDF-1.4")
    result = run("export", str(analysis_file), str(bad), "--to", "doccano", "-o", str(tmp_path / "dc"))
    assert result.exit_code == 1
    assert "notes.pdf" in result.output and "1 of 2 inputs failed" in result.output
    assert len((tmp_path / "dc" / "doccano.jsonl").read_text(encoding="utf-8").splitlines()) == 1


# ---- inputs -------------------------------------------------------------------------------------


def test_export_analyses_articles_first_and_reads_folders_of_json(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.json").write_text(json.dumps(analysis_dict(id="one"), ensure_ascii=False), encoding="utf-8")
    (folder / "two.txt").write_text(
        "They are nothing but corrupt thugs and traitors! 😀 Wake up, patriots!\n", encoding="utf-8"
    )
    result = run("export", str(folder), "--to", "label-studio", "-o", str(tmp_path / "ls"), "--engine", "rules")
    assert result.exit_code == 0, result.output
    tasks = json.loads((tmp_path / "ls" / "tasks.json").read_text(encoding="utf-8"))
    assert [t["data"]["spinscope_id"] for t in tasks] == ["one", "two"]
    for task in tasks:
        for r in task["predictions"][0]["result"]:
            assert task["data"]["text"][r["value"]["start"] : r["value"]["end"]] == r["value"]["text"]
    assert tasks[1]["predictions"][0]["result"], "the rules engine marks something in the article"


def test_export_reads_a_batch_folder(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    batch = tmp_path / "batch"
    (batch / "articles").mkdir(parents=True)
    (batch / "batch.json").write_text("{}", encoding="utf-8")
    rows = [json.dumps(analysis_dict(id=f"b{n}"), ensure_ascii=False) for n in range(2)]
    pq.write_table(pa.table({"key": ["b0", "b1"], "analysis": rows}), batch / "articles" / "part-00000.parquet")
    result = run("export", str(batch), "--to", "brat", "-o", str(tmp_path / "brat"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "brat").glob("*.ann")) == ["b0.ann", "b1.ann"]


def test_label_studio_json_min_export_and_own_labels_in_the_config(tmp_path: Path) -> None:
    phrase = "𝔘nbelievable liars"
    start = TEXT.index(phrase)
    rows = [
        {
            "id": 5,
            "text": TEXT,
            "spinscope_id": "art-9",
            "title": "T",
            "technique": [{"start": start, "end": start + len(phrase), "text": phrase, "labels": ["Dog whistle"]}],
            "annotator": "a@b.c",
        },
        {"id": 6, "text": "Nobody annotated this."},
    ]
    path = tmp_path / "min.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    result = run("import", str(path), "--from", "label-studio", "-o", str(tmp_path / "back"))
    assert result.exit_code == 0, result.output
    data = imported(tmp_path / "back")["art-9"]
    assert spans_of(data) == {(start, start + len(phrase), "Dog whistle", phrase)}
    assert data["models"]["techniques"]["annotation"]["own_techniques"] == ["Dog whistle"]
    # the corrected file goes out again with the own label in the labeling config
    result = run("export", str(tmp_path / "back"), "--to", "label-studio", "-o", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    config = (tmp_path / "again" / "labels.xml").read_text(encoding="utf-8")
    assert config.count("<Label ") == 15 and 'value="Dog whistle"' in config
