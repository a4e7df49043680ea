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
import ctypes
import json
import multiprocessing
import os
import queue as queue_module
import resource
import signal
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinscope.batch.integrity import content_hash
from spinscope.batch.output import BatchError, BatchOutput, analysis_rows, article_key, error_row, source_key
from spinscope.document import Article
from spinscope.errors import InputError, ModelError

DEFAULT_CHUNK_SIZE = 100
WARMUP_TEXT = "The committee met on Tuesday. Its chair said the report would be published in May."
MAX_UNEXPECTED_BEFORE_SUCCESS = 20  # this many crashes and no success: a bug or a broken install, stop
ARTICLE_FIELDS = ("text", "id", "title", "source", "outlet", "date", "url", "author")


# ---- progress ----------------------------------------------------------------------


class Reporter:
    """What a batch tells about its progress (the default says nothing)."""

    def start(self, total: int | None) -> None:
        """``total``: how many inputs there are, when known."""

    def skip(self, count: int = 1) -> None:
        """Inputs skipped (already done, already failed, duplicate keys)."""

    def advance(self, ok: int = 0, failed: int = 0) -> None:
        """Articles analysed (ok) or failed."""

    def finish(self) -> None:
        """The batch is over."""


class RichReporter(Reporter):
    """A rich progress bar: done/total, failures, rate (articles/s), elapsed and ETA."""

    def __init__(self, console: Any = None, description: str = "analysing") -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Any) -> Text:
                speed = task.finished_speed or task.speed
                return Text(
                    "-- articles/s" if speed is None else f"{speed:.1f} articles/s", style="progress.data.speed"
                )

        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console,
            speed_estimate_period=60,
        )
        self.description = description
        self.task: Any = None
        self.failed = 0

    def start(self, total: int | None) -> None:
        self.progress.start()
        self.task = self.progress.add_task(self.description, total=total, failed=0)

    def skip(self, count: int = 1) -> None:
        task = self.progress.tasks[0]
        if task.total is not None:
            self.progress.update(self.task, total=max(task.total - count, task.completed))

    def advance(self, ok: int = 0, failed: int = 0) -> None:
        self.failed += failed
        self.progress.update(self.task, advance=ok + failed, failed=self.failed)

    def finish(self) -> None:
        task = self.progress.tasks[0]
        if task.total is None or task.total != task.completed:
            self.progress.update(self.task, total=task.completed)
        self.progress.stop()


def estimate_total(specs: Iterable[str]) -> int | None:
    """How many inputs the specs name (cheaply: files in folders, lines, Parquet metadata); None if unknown."""
    from spinscope.readers.inputs import FOLDER_SUFFIXES

    total = 0
    for spec in specs:
        path = Path(spec)
        try:
            if spec == "-" or "://" in spec or not path.exists():
                total += 1
            elif path.is_dir():
                total += (
                    sum(
                        1
                        for entry in path.iterdir()
                        if entry.suffix.lower() in FOLDER_SUFFIXES
                        and not entry.name.startswith(".")
                        and entry.is_file()
                    )
                    or 1
                )
            else:
                suffix = path.suffix.lower()
                if suffix in (".jsonl", ".ndjson"):
                    with path.open("rb") as handle:
                        total += sum(1 for line in handle if line.strip())
                elif suffix == ".parquet":
                    import pyarrow.parquet as pq

                    total += pq.ParquetFile(path).metadata.num_rows
                elif suffix in (".csv", ".tsv", ".json"):
                    return None  # rows can span lines: not worth a full parse
                else:
                    total += 1
        except Exception:  # an unreadable input is the reader's to report
            total += 1
    return total


# ---- planning: inputs -> chunks of payloads ------------------------------------------


@dataclass
class BatchResult:
    """What a batch did."""

    outdir: Path
    runner: str
    written: int = 0  # articles written by this run
    failed: int = 0  # inputs recorded in errors.jsonl by this run
    skipped_done: int = 0  # already in the output
    skipped_failed: int = 0  # already in errors.jsonl (see --retry-errors)
    duplicates: int = 0  # a key seen earlier in the same input
    renamed: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (source, id, new id): ids repeated across inputs
    edited: list[tuple[str, str]] = field(default_factory=list)  # (source, key): input changed since its analysis
    damaged: list[str] = field(default_factory=list)  # part pairs set aside on start (why); their articles redone
    parts: int = 0
    seconds: float = 0.0
    workers: dict[str, float] = field(default_factory=dict)  # worker -> peak resident memory (MB)
    cleaned: list[str] = field(default_factory=list)  # temporary/orphan files removed on start

    @property
    def rate(self) -> float:
        """Inputs processed (written + failed) per second."""
        return (self.written + self.failed) / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "outdir": str(self.outdir),
            "runner": self.runner,
            "written": self.written,
            "failed": self.failed,
            "skipped_done": self.skipped_done,
            "skipped_failed": self.skipped_failed,
            "duplicates": self.duplicates,
            "renamed": len(self.renamed),
            "edited": len(self.edited),
            "damaged": len(self.damaged),
            "parts": self.parts,
            "seconds": round(self.seconds, 3),
            "articles_per_second": round(self.rate, 3),
            "worker_peak_rss_mb": self.workers,
        }


