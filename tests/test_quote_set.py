"""The invented quote set of issue #26 (src/spinscope/evaluation/quote_set): its gold offsets agree with
its texts, and the quote rules hold their figures on it (floors that fail when a rule breaks)."""

from __future__ import annotations

import pytest

from spinscope.analyzers.quote_tagger import shipped
from spinscope.analyzers.quotes import find_quotes
from spinscope.evaluation.quote_set import load, score
from spinscope.segmentation import sentences

ARTICLES = load("all")
# The fresh split (articles_fresh.toml): its gold is checked here, but no quote rule is run on it in the
# test suite (it is never tuned on; see the README).
FRESH = load("fresh")


def test_the_set_is_big_enough_and_split_in_two():
    assert len(ARTICLES) >= 20
    assert {a.split for a in ARTICLES} == {"dev", "report"}
    assert len({a.id for a in ARTICLES}) == len(ARTICLES)


def test_the_fresh_split_is_apart_from_all():
    assert len(FRESH) == 12 and {a.split for a in FRESH} == {"fresh"}
    assert not {a.id for a in FRESH} & {a.id for a in ARTICLES}
    assert len(load("dev")) + len(load("report")) == len(ARTICLES)
    with pytest.raises(ValueError, match="unknown split"):
        load("everything")


@pytest.mark.parametrize("article", ARTICLES + FRESH, ids=[a.id for a in ARTICLES + FRESH])
def test_gold_offsets_match_the_text(article):
    text = article.text
    lines = text.split("\n")
    assert all(h in lines for h in article.headlines)
    for quote in article.quotes:
        at = quote["at"]
        assert text[at["content"] : at["content"] + len(quote["content"])] == quote["content"]
        for key in ("speaker", "cue"):
            if key in quote:
                assert text[at[key] : at[key] + len(quote[key])] == quote[key]
        assert quote["kind"] in ("direct", "indirect", "scare")
        assert quote["kind"] != "scare" or not ({"speaker", "cue", "name"} & quote.keys())
        assert quote.get("type") in (None, "person", "organisation", "group", "document")


def _rules(text: str):
    return find_quotes(text, sentences(text), use_tagger=False)


# Floors on the dev split, rules alone and with the tagger (issue #26's targets: every headline line
# unattributed, >= 90 % of names right, every campaign group and company typed as such).
FLOORS = {
    "names right": 0.90,
    "headline lines unattributed": 1.0,
    "collectives typed as such": 0.90,
    "scare quotes found": 1.0,
    "action words not cues": 1.0,
    "not-speakers left out": 1.0,
}


# The report split, run once at the end of issue #26 and never tuned on: these floors hold what it gave
# then (rules alone / with the tagger), so that a later change cannot quietly lose it.
REPORT_FLOORS = {
    False: {
        "names right": 0.83,
        "collectives typed as such": 0.84,
        "headline lines unattributed": 1.0,
        "scare quotes found": 1.0,
        "action words not cues": 1.0,
        "not-speakers left out": 0.95,
    },
    # with the tagger: raised to the second round's single run (names 38/43, collectives 12/14, headlines
    # 15/15, not-speakers 23/24), names one short of it as the int8 tagger is not always bit-identical
    True: {
        "names right": 0.86,
        "collectives typed as such": 0.85,
        "headline lines unattributed": 1.0,
        "scare quotes found": 1.0,
        "action words not cues": 1.0,
        "not-speakers left out": 0.95,
    },
}


@pytest.mark.parametrize(("split", "use_tagger"), [("dev", False), ("dev", True), ("report", False), ("report", True)])
def test_split_floors(split: str, use_tagger: bool):
    if use_tagger and shipped() is None:
        pytest.skip("the quote encoder is not installed")
    tally = score(split, None if use_tagger else _rules)
    got = {k: r / n for k, (r, n) in tally.counts.items()}
    floors = FLOORS if split == "dev" else REPORT_FLOORS[use_tagger]
    low = {k: round(got[k], 3) for k, floor in floors.items() if got[k] < floor}
    assert not low, f"{low}\n" + "\n".join(tally.misses)


def test_no_junk_speaker_names_in_the_set():
    from spinscope.evaluation.speakers import junk

    bad = [f"{a.id}: {why}" for a in ARTICLES for q in _rules(a.text) if (why := junk(a.text, q)) is not None]
    assert bad == []


@pytest.mark.parametrize(
    ("text", "name", "kind", "want"),
    [
        ("Tuesday said it.", "Tuesday", "person", "date"),
        ("Others said it.", "Others", "group", "function-word"),
        ("Somehow I said it.", "Somehow I", "person", "pronoun-fragment"),
        ("She lives in Port Elwin. She said it.", "Port Elwin", "person", "place"),
        ("Ana Ruiz said it.", "Ana Ruiz", "person", None),
        ("Turkey said it would act.", "Turkey", "person", None),  # a country speaks for its government
    ],
)
def test_junk_names(text, name, kind, want):
    from spinscope.document import Quote, Span
    from spinscope.evaluation.speakers import junk

    end = text.index(" said")
    start = text.rfind(". ", 0, end) + 2 if ". " in text[:end] else 0
    quote = Quote("indirect", Span(end + 6, len(text)), Span(end + 1, end + 5), Span(start, end), name, kind)
    got = junk(text, quote)
    assert (got.split()[0] if got else None) == want
