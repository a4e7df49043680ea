"""How analysis time grows with article length, and what happens to a 1,000,000-character text.

    .venv/bin/python -m benchmarks.long_article                          # 25k, 50k, 100k, then 1M characters
    .venv/bin/python -m benchmarks.long_article --sizes 100000,1000000 --engine fast

Each text is the bundled demo article repeated to the size (paragraphs kept). Prints the
seconds per size, the seconds per 1,000 characters, each time's ratio to the smallest size's
and whether a size was refused (and how quickly). spinscope refuses texts over
``spinscope.pipeline.MAX_TEXT_CHARS`` (200,000) before any work.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spinscope
from spinscope.errors import InputError

DEMO = (Path(__file__).resolve().parents[1] / "examples" / "demo-article.txt").read_text(encoding="utf-8")


def text_of(chars: int) -> str:
    return ((DEMO.strip() + "\n\n") * (chars // len(DEMO) + 1))[:chars]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25000,50000,100000,1000000", help="characters, comma-separated")
    parser.add_argument("--engine", choices=("model", "fast", "rules"), default="model")
    args = parser.parse_args()
    spinscope.analyze(DEMO, engine=args.engine)  # load the models first
    print(f"spinscope.analyze on the demo article repeated, engine={args.engine}")
    first: tuple[int, float] | None = None
    for chars in (int(size) for size in args.sizes.split(",")):
        text = text_of(chars)
        started = time.perf_counter()
        try:
            analysis = spinscope.analyze(text, engine=args.engine)
        except InputError as error:
            seconds = time.perf_counter() - started
            print(f"  {chars:>9,} chars: refused in {seconds * 1000:.1f} ms: {error.reason}")
            continue
        seconds = time.perf_counter() - started
        first = first or (chars, seconds)
        ratio = seconds / first[1]
        print(
            f"  {chars:>9,} chars: {seconds:8.1f} s  {1000 * seconds / chars:.3f} s per 1,000 chars  "
            f"{ratio:5.2f}x the {first[0]:,}-char time ({chars / first[0]:.0f}x the length)  "
            f"{analysis.summary['sentences']} sentences, {len(analysis.techniques)} technique spans"
        )


if __name__ == "__main__":
    main()
