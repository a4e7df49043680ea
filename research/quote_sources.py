"""Where quote sources are lost, on the quote tagger's own held-out 10% of PolNeAR train (the same
seeded split as research/train_quote_tagger.py; the tagger never trained on these articles). The
encoder's word probabilities are cached on disk by (text, the rules' tags) in $SPINSCOPE_QUOTE_CACHE
(default /tmp/spinscope-quote-cache), so a rule change re-runs the encoder only where it changed the rules'
tags: a run takes about 10 s once the cache is warm.

    .venv/bin/python -m research.quote_sources modes [FLOOR ...]  # overlap P/R/F1 and exact F1 with
                                                                     # the tagger's minimum score (0.5 shipped)
    .venv/bin/python -m research.quote_sources misses    # gold source tokens by what happened to them
    .venv/bin/python -m research.quote_sources cues      # gold cues: exact / other bounds / missed, and
                                                                     # the commonest texts of each kind
    .venv/bin/python -m research.quote_sources contents  # gold contents found with other bounds: what
                                                                     # lies between the gold and predicted edges
"""

from __future__ import annotations

import hashlib
import os
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from spinscope.analyzers import quote_tagger, quotes
from spinscope.analyzers.quotes import tagger
from spinscope.evaluation import quotes as ev
from spinscope.segmentation import sentences

REPO = Path(__file__).resolve().parents[1]

TRAIN = REPO.parent / "shared" / "corpora" / "polnear" / "train" / "data" / "train"
SEED = 13  # train_quote_tagger.py's default


CACHE = Path(os.environ.get("SPINSCOPE_QUOTE_CACHE", "/tmp/spinscope-quote-cache"))
_uncached = quote_tagger.EncoderTaggerModel.word_probabilities


def _cached_word_probabilities(self, text, sentences, quotes_in):  # type: ignore[no-untyped-def]
    """The encoder's word probabilities, kept on disk by (text, sentences, the rules' tags): a rule change
    only re-runs the encoder on the articles whose rule tags it changed."""
    tokens = quote_tagger.tokenize(text, sentences)
    roles = quote_tagger.role_codes(quote_tagger.rule_roles(text, tokens, quotes_in))
    key = hashlib.sha1(text.encode() + tokens.starts.tobytes() + tokens.sentence.tobytes() + roles.tobytes())
    path = CACHE / f"{key.hexdigest()}.npy"
    if path.exists():
        return tokens, np.load(path)
    tokens, probs = _uncached(self, text, sentences, quotes_in)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, probs)
    return tokens, probs


quote_tagger.EncoderTaggerModel.word_probabilities = _cached_word_probabilities  # type: ignore[method-assign]


