"""``spinscope stories``: the same story across outlets, on an invented corpus (tests/story_corpus.py)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")
import pyarrow.parquet as pq

from spinscope.batch import run_batch
from spinscope.batch.stories import StoryArticle, cosine, group_stories, terms, tfidf, write_stories
from story_corpus import COPY_OUTLET, story_articles, write_story_corpus


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("stories")
    corpus = write_story_corpus(folder / "corpus.jsonl")
    run_batch([str(corpus)], folder / "batch", engine="rules", workers=0)
    return write_stories(folder / "batch", folder / "out")


def test_copies_join_their_original_and_events_stay_apart(written: dict[str, Any]) -> None:
    events = {a["id"]: a["event"] for a in story_articles()}
    rows = pq.read_table(written["parquet"]).to_pylist()
    assert len(rows) == len(events) == written["articles"]
    story_of = {r["key"]: r["story_id"] for r in rows}
    copies = [key for key in events if key.startswith("copy-")]
    with_original = sum(story_of[c] == story_of[c.removeprefix("copy-")] for c in copies)
    assert with_original == len(copies) == 5
    # every story holds one event: the two floods of the same week in two towns are two stories
    for story in set(story_of.values()):
        assert len({events[k] for k, s in story_of.items() if s == story}) == 1, story
    assert len(set(story_of.values())) == len(set(events.values())) == 7
    row = next(r for r in rows if r["key"] == "copy-bridge-0")
    assert row["outlet"] == COPY_OUTLET and row["story_outlets"] == 3 and row["story_articles"] == 3
    assert row["story_headline"] in {
        "Council votes to shut the Tallis bridge",
        "Tallis bridge to close for eight months",
    }
    assert {"Tallis", "bridge"} <= set(row["story_label"].split(" · "))  # the words its outlets share
    strike = next(r for r in rows if r["key"] == "strike-1")
    assert "greedy" not in strike["story_label"] and "Veyra" in strike["story_label"]  # not one outlet's words
    assert str(row["first_date"]) == "2024-03-04" and str(row["last_date"]) == "2024-03-05"
    assert written["across_outlets"] == 7 and len(written["pages"]) == 7


def test_the_time_window_and_the_centroid_keep_stories_apart() -> None:
    """Similar wording links within ``window_days``; a near copy within ``copy_window_days``; a chain A~B~C
    where A and C share little is not merged wholesale when the groups' centres differ."""
    import datetime

    report = "Harbour cranes at Port Veyra stopped after dockworkers of the Guild walked out over pay on Monday"
    other = "Dockworkers of the Guild at Port Veyra said talks on pay with the harbour board broke down"
    texts = [report, report, other, "An unrelated council meeting on parking fees in Ostfeld"]
    vectors = tfidf([terms(t) for t in texts])
    assert 0.3 <= cosine(vectors[0], vectors[2]) < 0.6  # a related report, not a copy
    day = datetime.date(2024, 3, 1)
    later = [0, 20, 10, 0]  # days after the first
    articles = [
        StoryArticle(str(i), "X", day + datetime.timedelta(days=d), str(i), v)
        for i, (d, v) in enumerate(zip(later, vectors, strict=True))
    ]
    assert group_stories(articles) == [[0, 1], [2], [3]]  # the copy 20 days on joins; the report 10 days on not
    assert group_stories(articles, copy_window_days=3) == [[0], [1], [2], [3]]
    assert group_stories(articles, window_days=10) == [[0, 1, 2], [3]]
    chain = tfidf([terms("alpha beta gamma delta"), terms("gamma delta epsilon zeta"), terms("epsilon zeta eta theta")])
    linked = [StoryArticle(str(i), "X", day, str(i), v) for i, v in enumerate(chain)]
    assert group_stories(linked, threshold=0.3) == [[0, 1], [2]]  # single links would make A-B-C one story


def test_cli_writes_the_parquet_and_the_index(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from spinscope.cli import app

    rows = [a for a in story_articles() if a["event"] in ("strike", "debate")]
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run_batch([str(corpus)], tmp_path / "batch", engine="rules", workers=0)
    result = CliRunner().invoke(app, ["stories", str(tmp_path / "batch"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "5 articles in 2 stories, 2 told by 2+ outlets" in " ".join(result.output.split())
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert index.count('<a href="story-') == 2
    missing = CliRunner().invoke(app, ["stories", str(tmp_path / "nothing"), "-o", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "no articles/part" in " ".join(missing.output.split())


@pytest.fixture
def story_page(browser: Any, written: dict[str, Any]) -> Iterator[dict[str, Any]]:
    from conftest import recorded_page

    rows = pq.read_table(written["parquet"]).to_pylist()
    story = next(r["story_id"] for r in rows if r["key"] == "bridge-0")
    path = written["parquet"].parent / f"{story}.html"
    with recorded_page(browser, path.as_uri()) as seen:
        yield seen


@pytest.mark.browser
def test_story_page_shows_the_outlets_side_by_side_in_a_browser(story_page: dict[str, Any]) -> None:
    page = story_page["page"]
    assert story_page["errors"] == [] and story_page["dialogs"] == []
    assert all(url.startswith("file://") for url in story_page["requests"])  # nothing fetched
    columns = page.locator("section.outlet")
    assert columns.count() == 3
    boxes = [columns.nth(i).bounding_box() for i in range(3)]
    assert all(b is not None and b["width"] >= 240 for b in boxes)
    assert len({round(b["y"]) for b in boxes if b}) == 1  # one row
    assert [b["x"] for b in boxes if b] == sorted(b["x"] for b in boxes if b)  # left to right, no overlap
    assert all(a["x"] + a["width"] <= b["x"] for a, b in itertools.pairwise(boxes) if a and b)
    names = [columns.nth(i).locator("h2").inner_text() for i in range(3)]
    assert sorted(names) == ["Daily Beacon", "Northern Ledger", COPY_OUTLET]
    ledger = page.locator("section.outlet", has_text="Northern Ledger")
    text = ledger.inner_text()
    assert "Council votes to shut the Tallis bridge" in text and "techniques / 1,000 words" in text
    assert "Mara Kell" in text and "opinion %" in text
    assert page.locator(".shared").count() >= 2  # the claims several outlets make
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280  # fits a laptop screen


def test_story_page_escapes_what_the_corpus_says() -> None:
    import datetime

    from spinscope.batch.stories_html import story_page

    hostile = '<script>window.__pwned=1</script>" onmouseover="x'
    members = [
        {"key": k, "outlet": o, "story_label": hostile, "date_parsed": datetime.date(2024, 3, 4)}
        for k, o in (("a", hostile), ("b", "Beacon"))
    ]
    articles = {
        k: {"key": k, "title": hostile, "date": hostile, "word_count": 100, "writer_word_count": 90,
            "technique_spans": 1, "writer_technique_spans": 1, "writer_sentences": 4, "opinion_share": 0.25}
        for k in ("a", "b")
    }  # fmt: skip
    spans = {
        "a": [
            {"layer": "technique", "label": "Loaded_Language", "text": hostile, "shown": True, "voice_of": "writer"},
            {"layer": "quote", "label": "direct", "speaker_name": hostile, "text": "x"},
            {"layer": "claim", "label": "claim", "text": hostile},
        ]
    }
    page = story_page(members, articles, spans)
    assert "<script>" not in page and 'onmouseover="x' not in page
    assert "&lt;script&gt;" in page and "Loaded language" in page
