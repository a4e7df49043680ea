"""SemEval-2020 Task 11 technique-classification lines (``id<TAB>technique<TAB>start<TAB>end``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinscope.render.segments import analysis_text, layer_items, valid_span


def semeval_lines(analysis: Mapping[str, Any], article_id: str | None = None) -> list[str]:
    """The analysis' technique spans as SemEval/PTC label lines, sorted by start (then end, technique).

    ``article_id`` defaults to the analysis' ``id`` (PTC files use the numeric
    article id, e.g. ``"111111111"`` for ``article111111111.txt``). Lines carry
    no trailing newline; spans outside the text are skipped."""
    article = str(analysis.get("id") or "") if article_id is None else str(article_id)
    length = len(analysis_text(analysis))
    spans = sorted(
        (t["start"], t["end"], t["technique"])
        for t in layer_items(analysis, "techniques")
        if valid_span(t, length) and isinstance(t.get("technique"), str)
    )
    return [f"{article}\t{technique}\t{start}\t{end}" for start, end, technique in spans]
