"""The ``spinscope`` command: a thin shell over :mod:`spinscope.pipeline` and the renderers."""

from __future__ import annotations

import errno
import io
import itertools
import json
import math
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from spinscope import __version__
from spinscope.errors import InputError, SpinscopeError

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


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    semeval = "semeval"


class SensitivityName(StrEnum):
    precise = "precise"
    balanced = "balanced"
    everything = "everything"


class EngineName(StrEnum):
    model = "model"
    fast = "fast"  # the technique model, quotes by the rules alone (no quote encoder)
    rules = "rules"


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
        raise fail(f"{path}: cannot write ({error.strerror or error}); {_write_advice(error)}") from None


def _write_advice(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "the disk is full: free some space and run it again"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only: choose another with -o"
    return "check the path and run it again"


def _score(value: float) -> float:
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


SUFFIX = {Format.text: ".txt", Format.json: ".json", Format.html: ".html", Format.semeval: ".txt"}


@app.command()
def analyze(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders, URLs, JSONL/CSV files, or - for stdin.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Output file (one input) or folder.")] = None,
    engine: Annotated[
        EngineName, typer.Option(help="model; fast: quotes by the rules alone (~1.5x); rules: technique rules.")
    ] = EngineName.model,
    min_score: Annotated[
        float,
        typer.Option(
            callback=_score, help="Drop technique spans scored below this (0-1), from the JSON too; default: keep all."
        ),
    ] = 0.0,
    sensitivity: Annotated[
        SensitivityName,
        typer.Option(
            help="Which persuasive passages the views show and the summary counts: precise (fewer, surer), "
            "balanced, everything (every span found). The JSON keeps every span, with its 'shown' flag.",
        ),
    ] = SensitivityName.balanced,
    show_weak: Annotated[
        bool,
        typer.Option(
            "--show-weak",
            help="Text and HTML views: also draw (faded) the spans the sensitivity leaves out; the JSON always "
            "has them.",
        ),
    ] = False,
    html: Annotated[Path | None, typer.Option(help="Also write the HTML report here (one input).")] = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Also write the JSON analysis here (one input).")
    ] = None,
    allow_private_urls: Annotated[bool, typer.Option(hidden=True)] = False,
    model: Annotated[Path | None, MODEL_OPTION] = None,
) -> None:
    """Analyse articles and print or write the reports."""
    from spinscope.runtime.preload import preload_models

    use_model(model, engine.value)

    # the ONNX sessions are created in a background thread while the rest loads and the input is read
    preload_models(engine.value)
    from spinscope.pipeline import analyze as run_analysis
    from spinscope.readers.inputs import iter_inputs

    failures = 0
    done: list[tuple[str, dict]] = []
    # One output per article in a folder when there are several inputs (or the target is a folder).
    many = output is not None and (output.is_dir() or len(inputs) > 1 or Path(inputs[0]).is_dir())
    items = iter_inputs(inputs, stdin=sys.stdin.buffer, allow_private=allow_private_urls)
    one_file = [f"{flag} {path}" for flag, path in (("--html", html), ("--json", json_path)) if path is not None]
    if output is not None and not many and format is not Format.semeval:
        one_file.insert(0, f"-o {output}")
    if one_file:  # a second article would overwrite the first: look ahead before writing anything
        first = list(itertools.islice(items, 2))
        if len(first) > 1:
            raise fail(
                f"{' and '.join(one_file)} name one file, but the input holds several articles: "
                "give a folder (-o DIR/) to write one file per article",
                2,
            )
        items = iter(first)
    names: set[str] = set()  # the files written in this run's folder: none may overwrite another
    for source, item in items:
        try:
            if isinstance(item, InputError):
                raise item
            analysed = run_analysis(item, engine=engine.value, min_score=min_score, sensitivity=sensitivity.value)
            result = analysed.to_dict()
        except InputError as error:
            failures += 1
            err.print(error_line(_for_people(error)), highlight=False, soft_wrap=True)
            continue
        except SpinscopeError as error:
            raise fail(str(error)) from None
        done.append((source, result))
        if format is Format.semeval:
            continue  # written together below
        if format is Format.text:
            rendered = None
        elif format is Format.json:
            rendered = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
        else:
            rendered = _render_html(result, show_weak)
        if output is None:
            if rendered is None:
                _render_terminal(result, out, show_weak)
            else:
                sys.stdout.write(rendered)
        else:
            target = output / _unique_name(source, result, SUFFIX[format], names) if many else output
            if rendered is None:
                buffer = io.StringIO()
                _render_terminal(result, Console(file=buffer, width=100, no_color=True), show_weak)
                rendered = buffer.getvalue()
            write_output(target, rendered)
            err.print(f"wrote {target}", highlight=False)
        if html is not None:
            write_output(html, _render_html(result, show_weak))
            err.print(f"wrote {html}", highlight=False)
        if json_path is not None:
            write_output(json_path, json.dumps(result, ensure_ascii=False, indent=2) + "\n")
            err.print(f"wrote {json_path}", highlight=False)
    if format is Format.semeval and done:
        from spinscope.render.semeval import semeval_lines

        lines = [line for source, result in done for line in semeval_lines(result, _semeval_id(source, result))]
        text = "".join(line + "\n" for line in lines)
        if output is None:
            sys.stdout.write(text)
        else:
            write_output(output, text)
            err.print(f"wrote {output} ({len(lines)} spans)", highlight=False)
    if failures:
        err.print(f"{failures} of {failures + len(done)} inputs failed", highlight=False)
        raise typer.Exit(1)


