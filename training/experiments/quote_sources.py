"""Where quote sources are lost, on the quote tagger's own held-out 10% of PolNeAR train (the same
seeded split as training/train_quote_tagger.py; the tagger never trained on these articles).

    .venv/bin/python training/experiments/quote_sources.py modes     # hybrid vs primary tagger mode (overlap P/R/F1,
                                                                     # exact F1)
    .venv/bin/python training/experiments/quote_sources.py misses    # gold source tokens by what happened to them
    .venv/bin/python training/experiments/quote_sources.py cues      # gold cues: exact / other bounds / missed, and
                                                                     # the commonest texts of each kind
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "src"))

from spinscope.analyzers import quotes  # noqa: E402
from spinscope.evaluation import quotes as ev  # noqa: E402
from spinscope.segmentation import sentences  # noqa: E402

TRAIN = REPO.parent / "shared" / "corpora" / "polnear" / "train" / "data" / "train"
SEED = 13  # train_quote_tagger.py's default


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
        # A mode may name a minimum tagger score too: "hybrid-nested@0.3".
        for mode in sys.argv[2:] or ("hybrid", "hybrid-source", "hybrid-nested", "primary"):
            quotes.TAGGER_MODE, _, floor = mode.partition("@")
            quotes.TAGGER_MIN_SCORE = float(floor) if floor else 0.5
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
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
