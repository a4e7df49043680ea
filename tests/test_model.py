"""The shipped technique model: files, and what it finds in the bundled example (no ../shared needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import spinscope
from spinscope.pipeline import technique_engine
from spinscope.runtime.session import MODELS_DIR

MODEL_NAMES = ["techniques-tagger", "techniques-classifier"]


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_shipped_model_files(name: str) -> None:
    folder = MODELS_DIR / name
    manifest = json.loads((folder / "manifest.json").read_text())
    model = folder / manifest.get("file", "model.onnx")
    assert model.stat().st_size <= 50 * 2**20
    assert hashlib.sha256(model.read_bytes()).hexdigest() == manifest["sha256"]
    assert (folder / "tokenizer.json").exists()


def test_label_head_ships_with_its_checksum_and_joins_the_classifier(demo_text: str) -> None:
    from spinscope.analyzers.technique_labels import HEAD, load_label_head, span_label_features
    from spinscope.errors import ModelError

    folder = MODELS_DIR / HEAD
    manifest = json.loads((folder / "manifest.json").read_text())
    assert hashlib.sha256((folder / manifest["file"]).read_bytes()).hexdigest() == manifest["sha256"]
    head = load_label_head()
    assert sorted(head.labels) == sorted(technique_engine("model").labels)
    model = technique_engine("model")
    assert model.label_head is not None and "label_head" in model.describe()
    encoded = model.encode(model.tokenize(demo_text))
    start = demo_text.index("spineless cowards")
    features = span_label_features(demo_text, encoded, start, start + len("spineless cowards"))
    probs = head.probabilities(features[None])
    assert probs.shape == (1, 14) and abs(float(probs.sum()) - 1) < 1e-5
    # a corrupted weights file is refused, not silently used
    from spinscope.runtime.session import load_head_arrays

    with pytest.raises(ModelError, match="sha256"):
        load_head_arrays(folder, {**manifest, "sha256": "0" * 64})


def test_tagger_manifest_has_tuned_thresholds_and_validation_figures() -> None:
    manifest = json.loads((MODELS_DIR / "techniques-tagger" / "manifest.json").read_text())
    assert 0 < manifest["thresholds"]["low"] <= manifest["thresholds"]["high"] < 1
    assert manifest["validation"]["si"]["f1"] > 0.3
    assert len(manifest["labels"]) == 15


def spans_in(analysis: spinscope.Analysis, fragment: str) -> list[spinscope.TechniqueSpan]:
    text = analysis.article.text
    start = text.index(fragment)
    end = start + len(fragment)
    return [t for t in analysis.techniques if t.start < end and start < t.end]


@pytest.fixture(scope="module")
def demo() -> spinscope.Analysis:
    text = (Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt").read_text(encoding="utf-8")
    return spinscope.analyze(text)


def test_demo_commentary_is_marked(demo: spinscope.Analysis) -> None:
    assert spans_in(demo, "this is the most shameful surrender in the history of our nation")
    assert {"Doubt"} <= {t.technique for t in spans_in(demo, '"peacekeepers"')}
    assert spans_in(demo, "spineless cowards")
    assert spans_in(demo, "our children will grow up as strangers in their own land")
    assert spans_in(demo, "Can anyone really believe Marsh")


def test_demo_headline_is_read(demo: spinscope.Analysis) -> None:
    """The title line is the densest persuasion in a hyperpartisan piece: its label and scare quote are marked."""
    headline_end = demo.article.text.index("\n")
    assert {t.technique for t in spans_in(demo, "Weak Ministers")} & {"Name_Calling,Labeling", "Loaded_Language"}
    assert "Doubt" in {t.technique for t in spans_in(demo, '"Peacekeepers"')}
    in_headline = [t for t in demo.to_dict()["techniques"] if t["end"] <= headline_end]
    assert in_headline and all(t["voice_of"] == "writer" for t in in_headline)


def test_demo_neutral_reporting_is_left_alone(demo: spinscope.Analysis) -> None:
    for sentence in (
        "Three hundred foreign troops crossed into the Kessin valley on Tuesday morning",
        "The deployment follows two weeks of fighting near the town of Harnov",
        "A pipeline engineer was killed on Sunday by a drone launched from rebel-held territory",
    ):
        assert not spans_in(demo, sentence), sentence


def test_demo_spans_are_exact_and_scored(demo: spinscope.Analysis) -> None:
    text = demo.article.text
    for span in demo.techniques:
        marked = text[span.start : span.end]
        assert (marked == marked.strip() and marked[0].isalnum()) or marked[0] in '"“'
        assert 0 < span.score <= 1
    assert demo.models["techniques"]["engine"] == "model"


def test_classifier_names_the_obvious_techniques(demo_text: str) -> None:
    model = technique_engine("model")
    cases = {
        "spineless cowards": "Name_Calling,Labeling",
        "Can anyone really believe Marsh": "Doubt",
        "our children will grow up as strangers in their own land": "Appeal_to_fear-prejudice",
    }
    requests = [(demo_text.index(s), demo_text.index(s) + len(s), 2) for s in cases]
    for (phrase, expected), labels in zip(cases.items(), model.label_spans(demo_text, requests), strict=True):
        assert expected in labels, (phrase, labels)


def test_min_score_hides_weak_spans(demo: spinscope.Analysis) -> None:
    strict = spinscope.analyze(demo.article, min_score=0.4)
    assert len(strict.techniques) < len(demo.techniques)
    assert all(t.score >= 0.4 for t in strict.techniques)


def test_snap_span_widens_to_words_and_trims_like_the_ptc_gold() -> None:
    from spinscope.runtime.encoding import snap_span

    text = 'They called them "spineless cowards in the ministry" again.'
    start = text.index("pineless")  # mid-word start, ending after "in "
    end = text.index("the ministry")
    assert text[slice(*snap_span(text, start, end))] == "spineless cowards"
    quoted = text.index('"spineless')
    assert text[slice(*snap_span(text, quoted, text.index(" again")))] == "spineless cowards in the ministry"
    lone = text.index("in the")
    assert text[slice(*snap_span(text, lone, lone + 2))] == "in"  # a lone word stays
