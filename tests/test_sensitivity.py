"""Which passages a view shows (spinscope.calibration.apply_sensitivity), the spin lexicon, and the persuasion map."""

from __future__ import annotations

import re

import pytest

import spinscope
from spinscope.analyzers.techniques_lexicon import lexicon_hits
from spinscope.calibration import (
    PERSUASION_FEATURES,
    SENSITIVITIES,
    Evidence,
    apply_sensitivity,
    passage_features,
    persuasion_features,
    persuasion_probability,
    sensitivity_thresholds,
    writer_spin_density,
)
from spinscope.document import Quote, Span, TechniqueSpan


def _span(start: int, end: int, technique: str, score: float, persuasion: float | None) -> TechniqueSpan:
    return TechniqueSpan(start, end, technique, score, persuasion=persuasion)


def test_presets_are_ordered() -> None:
    t = sensitivity_thresholds()
    assert set(t) == set(SENSITIVITIES)
    assert t["everything"] == 0.0 <= t["balanced"] < t["precise"] <= 1.0


def test_a_passage_is_shown_once_with_its_runner_up_when_close() -> None:
    balanced = sensitivity_thresholds()["balanced"]
    high = min(1.0, balanced + 0.3)
    spans = [
        _span(0, 10, "Loaded_Language", 0.6, high),
        _span(0, 10, "Name_Calling,Labeling", 0.5, high),  # close: named beside the best
        _span(20, 30, "Doubt", 0.6, high),
        _span(20, 30, "Slogans", 0.1, high),  # far behind: not named
        _span(40, 50, "Doubt", 0.6, balanced / 2),  # not likely enough
        _span(1, 10, "Exaggeration,Minimisation", 0.9, high - 0.01),  # mostly the same words as a shown one
        _span(60, 70, "Flag-Waving", 0.5, None),  # no map (the rules engine): always shown
    ]
    apply_sensitivity(spans, "balanced")
    shown = [(s.start, s.technique, s.alternative) for s in spans if s.shown]
    assert shown == [(0, "Loaded_Language", "Name_Calling,Labeling"), (20, "Doubt", None), (60, "Flag-Waving", None)]
    apply_sensitivity(spans, "everything")
    assert all(s.shown and s.alternative is None for s in spans)
    with pytest.raises(ValueError, match="unknown sensitivity"):
        apply_sensitivity(spans, "loud")


def test_label_confidence_is_the_share_of_persuasion() -> None:
    span = TechniqueSpan(0, 5, "Doubt", 0.5, confidence=0.3, persuasion=0.6)
    assert span.label_confidence == 0.5
    assert TechniqueSpan(0, 5, "Doubt", 0.5, confidence=0.3).label_confidence is None
    assert TechniqueSpan(0, 5, "Doubt", 0.5, confidence=0.9, persuasion=0.6).label_confidence == 1.0


def test_lexicon_hits_have_exact_offsets_and_spare_plain_reporting() -> None:
    text = (
        "The mayor's plan is a shameless cash grab by clueless ideologues. Fair to whom? Stop the charge now.\n"
        "The council approved the budget on Tuesday, a spokesman said."
    )
    hits = lexicon_hits(text)
    found = {(text[h.start : h.end], h.technique, h.kind) for h in hits}
    assert ("shameless", "Loaded_Language", "phrase") in found
    assert ("cash grab", "Loaded_Language", "phrase") in found
    assert ("ideologues", "Name_Calling,Labeling", "phrase") in found
    assert ("Fair to whom?", "Doubt", "question") in found
    assert ("Stop the charge now", "Slogans", "exhortation") in found
    assert all(h.end <= text.index("\n") for h in hits)  # nothing in the plain report


def test_lexicon_forms_inflections_and_fragments() -> None:
    """General rules, not strings: inflected entries, forms of spin, quoted fragments, weak entries, and a
    sentence that starts after a closing quotation mark."""
    from spinscope.analyzers.techniques_lexicon import inflections

    assert {"betrays", "betrayed", "betraying"} <= set(inflections("betray"))
    assert {"bullies", "bullied"} <= set(inflections("bully")) and "robbed" in inflections("rob")
    text = (
        'The council says it will "protect services." Which services? Parents of Sandholm, wake up. '
        "It is the worst deal ever. Tarnia first! Either we act or we lose everything. Never, never, never. "
        "The hypocrites betrayed us. It never rained."
    )
    found = {(text[h.start : h.end], h.kind) for h in lexicon_hits(text)}
    assert ('"protect services."', "fragment") in found
    assert ("Which services?", "question") in found
    assert ("Parents of Sandholm, wake up", "exhortation") in found
    assert ("the worst deal ever", "phrase") in found and ("Tarnia first", "phrase") in found
    assert ("Either we act or we lose everything.", "phrase") in found
    assert ("Never, never, never", "phrase") in found
    assert ("hypocrites", "phrase") in found and ("betrayed", "phrase") in found
    assert ("never", "weak") in found  # plain English in a report: the map weighs it apart
    plain = 'Officials said the "Blue Line" project would open in May. A university lecturer said it was late.'
    assert not [h for h in lexicon_hits(plain) if h.kind in ("phrase", "fragment")]