def article_payload(article: Article, key: str, source: str) -> dict[str, Any]:
    """What a worker gets for one article: plain JSON-able data (the same for both runners)."""
    fields = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    # Metadata from rows may hold dates, decimals, bytes...: make it JSON so that both
    # runners (pickle locally, Arrow in Ray) hand the analysers exactly the same values.
    fields["metadata"] = json.loads(json.dumps(article.metadata, ensure_ascii=False, default=str))
    return {"key": key, "source": source, "article": fields}


def payload_article(payload: dict[str, Any]) -> Article:
    return Article(**payload["article"])


def iter_work(
    specs: Iterable[str],
    output: BatchOutput,
    result: BatchResult,
    reporter: Reporter,
    chunk_size: int,
) -> Iterator[list[dict[str, Any]] | dict[str, Any]]:
    """Yield chunks (lists of payloads) to analyse and error rows of unreadable inputs, skipping done keys.

    An id is an article's key within its input: two outlets' files may both number their articles
    from 1, and two folders may both hold ``article1.txt``. The first input to use an id keeps it;
    the same id in a later input becomes ``INPUT#ID`` (listed in ``result.renamed``). The renaming
    depends only on the inputs and their order, so a resumed run makes the same keys.
    """
    from spinscope.readers.inputs import iter_inputs

    seen: set[str] = set()
    owners: dict[str, str] = {}  # key -> the input (spec) that holds it
    chunk: list[dict[str, Any]] = []
    for spec in specs:
        for source, item in iter_inputs([spec]):
            if isinstance(item, InputError):
                key = source_key(source)
            else:
                given = article_key(item, source)
                key = _own_key(given, spec, owners)
                if key != given:
                    result.renamed.append((source, given, key))
                    item.id = key
            yield from _plan(key, source, item, output, result, reporter, seen, chunk, chunk_size)
    output.flush_stale()  # old rows of edited articles go before their new rows are written
    if chunk:
        yield chunk


def _own_key(key: str, spec: str, owners: dict[str, str]) -> str:
    """``key``, or ``SPEC#key`` when another input holds it already (then ``SPEC#key#2``... if need be)."""
    label = spec if "://" in spec or spec == "-" else os.path.normpath(spec)
    candidate, number = key, 1
    while owners.setdefault(candidate, spec) != spec:
        number += 1
        candidate = f"{label}#{key}" if number == 2 else f"{label}#{key}#{number - 1}"
    return candidate


def _plan(
    key: str,
    source: str,
    item: Article | InputError,
    output: BatchOutput,
    result: BatchResult,
    reporter: Reporter,
    seen: set[str],
    chunk: list[dict[str, Any]],
    chunk_size: int,
) -> Iterator[list[dict[str, Any]] | dict[str, Any]]:
    """Skip a done (and unchanged), failed or duplicate key; else yield the error row, or add the article
    to ``chunk`` (yielding and emptying it when full). An edited input is analysed again (its old rows
    removed before the new ones are written)."""
    payload = None if isinstance(item, InputError) else article_payload(item, key, source)
    if payload is not None:
        digest = content_hash(payload["article"])
        status = output.status(key, source, digest)
        if status == "done":
            result.skipped_done += 1
            reporter.skip()
            return
        if status == "edited":  # an older version is done: replaced, not kept beside the new one
            result.edited.append((source, key))
    elif key in output.done:
        result.skipped_done += 1
        reporter.skip()
        return
    if key in output.failed:
        result.skipped_failed += 1
        reporter.skip()
        return
    if key in seen:
        result.duplicates += 1
        reporter.skip()
        return
    seen.add(key)
    if payload is None:
        assert isinstance(item, InputError)
        yield error_row(key, source, item, article_id=item.article_id, stage="read")
        return
    output.expect(key, digest)
    chunk.append(payload)
    if len(chunk) >= chunk_size:
        output.flush_stale()
        yield list(chunk)
        chunk.clear()


# ---- the worker side -------------------------------------------------------------------

_WORKER: dict[str, Any] = {}


PR_SET_PDEATHSIG = 1  # linux/prctl.h
PARENT_POLL_SECONDS = 0.5


def die_with_parent(parent: int) -> None:
    """End this worker when its parent process (``parent``, the batch's main process) ends, even by ``kill -9``.

    A killed parent cannot stop its workers, and they would wait for work forever (each holding
    its models: ~400 MB). On Linux the kernel sends SIGKILL when the parent dies (``prctl``
    ``PR_SET_PDEATHSIG``); everywhere a daemon thread also checks the parent id twice a second
    (a dead parent's children are handed to another process), which covers the other systems
    and a parent that died before the ``prctl`` call.
    """
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="spinscope-parent-watch", daemon=True).start()


