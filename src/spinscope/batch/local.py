"""The local batch engine: worker processes on this machine.

The main process reads the inputs (:func:`spinscope.readers.inputs.iter_inputs`),
skips the articles the output folder already holds, cuts the rest into chunks of
``chunk_size`` articles and hands them to a pool of ``workers`` processes (``spawn``
start method). Each worker loads the models once, in the pool initializer, with
``SPINSCOPE_THREADS=1`` so that N workers use N cores and onnxruntime does not
oversubscribe them. A worker analyses a whole chunk and sends back its rows
(:func:`spinscope.batch.output.analysis_rows`); only the main process writes, one
part per chunk, so a killed worker can never leave a half-written file. At most
``2 × workers`` chunks are in flight, which bounds memory and what a kill loses. Workers end
with the main process, even after a ``kill -9`` of it (:func:`die_with_parent`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from spinscope.batch.output import BatchError, BatchOutput
from spinscope.batch.planning import DEFAULT_CHUNK_SIZE, BatchResult, article_payload, iter_work, payload_article
from spinscope.batch.progress import Reporter, RichReporter, estimate_total
from spinscope.batch.sink import ChunkSink
from spinscope.batch.worker import analyse_chunk, die_with_parent, init_worker, peak_rss_mb


def run_local(
    specs: list[str],
    output: BatchOutput,
    result: BatchResult,
    *,
    engine: str,
    min_score: float,
    workers: int,
    chunk_size: int,
    reporter: Reporter,
) -> None:
    """Analyse the inputs with ``workers`` processes (0: in this process) and write them to ``output``."""
    work = iter_work(specs, output, result, reporter, chunk_size)
    if workers <= 0:
        sink = ChunkSink(output, result, reporter, reports_progress=True)
        init_worker(engine, threads=None)
        for item in work:
            if isinstance(item, dict):
                sink.error(item)
            else:
                sink.chunk(analyse_chunk(item, engine, min_score))
        return

    context = multiprocessing.get_context("spawn")
    progress = context.Queue()
    sink = ChunkSink(output, result, reporter, reports_progress=False)
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=init_worker, initargs=(engine, progress, 1, os.getpid())
    )
    pending: set[Future] = set()

    def drain_progress() -> None:
        while True:
            try:
                ok, failed = progress.get_nowait()
            except queue_module.Empty:
                return
            reporter.advance(ok=ok, failed=failed)

    def collect(block: bool) -> None:
        nonlocal pending
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            drain_progress()
            for future in done:
                sink.chunk(future.result())
            if done and not block:
                return

    clean = False
    try:
        for item in work:
            if isinstance(item, dict):
                sink.error(item)
                continue
            if len(pending) >= 2 * workers:
                collect(block=False)
            pending.add(pool.submit(analyse_chunk, item, engine, min_score))
        collect(block=True)
        time.sleep(0.05)  # let the queue's feeder threads flush the last ticks
        drain_progress()
        clean = True
    except BrokenProcessPool:
        raise BatchError(
            "a worker process died (out of memory?); what was written is kept: rerun the same command to resume"
        ) from None
    finally:
        if not clean:  # interrupted or failed: stop the workers now instead of finishing their chunks
            for process in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    process.terminate()
        pool.shutdown(wait=clean, cancel_futures=True)
        progress.close()
        progress.join_thread()


__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "BatchResult",
    "ChunkSink",
    "Reporter",
    "RichReporter",
    "analyse_chunk",
    "article_payload",
    "die_with_parent",
    "estimate_total",
    "init_worker",
    "iter_work",
    "payload_article",
    "peak_rss_mb",
    "run_local",
]
