"""``spinscope export`` and ``spinscope import``: spans to and from annotation tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from spinscope.cli.shell import AnnotationTool, EngineName, SensitivityName, WhichSpans, app, err, error_line, fail
from spinscope.errors import SpinscopeError


@app.command("export")
def export(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="spinscope JSON files or folders, `spinscope batch` folders, or articles (analysed first)."
        ),
    ],
    to: Annotated[AnnotationTool, typer.Option("--to", help="The annotation tool to write for.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder (tasks, labels config).")],
    spans: Annotated[
        WhichSpans, typer.Option(help="shown: the spans the views show (default); all: every span in the JSON.")
    ] = WhichSpans.shown,
    label: Annotated[
        list[str] | None, typer.Option("--label", help="Your own label, offered besides the 14 techniques (repeat).")
    ] = None,
    engine: Annotated[EngineName, typer.Option(help="Engine for articles that need analysing.")] = EngineName.model,
    sensitivity: Annotated[
        SensitivityName, typer.Option(help="Sensitivity for articles that need analysing (decides 'shown').")
    ] = SensitivityName.balanced,
) -> None:
    """Write spinscope's spans as pre-annotated tasks for Label Studio, doccano or brat (docs/annotation.md)."""
    from spinscope.annotation import export_annotations

    def analyse(article: object) -> dict:
        from spinscope.pipeline import analyze as run_analysis

        return run_analysis(article, engine=engine.value, sensitivity=sensitivity.value).to_dict()  # type: ignore[arg-type]

    try:
        result = export_annotations(
            inputs,
            to.value,
            output,
            spans=spans.value,
            labels=label or (),
            analyse=analyse,  # type: ignore[arg-type]
        )
    except SpinscopeError as error:
        raise fail(str(error)) from None
    for error in result.errors:
        err.print(error_line(error), highlight=False, soft_wrap=True)
    if result.written:
        err.print(
            f"wrote {result.documents} articles with {result.spans} spans for {to.value}: "
            + ", ".join(str(p) for p in result.written[:4])
            + (f" and {len(result.written) - 4} more files" if len(result.written) > 4 else ""),
            highlight=False,
            soft_wrap=True,
        )
    if result.errors:
        err.print(f"{len(result.errors)} of {len(result.errors) + result.documents} inputs failed", highlight=False)
        raise typer.Exit(1)
    if not result.documents:
        raise fail("no articles to export")


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="A tool's export: a file, or a folder of them (brat: the folder).")],
    from_: Annotated[AnnotationTool, typer.Option("--from", help="The annotation tool that wrote it.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for the spinscope/1 JSON files.")],
) -> None:
    """Turn corrected annotations into spinscope/1 JSON with the human spans (engine "human")."""
    from spinscope.annotation import import_annotations

    try:
        result = import_annotations(source, from_.value, output)
    except SpinscopeError as error:
        raise fail(str(error)) from None
    for error in result.errors:
        err.print(error_line(error), highlight=False, soft_wrap=True)
    if result.own_labels:
        err.print(
            f"kept {len(result.own_labels)} label{'s' if len(result.own_labels) > 1 else ''} that "
            f"{'are' if len(result.own_labels) > 1 else 'is'} not one of the 14 PTC techniques as your own: "
            + ", ".join(result.own_labels),
            highlight=False,
            soft_wrap=True,
        )
    if result.skipped:
        err.print(f"skipped {result.skipped} tasks nobody annotated", highlight=False)
    if result.documents:
        err.print(f"wrote {result.documents} articles with {result.spans} human spans to {output}", highlight=False)
    if result.errors:
        err.print(f"{len(result.errors)} of {len(result.errors) + result.documents} documents failed", highlight=False)
        raise typer.Exit(1)
    if not result.documents:
        raise fail(f"{source}: no annotated documents to import")
