"""A rich terminal view of one analysis (the ``spinscope/1`` dict).

Technique spans are coloured with their technique's colour (where spans
overlap, the highest-scoring one wins) and followed by a footnote number that
points into the legend table. Without colour (a pipe, ``NO_COLOR``) both ends
of a span are marked, ``[3>so-called peacekeepers<3]``, so its extent stays
readable. Spans the analysis' sensitivity does not show (``shown`` false:
:func:`spinscope.calibration.apply_sensitivity`) are left out, with a line
that says how many and how to see them (``show_weak``: drawn faded, without
colour as ``[3?>…<3?]``). The summary rows are :func:`spinscope.render.figures.summary_rows`,
the same as the HTML report's. All
article text goes through :class:`rich.text.Text`, never console markup, so
brackets in articles print as they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from rich import box
from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from spinscope.calibration import is_weak
from spinscope.normalise import visible_controls
from spinscope.render.figures import hidden_note, percent, summary_rows
from spinscope.render.html import technique_info
from spinscope.render.segments import (
    coverage_runs,
    paragraph_spans,
    read_layers,
    valid_span,
)
from spinscope.summary import summary_of
from spinscope.techniques import TECHNIQUE_IDS

_MAX_QUOTE = 160


def _score(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _clip(text: str, limit: int = _MAX_QUOTE) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _article_text(
    text: str,
    paragraphs: list[tuple[int, int]],
    techniques: list[Mapping[str, Any]],
    opinions: list[Mapping[str, Any]],
    number_of: dict[str, int],
    plain: bool,
) -> list[Text]:
    """One Text per paragraph, technique runs styled, footnote numbers after each span's end
    (and, without colour, an opening mark before its start). Weak spans (only there when shown on
    request) are drawn faded: underlined in their colour, their marks with a "?"."""
    # Where each span's marks go: its ends, clipped to the first and last paragraph it reaches.
    notes_at: dict[int, list[int]] = {}
    opens_at: dict[int, list[int]] = {}
    for i, t in enumerate(techniques):
        inside = [(s, e) for s, e in paragraphs if s < t["end"] and t["start"] < e]
        if inside:
            notes_at.setdefault(min(t["end"], inside[-1][1]), []).append(i)
            opens_at.setdefault(max(t["start"], inside[0][0]), []).append(i)
    marks = [{**t, "layer": "t"} for t in techniques] + [{**s, "layer": "o"} for s in opinions]

    blocks = []
    for p_start, p_end in paragraphs:
        block = Text()
        for run in coverage_runs(text, marks, p_start, p_end):
            if plain:  # outer spans open first
                for i in sorted(opens_at.get(run.start, []), key=lambda i: -techniques[i]["end"]):
                    block.append(f"[{number_of[techniques[i]['technique']]}{_weak_mark(techniques[i])}>")
            covering = [m for m in run.spans if m["layer"] == "t"]
            strong = [m for m in covering if not is_weak(m)]
            style = Style()
            if strong:
                best = max(strong, key=lambda m: _score(m.get("score")))
                colour = technique_info(best["technique"]).colour
                style = Style(color="black", bgcolor=colour, underline=plain)
            elif covering:  # weak spans only: faded
                best = max(covering, key=lambda m: _score(m.get("score")))
                style = Style(color=technique_info(best["technique"]).colour, underline=True)
            if any(m["layer"] == "o" for m in run.spans):
                style += Style(italic=True)
            block.append(run.text, style=style or None)
            for i in sorted(notes_at.get(run.end, []), key=lambda i: -techniques[i]["start"]):  # inner first
                tid = techniques[i]["technique"]
                colour = technique_info(tid).colour
                weak = _weak_mark(techniques[i])
                note = f"<{number_of[tid]}{weak}]" if plain else f"[{number_of[tid]}{weak}]"
                block.append(note, style=Style(color=colour, bold=True))
        blocks.append(block)
    return blocks


def _weak_mark(span: Mapping[str, Any]) -> str:
    return "?" if is_weak(span) else ""


def _visible(value: Any) -> Any:
    """Every string in ``value`` with its control characters made visible, one for one (offsets still hold):
    rich drops BEL but prints ESC, so an article could otherwise retitle or clear the reader's terminal."""
    if isinstance(value, str):
        return visible_controls(value)
    if isinstance(value, Mapping):
        return {key: _visible(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_visible(item) for item in value]
    return value


def _speaker_of(sentence: Mapping[str, Any], quotes: list[Mapping[str, Any]]) -> str:
    """The name of the speaker whose quote overlaps the sentence most, if the quote names one."""
    best, overlap = "", 0
    for q in quotes:
        c = q["content"]
        shared = min(c["end"], sentence["end"]) - max(c["start"], sentence["start"])
        if shared > overlap and q.get("kind") != "scare":
            best, overlap = str(q.get("speaker_name") or ""), shared
    return best


def _print_sentences(
    console: Console, text: str, sentences: list[Mapping[str, Any]], quotes: list[Mapping[str, Any]] | None = None
) -> None:
    if sentences:
        listing = Table.grid(padding=(0, 1))
        listing.add_column(justify="right", no_wrap=True)
        listing.add_column()
        for s in sentences:
            line = Text(_clip(text[s["start"] : s["end"]]), style="italic")
            if quotes is not None and (who := _speaker_of(s, quotes)):
                line.append(f"  ({who})", style="dim")
            listing.add_row(Text("  •"), line)
        console.print(listing)
    console.print()


def _weak_note(figures: Mapping[str, Any], drawn: bool) -> Text:
    """What the view leaves out, and how to see it (the count is the summary's, ``figures``, as in every view)."""
    note = hidden_note(figures)
    how = (
        "drawn faded (underlined; [n?> … <n?] without colour)."
        if drawn
        else "--show-weak draws them faded, --sensitivity everything shows them."
    )
    why = (
        " Shown: the passages likely enough to be persuasive at this sensitivity (the 'persuasion' of each span "
        "in the JSON, which keeps every span)."
    )
    return Text(f"{note or 'Other labels of the shown passages'}: {how}{why}", style="dim")


def render_terminal(analysis: Mapping[str, Any], console: Console, *, show_weak: bool = False) -> None:
    """Print the analysis to ``console``: title, coloured article, legend, summary, quotes, opinion, claims.

    Technique spans below the default shown set (:func:`spinscope.calibration.is_weak`) are left out
    unless ``show_weak``; then they are drawn faded."""
    analysis = _visible(analysis)
    layers = read_layers(analysis)
    text, meta, title = layers.text, layers.meta, layers.title
    techniques, opinions, quotes, claims = (
        layers.techniques,
        layers.opinions,
        layers.quotes,
        layers.claims,
    )
    plain = console.no_color or console.color_system is None
    weak = [t for t in techniques if is_weak(t)]
    if not show_weak:
        techniques = [t for t in techniques if not is_weak(t)]

    console.rule(Text(title, style="bold"))
    details = [str(meta[k]) for k in ("outlet", "author", "date", "url") if isinstance(meta.get(k), str) and meta[k]]
    if details:
        console.print(Text(" · ".join(details), style="dim"), justify="center")

    # legend numbers follow the taxonomy order, for the techniques that occur (in the spans drawn; the
    # summary's counts when every span is drawn, so that a hand-made summary keeps its figures)
    figures = summary_of(analysis)  # once per view: every figure below reads it
    given = figures["technique_counts"]
    counts = Counter({str(k): int(v) for k, v in given.items()} if isinstance(given, Mapping) else {})
    if weak and not show_weak:
        counts = Counter()
    for tid, n in Counter(t["technique"] for t in techniques).items():
        counts.setdefault(tid, n)  # a hand-made summary that misses a technique of the layer
    ordered = [tid for tid in TECHNIQUE_IDS if tid in counts] + sorted(set(counts) - set(TECHNIQUE_IDS))
    number_of = {tid: n for n, tid in enumerate(ordered, start=1)}

    console.print()
    paragraphs = paragraph_spans(analysis)
    if not paragraphs:
        console.print(Text("(this article has no text)", style="italic dim"))
    for block in _article_text(text, paragraphs, techniques, opinions, number_of, plain):
        console.print(block)
        console.print()

    if ordered:
        legend = Table(title="Techniques", box=box.SIMPLE_HEAD, expand=True, title_justify="left")
        if plain:
            legend.caption = Text("[n> … <n] mark where a span of technique n starts and ends.")
            legend.caption_justify = "left"
        legend.add_column("#", justify="right", no_wrap=True)
        legend.add_column("Technique", ratio=2)
        legend.add_column("n", justify="right", no_wrap=True)
        legend.add_column("What it is", ratio=5)
        for tid in ordered:
            info = technique_info(tid)
            swatch = Text(f"[{number_of[tid]}]", style=Style(color=info.colour, bold=True))
            legend.add_row(swatch, Text(info.name), Text(str(counts[tid])), Text(info.definition))
        console.print(legend)
    elif weak:
        console.print(Text("No passage likely enough to be persuasive at this sensitivity.", style="italic"))
    else:
        console.print(Text("No persuasion techniques found.", style="italic"))
    if weak:
        console.print(_weak_note(figures, show_weak))

    summary = Table(title="Summary", box=box.SIMPLE_HEAD, show_header=False, title_justify="left")
    summary.add_column("figure", style="bold")
    summary.add_column("value")
    for figure in summary_rows(analysis, figures):
        value = f"{figure.value} ({figure.detail})" if figure.detail else figure.value
        summary.add_row(Text(figure.label), Text(value))
    console.print(summary)

    if quotes:
        table = Table(title="Quotes", box=box.SIMPLE_HEAD, expand=True, title_justify="left")
        table.add_column("Speaker", ratio=2)
        table.add_column("Type", no_wrap=True)
        table.add_column("Kind", no_wrap=True)
        table.add_column("Words", ratio=5)
        for q in quotes:
            speaker = q.get("speaker_name")
            if speaker and q.get("role"):
                speaker = f"{speaker}, {q['role']}"  # "Gwen Lloyd, chair of the group"
            if not speaker and valid_span(q.get("speaker"), len(text)):
                speaker = text[q["speaker"]["start"] : q["speaker"]["end"]]
            content = text[q["content"]["start"] : q["content"]["end"]]
            table.add_row(
                Text(str(speaker or "—")),
                Text(str(q.get("speaker_type") or "—")),
                Text(str(q.get("kind") or "direct")),
                Text(_clip(content)),
            )
        console.print(table)

    writer = [o for o in opinions if o.get("speaker", "writer") == "writer"]
    quoted = [o for o in opinions if o.get("speaker", "writer") != "writer"]
    console.print(
        Text(
            f"The writer's opinion sentences: {figures['opinion_sentences']} of the writer's "
            f"{figures['writer_sentences']} sentences ({percent(figures['opinion_share'])})",
            style="bold",
        )
    )
    _print_sentences(console, text, writer)
    console.print(
        Text(
            f"Quoted speakers' opinion sentences: {figures['quoted_opinion_sentences']} of "
            f"{figures['quoted_sentences']} quoted sentences",
            style="bold",
        )
    )
    _print_sentences(console, text, quoted, quotes)

    console.print(Text(f"Checkable claims: {figures['claims']}", style="bold"))
    if claims:
        listing = Table.grid(padding=(0, 1))
        listing.add_column(justify="right", no_wrap=True)
        listing.add_column()
        for n, c in enumerate(claims, start=1):
            reasons = [str(r) for r in c.get("reasons") or [] if isinstance(r, str | int | float)]
            line = Text(_clip(text[c["start"] : c["end"]]))
            line.append(f"  ({_score(c.get('score')):.2f}{'; ' + ', '.join(reasons) if reasons else ''})", style="dim")
            listing.add_row(Text(f"  {n}."), line)
        console.print(listing)
