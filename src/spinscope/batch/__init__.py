"""Corpus analysis at scale: ``spinscope batch`` (write Parquet) and ``spinscope stats`` (aggregate it).

    run_batch(inputs, outdir, ...)   analyse many articles in parallel into a resumable Parquet folder
    compute_stats(outdir)            per outlet / per period figures with intervals, tidy tables (DuckDB)
    spinscope.batch.stories          the same story across outlets (near-duplicate text, a time window)

Runners: ``local`` (:mod:`spinscope.batch.local`: worker processes on this machine)
and ``ray`` (:mod:`spinscope.batch.ray_engine`: Ray Data, on a local or multi-node
cluster). Both write the same layout (:mod:`spinscope.batch.output`) and the same
rows. Needs ``pip install 'spinscope[corpus]'`` (pyarrow, duckdb, matplotlib); the
Ray runner also ``'spinscope[cluster]'``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from spinscope.batch.local import run_local
from spinscope.batch.output import BatchError, BatchOutput
from spinscope.batch.planning import DEFAULT_CHUNK_SIZE, BatchResult, default_workers
from spinscope.batch.progress import Reporter, RichReporter, estimate_total

Runner = Literal["local", "ray"]


def run_batch(
    inputs: Iterable[str],
    outdir: str | Path,
    *,
    runner: Runner = "local",
    workers: int | None = None,
    engine: str = "model",
    min_score: float = 0.0,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    address: str | None = None,
    retry_errors: bool = False,
    reporter: Reporter | None = None,
) -> BatchResult:
    """Analyse every article the inputs name into ``outdir`` (resuming what is already there).

    ``inputs``: folders of .txt/.html, JSONL/CSV/Parquet files, text/HTML files (as
    for ``spinscope analyze``). ``workers``: processes (local; default: this
    machine's CPUs; 0: analyse in this process) or analyser actors (ray; default: the
    cluster's CPUs). Articles already in
    ``outdir`` are skipped, and so are inputs recorded in ``errors.jsonl`` unless
    ``retry_errors``. Raises :class:`BatchError` when the run cannot start or go on.
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise BatchError("spinscope batch needs pyarrow: pip install 'spinscope[corpus]'") from None
    from spinscope.pipeline import ENGINES

    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}: use one of {', '.join(ENGINES)}")
    if runner not in ("local", "ray"):
        raise ValueError(f"unknown runner {runner!r}: use 'local' or 'ray'")
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    specs = list(inputs)
    if runner == "local" and workers is None:
        workers = default_workers()
    if runner == "ray" and workers is not None:
        workers = max(workers, 1)  # None: the cluster's CPU count (see run_ray)
    reporter = reporter or Reporter()
    result = BatchResult(outdir=Path(outdir), runner=runner)
    settings = {"engine": engine, "min_score": float(min_score)}
    started = time.perf_counter()
    with BatchOutput(Path(outdir), settings=settings, retry_errors=retry_errors) as output:
        result.cleaned = list(output.cleaned)
        result.damaged = list(output.damaged)
        reporter.start(estimate_total(specs))
        try:
            options = {
                "engine": engine,
                "min_score": float(min_score),
                "workers": workers,
                "chunk_size": chunk_size,
                "reporter": reporter,
            }
            if runner == "ray":
                from spinscope.batch.ray_engine import run_ray

                run_ray(specs, output, result, address=address, **options)  # type: ignore[arg-type]
            else:
                run_local(specs, output, result, **options)  # type: ignore[arg-type]
        finally:
            reporter.finish()
            result.seconds = time.perf_counter() - started
    return result


def __getattr__(name: str) -> object:
    if name == "compute_stats":
        from spinscope.batch.stats import compute_stats

        return compute_stats
    raise AttributeError(name)


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "BatchError",
    "BatchResult",
    "Reporter",
    "RichReporter",
    "compute_stats",
    "default_workers",
    "run_batch",
]