def _for_people(error: InputError) -> str:
    """The error's line in plain words (a failed fetch says what to do, not the resolver's text)."""
    from spinscope.messages import for_people
    from spinscope.normalise import visible_controls

    message, _detail = for_people(error, "cli")
    return visible_controls(f"{error.source}: {message}")


# The renderers are imported only by the formats that use them (jinja2 and the templates for HTML).
def _render_html(result: dict, show_weak: bool) -> str:
    from spinscope.render.html import render_html

    return render_html(result, show_weak=show_weak)


def _render_terminal(result: dict, console: Console, show_weak: bool) -> None:
    from spinscope.render.terminal import render_terminal

    render_terminal(result, console, show_weak=show_weak)


def _file_stem(source: str, result: dict) -> str:
    name = Path(source.split("#")[0].split("?")[0]).stem
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or str(result["id"])


def _unique_name(source: str, result: dict, suffix: str, used: set[str]) -> str:
    """The output file name of an article in a folder, unlike those in ``used`` (which it joins): two
    folders' ``article1.txt`` give ``article1.json`` and ``<folder>_article1.json``, then ``-2``, ``-3``..."""
    stem = _file_stem(source, result)
    parent = _file_stem(str(Path(source.split("#")[0]).parent), result) if "://" not in source else ""
    candidates = [stem, f"{parent}_{stem}"] if parent and parent != stem else [stem]
    number = 2
    while all(c.lower() + suffix in used for c in candidates):
        candidates.append(f"{stem}-{number}")
        number += 1
    name = next(c for c in candidates if c.lower() + suffix not in used) + suffix
    used.add(name.lower())
    return name


def _semeval_id(source: str, result: dict) -> str:
    from spinscope.readers.text import article_id_for

    stem = Path(source).name
    return article_id_for(source) if stem.startswith("article") else str(result["id"])


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


class SpinSplit(StrEnum):
    dev = "dev"
    report = "report"
    fresh = "fresh"
    all = "all"


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


class AnnotationTool(StrEnum):
    label_studio = "label-studio"
    doccano = "doccano"
    brat = "brat"


class WhichSpans(StrEnum):
    shown = "shown"
    all = "all"


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


class RunnerName(StrEnum):
    local = "local"
    ray = "ray"


class StatsFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


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
        float, typer.Option(callback=_score, help="Drop technique spans scored below this (0-1).")
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
            raise fail(f"{plots}: cannot write ({error.strerror or error}); {_write_advice(error)}") from None
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


