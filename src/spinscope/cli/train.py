"""``spinscope train``: the command; the work is :mod:`spinscope.annotation.adapt_train`'s (imported when it runs,
so that the CLI's start-up does not load the annotation package)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from spinscope.cli.shell import app
from spinscope.errors import SpinscopeError


@app.command("train")
def train_command(
    corrections: Annotated[
        Path,
        typer.Option(
            "--corrections",
            help="Folder of corrected articles: spinscope/1 JSON with human spans, as spinscope import writes them.",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model folder to write (adapter + manifest).")],
    ptc: Annotated[
        Path | None,
        typer.Option(
            help="PTC's train folder, mixed in to keep what the model knew and scored on its 37 validation "
            "articles; default: shared/corpora/ptc/train beside this folder or above it, when there."
        ),
    ] = None,
    no_ptc: Annotated[bool, typer.Option("--no-ptc", help="Train on the corrections alone.")] = False,
    ptc_articles: Annotated[int, typer.Option(min=0, help="PTC training articles to mix in.")] = 100,
    epochs: Annotated[int, typer.Option(min=1, help="Passes over the data per fit.")] = 4,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds over the corrected articles.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed (sampling, initial weights).")] = 13,
) -> None:
    """Adapt the technique model to corrections (new examples, removed spans, your own labels), on the CPU.

    Needs PyTorch (the "train" extra of spinscope). Use the result with spinscope analyze --model DIR or
    spinscope serve --model DIR."""
    from spinscope.annotation.adapt_data import find_ptc

    try:
        from spinscope.annotation.adapt_train import TrainSettings, format_report, require_torch, train

        require_torch()
        root = None if no_ptc else (ptc or find_ptc())
        if root is None and not no_ptc:
            _say("no PTC folder found: training on the corrections alone (give --ptc DIR to mix PTC in)")
        settings = TrainSettings(ptc_articles=ptc_articles, epochs=epochs, folds=folds, seed=seed)
        manifest = train(corrections, output, ptc=root, settings=settings, say=_say)
    except SpinscopeError as error:
        sys.stderr.write(f"spinscope: error: {error}\n")
        raise typer.Exit(1) from None
    sys.stdout.write(format_report(manifest) + "\n")
    own = manifest.get("own_labels") or []
    if own:
        sys.stdout.write(f"your own techniques: {', '.join(own)}\n")
    sys.stdout.write(f"wrote {output}/ (use it with: spinscope analyze --model {output} ARTICLE)\n")


def _say(message: str) -> None:
    sys.stderr.write(f"spinscope: {message}\n")
    sys.stderr.flush()
