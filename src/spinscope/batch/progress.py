"""What a batch tells about its progress: the reporters (silent, a rich progress bar) and a cheap
estimate of how many inputs there are."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any


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
