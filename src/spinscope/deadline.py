"""Stopping an analysis part-way: a time limit and a cancel flag, checked between steps.

The server runs each analysis in a thread, which cannot be killed from outside. Instead it
sets a limit for the thread (:func:`time_limit`) and the analysis calls :func:`checkpoint`
between its steps and before every model run (a 512-piece window takes about 0.2 s on one
core), which raises :class:`~spinscope.errors.AnalysisStopped` once the time is up or the
caller has set its cancel flag (the client went away). Outside a :func:`time_limit` block
(the CLI, the library, batch) :func:`checkpoint` does nothing.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from spinscope.errors import AnalysisStopped

_local = threading.local()


@contextlib.contextmanager
def time_limit(seconds: float | None, cancel: threading.Event | None = None) -> Iterator[None]:
    """Within the block, :func:`checkpoint` in this thread raises after ``seconds`` (None or 0: no limit)
    or once ``cancel`` is set."""
    previous = getattr(_local, "limit", None)
    _local.limit = (time.monotonic() + seconds if seconds else None, seconds, cancel)
    try:
        yield
    finally:
        _local.limit = previous


@contextlib.contextmanager
def renewed() -> Iterator[None]:
    """Within the block, this thread's time limit starts again (same length, same cancel flag): a batch
    gives each of its articles the time one analysis gets."""
    limit = getattr(_local, "limit", None)
    if limit is None:
        yield
        return
    with time_limit(limit[1], limit[2]):
        yield


def checkpoint() -> None:
    """Raise :class:`AnalysisStopped` if this thread's time limit has passed or its work was cancelled."""
    limit = getattr(_local, "limit", None)
    if limit is None:
        return
    deadline, seconds, cancel = limit
    if cancel is not None and cancel.is_set():
        raise AnalysisStopped("cancelled", "the request was cancelled (the client went away)")
    if deadline is not None and time.monotonic() > deadline:
        raise AnalysisStopped("timeout", f"the analysis took longer than {seconds:g} s: send a shorter text")


__all__ = ["checkpoint", "renewed", "time_limit"]
