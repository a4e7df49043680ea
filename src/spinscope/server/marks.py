"""A reader's "wrong" and "missed" marks on a stored analysis, exported for an annotation tool.

The web page keeps the marks in the browser (localStorage, ``static/marks.js``) and posts them here to
download them in the formats ``spinscope export`` writes (the same writers, :mod:`spinscope.annotation`):

* ``label-studio``: one task whose prediction is what spinscope showed and whose annotation is the
  corrected set (shown spans, less the wrong ones, plus the missed ones), so that ``spinscope import
  --from label-studio`` reads the correction directly and Label Studio shows both;
* ``doccano``: one JSONL line with the corrected spans (UTF-16 offsets, as doccano counts);
* ``brat``: ``.txt``, ``.ann`` and ``annotation.conf`` in a zip.

Marks come with code point offsets (Python ``str`` indices, what the report's ``data-start`` use); each is
checked against the stored text.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from spinscope.annotation import label_studio, write_docs
from spinscope.annotation.model import HUMAN_ENGINE, Doc, Mark, all_labels
from spinscope.annotation.sources import doc_from_analysis

MAX_MARKS = 2000
MAX_LABEL = 100


class MarkIn(BaseModel):
    start: int = Field(ge=0, description="First character, in code points (Python str offsets).")
    end: int = Field(gt=0, description="One past the last character, in code points.")
    technique: str = Field(min_length=1, max_length=MAX_LABEL, description="A PTC technique id or your own label.")


class MarksIn(BaseModel):
    result_id: str = Field(description="The stored analysis (the permalink's id).")
    format: Literal["label-studio", "doccano", "brat"] = "label-studio"
    wrong: list[MarkIn] = Field(default_factory=list, max_length=MAX_MARKS, description="Shown spans that are wrong.")
    missed: list[MarkIn] = Field(default_factory=list, max_length=MAX_MARKS, description="Spans spinscope missed.")


class MarkProblem(ValueError):
    pass


def corrected_doc(analysis: dict[str, Any], wrong: list[MarkIn], missed: list[MarkIn]) -> tuple[Doc, Doc]:
    """(what spinscope showed, the corrected document): shown spans less ``wrong``, plus ``missed``."""
    shown = doc_from_analysis(analysis, "shown")
    text = shown.text
    for kind, marks in (("wrong", wrong), ("missed", missed)):
        for n, m in enumerate(marks, 1):
            if not m.start < m.end <= len(text):
                raise MarkProblem(f"{kind} mark {n} [{m.start}, {m.end}] is off the text ({len(text)} characters)")
    removed = {(m.start, m.end, m.technique) for m in wrong}
    kept = [m for m in shown.marks if (m.start, m.end, m.label) not in removed]
    added = [Mark(m.start, m.end, m.technique) for m in missed]
    corrected = Doc(shown.id, text, sorted(set(kept) | set(added)), shown.title, shown.meta)
    return shown, corrected


def export_marks(analysis: dict[str, Any], body: MarksIn) -> tuple[bytes, str, str]:
    """(file content, media type, file name) of the corrected analysis in ``body.format``."""
    shown, corrected = corrected_doc(analysis, body.wrong, body.missed)
    stem = f"spinscope-{body.result_id}-marks"
    if body.format == "label-studio":
        from spinscope import __version__

        task = label_studio.task(shown, f"spinscope {__version__}")
        answer = label_studio.task(corrected, HUMAN_ENGINE)["predictions"][0]["result"]
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        task["annotations"] = [{"result": answer, "created_at": stamp, "updated_at": stamp, "was_cancelled": False}]
        content = json.dumps([task], ensure_ascii=False, indent=1) + "\n"
        return content.encode("utf-8"), "application/json", f"{stem}.json"
    with tempfile.TemporaryDirectory() as folder:
        written = write_docs([corrected], body.format, Path(folder), all_labels([corrected]))
        if body.format == "doccano":
            data = next(p for p in written if p.suffix == ".jsonl")
            return data.read_bytes(), "application/x-ndjson", f"{stem}.jsonl"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in written:
                archive.write(path, f"{stem}/{path.name}")
        return buffer.getvalue(), "application/zip", f"{stem}.zip"


def marks_router(stored: Callable[[str], dict[str, Any]]) -> APIRouter:
    """``POST /api/marks/export``; ``stored`` returns a stored analysis or raises 404."""
    router = APIRouter()

    @router.post(
        "/api/marks/export",
        summary="Export a reader's wrong and missed marks",
        tags=["annotation"],
        responses={404: {"description": "No such stored analysis"}, 422: {"description": "A mark off the text"}},
    )
    def api_marks_export(body: MarksIn) -> Response:
        """The stored analysis with the reader's corrections (shown spans, less those marked wrong, plus
        those marked missed), as Label Studio tasks JSON, doccano JSONL or a brat zip: the formats of
        `spinscope export`, read back by `spinscope import`."""
        analysis = stored(body.result_id)
        try:
            content, media_type, name = export_marks(analysis, body)
        except MarkProblem as error:
            return JSONResponse({"error": "bad_mark", "message": str(error)}, 422)
        headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
        return Response(content, media_type=media_type, headers=headers)

    return router