def held_out() -> list[ev.GoldArticle]:
    articles = list(ev.load_polnear(TRAIN))
    random.Random(SEED).shuffle(articles)
    return articles[: max(1, len(articles) // 10)]


def predicted(article: ev.GoldArticle) -> list[ev.Attribution]:
    return ev.quotes_to_attributions(article.text, quotes.find_quotes(article.text, sentences(article.text)))


def main() -> None:
    check = sys.argv[1] if len(sys.argv) > 1 else "modes"
    articles = held_out()
    if check == "modes":
        # The other merges of tagger and rules tried there are described in quotes/tagger.py.
        for mode in sys.argv[2:] or ("0.5",):
            tagger.TAGGER_MIN_SCORE = float(mode)
            counts = {role: ev._Counts() for role in ev.ROLES}
            for article in articles:
                ev.score_article(article.text, predicted(article), article.attributions, counts)
            figures = ev.figures(counts)
            line = "  ".join(
                f"{role} {figures[role]['overlap']['precision']:.3f}/{figures[role]['overlap']['recall']:.3f}/"
                f"{figures[role]['overlap']['f1']:.3f}"
                for role in ev.ROLES
            )
            exact = "  ".join(f"{role} {figures[role]['exact']['f1']:.3f}" for role in ev.ROLES)
            print(f"{mode:8} overlap P/R/F1  {line}   exact F1  {exact}", flush=True)
    elif check == "misses":
        tokens: Counter[str] = Counter()
        for article in articles:
            text, found = article.text, predicted(article)
            for gold in article.attributions:
                if not gold.source:
                    continue
                wanted = ev._tokens(text, gold.source)
                same_cue = [p for p in found if p.cue and gold.cue and ev._overlaps(p.cue, gold.cue)]
                if not same_cue:
                    same_content = any(p.content and ev._overlaps(p.content, gold.content) for p in found)
                    key = "content found, cue differs" if same_content else "attribution missed"
                else:
                    got = set().union(*(ev._tokens(text, p.source) for p in same_cue))
                    if not got:
                        key = "cue found, no source"
                    elif wanted <= got:
                        key = "cue found, source found"
                    else:
                        key = "cue found, source partial" if wanted & got else "cue found, source wrong"
                tokens[key] += len(wanted)
        total = sum(tokens.values())
        for key, n in tokens.most_common():
            print(f"{key:30} {n:5} tokens  {n / total:.2f}")
    elif check == "cues":
        outcomes: Counter[str] = Counter()
        examples: dict[str, Counter[str]] = {"other bounds": Counter(), "missed": Counter(), "spurious": Counter()}

        def said(text: str, ranges: ev.Ranges) -> str:
            return " ... ".join(text[a:b] for a, b in ranges).lower()

        for article in articles:
            text, found = article.text, [p for p in predicted(article) if p.cue]
            for gold in (g for g in article.attributions if g.cue):
                near = [p for p in found if ev._overlaps(p.cue, gold.cue)]
                if any(p.cue == gold.cue for p in near):
                    outcomes["exact"] += 1
                elif near:
                    outcomes["other bounds"] += 1
                    examples["other bounds"][f"{said(text, gold.cue)!r} -> {said(text, near[0].cue)!r}"] += 1
                else:
                    outcomes["missed"] += 1
                    examples["missed"][said(text, gold.cue)] += 1
            for p in found:
                if not any(g.cue and ev._overlaps(p.cue, g.cue) for g in article.attributions):
                    outcomes["spurious"] += 1
                    examples["spurious"][said(text, p.cue)] += 1
        print("gold cues: " + ", ".join(f"{k} {outcomes[k]}" for k in ("exact", "other bounds", "missed")))
        print(f"predicted cues overlapping no gold cue: {outcomes['spurious']}")
        for kind, counter in examples.items():
            print(f"\n{kind}: " + "; ".join(f"{t} x{n}" for t, n in counter.most_common(40)))
    elif check == "contents":
        content_bounds(articles)
    else:
        raise SystemExit(__doc__)


def content_bounds(articles: list[ev.GoldArticle]) -> None:
    """For each gold content that a predicted content overlaps, the text between their starts and
    between their ends: '+' where the prediction takes in more than gold, '-' where it leaves out."""
    outcomes: Counter[str] = Counter()
    edges = {"start": Counter(), "end": Counter()}
    where: dict[str, list[str]] = {}

    def gap(text: str, a: int, b: int) -> str:
        piece = text[min(a, b) : max(a, b)].lower().replace("\n", "\\n")
        return ("+" if b < a else "-") + repr(piece if len(piece) <= 24 else piece[:10] + "…" + piece[-10:])

    for article in articles:
        text, found = article.text, [p for p in predicted(article) if p.content]
        for gold in (g for g in article.attributions if g.content):
            near = [p for p in found if ev._overlaps(p.content, gold.content)]
            if not near:
                outcomes["missed"] += 1
                continue
            if any(p.content == gold.content for p in near):
                outcomes["exact"] += 1
                continue
            outcomes["other bounds"] += 1
            best = max(near, key=lambda p: len(ev._tokens(text, p.content) & ev._tokens(text, gold.content)))
            g0, g1 = gold.content[0][0], gold.content[-1][1]
            p0, p1 = best.content[0][0], best.content[-1][1]
            if len(gold.content) != len(best.content):
                outcomes["other bounds: pieces differ"] += 1
            if g0 != p0:
                edges["start"][gap(text, g0, p0)] += 1
            if g1 != p1:
                edges["end"][gap(text, p1, g1)] += 1
                where.setdefault(gap(text, p1, g1), []).append(
                    text[max(g0, g1 - 80) : g1 + 2] + " || " + text[p0:p1][-80:]
                )
    print(", ".join(f"{k} {n}" for k, n in outcomes.items()))
    for side, counter in edges.items():
        print(
            f"\n{side} differs {sum(counter.values())}: " + "; ".join(f"{t} x{n}" for t, n in counter.most_common(40))
        )
    if "-v" in sys.argv:  # gold ending || predicted ending, for the commonest end differences
        for key, _n in edges["end"].most_common(3):
            print(f"\n{key}:\n  " + "\n  ".join(repr(x) for x in where[key][:20]))


if __name__ == "__main__":
    main()
