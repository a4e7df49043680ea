"""A longer fuzz run than the CI one (tests/test_fuzz.py): random, many examples, the same checks.

    .venv/bin/python -m benchmarks.fuzz                      # 300 analyses, 5,000 bytes/rows, 1,000 pages
    .venv/bin/python -m benchmarks.fuzz --analyses 2000 --engine model --seed 3

Each check passes when the input gives a result whose offsets index its returned text, or
one of spinscope's InputErrors. A failure prints hypothesis's smallest failing example and
exits 1.
"""

from __future__ import annotations

import argparse
import time

from hypothesis import HealthCheck, given, seed, settings

import spinscope
from benchmarks.fuzzing import (
    article_texts,
    check_analysis,
    check_article_text,
    html_pages,
    odd_bytes,
    only_input_errors,
)
from spinscope.readers import read_html, read_text, row_article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--analyses", type=int, default=300, help="texts run through spinscope.analyze")
    parser.add_argument("--reads", type=int, default=5000, help="byte strings and rows read")
    parser.add_argument("--pages", type=int, default=1000, help="HTML pages read")
    parser.add_argument("--engine", choices=("model", "fast", "rules"), default="rules")
    parser.add_argument("--seed", type=int, default=0, help="0: a random seed")
    args = parser.parse_args()
    common = settings(database=None, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)

    @given(article_texts(120))
    def analyses(text: str) -> None:
        analysis = only_input_errors(spinscope.analyze, text, engine=args.engine)
        if analysis is not None:
            check_analysis(analysis.to_dict(), given=text)
            analysis.to_json().encode("utf-8")

    @given(odd_bytes())
    def bytes_read(data: bytes) -> None:
        article = only_input_errors(read_text, data, "fuzz.txt")
        if article is not None:
            check_article_text(article.text)

    @given(article_texts(120))
    def rows_read(text: str) -> None:
        article = only_input_errors(row_article, {"id": "row", "text": text}, "rows.jsonl:line 1")
        if article is not None:
            check_article_text(article.text)

    @given(html_pages())
    def pages_read(html: str) -> None:
        article = only_input_errors(read_html, html, "fuzz.html")
        if article is not None:
            check_article_text(article.text)

    failed = False
    for name, check, count in (
        ("bytes", bytes_read, args.reads),
        ("rows", rows_read, args.reads),
        ("html", pages_read, args.pages),
        ("analyze", analyses, args.analyses),
    ):
        test = settings(common, max_examples=count)(check)
        if args.seed:
            test = seed(args.seed)(test)
        started = time.perf_counter()
        try:
            test()
            print(f"{name:>8}: {count} examples passed ({time.perf_counter() - started:.1f} s)")
        except Exception as error:  # hypothesis has printed the falsifying example
            failed = True
            print(f"{name:>8}: FAILED: {type(error).__name__}: {error}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
