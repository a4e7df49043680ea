"""The transparent rules engine (``--engine rules``)."""

from __future__ import annotations

from spinscope.analyzers.techniques_rules import RuleEngine

TEXT = (
    'The regime\'s thugs staged a "spontaneous" rally on Friday. '
    '"We will not retreat," the minister said. '
    "Every true patriot must defend our nation before it is too late. "
    "The so-called peace plan is a SHAM. Peace through strength! "
    "The ministry counted 40 trucks at the border crossing."
)


def found(text: str) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for span in RuleEngine().find(text):
        result.setdefault(span.technique, []).append(text[span.start : span.end])
    return result


def test_each_cue_family_is_found() -> None:
    hits = found(TEXT)
    assert "thugs" in hits["Name_Calling,Labeling"]
    assert '"spontaneous"' in hits["Doubt"]
    assert "so-called" in hits["Doubt"]
    assert "true patriot" in hits["Flag-Waving"]
    assert "before it is too late" in hits["Appeal_to_fear-prejudice"]
    assert "SHAM" in hits["Loaded_Language"]
    assert "Peace through strength" in hits["Slogans"]


def test_speech_is_not_a_scare_quote_and_reporting_is_left_alone() -> None:
    hits = found(TEXT)
    assert not any("We will not retreat" in t for t in hits.get("Doubt", []))
    spans = RuleEngine().find(TEXT)
    last = TEXT.index("The ministry counted")
    assert not [s for s in spans if s.start >= last]


def test_offsets_index_the_text_and_acronyms_are_not_emphasis() -> None:
    text = "NATO and the UNICEF office said nothing. The deal of shame. The deal of shame. The deal of shame."
    spans = RuleEngine().find(text)
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert not [s for s in spans if text[s.start : s.end] in ("NATO", "UNICEF")]
    repeated = [s for s in spans if s.technique == "Repetition"]
    assert len(repeated) == 2 and all(text[s.start : s.end] == "deal of shame" for s in repeated)
    assert all(s.engine == "rules" and 0 < s.score < 1 for s in spans)


def test_acronyms_and_quoted_sentences_are_left_alone() -> None:
    hits = found('NATO officials met on Monday. "We will stay here until the job is done." Their "mission" goes on.')
    assert "NATO" not in hits.get("Loaded_Language", [])
    assert hits.get("Doubt") == ['"mission"']  # the quoted sentence is speech, not a scare quote
