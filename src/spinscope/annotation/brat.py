"""brat: one ``.txt`` + ``.ann`` (standoff) pair per article, with ``annotation.conf`` and ``visual.conf``.

Offsets. brat's standoff format gives text-bound annotations as ``T1<TAB>TYPE START END<TAB>TEXT``, character
offsets from 0, end exclusive, into the UTF-8 ``.txt`` (brat.nlplab.org/standoff.html). The brat server reads
the text into a Python string and checks each annotation's TEXT against ``text[start:end]``
(nlplab/brat ``server/src/annotation.py``), so offsets are Python indices: code points, as in spinscope, and
pass through unchanged. (brat's browser client has a known bug placing new annotations after astral
characters, nlplab/brat issue #1115; the TEXT field is checked here on import.)

Type names. brat stores a type only if it matches ``[A-Za-z0-9_-]`` (``normalize_to_storage_form`` in
``server/src/projectconfig.py``), so PTC ids such as ``Name_Calling,Labeling`` are written with ``_`` for the
comma and mapped back on import; ``visual.conf`` shows the plain-language names. A span that crosses a line
break is written as fragments (``START END;START END``), since TEXT cannot hold one.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from spinscope.annotation.model import (
    AnnotationError,
    Doc,
    Mark,
    check_bounds,
    colour,
    display_name,
    file_stem,
    span_error,
)
from spinscope.techniques import TECHNIQUE_IDS

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
FRAGMENT_SEPARATOR = " "  # brat joins the texts of a span's fragments with one space


def storage_name(label: str) -> str:
    return _UNSAFE.sub("_", label.replace(" ", "_")) or "_"


_FROM_STORAGE = {storage_name(t): t for t in TECHNIQUE_IDS}
assert len(_FROM_STORAGE) == len(TECHNIQUE_IDS)  # the mapping must stay one to one


def label_of(name: str) -> str:
    return _FROM_STORAGE.get(name, name)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` between line breaks (empty parts dropped)."""
    parts, at = [], start
    for piece in text[start:end].split("\n"):
        if piece:
            parts.append((at, at + len(piece)))
        at += len(piece) + 1
    return parts


def ann(doc: Doc) -> str:
    lines = []
    for n, m in enumerate(doc.marks, 1):
        parts = fragments(doc.text, m.start, m.end) or [(m.start, m.end)]
        where = ";".join(f"{a} {b}" for a, b in parts)
        shown = FRAGMENT_SEPARATOR.join(doc.text[a:b] for a, b in parts)
        lines.append(f"T{n}\t{storage_name(m.label)} {where}\t{shown}\n")
    return "".join(lines)


OWN_PREFIX = "# spinscope label: "  # brat skips lines starting with #; import reads these back


def annotation_conf(labels: list[str]) -> str:
    # the user's own labels that brat cannot store as they are: their names, for import
    own = "".join(
        f"{OWN_PREFIX}{storage_name(label)}\t{label}\n"
        for label in labels
        if label not in TECHNIQUE_IDS and storage_name(label) != label
    )
    entities = "\n".join(storage_name(label) for label in labels)
    return f"{own}[entities]\n{entities}\n\n[relations]\n\n[events]\n\n[attributes]\n"


def own_names(folder: Path) -> dict[str, str]:
    """The own labels' names that ``annotation.conf`` recorded (storage form -> name)."""
    try:
        lines = (folder / "annotation.conf").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    pairs = (line[len(OWN_PREFIX) :].split("\t", 1) for line in lines if line.startswith(OWN_PREFIX))
    return {p[0]: p[1] for p in pairs if len(p) == 2}


def visual_conf(labels: list[str]) -> str:
    names = "\n".join(f"{storage_name(label)} | {display_name(label)}" for label in labels)
    drawing = "\n".join(f"{storage_name(label)}\tbgColor:{colour(label)}" for label in labels)
    return f"[labels]\n{names}\n\n[drawing]\n{drawing}\n"


def write(docs: list[Doc], out: Path, labels: list[str]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    used = {"annotation", "visual"}
    for doc in docs:
        stem = file_stem(doc.id, used)
        txt, annotations = out / f"{stem}.txt", out / f"{stem}.ann"
        # newline="": the text is written byte for byte (no \r added), so offsets index the file
        with txt.open("w", encoding="utf-8", newline="") as handle:
            handle.write(doc.text)
        with annotations.open("w", encoding="utf-8", newline="") as handle:
            handle.write(ann(doc))
        written += [txt, annotations]
    for name, content in (("annotation.conf", annotation_conf(labels)), ("visual.conf", visual_conf(labels))):
        (out / name).write_text(content, encoding="utf-8")
        written.append(out / name)
    return written


# ---- import ----------------------------------------------------------------------------------

_TEXT_BOUND = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")


def read(path: Path) -> tuple[list[Doc], list[AnnotationError], int]:
    """The documents of a brat folder (each ``X.txt`` with its ``X.ann``) or of one ``.ann`` file, and the
    pairs that could not be read."""
    anns = sorted(path.glob("*.ann")) if path.is_dir() else [path]
    if path.is_dir() and not anns:
        raise AnnotationError(str(path), "no .ann files (a brat folder holds X.txt and X.ann pairs)")
    docs: list[Doc] = []
    errors: list[AnnotationError] = []
    for file in anns:
        try:
            docs.append(_read_pair(file, own_names(file.parent)))
        except AnnotationError as error:
            errors.append(error)
    return docs, errors, 0


def _read_pair(ann_path: Path, names: dict[str, str]) -> Doc:
    txt = ann_path.with_suffix(".txt")
    try:
        with txt.open(encoding="utf-8", newline="") as handle:
            text = handle.read()
        lines = ann_path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        raise AnnotationError(str(ann_path), f"cannot read the brat pair: {error}") from None
    doc = Doc(id=ann_path.stem, text=text, where=str(ann_path))
    marks: set[Mark] = set()
    count = 0
    for number, raw in enumerate(lines, 1):
        if not raw.startswith("T"):
            continue  # relations, events, attributes, notes: not spans
        count += 1
        match = _TEXT_BOUND.match(raw)
        if match is None:
            raise AnnotationError(
                f"{ann_path}, line {number}", "not a text-bound annotation (T1<TAB>TYPE START END<TAB>TEXT)"
            )
        span_id, name, where, shown = match.groups()
        label = names.get(name) or label_of(name)
        doc.where = f"{ann_path}, {span_id} on line {number}"
        parts = [tuple(int(x) for x in part.split()) for part in where.split(";")]
        for a, b in parts:
            check_bounds(doc, a, b, label, count)
        start, end = min(a for a, _ in parts), max(b for _, b in parts)
        pieces = FRAGMENT_SEPARATOR.join(text[a:b] for a, b in parts)
        if pieces != shown:
            raise span_error(
                doc, count, label, start, end, f"its text {shown!r} does not match the article's {pieces!r}"
            )
        gaps = "".join(text[b:a] for (_, b), (a, _) in itertools.pairwise(parts))
        if gaps.strip():
            raise span_error(
                doc,
                count,
                label,
                start,
                end,
                "has fragments with text between them (kept as one span only across line breaks)",
            )
        marks.add(Mark(start, end, label))
    doc.where = str(ann_path)
    doc.marks = sorted(marks)
    return doc
