"""The distributed batch engine: Ray Data (``spinscope batch ... --runner ray``).

Needs ``pip install 'spinscope[cluster]'`` (``ray[data]``). The driver (the machine
you run ``spinscope batch`` on) reads the inputs and skips the done keys exactly as
the local runner does (:func:`spinscope.batch.planning.iter_work`), then sends windows
of articles through a Ray Data pipeline::

    ray.data.from_items(payloads)                 # one row per article (JSON payload)
      .map_batches(RayAnalyser,                   # an actor class: models loaded once per actor
                   batch_size=chunk_size,
                   compute=ActorPoolStrategy(size=workers), num_cpus=1)
      .iter_batches()                             # one result row per chunk, streamed back

Each actor runs the same :func:`spinscope.batch.worker.analyse_chunk` as a local
worker, and the driver writes every chunk it gets back with the same
:class:`spinscope.batch.output.BatchOutput` (one part per chunk), so a Ray output
folder has the same layout and the same rows as a local one; resume, errors.jsonl
and ``spinscope stats`` work the same. The inputs must be readable on the driver;
the part files are written by the driver only (no shared file system needed).

Without ``--address`` a local Ray cluster is started for the run (``workers`` CPUs).
On a multi-node cluster:

1. Install the same spinscope (with its models) and ``ray[data]`` in the same Python
   environment on every node (same Python and Ray versions).
2. On the head node: ``ray start --head --port=6379``.
3. On every other node: ``ray start --address=<head-ip>:6379``.
4. On the head node (or any node of the cluster)::

       spinscope batch corpus.jsonl -o out/ --runner ray --address auto --workers 64

   ``--workers`` is the number of analyser actors (one CPU each); by default the
   cluster's CPU count (``ray status``). Leave a CPU or two for the driver, which
   reads the inputs and writes the parts, on a busy head node.
5. ``ray stop`` on every node when done.

Articles are sent in windows of ``chunk_size × workers × WINDOW_CHUNKS_PER_WORKER``
so that the driver never holds the whole corpus; the actors are started anew (and
load the models again) for each window.
"""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from spinscope.batch.output import BatchError, BatchOutput
from spinscope.batch.planning import BatchResult, iter_work
from spinscope.batch.progress import Reporter
from spinscope.batch.sink import ChunkSink
from spinscope.batch.worker import analyse_chunk, init_worker

WINDOW_CHUNKS_PER_WORKER = 8


def ray_available() -> bool:
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        return False
    return True


class RayAnalyser:
    """A Ray Data actor: loads the models once, analyses one chunk per call, returns one JSON result row."""

    def __init__(self, engine: str, min_score: float) -> None:
        self.engine = engine
        self.min_score = min_score
        init_worker(engine, progress=None, threads=1)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        payloads = [json.loads(payload) for payload in batch["payload"]]
        result = analyse_chunk(payloads, self.engine, self.min_score)
        return {"result": np.array([json.dumps(result, ensure_ascii=False)], dtype=object)}


def connect(address: str | None, workers: int | None) -> bool:
    """Join the cluster at ``address`` or start a local one (``workers`` CPUs, default all); True if this started Ray."""
    import ray

    if ray.is_initialized():
        return False
    # Errors only: the batch has its own progress bar and summary (Ray's logs stay in /tmp/ray/session_*/logs).
    options: dict[str, Any] = {"log_to_driver": False, "configure_logging": True, "logging_level": "error"}
    if address:
        try:
            ray.init(address=address, **options)
        except (ConnectionError, RuntimeError, ValueError) as error:
            message = " ".join(str(error).split())[:300]
            raise BatchError(f"cannot connect to the Ray cluster at {address}: {message}") from None
    else:
        from spinscope.batch.planning import default_workers

        # address="local": a new cluster, even where `ray start` left one running (ray.init() would join that).
        cpus = max(workers or default_workers(), 1)
        ray.init(address="local", num_cpus=cpus, include_dashboard=False, **options)
    return True


def cluster_cpus() -> int:
    """The CPUs of the cluster Ray is connected to (the default number of analyser actors)."""
    import ray

    return max(1, int(ray.cluster_resources().get("CPU", 1)))


def _quiet_data_context() -> None:
    import ray.data

    logging.getLogger("ray.data").setLevel(logging.ERROR)
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the batch has its own progress bar
    for name in ("enable_operator_progress_bars", "enable_auto_log_stats", "verbose_stats_logs"):
        if hasattr(context, name):
            setattr(context, name, False)


def _run_window(
    payloads: list[dict[str, Any]], sink: ChunkSink, *, engine: str, min_score: float, workers: int, chunk_size: int
) -> None:
    import ray.data

    rows = [{"payload": json.dumps(payload, ensure_ascii=False)} for payload in payloads]
    dataset = ray.data.from_items(rows, override_num_blocks=max(1, math.ceil(len(rows) / chunk_size)))
    analysed = dataset.map_batches(
        RayAnalyser,
        batch_size=chunk_size,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, math.ceil(len(rows) / chunk_size)))),
        num_cpus=1,
        fn_constructor_kwargs={"engine": engine, "min_score": min_score},
    )
    try:
        for batch in analysed.iter_batches(batch_size=None, batch_format="numpy"):
            for result in batch["result"]:
                sink.chunk(json.loads(result))
    except BatchError:
        raise
    except Exception as exc:  # RayTaskError, ActorDiedError, ...
        first = " ".join(str(exc).split())[:500]
        raise BatchError(
            f"the Ray pipeline failed ({type(exc).__name__}: {first}); "
            "what was written is kept: rerun the same command to resume"
        ) from None


def run_ray(
    specs: list[str],
    output: BatchOutput,
    result: BatchResult,
    *,
    engine: str,
    min_score: float,
    workers: int | None,
    chunk_size: int,
    reporter: Reporter,
    address: str | None = None,
) -> None:
    """Analyse the inputs on a Ray cluster (``address``, or a local one) and write them to ``output``."""
    if not ray_available():
        raise BatchError("--runner ray needs Ray: pip install 'spinscope[cluster]'")
    import ray

    started = connect(address, workers)
    try:
        _quiet_data_context()
        workers = workers or cluster_cpus()
        sink = ChunkSink(output, result, reporter, reports_progress=True)
        window_size = chunk_size * max(workers, 1) * WINDOW_CHUNKS_PER_WORKER
        window: list[dict[str, Any]] = []
        options = {"engine": engine, "min_score": min_score, "workers": workers, "chunk_size": chunk_size}
        for item in iter_work(specs, output, result, reporter, chunk_size):
            if isinstance(item, dict):
                sink.error(item)
                continue
            window.extend(item)
            if len(window) >= window_size:
                _run_window(window, sink, **options)
                window = []
        if window:
            _run_window(window, sink, **options)
    finally:
        if started:
            ray.shutdown()


__all__ = ["RayAnalyser", "cluster_cpus", "connect", "ray_available", "run_ray"]
