"""Each step once per article (issue 25): the shared paragraphs and word pieces give the same output as
computing them again in each analyser."""

from __future__ import annotations

import numpy as np
import pytest

import spinscope
from spinscope.analyzers import claims, quote_tagger
from spinscope.analyzers.quotes import find_quotes
from spinscope.analyzers.voice import classify_sentences
from spinscope.runtime.encoding import tokenize_text
from spinscope.segmentation import body_end, paragraphs, sentences

INVENTED = (
    "Riverside Betrayal: Council Caves to Developers\n\n"
    'The mayor of Eastbridge, Helen Carrow, said on Monday that the council "will not be bullied" by developers.\n\n'
    '"This is a disgrace, a betrayal of every family in this town," said Tom Reyes, who leads the residents\' '
    "association. He accused the council of caving in to greedy investors.\n\n"
    "According to the planning office, 420 homes would be built by 2029, a spokesperson told reporters.\n\n"
    'Everyone knows the truth: the so-called "consultation" was a sham from the start. Wake up, Eastbridge!\n\n'
    "Sign up for our newsletter to get the latest news.\n"
)


@pytest.fixture(params=["demo", "invented"])
def text(request: pytest.FixtureRequest, demo_text: str) -> str:
    return demo_text if request.param == "demo" else INVENTED


def test_rules_take_the_paragraphs_they_are_given(text: str) -> None:
    blocks = paragraphs(text)
    spans = sentences(text, blocks)
    assert body_end(text, blocks) == body_end(text)
    found = find_quotes(text, spans, use_tagger=False, blocks=blocks)
    assert found == find_quotes(text, spans, use_tagger=False)
    voices = classify_sentences(text, spans, found, None, use_model=False)
    assert claims.find_claims(text, spans, found, voices, blocks) == claims.find_claims(text, spans, found, voices)


@pytest.mark.skipif(quote_tagger.shipped() is None, reason="no attribution tagger installed")
def test_quote_encoder_reads_the_technique_taggers_word_pieces(text: str) -> None:
    from spinscope.analyzers.techniques_model import load_technique_model

    tagger = load_technique_model().tagger
    assert quote_tagger.shares_tokenizer(tagger)  # the shipped models ship one tokenizer.json
    assert not quote_tagger.shares_tokenizer(None)
    spans = sentences(text)
    rules = find_quotes(text, spans, use_tagger=False)
    encoder = quote_tagger.shipped()
    alone = encoder.word_probabilities(text, spans, rules)
    shared = encoder.word_probabilities(text, spans, rules, tokenize_text(tagger.tokenizer, text))
    assert np.array_equal(alone[1], shared[1])
    assert find_quotes(text, spans, word_pieces=tokenize_text(tagger.tokenizer, text)) == find_quotes(text, spans)


@pytest.mark.skipif(quote_tagger.shipped() is None, reason="no attribution tagger installed")
def test_analysis_is_the_same_when_the_tokenizers_differ(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = spinscope.analyze(text).to_json()
    # another tokenizer file: the quote encoder tokenises the text itself (the fallback)
    monkeypatch.setattr(quote_tagger, "shares_tokenizer", lambda bundle: False)
    assert spinscope.analyze(text).to_json() == shared


def test_each_view_computes_the_summary_once(demo_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    from spinscope import summary
    from spinscope.render import figures, html, render_html, render_terminal, terminal

    data = spinscope.analyze(demo_text, engine="rules").to_dict()
    calls: list[int] = []

    def counted(analysis: object) -> dict:
        calls.append(1)
        return summary.summary_of(analysis)  # type: ignore[arg-type]

    for module in (figures, html, terminal):
        monkeypatch.setattr(module, "summary_of", counted)
    render_html(data)
    assert len(calls) == 1
    calls.clear()
    render_terminal(data, Console(file=io.StringIO(), width=100), show_weak=False)
    assert len(calls) == 1


def test_lexicon_matches_are_those_of_one_alternation_of_every_entry(demo_text: str) -> None:
    import re

    from spinscope.analyzers import techniques_lexicon as lexicon

    alternatives, groups, _firsts = lexicon._entries()
    whole = re.compile("|".join(alternatives), re.I)  # the earlier scan: every entry tried at every character
    tricky = "ſtupid KILLER 'elite’ İstanbul \u212aILLER corrupt-ish o’clock don't can’t SHAMELESS Shameful."
    for text in (demo_text, INVENTED, tricky, INVENTED.upper(), demo_text.lower()):
        expected = [(m.start(), m.end(), groups[m.lastgroup or ""]) for m in whole.finditer(text)]
        found = [(m.start(), m.end(), entry) for m, entry in lexicon.phrase_matches(text)]
        assert found == expected
