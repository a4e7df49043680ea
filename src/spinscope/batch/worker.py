"""The worker side of a batch: a worker process loads the models once, analyses whole chunks and ends
with its parent process (shared by the local and Ray runners)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys
import threading
import time
from typing import Any

from spinscope.batch.planning import payload_article
from spinscope.batch.rows import analysis_rows, error_row
from spinscope.errors import InputError, ModelError

WARMUP_TEXT = "The committee met on Tuesday. Its chair said the report would be published in May."

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
    from spinscope.pipeline import Failure, analyse_each, analyze

    started = time.perf_counter()
    progress = _WORKER.get("progress")
    result: dict[str, Any] = {"articles": [], "spans": [], "errors": [], "unexpected": 0, "fatal": _WORKER.get("fatal")}

    def analyse(payload: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        analysis = analyze(payload_article(payload), engine=engine, min_score=min_score)  # type: ignore[arg-type]
        return analysis_rows(analysis, payload["key"])

    todo = payloads if result["fatal"] is None else []
    # an analyser bug must not stop a corpus run (keep=Exception): record it, go on; a ModelError ends the chunk
    for payload, outcome in analyse_each(((payload, payload) for payload in todo), analyse, keep=Exception):
        if isinstance(outcome, Failure) and isinstance(outcome.error, ModelError):
            result["fatal"] = str(outcome.error)
            break
        if isinstance(outcome, Failure):
            key, source, article = payload["key"], payload["source"], payload_article(payload)
            result["errors"].append(error_row(key, source, outcome.error, article_id=article.id, stage="analyse"))
            if not isinstance(outcome.error, InputError):
                result["unexpected"] += 1
            ok = False
        else:
            row, spans = outcome
            result["articles"].append(row)
            result["spans"].extend(spans)
            ok = True
        if progress is not None:
            progress.put((1, 0) if ok else (0, 1))
    result["worker"] = f"{os.uname().nodename}:{os.getpid()}"
    result["peak_rss_mb"] = peak_rss_mb()
    result["seconds"] = time.perf_counter() - started
    return result
