"""Fuzz tests (hypothesis): odd text, bytes and HTML give a result with exact offsets or an InputError.

Deterministic (derandomized) and small enough for CI, well under a minute; benchmarks/fuzz.py
runs the same checks with many more, random examples.
"""

from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the test extra (hypothesis) is not installed")

from hypothesis import HealthCheck, given, settings  # noqa: E402

import spinscope  # noqa: E402
from benchmarks.fuzzing import (  # noqa: E402
    article_texts,
    check_analysis,
    check_article_text,
    html_pages,
    odd_bytes,
    only_input_errors,
)
from spinscope.readers import read_html, read_text, row_article  # noqa: E402

CI = settings(derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(CI, max_examples=25)
@given(article_texts())
def test_analyze_any_text(text: str) -> None:
    analysis = only_input_errors(spinscope.analyze, text, engine="rules")
    if analysis is not None:
        check_analysis(analysis.to_dict(), given=text)
        analysis.to_json().encode("utf-8")


@settings(CI, max_examples=200)
@given(odd_bytes())
def test_read_any_bytes(data: bytes) -> None:
    article = only_input_errors(read_text, data, "fuzz.txt")
    if article is not None:
        check_article_text(article.text)


@settings(CI, max_examples=200)
@given(article_texts())
def test_read_any_text_row(text: str) -> None:
    article = only_input_errors(row_article, {"id": "row-1", "text": text}, "rows.jsonl:line 1")
    if article is not None:
        check_article_text(article.text)
        assert article.id == "row-1"


@settings(CI, max_examples=60)
@given(html_pages())
def test_read_any_html(html: str) -> None:
    article = only_input_errors(read_html, html, "fuzz.html")
    if article is not None:
        check_article_text(article.text)
