"""``spinscope stats``: DuckDB figures over a batch folder, checked by hand; plots and the HTML page."""

from __future__ import annotations

import csv
import io
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("duckdb")
pytest.importorskip("matplotlib")

from spinscope.batch import run_batch
from spinscope.batch.dates import parse_date
from spinscope.batch.output import BatchError, BatchOutput, article_schema
from spinscope.batch.stats import compute_stats
from spinscope.batch.stats_render import to_csv, write_report
from test_batch import make_articles, read_rows, write_jsonl


def article_row(key: str, outlet: str | None, date: str | None, **figures: int) -> dict:
    row = {name: 0 for name in article_schema().names}
    row.update(key=key, id=key, source=f"{key}.txt", outlet=outlet, date=date, date_parsed=parse_date(date))
    row.update(engine="rules", sensitivity="balanced")
    row.update(title=None, url=None, author=None, technique_counts="{}", writer_technique_counts="{}", analysis="{}")
    row.update(opinion_share=0.0, opinion_text_share=0.0, techniques_per_1000_words=0.0)
    row.update(sentences_with_technique_share=0.0, writer_techniques_per_1000_words=0.0)
    row.update(figures)
    if "writer_word_count" not in figures:
        row["writer_word_count"] = row["word_count"]
    return row


_PLACES = itertools.count(0, 100)


def span_row(
    key: str,
    technique: str,
    text: str,
    *,
    start: int | None = None,
    shown: bool = True,
    voice: str = "writer",
) -> dict:
    """A technique span row; each at its own place unless ``start`` puts it on another's passage."""
    start = next(_PLACES) if start is None else start
    return {
        "article_key": key,
        "article_id": key,
        "layer": "technique",
        "label": technique,
        "start": start,
        "end": start + len(text),
        "score": 0.9,
        "text": text,
        "speaker_name": None,
        "speaker_type": None,
        "detector": "model",
        "persuasion": 0.9 if shown else 0.1,
        "confidence": 0.5,
        "label_confidence": 0.55,
        "voice_of": voice,
        "shown": shown,
        "shown_at": "balanced" if shown else "everything",
        "alternative": None,
    }


def quote_row(key: str, speaker: str | None, speaker_type: str, kind: str = "direct") -> dict:
    return {
        "article_key": key,
        "article_id": key,
        "layer": "quote",
        "label": kind,
        "start": 0,
        "end": 5,
        "score": 0.9,
        "text": "words",
        "speaker_name": speaker,
        "speaker_type": speaker_type,
    }


@pytest.fixture
def handmade(tmp_path: Path) -> Path:
    """Four articles with figures chosen by hand, in two parts."""
    out = tmp_path / "handmade"
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}) as output:
        output.write_part(
            [
                article_row("a1", "Ledger", "March 2, 2024", word_count=100, writer_word_count=80,
                            writer_sentences=4, opinion_sentences=1, quotes_direct=2, quotes_indirect=1,
                            sources_person=2, sources_anonymous=1, claim_count=3),
                article_row("a2", "Ledger", "2024-04-10T08:00:00", word_count=300, writer_sentences=6,
                            opinion_sentences=3, quotes_direct=1, sources_organisation=1, claim_count=1),
            ],
            [
                span_row("a1", "Loaded_Language", "Brutal"),
                span_row("a1", "Loaded_Language", "  brutal "),
                span_row("a2", "Loaded_Language", "BRUTAL"),
                span_row("a2", "Doubt", "so-called", start=5000),
                span_row("a2", "Loaded_Language", "so-called", start=5000, shown=False),  # the same passage
                span_row("a2", "Flag-Waving", "our  nation"),
                span_row("a2", "Flag-Waving", "Our nation"),
                span_row("a1", "Name_Calling,Labeling", "the Deep State"),
                span_row("a2", "Name_Calling,Labeling", "the Deep State,"),
                span_row("a2", "Name_Calling,Labeling", "the deep state"),
                span_row("a1", "Name_Calling,Labeling", "thugs"),  # once only
                span_row("a1", "Loaded_Language", "they will stop at nothing to destroy us"),  # a clause
                span_row("a2", "Loaded_Language", "they will stop at nothing to destroy us"),
                span_row("a1", "Name_Calling,Labeling", "thieves in suits", voice="quoted"),  # a union leader's
                span_row("a1", "Doubt", "a weak one", shown=False),  # the view leaves it out
                quote_row("a1", "Mara Kell", "person"),
                quote_row("a1", "Mara  Kell", "person", "indirect"),
                quote_row("a1", None, "anonymous", "indirect"),
                quote_row("a2", "the council", "organisation"),
            ],
        )  # fmt: skip
        output.write_part(
            [
                article_row("b1", "Beacon", "20 March 2024", word_count=200, writer_sentences=5,
                            opinion_sentences=0, quotes_indirect=2, sources_group=2),
                article_row("c1", None, "sometime in spring", word_count=50, writer_sentences=0),
            ],
            [
                span_row("b1", "Doubt", "So-called"),
                quote_row("b1", "The Council", "organisation"),
                quote_row("b1", "Residents", "group", "indirect"),
            ],
        )  # fmt: skip
    return out