def test_persuasion_map_reads_its_own_features() -> None:
    n = len(PERSUASION_FEATURES)
    spec = {"mean": [0.0] * n, "scale": [1.0] * n, "weights": [0.0] * n, "bias": 0.0}
    question = persuasion_features(Evidence("lexicon", lexicon_kind="question"), 0, 9, **CONTEXT)
    assert len(question) == n and persuasion_probability(spec, question) == 0.5
    with pytest.raises(ValueError, match="refit"):
        persuasion_probability({**spec, "weights": [0.0] * (n - 1)}, question)


CONTEXT = {"lexicon_inside": False, "density": 2.0, "quoted": False}


def test_passage_features_read_the_article_around_the_span() -> None:
    """The writer's spin density counts lexicon phrases outside direct quotes; a span inside one says so."""
    text = 'Angry farmers marched. "This shameless cash grab must go," said Hanne Lytt. The vote is on Monday.'
    quote = Quote("direct", Span(text.index('"'), text.index(',"') + 2))
    inside = TechniqueSpan(text.index("shameless"), text.index(" cash"), "Loaded_Language", 0.5, "lexicon")
    inside.evidence = Evidence("lexicon")
    outside = TechniqueSpan(0, 5, "Loaded_Language", 0.5, "model")
    outside.evidence = Evidence("model", 0.6, 0.7)
    plain = TechniqueSpan(0, 5, "Loaded_Language", 0.5, "rules")  # no evidence: no features
    features = passage_features(text, [inside, outside, plain], [quote])
    index = {name: PERSUASION_FEATURES.index(name) for name in ("writer_spin_density", "in_direct_quote")}
    assert features[0][index["in_direct_quote"]] == 1.0 and features[1][index["in_direct_quote"]] == 0.0
    assert features[0][index["writer_spin_density"]] == 0.0  # the only spin phrases are the speaker's
    assert features[2] is None
    assert writer_spin_density("a shameless cash grab", lexicon_hits("a shameless cash grab"), []) == 50.0


def test_sensitivity_changes_what_is_shown_not_what_is_found(demo_text: str) -> None:
    results = {s: spinscope.analyze(demo_text, sensitivity=s).to_dict() for s in SENSITIVITIES}
    every = [(t["start"], t["end"], t["technique"]) for t in results["everything"]["techniques"]]
    counts = {}
    for name, data in results.items():
        assert [(t["start"], t["end"], t["technique"]) for t in data["techniques"]] == every
        assert data["summary"]["sensitivity"] == name
        counts[name] = data["summary"]["technique_spans"]
        shown = {(t["start"], t["end"]) for t in data["techniques"] if t["shown"]}
        assert counts[name] == len(shown)
        assert data["summary"]["hidden_technique_spans"] == len({(s, e) for s, e, _ in every} - shown)
    assert counts["precise"] < counts["balanced"] <= counts["everything"]
    assert results["everything"]["summary"]["hidden_technique_spans"] == 0
    with pytest.raises(ValueError, match="unknown sensitivity"):
        spinscope.analyze(demo_text, sensitivity="loud")  # type: ignore[arg-type]


def test_saved_json_keeps_the_shown_flags(demo_text: str) -> None:
    data = spinscope.analyze(demo_text).to_dict()
    again = spinscope.Analysis.from_dict(data).to_dict()
    keys = ("shown", "persuasion", "alternative", "label_confidence")
    assert [[t[k] for k in keys] for t in again["techniques"]] == [[t[k] for k in keys] for t in data["techniques"]]


@pytest.mark.slow
def test_the_presets_compared_on_the_spin_set() -> None:
    """`spinscope sensitivity`: each preset's threshold and figures; a stricter preset shows less and finds less."""
    from spinscope.evaluation.spin import compare_sensitivities, format_sensitivities

    result = compare_sensitivities("dev", samples=50)
    recall = {p: f["writer_recall_shown"]["value"] for p, f in result["measured"].items()}
    shown = {p: f["shown"] for p, f in result["measured"].items()}
    assert recall["precise"] <= recall["balanced"] <= recall["everything"]
    assert shown["precise"] < shown["balanced"] <= shown["everything"]
    text = format_sensitivities(result)
    for preset in SENSITIVITIES:
        assert re.search(rf"^  {preset} +{result['thresholds'][preset]:.2f} ", text, re.M)
    assert "out-of-fold" in text and set(result["out_of_fold"]) == set(SENSITIVITIES)
