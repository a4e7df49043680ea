"""The annotation loop's adapted model: ``spinscope train`` on corrections, ``analyze --model``, ``serve --model``.

The numpy tests run everywhere. Training needs torch (``spinscope[train]``) and skips without it; mixing in
PTC and scoring on its 37 validation articles needs ../shared/corpora and skips without it. The corrections
are a dozen invented articles (tests/adapt_articles.py) marking an invented slur, "glorbs", as name-calling.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from adapt_articles import LABEL, SLUR, UNSEEN, slur_spans, write_corrections
from conftest import CORPORA
from spinscope.annotation.adapt import Adapter, adapt_spans, load_adapter, write_adapter
from spinscope.cli import app
from spinscope.document import TechniqueSpan
from spinscope.errors import ModelError
from spinscope.runtime.encoding import TaggerPass

runner = CliRunner()
HAS_TORCH = importlib.util.find_spec("torch") is not None
PTC = CORPORA / "ptc" / "train"


def slur_marked(techniques: list[dict], text: str) -> list[dict]:
    return [t for t in techniques if t["technique"] == LABEL and SLUR in text[t["start"] : t["end"]]]


# ---- numpy: the run-time half ---------------------------------------------------------------------------


def synthetic_pass(text: str) -> TaggerPass:
    """The real tokenizer's pieces of ``text``; states that are 1 in dimension 0 on the slur's pieces only."""
    from spinscope.analyzers.techniques_model import load_technique_model

    tokens = load_technique_model().tokenize(text)
    n = len(tokens.ids)
    states = np.zeros((n, 384), np.float32)
    for start, end in slur_spans(text):
        states[(tokens.offsets[:, 1] > start) & (tokens.offsets[:, 0] < end), 0] = 1.0
    return TaggerPass(tokens, np.zeros((n, 15), np.float32), states)


def hand_adapter(remove_below: float = 0.1) -> Adapter:
    """A head that fires (any, name-calling) exactly where dimension 0 is 1."""
    labels = ["any", LABEL, "Own_Label"]
    w1 = np.zeros((399, 1), np.float32)
    w1[0, 0] = 1.0
    arrays = {
        "mean": np.zeros(399, np.float32),
        "scale": np.ones(399, np.float32),
        "w1": w1,
        "b1": np.zeros(1, np.float32),
        "w2": np.asarray([[20.0, 20.0, 0.0]], np.float32),
        "b2": np.asarray([-10.0, -10.0, -10.0], np.float32),
    }
    return Adapter(labels, arrays, [LABEL, "Own_Label"], 0.3, 0.5, remove_below, {})


def test_adapter_adds_removes_and_keeps_offsets_past_astral_characters() -> None:
    text = "Flags 🇺🇦 and 😀 first.\n\nThe glorbs on the committee voted no, a truly shameful decision."
    encoded = synthetic_pass(text)
    shameful = text.index("truly shameful")
    model_span = TechniqueSpan(shameful, shameful + 14, "Loaded_Language", 0.5)  # the head finds nothing there
    lexicon_span = TechniqueSpan(shameful + 6, shameful + 14, "Loaded_Language", 0.4, engine="lexicon")
    out = adapt_spans(text, encoded, [model_span, lexicon_span], hand_adapter())
    added = [t for t in out if t.engine == "adapted"]
    assert [(t.technique, text[t.start : t.end]) for t in added] == [(LABEL, SLUR)]
    assert model_span not in out  # a shipped model span the head finds unpersuasive is dropped
    assert lexicon_span in out  # other engines' spans are not the head's to judge
    # without removals in the corrections (remove_below 0) the shipped span stays
    assert model_span in adapt_spans(text, encoded, [model_span], hand_adapter(remove_below=0.0))
    # a shipped span of the same label already covering the slur is not doubled
    ((start, end),) = slur_spans(text)
    covered = TechniqueSpan(start - 4, end, LABEL, 0.6)
    again = adapt_spans(text, encoded, [covered], hand_adapter())
    assert [t for t in again if t.technique == LABEL] == [covered]


def test_model_folder_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a model folder"):
        load_adapter(tmp_path)
    adapter = hand_adapter()
    manifest = {"name": "hand", "labels": adapter.labels, "decoding": {"add_labels": [LABEL], "low": 0.3, "high": 0.5}}
    write_adapter(tmp_path / "m", adapter.arrays, manifest)
    loaded = load_adapter(tmp_path / "m")
    assert loaded.labels == adapter.labels and loaded.add_labels == [LABEL] and loaded.remove_below == 0.0
    np.testing.assert_array_equal(loaded.arrays["w2"], adapter.arrays["w2"])
    (tmp_path / "m" / "adapter.npz").write_bytes(b"tampered")
    with pytest.raises(ModelError, match="sha256"):
        load_adapter(tmp_path / "m")
    result = runner.invoke(app, ["analyze", "--model", str(tmp_path), str(tmp_path / "x.txt")])
    assert result.exit_code == 1
    assert "not a model folder" in result.output
    served = runner.invoke(app, ["serve", "--model", str(tmp_path), "--db", ":memory:"])
    assert served.exit_code == 1 and "not a model folder" in served.output  # before it starts serving
    rules = runner.invoke(app, ["analyze", "--engine", "rules", "--model", str(tmp_path / "m"), "x.txt"])
    assert rules.exit_code == 2 and "does not apply to --engine rules" in rules.output


@pytest.mark.skipif(HAS_TORCH, reason="torch is installed here: the message is for machines without it")
def test_train_without_torch_says_how_to_install(tmp_path: Path) -> None:
    write_corrections(tmp_path / "corrections")
    result = runner.invoke(app, ["train", "--corrections", str(tmp_path / "corrections"), "-o", str(tmp_path / "m")])
    assert result.exit_code == 1
    assert "pip install 'spinscope[train]'" in result.output
    assert not (tmp_path / "m").exists()


# ---- torch: training --------------------------------------------------------------------------------------


def train(tmp: Path, *extra: str) -> tuple[Path, dict]:
    corrections = tmp / "corrections"
    write_corrections(corrections)
    model = tmp / "model"
    result = runner.invoke(app, ["train", "--corrections", str(corrections), "-o", str(model), *extra])
    assert result.exit_code == 0, result.output
    assert "held-out corrections" in result.output
    return model, json.loads((model / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    pytest.importorskip("torch", reason="spinscope train needs torch (pip install 'spinscope[train]')")
    yield train(tmp_path_factory.mktemp("adapt"), "--no-ptc")
    from spinscope.pipeline import use_technique_model

    use_technique_model(None)


def analyse_with(model: Path, tmp: Path, text: str) -> dict:
    article = tmp / "unseen.txt"
    article.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["analyze", "--model", str(model), str(article), "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.slow
def test_trained_model_marks_the_slur_in_an_unseen_article(trained: tuple[Path, dict], tmp_path: Path) -> None:
    model, manifest = trained
    from spinscope.pipeline import use_technique_model

    use_technique_model(None)
    from spinscope.analyzers.techniques_model import load_technique_model

    before = [t.__dict__ for t in load_technique_model().find(UNSEEN)]
    assert slur_marked(before, UNSEEN) == []  # the shipped model does not know the word
    data = analyse_with(model, tmp_path, UNSEEN)
    marked = slur_marked(data["techniques"], UNSEEN)
    assert marked and all(t["engine"] == "adapted" and t["shown"] for t in marked)
    assert data["models"]["techniques"]["adapter"]["labels"][1:15] == manifest["labels"][1:15]
    # the folder records its data, settings and figures
    assert len(manifest["data"]["corrections"]["articles"]) == 12
    assert manifest["data"]["corrections"]["per_label"] == {LABEL: 12}
    assert manifest["data"]["ptc"] is None
    assert manifest["settings"]["folds"] == 5 and manifest["decoding"]["add_labels"] == [LABEL]
    cv = manifest["figures"]["corrections_cv"]
    assert cv["folds"] == 5
    assert cv["after"]["labelled_f1"] > cv["before"]["labelled_f1"] + 0.2


@pytest.mark.slow
def test_serve_with_the_trained_model(trained: tuple[Path, dict]) -> None:
    pytest.importorskip("fastapi", reason="the server extra is not installed")
    from fastapi.testclient import TestClient

    from spinscope.pipeline import use_technique_model
    from spinscope.server import Settings, create_app

    model, _ = trained
    use_technique_model(model)  # what spinscope serve --model does before it starts the app
    try:
        with TestClient(
            create_app(Settings(engine="model", db_path=":memory:", rate_per_minute=0)), base_url="http://localhost"
        ) as client:
            answer = client.post("/api/analyze", json={"text": UNSEEN})
            assert answer.status_code == 200, answer.text
            assert slur_marked(answer.json()["techniques"], UNSEEN)
    finally:
        use_technique_model(None)


@pytest.mark.slow
def test_own_label_is_learned_and_shown(tmp_path: Path) -> None:
    """A label that is not a PTC technique becomes the user's own technique: trained, added, rendered."""
    pytest.importorskip("torch", reason="spinscope train needs torch (pip install 'spinscope[train]')")
    corrections = tmp_path / "corrections"
    write_corrections(corrections, label="Slur (ours)")
    model = tmp_path / "model"
    result = runner.invoke(app, ["train", "--corrections", str(corrections), "-o", str(model), "--no-ptc"])
    assert result.exit_code == 0, result.output
    assert "your own techniques: Slur (ours)" in result.output
    manifest = json.loads((model / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"][-1] == "Slur (ours)" and manifest["own_labels"] == ["Slur (ours)"]
    data = analyse_with(model, tmp_path, UNSEEN)
    ours = [t for t in data["techniques"] if t["technique"] == "Slur (ours)"]
    assert [UNSEEN[t["start"] : t["end"]] for t in ours] == [SLUR]
    article = tmp_path / "unseen.txt"
    for fmt in ("text", "html"):  # the views draw a technique they do not know
        shown = runner.invoke(app, ["analyze", "--model", str(model), str(article), "--format", fmt])
        assert shown.exit_code == 0, shown.output
        assert "Slur (ours)" in shown.output
    from spinscope.pipeline import use_technique_model

    use_technique_model(None)


@pytest.mark.slow
@pytest.mark.corpus
def test_train_with_ptc_keeps_ptc_figures(tmp_path: Path) -> None:
    """The done-when of issue 29: PTC mixed in, span F1 on the 37 validation articles drops by at most 0.01."""
    pytest.importorskip("torch", reason="spinscope train needs torch (pip install 'spinscope[train]')")
    if not PTC.is_dir():
        pytest.skip("../shared/corpora/ptc is not present on this machine")
    model, manifest = train(tmp_path, "--ptc", str(PTC))
    ptc = manifest["figures"]["ptc_validation"]
    assert ptc["articles"] == 37
    assert ptc["after"]["span_f1"] >= ptc["before"]["span_f1"] - 0.01
    assert abs(ptc["before"]["span_f1"] - 0.448) < 0.01  # what spinscope eval gives the shipped model
    cv = manifest["figures"]["corrections_cv"]
    assert cv["after"]["labelled_f1"] > cv["before"]["labelled_f1"] + 0.2
    data = analyse_with(model, tmp_path, UNSEEN)
    assert slur_marked(data["techniques"], UNSEEN)
    from spinscope.pipeline import use_technique_model

    use_technique_model(None)