def test_per_outlet_figures_match_a_hand_computation(handmade: Path) -> None:
    tables = compute_stats(handmade, top_techniques=2, voice="all")  # every word, as the JSON summary counts
    outlets = {row["outlet"]: row for row in tables["outlets"]}
    assert list(outlets) == ["(unknown)", "Beacon", "Ledger"]
    ledger = outlets["Ledger"]
    # shown spans, each passage once: a1 5 + the quoted one, a2 7 (so-called twice labelled is one passage)
    assert (ledger["articles"], ledger["words"], ledger["technique_spans"]) == (2, 400, 13)
    assert ledger["techniques_per_1000_words"] == 32.5  # 1000 * 13 / (100 + 300)
    assert ledger["opinion_pct"] == 40.0  # 100 * (1 + 3) / (4 + 6) writer sentences
    assert ledger["quotes"] == 4  # direct + indirect: 2 + 1 + 1
    assert (ledger["sources_person"], ledger["sources_anonymous"], ledger["sources_organisation"]) == (2, 1, 1)
    assert ledger["claims"] == 4
    assert ledger["top_techniques"] == "Loaded language (5), Name-calling / labelling (5)"  # friendly names
    # a1: 6 spans / 100 words = 60, a2: 7 / 300 = 23.33; two articles: an interval around the pooled rate
    assert (ledger["article_p25"], ledger["article_median"], ledger["article_p75"]) == (32.5, 41.67, 50.83)
    assert ledger["ci_low"] <= 32.5 <= ledger["ci_high"] and 23.33 <= ledger["ci_low"] < ledger["ci_high"] <= 60.0
    beacon = outlets["Beacon"]
    assert beacon["techniques_per_1000_words"] == 5.0 and beacon["opinion_pct"] == 0.0
    assert beacon["ci_low"] is None and beacon["ci_high"] is None  # one article: no interval
    assert beacon["sources_group"] == 2 and beacon["top_techniques"] == "Doubt (1)"
    unknown = outlets["(unknown)"]
    assert unknown["articles"] == 1 and unknown["opinion_pct"] == 0  # no writer sentences: 0, not NULL

    periods = {(row["outlet"], row["period"]): row for row in tables["periods"]}
    assert set(periods) == {
        ("Ledger", "2024-03"),
        ("Ledger", "2024-04"),
        ("Beacon", "2024-03"),
        ("(unknown)", "(undated)"),
    }
    assert periods[("Ledger", "2024-03")]["techniques_per_1000_words"] == 60.0
    assert periods[("Ledger", "2024-04")]["opinion_pct"] == 50.0

    overall = tables["overall"][0]
    assert (overall["articles"], overall["words"], overall["technique_spans"]) == (4, 650, 14)
    assert overall["techniques_per_1000_words"] == round(14000 / 650, 2)
    assert overall["errors"] == 0 and overall["undated"] == 1

    per_technique = {(r["outlet"], r["technique_id"]): r for r in tables["techniques"]}
    assert per_technique[("Ledger", "Loaded_Language")]["per_1000_words"] == 12.5  # 5 spans / 400 words
    assert per_technique[("Ledger", "Loaded_Language")]["technique"] == "Loaded language"

    phrases = {(r["technique_id"], r["phrase"]): r for r in tables["phrases"]}
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
        "technique_id": "Doubt",
        "phrase": "so-called",
        "spans": 2,
        "articles": 2,
        "outlets": 2,
    }
    once = {r["phrase"] for r in compute_stats(handmade, min_count=1, voice="all")["phrases"]}
    assert {"thugs", "thieves in suits"} <= once and "a weak one" not in once  # hidden spans never count


