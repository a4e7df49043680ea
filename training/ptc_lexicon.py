"""Learn the loaded and derogatory words PTC's annotators mark, for the spin lexicon (issue #24).

    python -m training.ptc_lexicon [--write]

For every lower-case word of PTC train: how often it occurs, and how often inside a gold span of Loaded_Language
or Name_Calling,Labeling. A word is kept when it lies inside such spans in at least MIN_ARTICLES articles and at
least MIN_SHARE of its occurrences, with the technique it is marked with most. Only the 334 articles that are not
held out (``training/ptc_val_ids.txt``) are read, so that the persuasion map, fitted on the 37 held-out ones
(``training/fit_persuasion.py``), measures the learned words on articles they were not learned from.

The shipped file (``src/spinscope/lexicons/ptc-loaded-words.txt``) holds single words with their counts: word
statistics, no text of the corpus.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from pathlib import Path

from spinscope.evaluation.techniques import read_article_file
from spinscope.scoring import read_labels
from training.calibrate_techniques import ARTICLES, GOLD, REPO, held_out_ids

OUT = REPO / "src" / "spinscope" / "lexicons" / "ptc-loaded-words.txt"
TECHNIQUES = ("Loaded_Language", "Name_Calling,Labeling")
MIN_ARTICLES = 3
MIN_SHARE = 0.6
_WORD = re.compile(r"[A-Za-z][a-z'-]*[a-z]")


def learn(articles: Path = ARTICLES, gold_path: Path = GOLD) -> list[tuple[str, str, int, int, int]]:
    """(word, technique, times inside such spans, times in all, articles) for the words kept, most marked first."""
    held = set(held_out_ids())
    spans: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for article, technique, start, end in read_labels(gold_path):
        if technique in TECHNIQUES:
            spans[article].append((technique, start, end))
    total: Counter[str] = Counter()
    inside: dict[str, Counter[str]] = defaultdict(Counter)
    where: dict[str, set[str]] = defaultdict(set)
    for path in sorted(articles.glob("article*.txt")):
        article = path.stem.removeprefix("article")
        if article in held:
            continue
        text = read_article_file(articles, article)
        for match in _WORD.finditer(text):
            word = match.group().lower()
            total[word] += 1
            for technique, start, end in spans[article]:
                if start <= match.start() and match.end() <= end:
                    inside[word][technique] += 1
                    where[word].add(article)
                    break
    kept = []
    for word, by_technique in inside.items():
        marked = sum(by_technique.values())
        if len(where[word]) >= MIN_ARTICLES and marked >= MIN_SHARE * total[word]:
            kept.append((word, by_technique.most_common(1)[0][0], marked, total[word], len(where[word])))
    return sorted(kept, key=lambda row: (-row[2], row[0]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {OUT}")
    args = parser.parse_args(argv)
    rows = learn()
    lines = [
        "# Words PTC's annotators mark as loaded language or name-calling: learned by training/ptc_lexicon.py from the",
        f"# 334 PTC train articles not held out (inside such spans in >= {MIN_ARTICLES} articles and >= "
        f"{MIN_SHARE:.0%} of uses).",
        "# One a line: technique, word, times marked, times used, articles.",
        *(f"{technique}\t{word}\t{marked}\t{used}\t{n}" for word, technique, marked, used, n in rows),
    ]
    print(f"{len(rows)} words")
    if args.write:
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {OUT}")
    else:
        print("\n".join(lines[4:]))


if __name__ == "__main__":
    main()
