"""How ``spinscope batch`` scales: articles/s with 1 and 2 local workers and with the Ray runner.

    .venv/bin/python -m benchmarks.batch_scaling                      # 200 articles, model engine
    .venv/bin/python -m benchmarks.batch_scaling --articles 100 --engine rules --workers 1 2 4

Every run analyses the same generated input (synthetic articles from
benchmarks/synthetic.py, as the batch tests use: an invented flood crisis, three invented outlets) into a fresh
folder. Reported per run:

* ``wall/s``: articles / wall time of the whole run (start of the pool or of the Ray
  cluster and model loading included: what a user waits for);
* ``first s``: seconds until the first article was reported done (pool or actor
  start-up and model loading);
* ``steady/s``: articles reported after the first report / the time since then
  (throughput once the workers are up). Local workers report each article, the
  Ray runner each chunk, so with few chunks Ray's figure runs high by up to
  ``(workers - 1) × chunk size`` articles: use a few hundred articles or more;
* ``peak MB/worker``: the largest peak resident memory (``VmHWM``, see :func:`spinscope.batch.worker.peak_rss_mb`) of a
  worker process or Ray actor; ``driver MB``: that of this process so far.

The Ray run starts a local cluster of ``max(workers)`` CPUs (its start-up time is
printed separately and not counted in its wall rate), or joins ``--address``.
On a machine busy with other work the numbers are only indicative.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import make_articles, write_jsonl
from spinscope.batch import Reporter, run_batch
from spinscope.batch.worker import peak_rss_mb


class Clock(Reporter):
    """Records when articles are reported done, for the steady-state rate."""

    def __init__(self) -> None:
        self.first: tuple[float, int] | None = None
        self.last: tuple[float, int] = (0.0, 0)
        self.count = 0

    def advance(self, ok: int = 0, failed: int = 0) -> None:
        self.count += ok + failed
        now = time.perf_counter()
        if self.first is None:
            self.first = (now, self.count)
        self.last = (now, self.count)

    def first_seconds(self, started: float) -> float:
        return float("nan") if self.first is None else self.first[0] - started

    def steady_rate(self) -> float:
        if self.first is None or self.last[0] <= self.first[0]:
            return float("nan")
        return (self.last[1] - self.first[1]) / (self.last[0] - self.first[0])


def one_run(corpus: Path, out: Path, **options: object) -> dict[str, object]:
    clock = Clock()
    started = time.perf_counter()
    result = run_batch([str(corpus)], out, reporter=clock, **options)  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    return {
        "runner": options.get("runner", "local"),
        "workers": options["workers"],
        "articles": result.written,
        "failed": result.failed,
        "seconds": round(seconds, 2),
        "wall_per_s": round(result.written / seconds, 2),
        "first_s": round(clock.first_seconds(started), 2),
        "steady_per_s": round(clock.steady_rate(), 2),
        "peak_mb_per_worker": max(result.workers.values(), default=0.0),
        "worker_processes": len(result.workers),
        "driver_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--engine", choices=("model", "rules"), default="model")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=20)
    parser.add_argument("--no-ray", action="store_true", help="Skip the Ray runner.")
    parser.add_argument("--address", help="Ray cluster to join (default: start a local one).")
    parser.add_argument("--json", action="store_true", help="Print the results as JSON lines.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="spinscope-bench-") as tmp:
        root = Path(tmp)
        corpus = write_jsonl(root / "corpus.jsonl", make_articles(args.articles, seed=1))
        words = sum(len(a["text"].split()) for a in make_articles(args.articles, seed=1))
        print(f"{args.articles} synthetic articles ({words / args.articles:.0f} words each), engine={args.engine}, "
              f"chunk size {args.chunk_size}")  # fmt: skip
        common = {"engine": args.engine, "chunk_size": args.chunk_size}
        results = []
        for workers in args.workers:
            results.append(one_run(corpus, root / f"local-{workers}", workers=workers, **common))
        if not args.no_ray:
            try:
                import ray

                from spinscope.batch.ray_engine import connect
            except ImportError:
                print("ray is not installed: skipping the Ray runner (pip install 'spinscope[cluster]')")
            else:
                started = time.perf_counter()
                connect(args.address, max(args.workers))
                print(f"Ray cluster ready in {time.perf_counter() - started:.1f} s")
                try:
                    results.append(one_run(corpus, root / "ray", runner="ray", workers=max(args.workers), **common))
                finally:
                    ray.shutdown()
    if args.json:
        for row in results:
            print(json.dumps(row))
        return
    header = f"{'runner':<7}{'workers':>8}{'articles':>9}{'seconds':>9}{'wall/s':>9}{'first s':>9}{'steady/s':>10}"
    header += f"{'peak MB/worker':>16}{'driver MB':>11}"
    print(header)
    for r in results:
        print(
            f"{r['runner']:<7}{r['workers']:>8}{r['articles']:>9}{r['seconds']:>9}{r['wall_per_s']:>9}{r['first_s']:>9}"
            f"{r['steady_per_s']:>10}{r['peak_mb_per_worker']:>16}{r['driver_mb']:>11}"
        )


if __name__ == "__main__":
    main()