def test_count_and_voice_choose_what_is_counted(handmade: Path) -> None:
    """The default counts what the view shows in the writer's own words; --count all every span found (a
    passage once, however many labels); --voice all adds the quoted speakers' words and spans."""
    every = {r["outlet"]: r for r in compute_stats(handmade, count="all", voice="all")["outlets"]}
    assert every["Ledger"]["technique_spans"] == 14  # + the hidden "a weak one"; so-called still once
    labels = {
        (r["outlet"], r["technique_id"]): r["spans"]
        for r in compute_stats(handmade, count="all", voice="all")["techniques"]
    }
    assert labels[("Ledger", "Loaded_Language")] == 6 and labels[("Ledger", "Doubt")] == 2  # labels, not passages
    writer = {r["outlet"]: r for r in compute_stats(handmade)["outlets"]}  # the default
    assert writer["Ledger"]["technique_spans"] == 12 and writer["Ledger"]["words"] == 380
    assert writer["Ledger"]["techniques_per_1000_words"] == round(12000 / 380, 2)
    precise = {r["outlet"]: r for r in compute_stats(handmade, sensitivity="precise")["outlets"]}
    assert precise["Ledger"]["technique_spans"] == 0  # every span here is shown from "balanced" on
    counted = compute_stats(handmade)["counted"][0]
    assert counted["spans"] == "spans shown at balanced" and "writer" in counted["voice"]
    with pytest.raises(ValueError, match="unknown count"):
        compute_stats(handmade, count="weak")  # type: ignore[arg-type]


def test_tidy_table_and_who_is_quoted(handmade: Path) -> None:
    tables = compute_stats(handmade)
    tidy = tables["tidy"]
    techniques = {r["technique_id"] for r in tidy}
    assert techniques == {"Loaded_Language", "Doubt", "Flag-Waving", "Name_Calling,Labeling"}
    assert len(tidy) == len(tables["periods"]) * len(techniques)  # every cell, zeros included
    cell = next(
        r for r in tidy if (r["outlet"], r["period"], r["technique_id"]) == ("Ledger", "2024-04", "Flag-Waving")
    )
    assert (cell["spans"], cell["articles_with"], cell["articles"], cell["words"]) == (2, 1, 1, 300)
    assert cell["per_1000_words"] == round(2000 / 300, 2) and cell["technique"] == "Flag-waving"
    zero = next(r for r in tidy if (r["outlet"], r["technique_id"]) == ("Beacon", "Flag-Waving"))
    assert zero["spans"] == 0 and zero["per_1000_words"] == 0.0
    per_outlet: dict[tuple[str, str], int] = {}
    for r in tidy:
        per_outlet[(r["outlet"], r["technique_id"])] = per_outlet.get((r["outlet"], r["technique_id"]), 0) + r["spans"]
    assert all(per_outlet[(r["outlet"], r["technique_id"])] == r["spans"] for r in tables["techniques"])

    speakers = {r["speaker"]: r for r in tables["speakers"]}
    assert set(speakers) == {"Mara Kell", "The Council", "Residents"}  # the anonymous source has no name
    assert speakers["Mara Kell"] | {} == {
        "speaker": "Mara Kell", "type": "person", "quotes": 2, "articles": 1, "outlets": 1, "quoted_by": "Ledger (2)",
    }  # fmt: skip
    council = speakers["The Council"]  # "The Council" and "the council": one speaker
    assert (council["type"], council["quotes"], council["outlets"]) == ("organisation", 2, 2)
    assert council["quoted_by"] == "Beacon (1), Ledger (1)"