@app.command()
def extension(
    port: Annotated[
        int,
        typer.Option(
            min=1,
            max=65535,
            envvar="SPINSCOPE_PORT",
            help="The port your `spinscope serve` listens on (or $SPINSCOPE_PORT).",
        ),
    ] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Also open chrome://extensions in Chrome or Chromium, where one is found.")
    ] = False,
) -> None:
    """Where the browser extension is, and how to load it into Chrome or Chromium."""
    from spinscope.browser_extension import extension_folder, find_browser, load_steps, open_extensions_page

    folder = extension_folder()
    if not (folder / "manifest.json").is_file():
        raise fail(f"the extension is missing from this installation ({folder}): reinstall spinscope")
    out.print(load_steps(folder, port), highlight=False, soft_wrap=True)
    if open_browser:
        browser = find_browser()
        if browser is None:
            raise fail(
                "could not open a browser from here (none found, or no display): open chrome://extensions "
                "in your browser yourself, then follow the steps above"
            )
        open_extensions_page(browser)
        err.print(f"spinscope: opening chrome://extensions with {' '.join(browser)}", highlight=False)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, envvar="SPINSCOPE_PORT", help="Port to listen on (or $SPINSCOPE_PORT).")
    ] = 8000,
    workers: Annotated[
        int, typer.Option(min=0, help="Analysis threads sharing the loaded models; 0: one per CPU core.")
    ] = 0,
    engine: Annotated[
        EngineName, typer.Option(help="Default engine: model, fast or rules (a request may ask for another).")
    ] = EngineName.model,
    db: Annotated[
        str | None,
        typer.Option(help="Permalink database (SQLite); default $SPINSCOPE_DB or ~/.cache/spinscope; :memory:."),
    ] = None,
    rate_limit: Annotated[
        float, typer.Option(min=0, help="API requests a minute per client address (burst 30); 0: no limit.")
    ] = 60.0,
    queue: Annotated[int, typer.Option(min=0, help="Analyses that may wait for a thread before 503.")] = 16,
    time_limit: Annotated[
        float, typer.Option(min=0, help="Seconds one analysis may run before it is stopped (503); 0: no limit.")
    ] = 120.0,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="Proxies (comma-separated IPs, or *) whose X-Forwarded-For names the client; default: none, "
            "the connecting address is the client."
        ),
    ] = None,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option(
            envvar="SPINSCOPE_ALLOW_ORIGINS",
            help="A browser-extension origin (chrome-extension://ID) whose scripts may call the API (CORS); "
            "repeat for more. Off by default; the environment variable takes several, space-separated.",
        ),
    ] = None,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            help="A host name the server answers to besides localhost, 127.0.0.1, [::1] and --host "
            "(its LAN name, a proxy's public name); repeat for more; * for any. Others get 400 (DNS rebinding)."
        ),
    ] = None,
    model: Annotated[Path | None, MODEL_OPTION] = None,
) -> None:
    """Run the web page and REST API (http://HOST:PORT/, API docs at /docs)."""
    use_model(model, engine.value)
    try:
        from spinscope.server import Settings, check_origins
        from spinscope.server import serve as run_server
        from spinscope.server.hosts import allowed_hosts
    except ImportError as error:
        raise fail(f"the server needs the server extra: pip install 'spinscope[server]' ({error})") from None
    try:
        origins = check_origins(allow_origin or [])
    except ValueError as error:
        raise fail(str(error)) from None
    settings = Settings(
        engine=engine.value,
        db_path=db,
        threads=workers,
        rate_per_minute=rate_limit,
        queue_size=queue,
        allowed_origins=origins,
        analysis_timeout=time_limit,
        forwarded_allow_ips=forwarded_allow_ips,
        allowed_hosts=allowed_hosts(allowed_host or ()),
    )
    from spinscope.server.store import ResultStore, StoreError

    try:  # the store checks itself now: a one-line error, or a corrupt file moved aside, before "serving on"
        store = ResultStore(settings.db_path)
    except StoreError as error:
        raise fail(f"{error}: use --db PATH (or $SPINSCOPE_DB) to choose another file") from None
    if store.recovered:
        err.print(
            f"spinscope: {store.problem}; moved it to {store.recovered} and started a new one",
            highlight=False,
            soft_wrap=True,
        )
    store.close()
    err.print(f"spinscope: serving on http://{host}:{port}/ (API docs at /docs)", highlight=False)
    # the extension looks for 127.0.0.1:8000 unless its settings say otherwise: say so when this server is elsewhere
    advice = "keep this running while you use the web page or the browser extension; Ctrl-C stops it"
    if port != 8000:
        advice += f"; in the extension's settings, set the server address to http://127.0.0.1:{port}"
    err.print(f"spinscope: {advice}", highlight=False)
    run_server(settings, host=host, port=port)


# ---- the annotation loop's adapted model (spinscope.annotation.adapt*) --------------------------------------
MODEL_OPTION = typer.Option(
    "--model", help="An adapted technique model folder (written by spinscope train) instead of the shipped one."
)


def use_model(model: Path | None, engine: str) -> None:
    """Load ``--model`` for the model and fast engines (none: the shipped model), or exit with one line saying
    why it cannot be."""
    if model is not None and engine == "rules":
        raise fail("--model adapts the trained model: it does not apply to --engine rules", 2)
    from spinscope.pipeline import use_technique_model

    try:
        use_technique_model(model)
    except SpinscopeError as error:
        raise fail(str(error)) from None


def _register_train() -> None:
    from spinscope.annotation.adapt_cli import train_command

    app.command("train")(train_command)


_register_train()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
