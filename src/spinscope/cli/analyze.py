"""``spinscope analyze``: articles in, reports out (terminal, JSON, HTML, SemEval)."""

from __future__ import annotations

import io
import itertools
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from spinscope.cli.shell import (
    MODEL_OPTION,
    EngineName,
    Format,
    SensitivityName,
    app,
    check_score,
    err,
    error_line,
    fail,
    out,
    use_model,
    write_output,
)
from spinscope.errors import InputError, SpinscopeError

if TYPE_CHECKING:
    from spinscope.document import Article

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
            callback=check_score,
            help="Drop technique spans scored below this (0-1), from the JSON too; default: keep all.",
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
    from spinscope.pipeline import Failure, analyse_each
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

    def analyse(item: str | Article) -> dict:
        return run_analysis(item, engine=engine.value, min_score=min_score, sensitivity=sensitivity.value).to_dict()

    for source, result in analyse_each(items, analyse, keep=SpinscopeError):
        if isinstance(result, Failure):
            if not isinstance(result.error, InputError):  # a broken install: nothing else would work either
                raise fail(str(result.error))
            failures += 1
            err.print(error_line(_for_people(result.error)), highlight=False, soft_wrap=True)
            continue
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
