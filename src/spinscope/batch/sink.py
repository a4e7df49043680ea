"""Where chunk results go: the output folder and the counts (shared by the local and Ray runners)."""

from __future__ import annotations

from typing import Any

from spinscope.batch.output import BatchError, BatchOutput
from spinscope.batch.planning import BatchResult
from spinscope.batch.progress import Reporter

MAX_UNEXPECTED_BEFORE_SUCCESS = 20  # this many crashes and no success: a bug or a broken install, stop


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
