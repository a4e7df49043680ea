"""Whole-``analyze`` speed of this checkout's model layer against another checkout's (e.g. the 0.1
pipeline), in one run, on the same articles, alternating so that a noisy machine hurts both alike.

    git worktree add /tmp/spinscope-0.1 73eaa44        # the last 0.1 commit (three encoders)
    .venv/bin/python -m benchmarks.model_speed --baseline /tmp/spinscope-0.1 --articles 20 --rounds 2

Each measurement runs in a fresh subprocess with ``PYTHONPATH`` pointing at that checkout's ``src``,
so peak RSS is its own. Articles: the 37 held-out PTC train articles when ``../shared`` is present
(real news, ~1,000 words), else the bundled example repeated to about that length. Prints articles/s
and words/s per round, peak RSS, the ratio, the wall time, CPU time and peak RSS of ``spinscope analyze``
on the bundled example (start-up included; best of 3, bytecode cached), and the CPU's name and vector instruction sets (int8 speed depends on
them: VNNI machines gain far more from int8 than AVX2-only ones).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.startup import cpu_description, describe, measure_cli

REPO = Path(__file__).resolve().parents[1]
PTC = REPO.parent / "shared" / "corpora" / "ptc" / "train"

WORKER = r"""
import json, resource, sys, time
import spinscope
texts = json.load(open(sys.argv[1], encoding="utf-8"))
engine = sys.argv[2]
spinscope.analyze(texts[0], engine=engine)  # load the models, warm up
started = time.perf_counter()
for text in texts:
    spinscope.analyze(text, engine=engine)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def load_articles(limit: int) -> list[str]:
    ids_file = REPO / "training" / "ptc_val_ids.txt"
    if (PTC / "train-articles").is_dir() and ids_file.exists():
        ids = sorted(ids_file.read_text().split())[:limit]
        return [(PTC / "train-articles" / f"article{i}.txt").read_text(encoding="utf-8") for i in ids]
    demo = (REPO / "examples" / "demo-article.txt").read_text(encoding="utf-8")
    repeat = max(1, 1000 // len(demo.split()))
    return ["\n\n".join([demo] * repeat)] * limit


def run_worker(src: Path, articles_file: Path, engine: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(articles_file), engine], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"worker for {src} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", type=Path, required=True, help="another checkout (its src/ is imported)")
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--engine", default="model")
    args = parser.parse_args()
    texts = load_articles(args.articles)
    words = sum(len(t.split()) for t in texts)
    print(f"CPU: {cpu_description()}")
    print(f"{len(texts)} articles, {words / len(texts):.0f} words each on average, engine {args.engine}")
    sides = {"this checkout": REPO / "src", "baseline": args.baseline.resolve() / "src"}
    rates: dict[str, list[float]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as tmp:
        articles_file = Path(tmp) / "articles.json"
        articles_file.write_text(json.dumps(texts), encoding="utf-8")
        for round_no in range(1, args.rounds + 1):
            order = list(sides) if round_no % 2 else list(sides)[::-1]
            for name in order:
                result = run_worker(sides[name], articles_file, args.engine)
                rate = len(texts) / result["seconds"]
                rates[name].append(rate)
                print(
                    f"round {round_no}  {name:14} {rate:6.2f} articles/s  {words / result['seconds']:7.0f} words/s"
                    f"  peak RSS {result['peak_mb']:.0f} MB",
                    flush=True,
                )
    best = {name: max(r) for name, r in rates.items()}
    print(f"speed-up (best round each): {best['this checkout'] / best['baseline']:.2f}x")
    # one `spinscope analyze` command on the bundled example, start-up included (benchmarks/startup.py, which
    # also prints where the time goes)
    for name, runs in measure_cli(sides, repeats=3, engine=args.engine).items():
        print(f"spinscope analyze, bundled example, start-up included, {name}: {describe(runs)}")


if __name__ == "__main__":
    main()
