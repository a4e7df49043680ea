"""The annotation loop: spinscope's spans out to Label Studio, doccano or brat, and the corrections back.

:func:`export_annotations` turns ``spinscope/1`` analyses (files, folders, ``spinscope batch`` folders, or
articles analysed on the way) into pre-annotated tasks; :func:`import_annotations` turns a tool's export
into ``spinscope/1`` JSON whose technique spans are the annotators' (engine ``human``).

Each tool counts offsets its own way (documented, with sources, in its module): Label Studio and brat in
code points, like Python; doccano in UTF-16 code units, like JavaScript. :mod:`.model` converts at the edge.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from spinscope.annotation import brat, doccano, label_studio
from spinscope.annotation.model import AnnotationError, Doc, Mark, Utf16Index, all_labels, file_stem, own_labels
from spinscope.annotation.sources import Analyse, Which, analysis_from_doc, doc_from_analysis, iter_analyses
from spinscope.errors import InputError

Tool = Literal["label-studio", "doccano", "brat"]
TOOLS: tuple[str, ...] = ("label-studio", "doccano", "brat")


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    documents: int = 0
    spans: int = 0
    labels: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)


@dataclass
class ImportResult:
    written: list[Path] = field(default_factory=list)
    documents: int = 0
    spans: int = 0
    skipped: int = 0  # tasks nobody annotated (Label Studio)
    own_labels: list[str] = field(default_factory=list)  # labels that are not PTC techniques, kept as they are
    errors: list[InputError] = field(default_factory=list)


def _check_tool(tool: str) -> None:
    if tool not in TOOLS:
        raise ValueError(f"unknown annotation format {tool!r}; choose one of: {', '.join(TOOLS)}")


def write_docs(
    docs: list[Doc], tool: str, out: Path, labels: Sequence[str] = (), model_version: str = ""
) -> list[Path]:
    """Write documents in a tool's format into the folder ``out``; ``labels``: the user's own labels to
    offer besides the 14 techniques (and any the documents use)."""
    _check_tool(tool)
    every = all_labels(docs, labels)
    if tool == "label-studio":
        return label_studio.write(docs, out, every, model_version or "spinscope")
    if tool == "doccano":
        return doccano.write(docs, out, every)
    return brat.write(docs, out, every)


def read_docs(path: Path, tool: str) -> tuple[list[Doc], list[AnnotationError], int]:
    """The documents a tool's export holds, the ones that could not be read, and how many were skipped."""
    _check_tool(tool)
    if not path.exists():
        raise AnnotationError(str(path), "no such file or folder")
    reader = {"label-studio": label_studio.read, "doccano": doccano.read, "brat": brat.read}[tool]
    return reader(path)


def export_annotations(
    inputs: Iterable[str],
    tool: str,
    out: Path,
    *,
    spans: Which = "shown",
    labels: Sequence[str] = (),
    analyse: Analyse | None = None,
) -> ExportResult:
    """Export analyses (or articles, analysed with ``analyse``) as pre-annotated tasks into ``out``."""
    from spinscope import __version__

    _check_tool(tool)
    result = ExportResult()
    docs: list[Doc] = []
    engines: set[str] = set()
    for _source, item in iter_analyses(inputs, analyse):
        if isinstance(item, InputError):
            result.errors.append(item)
            continue
        docs.append(doc_from_analysis(item, spans))
        engine = (item.get("models") or {}).get("techniques", {}).get("engine")
        if engine:
            engines.add(str(engine))
    if docs:
        version = f"spinscope {__version__}" + (f" ({', '.join(sorted(engines))})" if engines else "")
        result.written = write_docs(docs, tool, out, labels, version)
    result.documents = len(docs)
    result.spans = sum(len(d.marks) for d in docs)
    result.labels = all_labels(docs, labels)
    return result


def import_annotations(path: Path, tool: str, out: Path) -> ImportResult:
    """Read a tool's export and write one ``spinscope/1`` JSON file per annotated document into ``out``."""
    docs, errors, skipped = read_docs(path, tool)
    result = ImportResult(errors=list(errors), skipped=skipped)
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for doc in docs:
        target = out / f"{file_stem(doc.id, used)}.json"
        data = analysis_from_doc(doc, tool)
        target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        result.written.append(target)
    result.documents = len(docs)
    result.spans = sum(len(d.marks) for d in docs)
    result.own_labels = own_labels(docs)
    return result


__all__ = [
    "TOOLS",
    "AnnotationError",
    "Doc",
    "ExportResult",
    "ImportResult",
    "Mark",
    "Utf16Index",
    "doc_from_analysis",
    "export_annotations",
    "import_annotations",
    "read_docs",
    "write_docs",
]
