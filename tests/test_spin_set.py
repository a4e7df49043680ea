"""The hand-marked spin set: the loader's offsets, the metric functions, and eval-spin end to end."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from spinscope.cli import app
from spinscope.evaluation.spin import bootstrap_interval, evaluate_spin, is_shown, score_article, summarise
from spinscope.evaluation.spin_set_loader import (
    EXTRA_LABELS,
    KINDS,
    PTC_LABELS,
    SPIN_SET,
    MarkupError,
    load_spin_set,
    parse_markup,
)


def test_markup_offsets_are_exact_and_nested_marks_parse() -> None:
    text, spans, claims = parse_markup('A [[shameless|LL]] plan. <<It cost [["40"|SQ+DBT|quoted]] crowns.>> End.')
    assert text == 'A shameless plan. It cost "40" crowns. End.'
    assert [(text[s.start : s.end], s.techniques, s.voice) for s in spans] == [
        ("shameless", ("Loaded_Language",), "writer"),
        ('"40"', ("Doubt", "Scare_Quotes"), "quoted"),
    ]
    assert [text[c.start : c.end] for c in claims] == ['It cost "40" crowns.']


@pytest.mark.parametrize(
    "bad",
    ["[[word|Nonsense]]", "[[word|SQ]]", "[[word|LL]", "<<open", "a >> b", "[[word|LL|someone]]", "[[ word|LL]]"],
)
def test_bad_markup_is_refused(bad: str) -> None:
    with pytest.raises(MarkupError):
        parse_markup(bad)


def test_every_file_parses_with_exact_offsets_and_known_labels() -> None:
    articles = load_spin_set() + load_spin_set("fresh")
    assert len(articles) >= 36 and len({a.id for a in articles}) == len(articles)
    for article in articles:
        assert 150 <= article.words <= 400, article.id
        assert "[[" not in article.text and "]]" not in article.text and "<<" not in article.text
        assert "\r" not in article.text  # spinscope would rewrite it and move every offset
        for span in article.spans:
            assert article.text[span.start : span.end] == span.text
            assert span.techniques[0] in PTC_LABELS
            assert all(t in PTC_LABELS or t in EXTRA_LABELS for t in span.techniques)
        for claim in article.claims:
            assert article.text[claim.start : claim.end] == claim.text
        if article.kind == "wire":
            # wire reports: the writer spins nothing; any mark is a quoted speaker's
            assert all(s.voice == "quoted" for s in article.spans), article.id
        else:
            assert any(s.voice == "writer" for s in article.spans), article.id


def test_every_split_holds_every_kind_and_matches_its_folder() -> None:
    dev, report, fresh = load_spin_set("dev"), load_spin_set("report"), load_spin_set("fresh")
    for half in (dev, report, fresh):
        counts = Counter(a.kind for a in half)
        assert set(counts) == set(KINDS) and counts["op-ed"] >= 4
    ids = [{a.id for a in half} for half in (dev, report, fresh)]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    assert {a.split for a in fresh} == {"fresh"} and len(fresh) == 12
    assert {p.parent.name for p in SPIN_SET.glob("*/*.txt")} == {"dev", "report", "fresh"}


def test_all_means_dev_and_report_without_fresh() -> None:
    assert [a.id for a in load_spin_set("all")] == [a.id for a in load_spin_set("dev") + load_spin_set("report")]
    with pytest.raises(ValueError, match="unknown split"):
        load_spin_set("everything")


def _article(kind: str = "op-ed"):
    (article,) = [a for a in load_spin_set("dev") if a.kind == kind][:1]
    return article


def test_metrics_on_a_hand_built_analysis() -> None:
    article = _article()  # a01: the congestion-charge op-ed
    text = article.text
    writer = [s for s in article.spans if s.voice == "writer"]
    first, second = writer[0], writer[1]
    free = text.index("Phone your councillor")  # no mark there
    sentence_end = text.index("\n")
    result = {
        "text": text,
        "techniques": [
            # overlaps the first mark, shown by its flag
            {"start": first.start, "end": first.end, "technique": first.technique, "shown": True},
            # overlaps the second mark by one character, hidden by its flag (counts only "all")
            {"start": second.end - 1, "end": second.end + 3, "technique": "Doubt", "shown": False},
            # no flag: the confidence rule decides (0.9: shown); touches no mark
            {"start": free, "end": free + 5, "technique": "Loaded_Language", "confidence": 0.9},
            # in a quotation: not counted in the writer-voice precision
            {"start": free, "end": free + 5, "technique": "Doubt", "shown": True, "voice_of": "quoted"},
        ],
        "sentences": [
            {"start": 0, "end": sentence_end, "voice": "opinion", "speaker": "writer"},
            {"start": sentence_end + 1, "end": len(text), "voice": "reporting", "speaker": "writer"},
        ],
        "claims": [{"start": article.claims[0].start, "end": article.claims[0].start + 4}],
    }
    record = score_article(article, result)
    assert record["shown_writer"] == 2 and record["shown_writer_touching"] == 1
    assert record["shown"] == 3 and record["shown_false"] == 2
    assert record["claims_found"] == 1 and record["claims_marked"] == len(article.claims)
    assert record["claims_output"] == 1 and record["claims_output_touching"] == 1
    assert record["claims_in_opinion"] == 0  # the headline holds no claim
    claim = article.claims[0]
    opinion = [{"start": claim.start, "end": claim.end, "voice": "opinion", "speaker": "writer"}]
    assert score_article(article, {**result, "sentences": opinion})["claims_in_opinion"] == 1
    quoted = [{**opinion[0], "speaker": "quoted"}]
    assert score_article(article, {**result, "sentences": quoted})["claims_in_opinion"] == 0
    headline_words = len(text[:sentence_end].split())
    assert record["opinion_words"] == headline_words
    assert record["writer_words"] == len(text.split())
    figures = summarise([record], samples=50)
    assert figures["writer_recall_all"]["value"] == pytest.approx(2 / len(writer))
    assert figures["writer_recall_shown"]["value"] == pytest.approx(1 / len(writer))
    assert figures["precision_shown"]["value"] == pytest.approx(0.5)
    assert figures["claim_recall"]["value"] == pytest.approx(1 / len(article.claims))
    assert figures["opinion_share"]["op-ed"]["value"] == pytest.approx(headline_words / len(text.split()))
    assert figures["wire_false_per_1000"]["value"] is None  # no wire report among the articles
    assert figures["per_technique"][first.technique]["recall_shown"] > 0


def test_false_highlights_count_on_wire_reports_only_and_need_the_same_text() -> None:
    wire = _article("wire")
    quoted = next(s for s in wire.spans if s.voice == "quoted")
    result = {
        "text": wire.text,
        "techniques": [
            {"start": quoted.start, "end": quoted.end, "technique": "Loaded_Language", "shown": True},
            {"start": 0, "end": 5, "technique": "Loaded_Language", "shown": True},
            {"start": 6, "end": 9, "technique": "Loaded_Language", "shown": False},
        ],
        "sentences": [],
        "claims": [],
    }
    figures = summarise([score_article(wire, result)], samples=50)
    assert figures["wire_false_per_1000"]["false"] == 1
    assert figures["wire_false_per_1000"]["value"] == pytest.approx(1000 / wire.words)
    assert figures["quoted_recall_shown"]["value"] == pytest.approx(1 / len(wire.spans))
    with pytest.raises(ValueError, match="clean text"):
        score_article(wire, {**result, "text": wire.text + " "})


def test_shown_flag_wins_over_the_confidence_rule() -> None:
    assert is_shown({"confidence": 0.01, "shown": True})
    assert not is_shown({"confidence": 0.99, "shown": False})
    assert not is_shown({"confidence": 0.01}) and is_shown({"confidence": None})


def test_bootstrap_interval_holds_the_pooled_value() -> None:
    pairs = [(1, 4), (3, 4), (0, 2), (2, 2)]
    low, high = bootstrap_interval(pairs, samples=500)
    assert low <= 6 / 12 <= high and 0 <= low < high <= 1
    assert bootstrap_interval([(0, 0)]) is None


def test_evaluate_spin_with_a_stub_analyser_groups_by_split() -> None:
    def nothing(article):
        return {"text": article.text, "techniques": [], "sentences": [], "claims": []}

    results = evaluate_spin("all", analyse=nothing, samples=20)
    assert set(results["splits"]) == {"dev", "report", "all"}
    assert results["splits"]["all"]["writer_recall_all"]["value"] == 0.0
    assert results["splits"]["dev"]["articles"] + results["splits"]["report"]["articles"] == len(load_spin_set())
    with pytest.raises(ValueError, match="no spin-set article"):
        evaluate_spin("dev", analyse=nothing, only=["no-such-article"])


@pytest.mark.slow
def test_eval_spin_command_end_to_end_on_one_op_ed(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["eval-spin", "--split", "dev", "--article", "a01-oped-congestion-charge", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    (record,) = figures["articles"]
    assert record["id"] == "a01-oped-congestion-charge" and record["spans"] > 0
    dev = figures["splits"]["dev"]
    # the model finds some of this op-ed's blatant spin when every span counts (3 of its 17 marks at 0.2)
    assert sum(m["found_all"] for m in record["marks"] if m["voice"] == "writer") >= 2
    assert dev["writer_recall_all"]["value"] > 0
    assert 0.0 <= dev["writer_recall_shown"]["value"] <= dev["writer_recall_all"]["value"]
    assert dev["opinion_share"]["op-ed"]["value"] is not None
    text = runner.invoke(app, ["eval-spin", "--split", "dev", "--article", "a01-oped-congestion-charge"])
    assert text.exit_code == 0 and "writer spans found by the default view" in text.output
