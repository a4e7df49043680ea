"""How quiet the default view is on real wire reports: shown technique spans per 1,000 words, outside and inside
the quotes the analyser finds, on the first 30 AP, Reuters and AFP articles of PolNeAR train and dev (by file
name). There are no marks, so every shown span outside a quotation is at most a false highlight (issue #24).

    PYTHONPATH=src .venv/bin/python -m research.wire_quiet [POLNEAR_DIR]
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import spinscope
from spinscope.summary import speech_contents

POLNEAR = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "polnear"
WIRES = ("AP", "reuters", "AFP")
ARTICLES = 30


def main(argv: list[str] | None = None) -> None:
    root = Path((argv or sys.argv[1:] or [str(POLNEAR)])[0])
    with (root / "metadata.tsv").open(encoding="utf-8") as f:
        rows = [
            r for r in csv.DictReader(f, delimiter="\t") if r["wire"] in WIRES and r["compartment"] in ("dev", "train")
        ]
    rows = sorted(rows, key=lambda r: r["filename"])[:ARTICLES]
    words = shown = writer = 0
    engines: Counter[str] = Counter()
    for row in rows:
        part = row["compartment"]
        text = (root / part / "data" / part / "text" / f"{row['filename']}.txt").read_text(encoding="utf-8")
        analysis = spinscope.analyze(text)
        contents = speech_contents(analysis.quotes)
        words += len(text.split())
        for t in analysis.techniques:
            if not t.shown:
                continue
            shown += 1
            if not any(s <= t.start and t.end <= e for s, e in contents):
                writer += 1
                engines[t.engine] += 1
    print(
        f"{len(rows)} wire articles, {words} words: shown {shown} ({1000 * shown / words:.2f} per 1,000 words), "
        f"outside quotes {writer} ({1000 * writer / words:.2f}); by engine {dict(engines)}"
    )


if __name__ == "__main__":
    main()
