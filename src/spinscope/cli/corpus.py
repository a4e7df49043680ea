"""The corpus commands: ``spinscope batch``, ``stats`` and ``stories``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from spinscope.cli.shell import EngineName, RunnerName, StatsFormat, app, check_score, err, fail, out, write_advice


@app.command()
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(help="Folders of .txt/.html, JSONL/CSV/Parquet files (text + id, title, url, outlet, date)."),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output folder (Parquet parts, errors.jsonl).")],
    workers: Annotated[
        int | None,
        typer.Option(
            help="Worker processes (local; default: the CPUs; 0: no pool) or Ray actors (default: the cluster's CPUs)."
        ),
    ] = None,
    engine: Annotated[
        EngineName, typer.Option(help="model; fast: quotes by the rules alone (~1.5x); rules: technique rules.")
    ] = EngineName.model,
    min_score: Annotated[
        float, typer.Option(callback=check_score, help="Drop technique spans scored below this (0-1).")
    ] = 0.0,
    chunk_size: Annotated[
        int,
        typer.Option(
            min=1, help="Articles per chunk: one part file per chunk; a kill loses at most the chunks in flight."
        ),
    ] = 100,
    runner: Annotated[
        RunnerName, typer.Option(help="Where to run: worker processes here (local) or a Ray cluster (ray).")
    ] = RunnerName.local,
    address: Annotated[
        str | None,
        typer.Option(help="--runner ray: the cluster to join (auto, or HEAD-IP:6379); default: start a local one."),
    ] = None,
    retry_errors: Annotated[bool, typer.Option(help="Retry the inputs recorded in errors.jsonl.")] = False,
    progress: Annotated[bool, typer.Option(help="Show the progress bar.")] = True,
) -> None:
    """Analyse a corpus into Parquet (resumable: rerun the same command after a crash)."""
    from spinscope.batch import BatchError, Reporter, RichReporter, run_batch

    reporter = RichReporter(err) if progress else Reporter()
    try:
        result = run_batch(
            inputs,
            output,
            runner=runner.value,
            workers=workers,
            engine=engine.value,
            min_score=min_score,
            chunk_size=chunk_size,
            address=address,
            retry_errors=retry_errors,
            reporter=reporter,
        )
    except (BatchError, ValueError) as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:
        raise fail(
            f"interrupted: the parts written so far are kept in {output}; rerun the same command to resume", 130
        ) from None
    for why in result.damaged:  # before the summary: these articles were analysed again
        err.print(
            f"set aside a damaged part ({why}): its articles were analysed again", highlight=False, soft_wrap=True
        )
    skipped = result.skipped_done + result.skipped_failed
    err.print(
        f"wrote {result.written} articles in {result.parts} parts to {output} "
        f"({result.rate:.1f} inputs/s, {result.seconds:.1f} s)"
        + (f"; {result.failed} failed (see {output / 'errors.jsonl'})" if result.failed else "")
        + (f"; skipped {skipped} already done or failed" if skipped else "")
        + (f"; {result.duplicates} duplicate ids skipped" if result.duplicates else ""),
        highlight=False,
        soft_wrap=True,
    )
    from spinscope.batch.dates import unread_dates

    unread, examples = unread_dates(output)
    if unread:  # kept as written, counted as undated by stats: say so rather than lose them silently
        shown = ", ".join(repr(e) for e in examples)
        err.print(
            f"{unread} article{'s have dates' if unread > 1 else ' has a date'} that name no full date ({shown}): "
            "kept as written in `date`, counted as undated (docs/corpus.md lists the forms read)",
            highlight=False,
            soft_wrap=True,
        )
    if result.renamed:  # ids that repeat across inputs: kept, under INPUT#ID
        shown = ", ".join(f"{source}: {old} -> {new}" for source, old, new in result.renamed[:5])
        more = f" and {len(result.renamed) - 5} more" if len(result.renamed) > 5 else ""
        count = len(result.renamed)
        err.print(
            f"renamed {count} article{'s' if count > 1 else ''} whose id another input uses first: {shown}{more}",
            highlight=False,
            soft_wrap=True,
        )
    if result.edited:  # inputs changed since their analysis: the old rows were replaced
        shown = ", ".join(f"{source} ({key})" for source, key in result.edited[:5])
        more = f" and {len(result.edited) - 5} more" if len(result.edited) > 5 else ""
        count = len(result.edited)
        err.print(
            f"analysed {count} edited input{'s' if count > 1 else ''} again, replacing the old rows: {shown}{more}",
            highlight=False,
            soft_wrap=True,
        )
    failed = result.failed + result.skipped_failed
    if failed:  # refused or failed inputs: the output is not the whole corpus, and a script must see it
        raise fail(
            f"{failed} input{'s' if failed > 1 else ''} could not be analysed: see {output / 'errors.jsonl'} "
            "(fix them and rerun with --retry-errors)"
        )


@app.command()
def stats(
    outdir: Annotated[Path, typer.Argument(help="A folder written by `spinscope batch`.")],
    format: Annotated[StatsFormat, typer.Option("--format", "-f", help="Output format.")] = StatsFormat.table,
    plots: Annotated[
        Path | None,
        typer.Option(help="Write outlet_rates.png, technique_profile.png, trend.png and report.html into this folder."),
    ] = None,
    export: Annotated[
        Path | None, typer.Option(help="Write every table as NAME.csv and NAME.parquet into this folder.")
    ] = None,
    count: Annotated[
        str, typer.Option(help="shown: the spans the default view draws (the batch's sensitivity); all: every span.")
    ] = "shown",
    voice: Annotated[
        str,
        typer.Option(help="writer: the outlet's own words (outside direct quotes); all: quoted speakers' words too."),
    ] = "writer",
    sensitivity: Annotated[
        str | None, typer.Option(help="With --count shown: count what this preset shows (precise, balanced).")
    ] = None,
    period: Annotated[str, typer.Option(help="Period of the per-period tables: day, week, month or year.")] = "month",
    top: Annotated[int, typer.Option(min=1, help="Loaded phrases shown per technique.")] = 5,
    min_count: Annotated[int, typer.Option(min=1, help="Loaded phrases found fewer times are left out.")] = 2,
    seed: Annotated[int, typer.Option(help="Seed of the bootstrap intervals.")] = 0,
) -> None:
    """Corpus figures per outlet and period with 95% intervals, techniques, loaded phrases and who is quoted."""
    from spinscope.batch import BatchError
    from spinscope.batch.stats import compute_stats
    from spinscope.batch.stats_render import export_tables, print_tables, to_csv, to_json, write_report

    try:
        tables = compute_stats(
            outdir,
            count=count,  # type: ignore[arg-type]
            voice=voice,  # type: ignore[arg-type]
            sensitivity=sensitivity,
            period=period,
            top_phrases=top,
            min_count=min_count,
            seed=seed,
        )
    except (BatchError, ValueError) as error:
        raise fail(str(error)) from None
    if format is StatsFormat.table:
        print_tables(tables, out)
    elif format is StatsFormat.csv:
        sys.stdout.write(to_csv(tables))
    else:
        sys.stdout.write(to_json(tables))
    written = [*export_tables(tables, export)] if export is not None else []
    if plots is not None:
        try:
            written += write_report(tables, plots).values()
        except OSError as error:
            raise fail(f"{plots}: cannot write ({error.strerror or error}); {write_advice(error)}") from None
    if written:
        err.print("wrote " + ", ".join(str(path) for path in written), highlight=False, soft_wrap=True)


@app.command()
def stories(
    outdir: Annotated[Path, typer.Argument(help="A folder written by `spinscope batch`.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder for stories.parquet and the pages.")],
    window: Annotated[int, typer.Option(min=0, help="Days between two articles of one story, at most.")] = 3,
    copy_window: Annotated[
        int, typer.Option(min=0, help="Days between a near copy (cosine 0.6 or more) and its original, at most.")
    ] = 30,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Wording similarity (TF-IDF cosine) that links two articles.")
    ] = 0.3,
    min_outlets: Annotated[int, typer.Option(min=1, help="Write a page for stories told by this many outlets.")] = 2,
) -> None:
    """Group a corpus into stories (the same event across outlets) and show each with its outlets side by side."""
    from spinscope.batch import BatchError
    from spinscope.batch.stories import write_stories

    try:
        written = write_stories(
            outdir,
            output,
            threshold=threshold,
            window_days=window,
            copy_window_days=copy_window,
            min_outlets=min_outlets,
        )
    except BatchError as error:
        raise fail(str(error)) from None
    err.print(
        f"{written['articles']} articles in {written['stories']} stories, {written['across_outlets']} told by "
        f"{min_outlets}+ outlets: {written['parquet']}, {output / 'index.html'}",
        highlight=False,
        soft_wrap=True,
    )