def init_worker(engine: str, progress: Any = None, threads: int | None = 1, parent: int | None = None) -> None:
    """Load the models once per process (pool initializer); a missing model is reported with the first chunk.
    ``parent``: the main process's id: the worker ends when it does (:func:`die_with_parent`)."""
    if parent is not None:
        die_with_parent(parent)
    if threads:
        os.environ["SPINSCOPE_THREADS"] = str(threads)
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
    if progress is not None:  # Ctrl-C is the main process's to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER.update(progress=progress, fatal=None)
    from spinscope.pipeline import analyze, technique_engine

    try:
        technique_engine(engine)  # type: ignore[arg-type]
        analyze(WARMUP_TEXT, engine=engine)  # type: ignore[arg-type]  # loads the other analysers' models
    except ModelError as error:
        _WORKER["fatal"] = str(error)
    except InputError:
        pass
    except Exception as error:  # an import error, a broken install: nothing would work
        _WORKER["fatal"] = f"cannot load the analysers: {type(error).__name__}: {' '.join(str(error).split())}"


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB.

    Linux: ``VmHWM`` of /proc/self/status (the peak of this process's own memory:
    ``getrusage``'s ru_maxrss survives ``exec`` and so counts the parent's memory in a
    spawned worker); elsewhere ``getrusage``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def analyse_chunk(payloads: list[dict[str, Any]], engine: str, min_score: float) -> dict[str, Any]:
    """Analyse a chunk; return its article rows, span rows, error rows and the worker's figures.

    An :class:`InputError` (empty, not English, ...) or an unexpected exception in an
    analyser becomes an error row; a :class:`ModelError` (a broken install) is fatal.
    """
    from spinscope.pipeline import analyze

    started = time.perf_counter()
    progress = _WORKER.get("progress")
    result: dict[str, Any] = {"articles": [], "spans": [], "errors": [], "unexpected": 0, "fatal": _WORKER.get("fatal")}
    for payload in payloads if result["fatal"] is None else []:
        key, source = payload["key"], payload["source"]
        article = payload_article(payload)
        try:
            analysis = analyze(article, engine=engine, min_score=min_score)  # type: ignore[arg-type]
            row, spans = analysis_rows(analysis, key)
        except InputError as error:
            result["errors"].append(error_row(key, source, error, article_id=article.id, stage="analyse"))
            ok = False
        except ModelError as error:
            result["fatal"] = str(error)
            break
        except Exception as error:  # an analyser bug must not stop a corpus run: record it, go on
            result["errors"].append(error_row(key, source, error, article_id=article.id, stage="analyse"))
            result["unexpected"] += 1
            ok = False
        else:
            result["articles"].append(row)
            result["spans"].extend(spans)
            ok = True
        if progress is not None:
            progress.put((1, 0) if ok else (0, 1))
    result["worker"] = f"{os.uname().nodename}:{os.getpid()}"
    result["peak_rss_mb"] = peak_rss_mb()
    result["seconds"] = time.perf_counter() - started
    return result


# ---- the driver ------------------------------------------------------------------------


class ChunkSink:
    """Writes chunk results into the output and keeps the counts (shared by the local and Ray runners)."""

    def __init__(self, output: BatchOutput, result: BatchResult, reporter: Reporter, *, reports_progress: bool) -> None:
        self.output = output
        self.result = result
        self.reporter = reporter
        self.reports_progress = reports_progress  # advance the bar here (else the workers' progress queue does)
        self.unexpected = 0
        self.first_unexpected: str | None = None

    def error(self, row: dict[str, Any]) -> None:
        self.result.failed += self.output.record_errors([row])
        self.reporter.advance(failed=1)

    def chunk(self, chunk: dict[str, Any]) -> None:
        if chunk.get("fatal"):
            raise BatchError(chunk["fatal"])
        if self.output.write_part(chunk["articles"], chunk["spans"]) is not None:
            self.result.parts += 1
        self.result.written += len(chunk["articles"])
        self.result.failed += self.output.record_errors(chunk["errors"])
        if self.reports_progress:
            self.reporter.advance(ok=len(chunk["articles"]), failed=len(chunk["errors"]))
        worker = chunk.get("worker")
        if worker:
            self.result.workers[worker] = max(self.result.workers.get(worker, 0.0), chunk.get("peak_rss_mb", 0.0))
        if chunk.get("unexpected"):
            self.unexpected += chunk["unexpected"]
            if self.first_unexpected is None:
                first = next(e for e in chunk["errors"] if e["stage"] == "analyse")
                self.first_unexpected = f"{first['error']}: {first['message']}"
        if self.unexpected >= MAX_UNEXPECTED_BEFORE_SUCCESS and self.result.written == 0:
            raise BatchError(
                f"the first {self.unexpected} articles all failed ({self.first_unexpected}); "
                "stopping: this looks like a bug or a broken install, not bad input"
            )


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
