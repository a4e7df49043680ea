"""Each step once per article (issue 25): the per-article time before and after, in one run, on the same texts.

    .venv/bin/python -m benchmarks.one_pass                 # the demo article + 4 invented texts, 3 rounds
    .venv/bin/python -m benchmarks.one_pass --rounds 5 --engine fast

"After" is ``spinscope.analyze`` as it is, plus the two views (HTML report, terminal). "Before" is the
earlier path, kept only here: the lexicon scanned by one alternation of all ~1,600 entries at every
character, paragraphs split again by the quote analyser, its ``body_end`` and the claims'
(four splits), the quote encoder tokenising the text a second time, and each view computing the summary
four times (``summary_of`` once per figure block). Both paths are run in turn on each text in every round
(the fastest round counts; the lexicon's per-text cache is cleared before each run, so each reads its text
afresh, as a new article), and their JSON and views are checked to be identical. Prints seconds per article
and before/after ratios. The span classifier still runs one ONNX call per span: batching its spans changed
technique scores by up to 0.12 (dynamic int8 quantisation scales over the whole batch), so it is not batched.
"""

from __future__ import annotations

import argparse
import io
import re
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from rich.console import Console

import spinscope
from spinscope.analyzers import techniques_lexicon as lexicon
from spinscope.analyzers.techniques_lexicon import lexicon_hits
from spinscope.calibration import DEFAULT_SENSITIVITY, apply_sensitivity, check_sensitivity, score_persuasion
from spinscope.document import Analysis
from spinscope.pipeline import _as_article, check_article, scare_quote_techniques, technique_engine
from spinscope.render import render_html, render_terminal
from spinscope.segmentation import paragraphs, sentences
from spinscope.summary import summarise, summary_of

