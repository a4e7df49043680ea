"""``spinscope stats``: DuckDB figures over a batch folder, checked by hand; plots and the HTML page."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("duckdb")
pytest.importorskip("matplotlib")

from spinscope.batch import run_batch
from spinscope.batch.output import BatchError, BatchOutput, article_schema
from spinscope.batch.stats import compute_stats, to_csv, write_report
from test_batch import make_articles, read_rows, write_jsonl


def article_row(key: str, outlet: str | None, date: str | None, **figures: int) -> dict:
    row = {name: 0 for name in article_schema().names}
    row.update(key=key, id=key, source=f"{key}.txt", outlet=outlet, date=date, engine="rules")
    row.update(title=None, url=None, author=None, technique_counts="{}", analysis="{}")
    row.update(opinion_share=0.0, opinion_text_share=0.0, techniques_per_1000_words=0.0)
    row.update(sentences_with_technique_share=0.0)
    row.update(figures)
    return row


def span_row(key: str, technique: str, text: str) -> dict:
    return {
        "article_key": key,
        "article_id": key,
        "layer": "technique",
        "label": technique,
        "start": 0,
        "end": len(text),
        "score": 0.9,
        "text": text,
        "speaker_name": None,
        "speaker_type": None,
    }


@pytest.fixture
def handmade(tmp_path: Path) -> Path:
    """Four articles with figures chosen by hand, in two parts."""
    out = tmp_path / "handmade"
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}) as output:
        output.write_part(
            [
                article_row("a1", "Ledger", "2024-03-02", word_count=100, technique_spans=2, writer_sentences=4,
                            opinion_sentences=1, quotes_direct=2, quotes_indirect=1, sources_person=2,
                            sources_anonymous=1, claim_count=3),
                article_row("a2", "Ledger", "2024-04-10T08:00:00", word_count=300, technique_spans=4,
                            writer_sentences=6, opinion_sentences=3, quotes_direct=1, sources_organisation=1,
                            claim_count=1),
            ],
            [
                span_row("a1", "Loaded_Language", "Brutal"),
                span_row("a1", "Loaded_Language", "  brutal "),
                span_row("a2", "Loaded_Language", "BRUTAL"),
                span_row("a2", "Doubt", "so-called"),
                span_row("a2", "Flag-Waving", "our  nation"),
                span_row("a2", "Flag-Waving", "Our nation"),
                span_row("a1", "Name_Calling,Labeling", "the Deep State"),
                span_row("a2", "Name_Calling,Labeling", "the Deep State,"),
                span_row("a2", "Name_Calling,Labeling", "the deep state"),
                span_row("a1", "Name_Calling,Labeling", "thugs"),  # once only
                span_row("a1", "Loaded_Language", "they will stop at nothing to destroy us"),  # a clause
                span_row("a2", "Loaded_Language", "they will stop at nothing to destroy us"),
            ],
        )  # fmt: skip
        output.write_part(
            [
                article_row("b1", "Beacon", "2024-03-20", word_count=200, technique_spans=1, writer_sentences=5,
                            opinion_sentences=0, quotes_indirect=2, sources_group=2),
                article_row("c1", None, "sometime in spring", word_count=50, writer_sentences=0),
            ],
            [span_row("b1", "Doubt", "So-called")],
        )  # fmt: skip
    return out


def test_per_outlet_figures_match_a_hand_computation(handmade: Path) -> None:
    tables = compute_stats(handmade, top_techniques=2)
    outlets = {row["outlet"]: row for row in tables["outlets"]}
    assert list(outlets) == ["(unknown)", "Beacon", "Ledger"]
    ledger = outlets["Ledger"]
    assert (ledger["articles"], ledger["words"], ledger["technique_spans"]) == (2, 400, 6)
    assert ledger["techniques_per_1000_words"] == 15.0  # 1000 * (2 + 4) / (100 + 300)
    assert ledger["opinion_share"] == 0.4  # (1 + 3) / (4 + 6) writer sentences
    assert ledger["quotes"] == 4  # direct + indirect: 2 + 1 + 1
    assert (ledger["sources_person"], ledger["sources_anonymous"], ledger["sources_organisation"]) == (2, 1, 1)
    assert ledger["claims"] == 4
    assert ledger["top_techniques"] == "Loaded_Language (5), Name_Calling,Labeling (4)"
    beacon = outlets["Beacon"]
    assert beacon["techniques_per_1000_words"] == 5.0 and beacon["opinion_share"] == 0.0
    assert beacon["sources_group"] == 2 and beacon["top_techniques"] == "Doubt (1)"
    unknown = outlets["(unknown)"]
    assert unknown["articles"] == 1 and unknown["opinion_share"] == 0  # no writer sentences: 0, not NULL

    months = {(row["outlet"], row["month"]): row for row in tables["months"]}
    assert set(months) == {
        ("Ledger", "2024-03"),
        ("Ledger", "2024-04"),
        ("Beacon", "2024-03"),
        ("(unknown)", "(undated)"),
    }
    assert months[("Ledger", "2024-03")]["techniques_per_1000_words"] == 20.0
    assert months[("Ledger", "2024-04")]["opinion_share"] == 0.5

    overall = tables["overall"][0]
    assert (overall["articles"], overall["words"], overall["technique_spans"]) == (4, 650, 7)  # the rows' own
    assert overall["techniques_per_1000_words"] == round(7000 / 650, 2)
    assert overall["errors"] == 0

    per_technique = {(r["outlet"], r["technique"]): r for r in tables["techniques"]}
    assert per_technique[("Ledger", "Loaded_Language")]["per_1000_words"] == 12.5  # 5 spans / 400 words

    phrases = {(r["technique"], r["phrase"]): r for r in tables["phrases"]}
    assert set(phrases) == {
        ("Loaded_Language", "brutal"),
        ("Flag-Waving", "our nation"),
        ("Doubt", "so-called"),
        ("Name_Calling,Labeling", "the Deep State"),
    }  # short spans found twice or more: no one-off "thugs", no seven-word clause
    assert phrases[("Name_Calling,Labeling", "the Deep State")]["spans"] == 3  # as written twice of three times
    assert phrases[("Loaded_Language", "brutal")]["spans"] == 3  # case and spacing ignored
    assert phrases[("Loaded_Language", "brutal")]["articles"] == 2
    assert phrases[("Flag-Waving", "our nation")]["spans"] == 2  # whitespace collapsed
    assert phrases[("Doubt", "so-called")] == {
        "technique": "Doubt",
        "phrase": "so-called",
        "spans": 2,
        "articles": 2,
        "outlets": 2,
    }


def test_csv_and_json_outputs(handmade: Path) -> None:
    text = to_csv(compute_stats(handmade))
    sections = {block.split("\n", 1)[0]: block.split("\n", 1)[1] for block in text.strip().split("\n\n")}
    assert list(sections) == ["# overall", "# outlets", "# months", "# techniques", "# phrases"]
    rows = list(csv.DictReader(io.StringIO(sections["# outlets"])))
    assert [r["outlet"] for r in rows] == ["(unknown)", "Beacon", "Ledger"] and rows[2]["words"] == "400"
    done = subprocess.run(
        [sys.executable, "-m", "spinscope.cli", "stats", str(handmade), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["outlets"][2]["techniques_per_1000_words"] == 15.0


def test_stats_refuses_a_folder_without_parts(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="no articles/part"):
        compute_stats(tmp_path)


@pytest.mark.slow
def test_stats_over_a_real_batch_writes_plots_and_html(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", make_articles(30, seed=9))
    out = tmp_path / "out"
    run_batch([str(corpus)], out, engine="rules", workers=0, chunk_size=10)
    tables = compute_stats(out)
    rows = read_rows(out)
    for outlet in {r["outlet"] for r in rows}:
        mine = [r for r in rows if r["outlet"] == outlet]
        figures = next(t for t in tables["outlets"] if t["outlet"] == outlet)
        words = sum(r["word_count"] for r in mine)
        assert figures["articles"] == len(mine)
        assert figures["techniques_per_1000_words"] == round(1000 * sum(r["technique_spans"] for r in mine) / words, 2)
        writer = sum(r["writer_sentences"] for r in mine)
        opinion = sum(r["opinion_sentences"] for r in mine)
        assert figures["opinion_share"] == (round(opinion / writer, 4) if writer else 0)
    assert {row["month"] for row in tables["months"]} == {"2024-03", "2024-04", "2024-05"}

    written = write_report(tables, tmp_path / "plots")
    for name in ("technique_profile", "trend"):
        data = written[name].read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    page = written["report"].read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "Northern Ledger" in page and "<table>" in page
    assert "http://" not in page and "https://" not in page  # self-contained


def test_terminal_tables_never_cut_numbers_at_100_columns(tmp_path: Path) -> None:
    """A 100-column terminal showed 7127 words as "71" and 169 claims as "16", and the outlet column shrank
    to nothing: numbers now keep their width, text wraps, and the least needed columns go first."""
    from rich.console import Console

    from spinscope.batch.stats import print_tables

    out = tmp_path / "wide"
    long_outlet = "The Northern Ledger Weekly Review"
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}) as output:
        output.write_part(
            [
                article_row("a1", long_outlet, "2024-03-02", word_count=7127, technique_spans=312,
                            writer_sentences=40, opinion_sentences=13, quotes_direct=25, quotes_indirect=31,
                            sources_person=22, sources_anonymous=11, sources_organisation=1234, claim_count=169),
                article_row("a2", "Beacon", "2024-05-02", word_count=123456, technique_spans=12,
                            writer_sentences=40, opinion_sentences=13, claim_count=16),
            ],
            [span_row("a1", "Loaded_Language", "brutal"), span_row("a2", "Loaded_Language", "Brutal")],
        )  # fmt: skip
    tables = compute_stats(out)
    console = Console(width=100, file=io.StringIO(), record=True)
    print_tables(tables, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    cells = [cell.strip() for line in text.splitlines() for cell in line.split("│")]
    for number in ("130583", "169", "185", "324", "43.78", "0.325"):
        assert number in cells, number
    for word in long_outlet.split():  # wrapped, not cut
        assert any(word in cell.split() for cell in cells), word
    assert "left out; --format csv or json has them" in text


def test_trend_has_a_time_axis_gaps_counts_and_a_caption(tmp_path: Path) -> None:
    """trend.png spaced months as categories, drew lines across gaps and hid how many articles stood behind
    each point."""
    import math

    from matplotlib.dates import num2date

    from spinscope.batch.stats import trend_figure, trend_series

    out = tmp_path / "trend"
    dated = [("Ledger", "2023-11-03"), ("Ledger", "2024-01-05"), ("Ledger", "2024-01-20"), ("Beacon", "2023-11-09")]
    dated += [("Beacon", "2023-12-01"), ("Beacon", "2024-03-15"), ("Beacon", "2024-03-16"), (None, "undated")]
    rows = [
        article_row(f"a{i}", outlet, date, word_count=300, technique_spans=i + 1, writer_sentences=10)
        for i, (outlet, date) in enumerate(dated)
    ]
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}) as output:
        output.write_part(rows, [])
    tables = compute_stats(out)

    months, series = trend_series(tables)
    assert months == ["2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]  # February has no article at all
    assert [row and row["articles"] for row in series["Ledger"]] == [1, None, 2, None, None]
    assert [row and row["articles"] for row in series["Beacon"]] == [1, 1, None, None, 2]

    figure = trend_figure(tables)
    top = figure.axes[0]
    ledger = next(line for line in top.get_lines() if line.get_label() == "Ledger")
    days = [num2date(x).date() for x in ledger.get_xdata(orig=False)]
    assert (days[2] - days[0]).days == 61 and (days[4] - days[2]).days == 60  # a time axis, not categories
    values = ledger.get_ydata()
    assert math.isnan(values[1]) and not math.isnan(values[0]) and not math.isnan(values[2])  # a gap, no line
    labels = {text.get_text() for text in top.texts}
    assert {"n=1", "n=2"} <= labels  # the articles behind each point
    bars = figure.axes[2].patches
    assert sorted(int(bar.get_height()) for bar in bars if bar.get_height()) == [1, 1, 1, 2, 2]
    caption = " ".join(text.get_text() for text in figure.texts)
    assert "n = articles" in caption and "1 undated articles are not shown" in caption
    written = write_report(tables, tmp_path / "plots")
    assert written["trend"].read_bytes().startswith(b"\x89PNG")
