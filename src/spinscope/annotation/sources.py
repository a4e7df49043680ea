"""Between spinscope's JSON and :class:`Doc`: what ``export`` reads and what ``import`` writes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal

from spinscope.annotation.model import HUMAN_ENGINE, AnnotationError, Doc, Mark, own_labels
from spinscope.document import SCHEMA, Analysis, Article, TechniqueSpan
from spinscope.errors import InputError

Which = Literal["shown", "all"]
Analyse = Callable[[Article], dict[str, Any]]
_META_FIELDS = {f.name for f in fields(Article)} - {"text", "id", "title"}
_ARTICLE_SUFFIXES = {".txt", ".html", ".htm"}


def doc_from_analysis(data: dict[str, Any], spans: Which = "shown") -> Doc:
    """The document and technique spans of a ``spinscope/1`` dict (``spans``: the shown ones, or all)."""
    text = data["text"]
    marks: set[Mark] = set()
    for t in data.get("techniques") or []:
        if spans == "shown" and t.get("shown") is False:
            continue
        marks.add(Mark(int(t["start"]), int(t["end"]), str(t["technique"]), t.get("score")))
    meta = {k: v for k, v in (data.get("meta") or {}).items() if k in _META_FIELDS and v not in (None, {}, "")}
    return Doc(id=str(data["id"]), text=text, marks=sorted(marks), title=data.get("title"), meta=meta)


def analysis_from_doc(doc: Doc, tool: str) -> dict[str, Any]:
    """A ``spinscope/1`` dict holding the document's spans as human technique spans (engine ``human``)."""
    from spinscope import __version__
    from spinscope.summary import summarise

    meta = {k: v for k, v in doc.meta.items() if k in _META_FIELDS}
    article = Article(text=doc.text, id=doc.id, title=doc.title, **meta)
    techniques = [
        TechniqueSpan(m.start, m.end, m.label, 1.0, engine=HUMAN_ENGINE, shown=True) for m in sorted(set(doc.marks))
    ]
    analysis = Analysis(article=article, techniques=techniques, version=__version__)
    analysis.summary = summarise(analysis)
    analysis.models = {
        "techniques": {
            "engine": HUMAN_ENGINE,
            "annotation": {"tool": tool, "from": doc.where, "own_techniques": own_labels([doc])},
        }
    }
    return analysis.to_dict()


def _is_analysis(data: Any) -> bool:
    return isinstance(data, dict) and data.get("schema") == SCHEMA and isinstance(data.get("text"), str)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(str(path), f"cannot read JSON: {error}") from None


def _batch_analyses(folder: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """The analyses a ``spinscope batch`` folder holds (the ``analysis`` column of its article parts)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(str(folder), "reading a batch folder needs pyarrow: pip install 'spinscope[corpus]'") from None
    for part in sorted((folder / "articles").glob("part-*.parquet")):
        for value in pq.read_table(part, columns=["analysis"]).column("analysis").to_pylist():
            if value:
                yield str(part), json.loads(value)


def iter_analyses(
    specs: Iterable[str], analyse: Analyse | None = None
) -> Iterator[tuple[str, dict[str, Any] | InputError]]:
    """Yield ``(source, spinscope/1 dict or InputError)`` for what ``specs`` name: spinscope JSON files
    (one analysis or a list), folders of them, ``spinscope batch`` folders, or articles in any form
    ``spinscope analyze`` reads, analysed with ``analyse``."""
    for spec in specs:
        path = Path(spec)
        articles: list[str] = []
        try:
            if path.is_dir() and (path / "batch.json").is_file():
                yield from _batch_analyses(path)
                continue
            if path.is_dir():
                for file in sorted(path.glob("*.json")):
                    data = _read_json(file)
                    if not _is_analysis(data):
                        yield str(file), InputError(str(file), f"not a {SCHEMA} analysis")
                    else:
                        yield str(file), data
                if any(f.suffix.lower() in _ARTICLE_SUFFIXES for f in path.iterdir()):
                    articles.append(spec)
            elif path.suffix.lower() == ".json" and path.is_file():
                data = _read_json(path)
                if _is_analysis(data):
                    yield spec, data
                elif isinstance(data, list) and data and all(_is_analysis(d) for d in data):
                    yield from ((f"{spec}#{n + 1}", d) for n, d in enumerate(data))
                else:
                    articles.append(spec)  # rows of articles (text, id, title...)
            else:
                articles.append(spec)
        except InputError as error:
            yield spec, error
            continue
        except (OSError, ValueError) as error:
            yield spec, InputError(spec, str(error))
            continue
        if articles:
            yield from _analysed(articles, analyse)


def _analysed(specs: list[str], analyse: Analyse | None) -> Iterator[tuple[str, dict[str, Any] | InputError]]:
    from spinscope.readers.inputs import iter_inputs

    for source, item in iter_inputs(specs):
        if isinstance(item, InputError):
            yield source, item
            continue
        if analyse is None:
            yield source, InputError(source, f"not a {SCHEMA} analysis (give spinscope JSON, or let export analyse)")
            continue
        try:
            yield source, analyse(item)
        except InputError as error:
            yield source, error


__all__ = ["AnnotationError", "analysis_from_doc", "doc_from_analysis", "iter_analyses"]