DEMO = (Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt").read_text(encoding="utf-8")

# Invented paragraphs (no real article): reported speech, loaded words, numbers, a slogan, furniture.
PARAGRAPHS = (
    'The mayor of {town}, Helen Carrow, said on Monday that the council "will not be bullied" by developers '
    "who want to build on the riverside meadows.",
    '"This is a disgrace, a betrayal of every family in this town," said Tom Reyes, who leads the residents\' '
    "association. He accused the council of caving in to greedy investors.",
    "According to the planning office, 420 homes would be built by 2029, and the scheme would create about 300 "
    "jobs, a spokesperson told reporters.",
    "Critics warned that the plan is a disaster waiting to happen. Flooding in 2021 damaged 85 houses, the "
    "Environment Agency reported.",
    'Everyone knows the truth: the so-called "consultation" was a sham from the start. Wake up, {town}!',
    'The developer, Northgate Homes, denied the claims. "We have listened carefully and changed the design '
    'twice," its chief executive, Priya Natarajan, said in a statement.',
    "Opposition councillors called the vote shameful and said the mayor had betrayed the trust of voters, while "
    "supporters argued that the town desperately needs affordable housing.",
    "A poll by the {town} Gazette found that 61 percent of residents oppose the plan. The council will meet "
    "again on 14 May.",
)
TOWNS = ("Eastbridge", "Marlow", "Kestrel Bay", "Hollin")


def invented(n_paragraphs: int, seed: int) -> str:
    lines = ["Riverside Betrayal: Council Caves to Developers"]
    for i in range(n_paragraphs):
        lines.append(PARAGRAPHS[(i * 3 + seed) % len(PARAGRAPHS)].format(town=TOWNS[(i + seed) % len(TOWNS)]))
    return "\n\n".join(lines) + "\n"


TEXTS = {
    "demo": DEMO,
    "invented-12": invented(12, 1),
    "invented-24": invented(24, 2),
    "invented-40": invented(40, 3),
    "invented-60": invented(60, 5),
}


@cache
def _whole_alternation() -> re.Pattern[str]:
    alternatives, _groups, _firsts = lexicon._entries()
    return re.compile("|".join(alternatives), re.I)


def whole_alternation_matches(text: str) -> Iterator[tuple[re.Match[str], tuple[str, str]]]:
    """The lexicon scan as it was: one alternation of every entry, tried at every character."""
    _alternatives, groups, _firsts = lexicon._entries()
    for match in _whole_alternation().finditer(text):
        yield match, groups[match.lastgroup or ""]


def analyze_before(text: str, engine: str = "model") -> Analysis:
    """``spinscope.analyze`` as it was before issue 25's one-pass steps (kept here only to be timed)."""
    faster = lexicon.phrase_matches
    lexicon.phrase_matches = whole_alternation_matches
    try:
        return _analyze_before(text, engine)
    finally:
        lexicon.phrase_matches = faster


def _analyze_before(text: str, engine: str) -> Analysis:
    from spinscope import __version__
    from spinscope.analyzers import claims, quote_tagger, quotes, voice

    article = _as_article(text)
    check_sensitivity(DEFAULT_SENSITIVITY)
    check_article(article)
    text = article.text
    blocks = paragraphs(text)
    sentence_spans = sentences(text, blocks)
    detector = technique_engine(engine)  # type: ignore[arg-type]
    encoded = None
    if hasattr(detector, "find_encoded"):
        found, encoded = detector.find_encoded(text, sentence_spans)
    else:
        found = detector.find(text, sentence_spans)
    techniques = list(found)
    use_models, use_tagger = engine != "rules", engine == "model"
    found_quotes = quotes.find_quotes(text, sentence_spans, use_tagger)  # splits paragraphs twice, tokenises
    techniques += scare_quote_techniques(found_quotes, techniques, 0.0, calibrated=use_models)
    score_persuasion(text, techniques, found_quotes)
    apply_sensitivity(techniques, DEFAULT_SENSITIVITY)
    voices = voice.classify_sentences(text, sentence_spans, found_quotes, encoded, use_model=use_models)
    found_claims = claims.find_claims(text, sentence_spans, found_quotes, voices)  # splits paragraphs again
    models: dict[str, Any] = {"techniques": {"engine": detector.name, **detector.describe()}}
    models.update(voice.describe(use_models))
    models.update(quote_tagger.describe(use_tagger))
    analysis = Analysis(
        article=article,
        techniques=techniques,
        sentences=voices,
        paragraphs=blocks,
        quotes=found_quotes,
        claims=found_claims,
        models=models,
        version=__version__,
    )
    analysis.summary = {**summarise(analysis), "sensitivity": DEFAULT_SENSITIVITY}
    return analysis


def views(data: dict[str, Any], extra_summaries: int = 0) -> tuple[str, str]:
    """The HTML report and the terminal view; ``extra_summaries``: the summary_of calls each view made before."""
    for _ in range(extra_summaries):
        summary_of(data)
    page = render_html(data)
    for _ in range(extra_summaries):
        summary_of(data)
    buffer = io.StringIO()
    render_terminal(data, Console(file=buffer, width=100, color_system=None))
    return page, buffer.getvalue()


def timed(work: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    # every run reads its text afresh, as a new article is: the lexicon's per-text cache (shared by the detector
    # and the persuasion map) would otherwise hand the second path, and later rounds, the first one's hits
    lexicon_hits.cache_clear()
    started = time.perf_counter()
    result = work(*args, **kwargs)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each path per text (the fastest counts)")
    parser.add_argument("--engine", choices=("model", "fast", "rules"), default="model")
    args = parser.parse_args()
    engine = args.engine
    spinscope.analyze(DEMO, engine=engine)  # load the models first
    analyze_before(DEMO, engine)
    print(f"per article, engine={engine}, fastest of {args.rounds} rounds (before / after, same run)")
    print(f"  {'text':<12} {'chars':>6}  {'analyze':>19} {'ratio':>6}  {'views':>19} {'ratio':>6}")
    totals = [0.0, 0.0, 0.0, 0.0]
    for name, text in TEXTS.items():
        best = [float("inf")] * 4
        for _ in range(args.rounds):
            seconds_before, old = timed(analyze_before, text, engine)
            seconds_after, new = timed(spinscope.analyze, text, engine=engine)
            if old.to_json() != new.to_json():
                raise SystemExit(f"{name}: the two paths disagree")
            data = new.to_dict()
            views_before, old_views = timed(views, data, extra_summaries=3)
            views_after, new_views = timed(views, data)
            if old_views != new_views:
                raise SystemExit(f"{name}: the two views disagree")
            for k, value in enumerate((seconds_before, seconds_after, views_before, views_after)):
                best[k] = min(best[k], value)
        totals = [t + b for t, b in zip(totals, best, strict=True)]
        print(
            f"  {name:<12} {len(text):>6}  {best[0]:8.3f} / {best[1]:8.3f} {best[0] / best[1]:5.3f}x"
            f"  {best[2]:8.4f} / {best[3]:8.4f} {best[2] / best[3]:5.3f}x"
        )
    print(
        f"  {'all':<12} {'':>6}  {totals[0]:8.3f} / {totals[1]:8.3f} {totals[0] / totals[1]:5.3f}x"
        f"  {totals[2]:8.4f} / {totals[3]:8.4f} {totals[2] / totals[3]:5.3f}x"
    )


if __name__ == "__main__":
    main()
