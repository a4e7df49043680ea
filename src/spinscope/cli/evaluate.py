"""The reference and evaluation commands: ``techniques``, ``label-spans``, ``eval*``, ``sensitivity``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from spinscope.cli.shell import EngineName, SpinSplit, app, err, fail, out
from spinscope.errors import SpinscopeError


@app.command()
def techniques(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the 14 persuasion techniques with plain-language definitions."""
    from spinscope.techniques import TECHNIQUES

    if as_json:
        rows = [{"id": t.id, "name": t.name, "definition": t.definition, "example": t.example} for t in TECHNIQUES]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Persuasion techniques (SemEval-2020 Task 11)", show_lines=True)
    table.add_column("id", style="bold")
    table.add_column("technique")
    table.add_column("what it is")
    table.add_column("example", style="italic")
    for t in TECHNIQUES:
        table.add_row(t.id, t.name, t.definition, t.example)
    out.print(table)


@app.command("label-spans")
def label_spans(
    articles: Annotated[Path, typer.Option(help="Folder of article<ID>.txt files.")],
    spans: Annotated[Path, typer.Option(help="SemEval TC file: id<TAB>technique-or-?<TAB>start<TAB>end.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the labelled file.")],
) -> None:
    """Name the technique of given spans (the SemEval-2020 TC task)."""
    from spinscope.evaluation.techniques import predict_techniques
    from spinscope.scoring import read_labels, write_labels

    try:
        lines = read_labels(spans)
        predicted = predict_techniques(articles, lines)
    except SpinscopeError as error:
        raise fail(str(error)) from None
    write_labels(predicted, output)
    err.print(f"wrote {output} ({len(predicted)} spans)", highlight=False)


@app.command("eval")
def evaluate(
    articles: Annotated[Path, typer.Option(help="Folder of article<ID>.txt files.")],
    gold: Annotated[Path, typer.Option(help="Gold SemEval file (id, technique, start, end).")],
    pred: Annotated[
        Path | None, typer.Option(help="Predicted spans; predicted with the shipped model if absent.")
    ] = None,
    ids: Annotated[
        Path | None, typer.Option(help="Only score the article ids listed in this file (one per line).")
    ] = None,
    engine: Annotated[EngineName, typer.Option(help="Detector used when predicting.")] = EngineName.model,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """SemEval-2020 Task 11 figures: SI precision/recall/F1, TC micro-F1, per technique."""
    from spinscope.evaluation.techniques import evaluate_techniques, format_technique_report

    try:
        figures = evaluate_techniques(articles, gold, pred=pred, ids=ids, engine=engine.value)
    except SpinscopeError as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
    else:
        sys.stdout.write(format_technique_report(figures))


@app.command("eval-quotes")
def eval_quotes(
    polnear: Annotated[Path, typer.Option(help="A PolNeAR split folder holding text/ and attributions/.")],
) -> None:
    """Quote attribution figures on PolNeAR: source, cue and content P/R/F1, exact and overlap."""
    from spinscope.evaluation.quotes import evaluate_polnear, format_quote_report

    if not (polnear / "text").is_dir():
        raise fail(f"{polnear}: no text/ folder (expected a PolNeAR split, e.g. polnear/dev/data/dev)")
    sys.stdout.write(format_quote_report(evaluate_polnear(polnear)).rstrip("\n") + "\n")


@app.command("eval-voice")
def eval_voice(
    csv: Annotated[Path, typer.Option(help="CSV with columns Sentence,Label (OBJ/SUBJ).")],
) -> None:
    """Subjectivity figures on a NewsSD-style CSV: accuracy and macro-F1."""
    from spinscope.evaluation.voice import evaluate_voice, format_voice_report

    if not csv.exists():
        raise fail(f"{csv}: no such file")
    sys.stdout.write(format_voice_report(evaluate_voice(csv)).rstrip("\n") + "\n")


@app.command("eval-spin")
def eval_spin(
    split: Annotated[
        SpinSplit,
        typer.Option(
            help="dev (may be tuned on), report or fresh (never tuned on), or all (dev and report, and overall)."
        ),
    ] = SpinSplit.all,
    engine: Annotated[EngineName, typer.Option(help="Detector to score.")] = EngineName.model,
    sensitivity: Annotated[
        str | None, typer.Option(help="A sensitivity preset passed to analyze() (where this version has them).")
    ] = None,
    article: Annotated[
        list[str] | None, typer.Option("--article", help="Only this spin-set article id (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures and per-article counts as JSON.")] = False,
) -> None:
    """Recall and precision on the hand-marked set of invented articles with obvious spin (issues #23, #24)."""
    from spinscope.evaluation.spin import evaluate_spin, format_spin_report

    try:
        results = evaluate_spin(split.value, engine.value, sensitivity, only=article or ())
    except ValueError as error:
        raise fail(str(error)) from None
    if as_json:
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
    else:
        sys.stdout.write(format_spin_report(results))


@app.command()
def sensitivity(
    split: Annotated[
        SpinSplit,
        typer.Option(
            help="The spin set's split to measure: report or fresh (never tuned on), dev, or all (dev and report)."
        ),
    ] = SpinSplit.report,
    engine: Annotated[EngineName, typer.Option(help="Detector to score.")] = EngineName.model,
) -> None:
    """The sensitivity presets side by side: threshold, recall and precision on the spin set (measured now) and
    out-of-fold on PTC and the spin set's dev half (stored when the persuasion map was fitted)."""
    from spinscope.evaluation.spin import compare_sensitivities, format_sensitivities

    sys.stdout.write(format_sensitivities(compare_sensitivities(split.value, engine.value)))
