"""doccano: sequence-labeling JSONL (``text`` + ``label: [[start, end, label], ...]``) and its exports back.

Offsets. doccano counts UTF-16 code units, the length of a JavaScript string, not code points: its
annotator measures the text with ``text.length`` (doccano/v-annotator, ``src/domain/models/Label/Text.ts``,
whose ``codePointLength`` returns ``this.text.length``), and doccano issue #2290 ("Sequence labels are
TypeScript/JavaScript-style") shows ``👨🏻‍🚒 firemen drive firetrucks``: doccano stores ``firetrucks`` at
22-32, Python at 19-29. So every offset is converted at this edge. Projects created with "Count grapheme
clusters as one character" count user-perceived characters instead; those are not supported (a span that
lands inside a character is reported on import).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from spinscope.annotation.model import (
    AnnotationError,
    Doc,
    Mark,
    Utf16Index,
    check_bounds,
    colour,
    span_error,
)

DATA_FILE = "doccano.jsonl"
LABELS_FILE = "labels.json"


def line(doc: Doc) -> dict[str, Any]:
    """One JSONL line: offsets in UTF-16 code units; the spinscope id and title ride along as metadata."""
    index = Utf16Index(doc.text)
    row: dict[str, Any] = {
        "text": doc.text,
        "label": [[index.to_utf16(m.start), index.to_utf16(m.end), m.label] for m in doc.marks],
        "spinscope_id": doc.id,
    }
    if doc.title:
        row["title"] = doc.title
    return row


def labels_file(labels: list[str]) -> list[dict[str, Any]]:
    """doccano's label import format (Labels > Actions > Import Labels)."""
    return [
        {"text": label, "suffix_key": None, "background_color": colour(label), "text_color": "#000000"}
        for label in labels
    ]


def write(docs: list[Doc], out: Path, labels: list[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    data = out / DATA_FILE
    data.write_text("".join(json.dumps(line(d), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    names = out / LABELS_FILE
    names.write_text(json.dumps(labels_file(labels), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [data, names]


# ---- import ----------------------------------------------------------------------------------


def _spans(row: dict[str, Any]) -> list[tuple[Any, Any, Any]]:
    """``label: [[s, e, l]]`` (sequence labeling) or ``entities: [{start_offset, end_offset, label}]``
    (projects with relations)."""
    if isinstance(row.get("entities"), list):
        return [
            (e.get("start_offset"), e.get("end_offset"), e.get("label")) for e in row["entities"] if isinstance(e, dict)
        ]
    spans = row.get("label", [])
    if not isinstance(spans, list):
        return []
    out = []
    for span in spans:
        if isinstance(span, list | tuple) and len(span) == 3:
            out.append((span[0], span[1], span[2]))
        else:
            out.append((None, None, span))  # a classification label: reported below
    return out


def read(path: Path) -> tuple[list[Doc], list[AnnotationError], int]:
    """The documents of a doccano JSONL export (a file, or a folder of ``.jsonl`` files) and the lines that
    could not be read (nothing is skipped: doccano exports every document)."""
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    docs: list[Doc] = []
    errors: list[AnnotationError] = []
    for file in files:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise AnnotationError(str(file), f"cannot read doccano JSONL: {error}") from None
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            where = f"{file}, line {number}"
            try:
                row = json.loads(raw)
                if not isinstance(row, dict) or not isinstance(row.get("text"), str):
                    raise AnnotationError(where, "has no text")
                doc_id = row.get("spinscope_id") or (f"doccano-{row['id']}" if "id" in row else f"line-{number}")
                doc = Doc(id=str(doc_id), text=row["text"], title=row.get("title") or None, where=where)
                doc.marks = _marks(doc, _spans(row))
            except ValueError as error:
                errors.append(AnnotationError(where, f"not JSON: {error}"))
                continue
            except AnnotationError as error:
                errors.append(error)
                continue
            docs.append(doc)
    return docs, errors, 0


def _marks(doc: Doc, spans: list[tuple[Any, Any, Any]]) -> list[Mark]:
    index = Utf16Index(doc.text)
    length = index.to_utf16(len(doc.text))
    marks: set[Mark] = set()
    for n, (start, end, label) in enumerate(spans, 1):
        if not isinstance(label, str) or not label:
            raise span_error(doc, n, repr(label), start, end, "has no label")
        check_bounds(doc, start, end, label, n, length, "UTF-16 code units")
        first, last = index.from_utf16(start), index.from_utf16(end)
        if first is None or last is None:
            raise span_error(
                doc,
                n,
                label,
                start,
                end,
                "cuts a character outside the Basic Multilingual Plane in half (an emoji?): was the project set "
                "to count grapheme clusters as one character?",
            )
        marks.add(Mark(first, last, label))
    return sorted(marks)
