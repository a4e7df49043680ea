"""SemEval-2020 Task 11 technique-classification lines (``id<TAB>technique<TAB>start<TAB>end``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spinscope.render.segments import analysis_text, layer_items, valid_span

PTC_LEFT_OUT = ("lexicon",)


def semeval_lines(analysis: Mapping[str, Any], article_id: str | None = None) -> list[str]:
    """The analysis' technique spans as SemEval/PTC label lines, sorted by start (then end, technique).

    ``article_id`` defaults to the analysis' ``id`` (PTC files use the numeric
    article id, e.g. ``"111111111"`` for ``article111111111.txt``). Lines carry
    no trailing newline; spans outside the text are skipped. The spin lexicon's spans (engine "lexicon") are
    left out: they answer a reader's question, not PTC's annotation task (on the 37 held-out PTC articles they
    take SI F1 from 0.448 to 0.424: training/fit_persuasion.py's predictions)."""
    article = str(analysis.get("id") or "") if article_id is None else str(article_id)
    length = len(analysis_text(analysis))
    spans = sorted(
        (t["start"], t["end"], t["technique"])
        for t in layer_items(analysis, "techniques")
        if valid_span(t, length) and isinstance(t.get("technique"), str) and t.get("engine") not in PTC_LEFT_OUT
    )
    return [f"{article}\t{technique}\t{start}\t{end}" for start, end, technique in spans]
