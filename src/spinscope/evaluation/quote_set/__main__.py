"""``python -m spinscope.evaluation.quote_set [--split dev|report|fresh|all] [--rules-only] [-v]``."""

from __future__ import annotations

import argparse

from spinscope.evaluation.quote_set import SPLITS, report, score


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m spinscope.evaluation.quote_set")
    parser.add_argument("--split", choices=SPLITS, default="dev", help="all: dev and report (fresh is apart)")
    parser.add_argument("--rules-only", action="store_true", help="without the learned tagger")
    parser.add_argument("-v", "--verbose", action="store_true", help="list what was missed")
    args = parser.parse_args(argv)
    finder = None
    if args.rules_only:
        from spinscope.analyzers.quotes import find_quotes
        from spinscope.segmentation import sentences

        def finder(text: str):
            return find_quotes(text, sentences(text), use_tagger=False)

    tally = score(args.split, finder)
    print(f"split {args.split}{' (rules only)' if args.rules_only else ''}")
    print(report(tally))
    if args.verbose:
        print("\n".join(f"  {m}" for m in tally.misses))


if __name__ == "__main__":
    main()
