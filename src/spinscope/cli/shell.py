"""What every ``spinscope`` command shares: the Typer app, the consoles, the option choices, one-line errors."""

from __future__ import annotations

import errno
import math
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from spinscope import __version__

app = typer.Typer(
    name="spinscope",
    help="Find persuasion techniques, voices, quotes and checkable claims in news articles (offline, CPU).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# No console markup: messages carry paths, URLs and advice such as "pip install 'spinscope[corpus]'", whose
# brackets rich would read as style tags and swallow. Styles are given as Text objects instead.
out = Console(markup=False)
err = Console(stderr=True, markup=False)


def error_line(message: object) -> Text:
    """``spinscope: error: MESSAGE`` with the prefix in bold red and the message printed literally."""
    return Text.assemble(("spinscope: error:", "bold red"), " ", str(message))


def choices(name: str, *values: str) -> type[StrEnum]:
    """An option's choices as an enum: member ``label_studio`` for the value ``label-studio``."""
    return StrEnum(name, {value.replace("-", "_"): value for value in values})  # type: ignore[return-value]


Format = choices("Format", "text", "json", "html", "semeval")
SensitivityName = choices("SensitivityName", "precise", "balanced", "everything")
# fast: the technique model, quotes by the rules alone (no quote encoder)
EngineName = choices("EngineName", "model", "fast", "rules")
SpinSplit = choices("SpinSplit", "dev", "report", "all", "fresh")
AnnotationTool = choices("AnnotationTool", "label-studio", "doccano", "brat")
WhichSpans = choices("WhichSpans", "shown", "all")
RunnerName = choices("RunnerName", "local", "ray")
StatsFormat = choices("StatsFormat", "table", "csv", "json")


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a one-line error (no traceback) and return the Exit to raise."""
    err.print(error_line(message), highlight=False, soft_wrap=True)
    return typer.Exit(code)


def write_output(path: Path, text: str) -> None:
    """Write an output file, or exit with one line saying why not and what to do (disk full, read-only)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise fail(f"{path}: cannot write ({error.strerror or error}); {write_advice(error)}") from None


def write_advice(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full: free some space and run it again"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only: choose another with -o"
    return "check the path and run it again"


def check_score(value: float) -> float:
    """--min-score: a number from 0 to 1 (NaN would silently drop every span: ``score >= nan`` is never true)."""
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise typer.BadParameter(f"must be a number from 0 to 1, not {value}")
    return value


def _version(value: bool) -> None:
    if value:
        out.print(f"spinscope {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """spinscope reads news articles and shows how they persuade."""


# ---- the annotation loop's adapted model (spinscope.annotation.adapt*) --------------------------------------
MODEL_OPTION = typer.Option(
    "--model", help="An adapted technique model folder (written by spinscope train) instead of the shipped one."
)


def use_model(model: Path | None, engine: str) -> None:
    """Load ``--model`` for the model and fast engines (none: the shipped model), or exit with one line saying
    why it cannot be."""
    from spinscope.errors import SpinscopeError

    if model is not None and engine == "rules":
        raise fail("--model adapts the trained model: it does not apply to --engine rules", 2)
    from spinscope.pipeline import use_technique_model

    try:
        use_technique_model(model)
    except SpinscopeError as error:
        raise fail(str(error)) from None
