"""Planning a batch: inputs -> chunks of payloads (plain data a worker analyses), skipping the keys the
output already holds, and what a batch did (:class:`BatchResult`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinscope.batch.folder import article_key, source_key
from spinscope.batch.integrity import content_hash
from spinscope.batch.output import BatchOutput
from spinscope.batch.progress import Reporter
from spinscope.batch.rows import error_row
from spinscope.document import Article
from spinscope.errors import InputError

DEFAULT_CHUNK_SIZE = 100
ARTICLE_FIELDS = ("text", "id", "title", "source", "outlet", "date", "url", "author")


def default_workers() -> int:
    """The CPUs this process may run on (its affinity mask where the OS has one, else os.cpu_count())."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


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
