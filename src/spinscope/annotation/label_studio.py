"""Label Studio: tasks with spinscope's spans as predictions, a labeling config, and its exports back.

Offsets. Label Studio's ``Text`` tag stores a region's ``value.start`` / ``value.end`` in Unicode code
points, the same unit as a Python ``str`` index, so they pass through unchanged. Source: Label Studio's own
end-to-end test ``web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts`` ("Should calculate offsets by code
points in text", with a 🐱 before the span; the fix is label-studio-frontend PR #308 / label-studio PR #1559,
after issue #1008 reported JavaScript UTF-16 offsets). The browser still measures in UTF-16 internally, so
some versions draw a region after an emoji a little off (label-studio issue #4988) while the exported
offsets stay right; the ``value.text`` each region carries is checked against the article on import.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from spinscope.annotation.model import AnnotationError, Doc, Mark, check_bounds, check_text, colour, span_error

FROM_NAME = "technique"
TO_NAME = "text"
TASKS_FILE = "tasks.json"
CONFIG_FILE = "labels.xml"


def labels_config(labels: list[str]) -> str:
    """The labeling config (Settings > Labeling Interface > Code): one label per technique, the text kept
    with its line breaks (pre-wrap), so what annotators see is what the offsets index."""
    lines = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        f'  <Labels name="{FROM_NAME}" toName="{TO_NAME}">',
        *(f"    <Label value={quoteattr(label)} background={quoteattr(colour(label))}/>" for label in labels),
        "  </Labels>",
        f'  <Text name="{TO_NAME}" value="$text"/>',
        "</View>",
    ]
    return "\n".join(lines) + "\n"


def task(doc: Doc, model_version: str) -> dict[str, Any]:
    """One Label Studio task: the article as data, spinscope's spans as a prediction to correct."""
    result = [
        {
            "id": f"s{n}",
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "value": {"start": m.start, "end": m.end, "text": doc.text[m.start : m.end], "labels": [m.label]},
            **({"score": round(m.score, 4)} if m.score is not None else {}),
        }
        for n, m in enumerate(doc.marks)
    ]
    data: dict[str, Any] = {"text": doc.text, "spinscope_id": doc.id, "title": doc.title or ""}
    if doc.meta:
        data["meta"] = doc.meta
    return {"data": data, "predictions": [{"model_version": model_version, "result": result}]}


def write(docs: list[Doc], out: Path, labels: list[str], model_version: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    tasks = out / TASKS_FILE
    tasks.write_text(
        json.dumps([task(d, model_version) for d in docs], ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    config = out / CONFIG_FILE
    config.write_text(labels_config(labels), encoding="utf-8")
    return [tasks, config]


# ---- import ----------------------------------------------------------------------------------


def _chosen(annotations: list[Any]) -> dict[str, Any] | None:
    """The annotation to import: a ground-truth one if marked, else the latest; cancelled ones never."""
    usable = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if not usable:
        return None
    truth = [a for a in usable if a.get("ground_truth")]
    pool = truth or usable
    return max(pool, key=lambda a: (str(a.get("updated_at") or a.get("created_at") or ""), str(a.get("id", ""))))


def _span_results(task: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The span results of a task's chosen annotation (full JSON export), or of a JSON-MIN row; None when
    the task was not annotated."""
    if "annotations" in task:
        chosen = _chosen(task.get("annotations") or [])
        return None if chosen is None else [r for r in chosen.get("result") or [] if isinstance(r, dict)]
    if "data" in task:  # an exported task nobody annotated (predictions only)
        return None
    # JSON-MIN: the control's name ("technique") holds [{start, end, text, labels}]
    for key, value in task.items():
        rows = value if key != "text" and isinstance(value, list) and value else []
        if rows and all(isinstance(v, dict) and "start" in v and "labels" in v for v in rows):
            return [{"value": v, "type": "labels"} for v in rows]
    return None


def read(path: Path) -> tuple[list[Doc], list[AnnotationError], int]:
    """The annotated tasks of a Label Studio JSON or JSON-MIN export (a file, or a folder of them), the
    tasks that could not be read, and the number skipped because nobody annotated them."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    docs: list[Doc] = []
    errors: list[AnnotationError] = []
    skipped = 0
    for file in files:
        try:
            tasks = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise AnnotationError(str(file), f"cannot read Label Studio JSON: {error}") from None
        if isinstance(tasks, dict):
            tasks = [tasks]
        if not isinstance(tasks, list):
            raise AnnotationError(str(file), "not a Label Studio export (expected a list of tasks)")
        for n, item in enumerate(tasks):
            if not isinstance(item, dict):
                errors.append(AnnotationError(str(file), f"task {n + 1} is not an object"))
                continue
            data = item.get("data") if isinstance(item.get("data"), dict) else item
            task_id = item.get("id", n + 1)
            where = f"{file}, task {task_id}"
            if not isinstance(data.get("text"), str):
                errors.append(AnnotationError(where, "has no text (expected data.text)"))
                continue
            results = _span_results(item)
            if results is None:
                skipped += 1
                continue
            meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
            doc = Doc(
                id=str(data.get("spinscope_id") or f"task-{task_id}"),
                text=data["text"],
                title=data.get("title") or None,
                meta=meta,
                where=where,
            )
            try:
                doc.marks = _marks(doc, results)
            except AnnotationError as error:
                errors.append(error)
                continue
            docs.append(doc)
    return docs, errors, skipped


def _marks(doc: Doc, results: list[dict[str, Any]]) -> list[Mark]:
    marks: set[Mark] = set()
    for n, result in enumerate(results, 1):
        value = result.get("value")
        if not isinstance(value, dict) or "start" not in value or result.get("type") not in (None, "labels"):
            continue  # relations, choices, comments: not spans
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels:
            raise span_error(doc, n, "?", value.get("start"), value.get("end"), "has no label")
        for label in labels:
            check_bounds(doc, value["start"], value.get("end"), str(label), n)
            mark = Mark(value["start"], value["end"], str(label))
            check_text(doc, mark, n, value.get("text") if isinstance(value.get("text"), str) else None)
            marks.add(mark)
    return sorted(marks)