def test_csv_and_json_outputs(handmade: Path) -> None:
    text = to_csv(compute_stats(handmade, voice="all"))
    sections = {block.split("\n", 1)[0]: block.split("\n", 1)[1] for block in text.strip().split("\n\n")}
    assert list(sections) == [
        "# counted",
        "# overall",
        "# outlets",
        "# periods",
        "# techniques",
        "# tidy",
        "# phrases",
        "# speakers",
    ]
    rows = list(csv.DictReader(io.StringIO(sections["# outlets"])))
    assert [r["outlet"] for r in rows] == ["(unknown)", "Beacon", "Ledger"] and rows[2]["words"] == "400"
    done = subprocess.run(
        [sys.executable, "-m", "spinscope.cli", "stats", str(handmade), "--format", "json", "--voice", "all"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["outlets"][2]["techniques_per_1000_words"] == 32.5


def test_cli_options_and_export(handmade: Path, tmp_path: Path) -> None:
    import pyarrow.parquet as pq
    from typer.testing import CliRunner

    from spinscope.cli import app

    args = ["stats", str(handmade), "--count", "all", "--voice", "writer", "--min-count", "1", "--format", "json"]
    result = CliRunner().invoke(app, [*args, "--export", str(tmp_path / "tables")])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["counted"][0]["spans"] == "every span found"
    ledger = next(r for r in data["outlets"] if r["outlet"] == "Ledger")
    assert (ledger["technique_spans"], ledger["words"]) == (13, 380)  # all spans, the writer's words only
    tidy = pq.read_table(tmp_path / "tables" / "tidy.parquet").to_pylist()
    assert tidy == data["tidy"] and (tmp_path / "tables" / "speakers.csv").exists()
    bad = CliRunner().invoke(app, ["stats", str(handmade), "--sensitivity", "loose"])
    assert bad.exit_code == 1 and "unknown sensitivity" in bad.output


def test_stats_refuses_a_folder_without_parts(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="no articles/part"):
        compute_stats(tmp_path)


@pytest.mark.slow
def test_stats_over_a_real_batch_writes_plots_and_html(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus.jsonl", make_articles(30, seed=9))
    out = tmp_path / "out"
    run_batch([str(corpus)], out, engine="rules", workers=0, chunk_size=10)
    tables = compute_stats(out, voice="all")
    writer_tables = compute_stats(out)  # the writer's own words: the default
    rows = read_rows(out)
    for outlet in {r["outlet"] for r in rows}:
        mine = [r for r in rows if r["outlet"] == outlet]
        figures = next(t for t in tables["outlets"] if t["outlet"] == outlet)
        words = sum(r["word_count"] for r in mine)
        assert figures["articles"] == len(mine)
        assert figures["techniques_per_1000_words"] == round(1000 * sum(r["technique_spans"] for r in mine) / words, 2)
        writer = sum(r["writer_sentences"] for r in mine)
        opinion = sum(r["opinion_sentences"] for r in mine)
        assert figures["opinion_pct"] == (round(100 * opinion / writer, 1) if writer else 0)
        # from the span rows, what each article's JSON summary counts: shown spans; the writer's own
        mine_writer = next(t for t in writer_tables["outlets"] if t["outlet"] == outlet)
        assert mine_writer["technique_spans"] == sum(r["writer_technique_spans"] for r in mine)
        assert mine_writer["words"] == sum(r["writer_word_count"] for r in mine)
    assert {row["period"] for row in tables["periods"]} == {"2024-03", "2024-04", "2024-05"}

    written = write_report(tables, tmp_path / "plots")
    for name in ("outlet_rates", "technique_profile", "trend"):
        data = written[name].read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    page = written["report"].read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 3
    assert "Northern Ledger" in page and "<table>" in page
    assert "http://" not in page and "https://" not in page  # self-contained


@pytest.mark.parametrize("width", [80, 100])
def test_terminal_tables_show_every_figure_at_80_and_100_columns(tmp_path: Path, width: int) -> None:
    """A 100-column terminal showed 7127 words as "71" and then dropped columns ("too wide for this
    terminal"): numbers keep their width, text wraps, and a wide table is split into column groups that
    repeat the outlet, so every figure is on screen."""
    from rich.console import Console

    from spinscope.batch.stats_render import _cell, print_tables

    out = tmp_path / "wide"
    long_outlet = "The Northern Ledger Weekly Review"
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}) as output:
        output.write_part(
            [
                article_row("a1", long_outlet, "2024-03-02", word_count=7127, writer_sentences=40,
                            opinion_sentences=13, quotes_direct=25, quotes_indirect=31, sources_person=22,
                            sources_anonymous=11, sources_organisation=1234, claim_count=169),
                article_row("a2", "Beacon", "2024-05-02", word_count=123456, writer_sentences=40,
                            opinion_sentences=13, claim_count=16),
            ],
            [span_row("a1", "Loaded_Language", "brutal"), span_row("a2", "Loaded_Language", "Brutal")],
        )  # fmt: skip
    tables = compute_stats(out)
    console = Console(width=width, file=io.StringIO(), record=True)
    print_tables(tables, console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= width
    assert "left out" not in text and "too wide" not in text
    cells = [cell.strip() for line in text.splitlines() for cell in line.split("│")]
    for number in ("130583", "169", "185", "1234", "0.14", "32.5", "7127", "123456", "56"):
        assert number in cells, number
    for word in long_outlet.split():  # wrapped, not cut
        assert any(word in cell.split() for cell in cells), word
    for table in ("overall", "outlets", "periods", "techniques"):  # every figure of every table is on screen
        for row in tables[table]:
            for column, value in row.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    assert _cell(value) in cells, (table, column, value)
    assert "Per outlet (1/" in text  # split into column groups, not cut


def test_trend_has_a_time_axis_gaps_counts_and_a_caption(tmp_path: Path) -> None:
    """trend.png spaced months as categories, drew lines across gaps and hid how many articles stood behind
    each point."""
    import math

    from matplotlib.dates import num2date

    from spinscope.batch.stats_render import trend_figure, trend_series

    out = tmp_path / "trend"
    dated = [("Ledger", "2023-11-03"), ("Ledger", "2024-01-05"), ("Ledger", "2024-01-20"), ("Beacon", "2023-11-09")]
    dated += [("Beacon", "2023-12-01"), ("Beacon", "2024-03-15"), ("Beacon", "2024-03-16"), (None, "undated")]
    rows = [
        article_row(f"a{i}", outlet, date, word_count=300, writer_sentences=10)
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


def test_bootstrap_interval_matches_the_normal_approximation(tmp_path: Path) -> None:
    """30 articles of 500 words, half with no span and half with 10 (20 per 1,000 words): the pooled rate is 10
    and its standard error 10 / sqrt(30), so a 95% interval of about 10 ± 3.58; identical articles give none."""
    out = tmp_path / "spread"
    rows, spans = [], []
    for i in range(30):
        rows.append(article_row(f"m{i}", "Mixed", "2024-03-01", word_count=500, writer_sentences=1))
        spans += [span_row(f"m{i}", "Doubt", "perhaps") for _ in range(10 if i % 2 else 0)]
        rows.append(article_row(f"s{i}", "Steady", "2024-03-01", word_count=500, writer_sentences=1))
        spans += [span_row(f"s{i}", "Doubt", "perhaps") for _ in range(5)]
    with BatchOutput(out, settings={"engine": "rules", "min_score": 0.0}) as output:
        output.write_part(rows, spans)
    outlets = {r["outlet"]: r for r in compute_stats(out)["outlets"]}
    mixed = outlets["Mixed"]
    assert mixed["techniques_per_1000_words"] == 10.0
    assert abs(mixed["ci_low"] - (10 - 1.96 * 10 / 30**0.5)) < 0.8
    assert abs(mixed["ci_high"] - (10 + 1.96 * 10 / 30**0.5)) < 0.8
    assert (mixed["article_p25"], mixed["article_median"], mixed["article_p75"]) == (0.0, 10.0, 20.0)
    steady = outlets["Steady"]
    assert steady["ci_low"] == steady["ci_high"] == steady["techniques_per_1000_words"] == 10.0
    assert compute_stats(out, seed=0)["outlets"] == compute_stats(out, seed=0)["outlets"]  # repeatable
