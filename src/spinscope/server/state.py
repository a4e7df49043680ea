"""The state one app holds: settings, the permalink store, the analysis pool, the rate limiter and the
loaded models; it reads, analyses and stores articles (in the analysis threads)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException

from spinscope import deadline
from spinscope.document import Article
from spinscope.errors import AnalysisStopped, InputError
from spinscope.pipeline import Failure, analyse_each, analyze
from spinscope.server.errors import ANALYSIS_FAILED, classify, fetch_detail, one_line
from spinscope.server.limits import AnalysisPool, RateLimited, TokenBucket, retry_after_header, text_cost
from spinscope.server.reading import read_article
from spinscope.server.schemas import ArticleIn
from spinscope.server.settings import Settings
from spinscope.server.store import ResultStore, StoreError

log = logging.getLogger("spinscope.server")


WARM_UP_TEXT = "The minister said on Tuesday that the talks would resume in the capital next week."


class ServerState:
    """Settings, the permalink store, the analysis pool, the rate limiter and the loaded models' descriptions."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = ResultStore(
            settings.db_path,
            max_results=settings.max_results,
            retention_days=settings.retention_days,
            max_per_client=settings.max_results_per_client,
        )
        if self.store.recovered:
            log.warning("spinscope: %s; moved it to %s and started a new one", self.store.problem, self.store.recovered)
        self.pool = AnalysisPool(settings.thread_count, settings.queue_size)
        self.bucket = TokenBucket(settings.rate_per_minute, settings.rate_burst)
        self.models: dict[str, Any] = {}

    def warm_up(self) -> dict[str, Any]:
        """Load the configured engine's models (and the other analysers') by analysing one sentence."""
        if not self.models:
            self.models = analyze(WARM_UP_TEXT, engine=self.settings.engine).models
            log.info("spinscope: models loaded (%s engine)", self.settings.engine)
        return self.models

    def cost(self, chars: int) -> int:
        """Rate-limit tokens an analysis of ``chars`` characters costs (:func:`text_cost`)."""
        return text_cost(chars, self.settings.rate_chars_per_token)

    def charge(self, client: str, tokens: int, paid: int = 0) -> None:
        """Take ``tokens`` rate-limit tokens (less ``paid``, already taken by the middleware); raise
        :class:`RateLimited` if the client has not got them.

        At most a full bucket is charged, ``paid`` included: a request costing more passes when the
        bucket is full, never "429 for ever". A refusal gives ``paid`` back, so that the request's
        Retry-After (when the whole charge will be there) is true when it is retried."""
        if not self.bucket.enabled:
            return
        cost = min(tokens, int(self.bucket.burst)) - paid
        if cost > 0 and (wait := self.bucket.take(client, cost)) > 0:
            self.bucket.give(client, paid)
            raise RateLimited(wait)

    def cost_of(self, item: ArticleIn) -> int:
        """What analysing ``item`` costs before it is read: a text over the limit costs one token (it is
        refused with 413 at once), a fetched page one token until its text is known."""
        chars = item.text_length() if item.text is not None else len(item.html or "")
        if chars > self.settings.max_text_chars and item.text is not None:
            return 1
        return self.cost(chars)

    # Runs in an analysis thread.
    def read(self, item: ArticleIn) -> Article:
        return read_article(item, self.settings)

    def analyze_and_store(self, item: ArticleIn, client: str | None = None) -> dict[str, Any]:
        """Read, analyse and store one article. ``client``: its rate-limit key (a fetched page is charged
        by its text's length once fetched; the permalink counts against the client's share of the store)."""
        article = self.read(item)
        if item.url is not None and client is not None:
            self.charge(client, self.cost(len(article.text)), paid=1)
        analysis = analyze(
            article, engine=item.engine or self.settings.engine, min_score=item.min_score, sensitivity=item.sensitivity
        )
        data = analysis.to_dict()
        return {**data, "permalink": f"/r/{self.store.put(data, client)}"}

    def analyze_batch(self, items: list[ArticleIn], client: str | None = None) -> list[dict[str, Any]]:
        def analyse(item: ArticleIn) -> dict[str, Any]:
            with deadline.renewed():  # each article gets the time limit of one analysis
                return self.analyze_and_store(item, client)

        results: list[dict[str, Any]] = []
        for _, result in analyse_each(enumerate(items), analyse, keep=Exception):
            results.append(error_record(result.error) if isinstance(result, Failure) else result)
        return results

    def close(self) -> None:
        self.store.close()

    def stored(self, result_id: str) -> dict[str, Any]:
        """A stored analysis, or 404."""
        data = self.store.get(result_id)
        if data is None:
            raise StarletteHTTPException(404)
        return data


def error_record(error: Exception) -> dict[str, Any]:
    """A batch article's error, in its place: ``{"error", "message"}`` (and ``"detail"`` for a failed fetch).
    A cancelled analysis is not recorded: the request is over (it is raised again)."""
    if isinstance(error, InputError):
        _status, code, message = classify(error)
        failure = {"error": code, "message": one_line(message)}
        detail = fetch_detail(error)
        return {**failure, "detail": one_line(detail)} if detail else failure
    if isinstance(error, RateLimited):
        wait = retry_after_header(error.retry_after)
        return {"error": error.code, "message": f"too many requests: try again in {wait} s"}
    if isinstance(error, AnalysisStopped):
        if error.why == "cancelled":
            raise error
        return {"error": error.code, "message": str(error)}
    if isinstance(error, StoreError):
        return {"error": error.code, "message": one_line(str(error))}
    log.error("spinscope: analysis failed", exc_info=error)
    return {"error": "internal_error", "message": ANALYSIS_FAILED}
