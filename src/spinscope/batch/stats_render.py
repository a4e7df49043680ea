"""``spinscope stats`` output: terminal tables that fit (wrapped into column groups, never cut), CSV, JSON,
Parquet/CSV files per table, plots and a self-contained HTML page. The figures come from
:func:`spinscope.batch.stats.compute_stats`."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
from pathlib import Path
from typing import Any

from spinscope.batch.stats import UNDATED, Tables, technique_name

TITLES = {
    "counted": "What is counted",
    "overall": "All articles",
    "outlets": "Per outlet",
    "periods": "Per outlet and period",
    "techniques": "Techniques per outlet",
    "tidy": "Outlet × period × technique",
    "phrases": "Most frequent loaded phrases, by technique",
    "speakers": "Who is quoted",
}
_SHORT = {
    "techniques_per_1000_words": "tech/1k words",
    "opinion_pct": "opinion %",
    "technique_spans": "tech spans",
    "ci_low": "95% CI low",
    "ci_high": "95% CI high",
    "article_p25": "per article p25",
    "article_median": "per article median",
    "article_p75": "per article p75",
    "sources_person": "src person",
    "sources_anonymous": "src anon",
    "sources_organisation": "src org",
    "sources_group": "src group",
    "sources_unknown": "src ?",
    "top_techniques": "top techniques",
    "per_1000_words": "per 1k words",
    "quoted_by": "quoted by",
}
KEY_COLUMNS = ("outlet", "period", "technique", "phrase", "speaker")
"""Columns that name a row: repeated in every column group when a table is split to fit the terminal."""
TERMINAL_LEFT_OUT = {"techniques": {"technique_id"}, "phrases": {"technique_id"}}
"""The raw technique ids beside their friendly names (CSV, JSON and --export keep them)."""
TERMINAL_ROWS = {"speakers": 15}
TERMINAL_SKIPPED = ("tidy",)  # a row per outlet × period × technique: a file's job, not a terminal's
TEXT_MIN_WIDTH = {
    "outlet": 12,
    "top_techniques": 16,
    "phrase": 16,
    "technique": 14,
    "period": 7,
    "quoted_by": 16,
    "type": 12,  # "organisation" whole
}


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value else "0"
    return "" if value is None else str(value)


def _numeric(column: str, rows: list[dict[str, Any]]) -> bool:
    return any(isinstance(row[column], int | float) and not isinstance(row[column], bool) for row in rows)


def _min_width(column: str, rows: list[dict[str, Any]]) -> int:
    """The narrowest the column may get: a number's full width, a text column's TEXT_MIN_WIDTH (it wraps);
    never narrower than the longest word of its header (headers wrap between words)."""
    cells = [_cell(row[column]) for row in rows]
    header = max((len(word) for word in _SHORT.get(column, column).split()), default=1)
    if _numeric(column, rows):
        return max(header, *(len(c) for c in cells))
    return max(header, min(max((len(c) for c in cells), default=1), TEXT_MIN_WIDTH.get(column, 10)))


def _max_width(column: str, rows: list[dict[str, Any]]) -> int:
    return max(len(_SHORT.get(column, column)), *(len(_cell(row[column])) for row in rows))


def _widths(columns: list[str], rows: list[dict[str, Any]], room: int) -> list[int]:
    """Column widths that fit ``room`` characters of content: each column's minimum, then the space left
    shared out, a character at a time, to the columns still below their natural width."""
    widths = [_min_width(c, rows) for c in columns]
    wanted = [_max_width(c, rows) for c in columns]
    spare = room - sum(widths)
    while spare > 0 and any(w < m for w, m in zip(widths, wanted, strict=True)):
        for i, (w, m) in enumerate(zip(widths, wanted, strict=True)):
            if spare and w < m:
                widths[i] += 1
                spare -= 1
    return widths


def _fits(columns: list[str], rows: list[dict[str, Any]], width: int) -> bool:
    # each column's minimum, one space of padding either side, and the rules between columns
    return sum(_min_width(c, rows) + 3 for c in columns) + 1 <= width


def column_groups(columns: list[str], rows: list[dict[str, Any]], width: int) -> list[list[str]]:
    """The columns in groups that each fit ``width``, the row-naming KEY_COLUMNS repeated in every group:
    every figure is shown, a wide table as several narrower ones."""
    if not rows or _fits(columns, rows, width):
        return [columns]
    keys = [c for c in columns if c in KEY_COLUMNS]
    groups: list[list[str]] = []
    current: list[str] = []
    for column in (c for c in columns if c not in keys):
        if current and not _fits([*keys, *current, column], rows, width):
            groups.append([*keys, *current])
            current = []
        current.append(column)
    if current:
        groups.append([*keys, *current])
    return groups


def _table(title: str, rows: list[dict[str, Any]], columns: list[str], width: int) -> Any:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left", header_style="bold")
    # Fixed widths: rich itself would squeeze every column evenly when a table is too wide, cutting numbers.
    for column, size in zip(columns, _widths(columns, rows, width - 3 * len(columns) - 1), strict=True):
        table.add_column(
            Text(_SHORT.get(column, column)),
            justify="right" if _numeric(column, rows) else "left",
            overflow="fold",
            width=size,
        )
    for row in rows:
        table.add_row(*(Text(_cell(row[c])) for c in columns))
    return table


def print_tables(tables: Tables, console: Any) -> None:
    """The tables as rich tables that fit the console: text columns and headers wrap, numbers are never cut,
    and a table too wide is shown as several, each repeating the columns that name its rows."""
    from rich.text import Text

    for name, rows in tables.items():
        if name in TERMINAL_SKIPPED:
            console.print(Text(f"{TITLES.get(name, name)}: {len(rows)} rows (--format csv or json, or --export DIR)"))
            continue
        if not rows:
            console.print(Text(f"{TITLES.get(name, name)}: (none)"))
            continue
        limit = TERMINAL_ROWS.get(name)
        shown = rows[:limit] if limit else rows
        columns = [c for c in shown[0] if c not in TERMINAL_LEFT_OUT.get(name, set())]
        groups = column_groups(columns, shown, console.width)
        for i, group in enumerate(groups):
            title = TITLES.get(name, name) + (f" ({i + 1}/{len(groups)})" if len(groups) > 1 else "")
            console.print(_table(title, shown, group, console.width))
        if limit and len(rows) > limit:
            console.print(Text(f"  ({len(rows) - limit} more: --format csv or json, or --export DIR)"))
    undated = sum(row.get("undated", 0) for row in tables.get("overall", []))
    if undated:
        console.print(Text(f"{undated} articles have no usable date: counted under {UNDATED}."))


def to_csv(tables: Tables) -> str:
    """Every table as CSV, one after another, each under a ``# <table>`` line and separated by a blank line."""
    buffer = io.StringIO()
    for i, (name, rows) in enumerate(tables.items()):
        if i:
            buffer.write("\n")
        buffer.write(f"# {name}\n")
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return buffer.getvalue()


def to_json(tables: Tables) -> str:
    return json.dumps(tables, indent=2, ensure_ascii=False, default=str) + "\n"


def export_tables(tables: Tables, folder: str | Path) -> list[Path]:
    """Each table as ``NAME.csv`` and ``NAME.parquet`` in ``folder`` (for R, pandas, DuckDB)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        if not rows:
            continue
        path = folder / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        pq.write_table(pa.Table.from_pylist(rows), folder / f"{name}.parquet")
        written += [path, folder / f"{name}.parquet"]
    return written


# ---- plots -----------------------------------------------------------------------------


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _rate_label(tables: Tables) -> str:
    """The rate axis' label, saying whose words were counted."""
    counted = (tables.get("counted") or [{}])[0]
    writer = "writer" in str(counted.get("voice", ""))
    return "technique spans per 1,000 words" + (" (the writer's own)" if writer else "")


def plot_technique_profile(tables: Tables, path: Path) -> Path:
    """Grouped horizontal bars: techniques per 1,000 words, one bar per outlet, for each technique."""
    import numpy as np

    rows = tables["techniques"]
    outlets = [row["outlet"] for row in tables["outlets"]]
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["technique_id"]] = totals.get(row["technique_id"], 0) + row["spans"]
    techniques = sorted(totals, key=lambda t: (totals[t], t))  # most frequent at the top
    value = {(row["outlet"], row["technique_id"]): row["per_1000_words"] for row in rows}
    figure = _figure(9, max(3.0, 0.5 * len(techniques) * max(1, len(outlets)) ** 0.5 + 1.5))
    axes = figure.add_subplot()
    if techniques:
        height = 0.8 / max(len(outlets), 1)
        base = np.arange(len(techniques))
        for i, outlet in enumerate(outlets):
            values = [value.get((outlet, t), 0.0) for t in techniques]
            # The first outlet on top of each group, as in the legend.
            axes.barh(base - (i - (len(outlets) - 1) / 2) * height, values, height=height, label=outlet)
        axes.set_yticks(base, [technique_name(t) for t in techniques])
        axes.legend(title="outlet", loc="best", fontsize="small")
    else:
        axes.text(0.5, 0.5, "no technique spans", ha="center", va="center", transform=axes.transAxes)
    axes.set_xlabel(_rate_label(tables))
    axes.set_title("Technique profile per outlet")
    axes.grid(axis="x", alpha=0.3)
    figure.savefig(path)
    return path


def plot_outlet_rates(tables: Tables, path: Path) -> Path:
    """Per outlet: the pooled rate with its 95 % bootstrap interval (by article) and the per-article quartiles."""
    rows = tables["outlets"]
    figure = _figure(8, max(2.5, 0.55 * len(rows) + 1.5))
    axes = figure.add_subplot()
    for y, row in enumerate(rows):
        rate = row["techniques_per_1000_words"]
        axes.plot([row["article_p25"], row["article_p75"]], [y, y], color="0.75", linewidth=8, solid_capstyle="butt")
        if row.get("ci_low") is not None:
            axes.errorbar(
                rate, y, xerr=[[rate - row["ci_low"]], [row["ci_high"] - rate]], fmt="o", color="C0", capsize=4
            )
        else:
            axes.plot(rate, y, "o", color="C0", fillstyle="none")  # one article: no interval
        axes.annotate(f"n={row['articles']}", (rate, y), textcoords="offset points", xytext=(6, 6), fontsize=7)
    axes.set_yticks(range(len(rows)), [row["outlet"] for row in rows])
    axes.set_ylim(len(rows) - 0.5, -0.5)  # first outlet on top, half a row of margin
    axes.set_xlabel(_rate_label(tables))
    axes.set_title("Per outlet: pooled rate, 95% bootstrap interval (dot, bars), per-article quartiles (grey)")
    axes.title.set_fontsize(9)
    axes.grid(axis="x", alpha=0.3)
    highest = max(
        (max(r["techniques_per_1000_words"], r.get("ci_high") or 0, r["article_p75"]) for r in rows), default=0
    )
    axes.set_xlim(0, max(1.0, highest * 1.15))
    figure.savefig(path)
    return path


def _month_start(month: str) -> Any:
    import datetime

    year, number = month.split("-")
    return datetime.date(int(year), int(number), 1)


def trend_series(tables: Tables) -> tuple[list[str], dict[str, list[dict[str, Any] | None]]]:
    """Every calendar month from the first dated one to the last, and per outlet its row for each month
    (``None`` where the outlet has no article that month: a gap, not a line across it)."""
    # months only (``--period month``, the default): other periods leave the trend empty
    rows = [row for row in tables["periods"] if re.fullmatch(r"\d{4}-\d{2}", row["period"])]
    if not rows:
        return [], {}
    first, last = _month_start(min(r["period"] for r in rows)), _month_start(max(r["period"] for r in rows))
    months = []
    year, number = first.year, first.month
    while (year, number) <= (last.year, last.month):
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    series = {}
    for outlet in sorted({row["outlet"] for row in rows}):
        mine = {row["period"]: row for row in rows if row["outlet"] == outlet}
        series[outlet] = [mine.get(month) for month in months]
    return months, series


def trend_figure(tables: Tables) -> Any:
    """The trend plot: techniques per 1,000 words and opinion share per outlet on a real time axis (points
    at mid-month, lines broken where an outlet has no articles), marker area and a label giving the
    articles behind each point, a strip of article counts per month, and a caption."""
    import datetime
    import math

    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    months, series = trend_series(tables)
    figure = _figure(9, 7.5)
    top, middle, bottom = figure.subplots(3, 1, sharex=True, height_ratios=[3, 3, 1.4])
    dates = [_month_start(m) + datetime.timedelta(days=14) for m in months]
    undated = sum(row["articles"] for row in tables["periods"] if row["period"] == UNDATED)
    colours = {outlet: f"C{i % 10}" for i, outlet in enumerate(series)}
    width = 27 / max(1, len(series))
    for k, (outlet, rows) in enumerate(series.items()):
        for axes, field in ((top, "techniques_per_1000_words"), (middle, "opinion_pct")):
            values = [math.nan if row is None else float(row[field]) for row in rows]
            axes.plot(dates, values, color=colours[outlet], linewidth=1.5, label=outlet)  # NaN breaks the line
            points = [(d, v, row["articles"]) for d, v, row in zip(dates, values, rows, strict=True) if row]
            axes.scatter(
                [d for d, _, _ in points],
                [v for _, v, _ in points],
                s=[18 + 14 * n for _, _, n in points],
                color=colours[outlet],
                zorder=3,
            )
            if axes is top:
                for d, v, n in points:
                    axes.annotate(f"n={n}", (d, v), textcoords="offset points", xytext=(4, 6), fontsize=7)
        offsets = [d + datetime.timedelta(days=(k - (len(series) - 1) / 2) * width) for d in dates]
        bottom.bar(offsets, [0 if row is None else row["articles"] for row in rows], width=width, color=colours[outlet])
    top.set_ylabel(_rate_label(tables).replace(" per", "\nper", 1))
    top.set_title("Trend over time, per outlet")
    middle.set_ylabel("% of the writer's\nsentences that are opinion")
    bottom.set_ylabel("articles")
    for axes in (top, middle, bottom):
        axes.grid(alpha=0.3)
        axes.set_ylim(bottom=0)
    if series:
        locator = AutoDateLocator()
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        top.legend(title="outlet", fontsize="small")
    else:
        dated = any(row["period"] != UNDATED for row in tables["periods"])
        note = "the trend is drawn per month: use --period month" if dated else "no dated articles"
        top.text(0.5, 0.5, note, ha="center", va="center", transform=top.transAxes)
    caption = (
        "Each point pools one outlet's articles in one month (n = articles; marker area grows with n). "
        "A break in a line is a month without articles from that outlet; the bars count articles per month."
        + (f" {undated} undated articles are not shown." if undated else "")
    )
    figure.text(0.01, 0.0, caption, fontsize=8, wrap=True, va="bottom")
    figure.get_layout_engine().set(rect=(0, 0.06, 1, 0.94))
    return figure


def plot_trend(tables: Tables, path: Path) -> Path:
    """Write :func:`trend_figure` as a PNG."""
    trend_figure(tables).savefig(path)
    return path


def _html_table(name: str, rows: list[dict[str, Any]]) -> str:
    if not rows:
        return f"<h2>{html.escape(TITLES.get(name, name))}</h2><p>(none)</p>"
    columns = list(rows[0])
    head = "".join(f"<th>{html.escape(_SHORT.get(c, c))}</th>" for c in columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if isinstance(row[c], int | float) else ""}">{html.escape(_cell(row[c]))}</td>'
            for c in columns
        )
        + "</tr>"
        for row in rows
    )
    return f"<h2>{html.escape(TITLES.get(name, name))}</h2><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(tables: Tables, folder: str | Path, *, title: str = "spinscope corpus statistics") -> dict[str, Path]:
    """Write ``outlet_rates.png``, ``technique_profile.png``, ``trend.png`` and a self-contained ``report.html``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    images = {
        "outlet_rates": plot_outlet_rates(tables, folder / "outlet_rates.png"),
        "technique_profile": plot_technique_profile(tables, folder / "technique_profile.png"),
        "trend": plot_trend(tables, folder / "trend.png"),
    }
    figures = "".join(
        f'<figure><img alt="{name}" src="data:image/png;base64,'
        f'{base64.b64encode(path.read_bytes()).decode("ascii")}"></figure>'
        for name, path in images.items()
    )
    tables_html = "".join(_html_table(name, rows) for name, rows in tables.items() if name not in TERMINAL_SKIPPED)
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }}
table {{ border-collapse: collapse; margin: 0 0 1.5rem; font-size: 13px; }}
th, td {{ border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f4f4f4; }} td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }} figure {{ margin: 1rem 0; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Pooled figures: techniques per 1,000 words = 1000 × technique spans / words, with a 95% bootstrap interval
by article; opinion % = the writer's opinion sentences / the writer's sentences; quotes by source type count
direct and indirect quotes. What was counted is in the first table.</p>
{figures}
{tables_html}
</body></html>
"""
    report = folder / "report.html"
    report.write_text(page, encoding="utf-8")
    return {**images, "report": report}


__all__ = [
    "column_groups",
    "export_tables",
    "plot_outlet_rates",
    "plot_technique_profile",
    "plot_trend",
    "print_tables",
    "to_csv",
    "to_json",
    "trend_figure",
    "trend_series",
    "write_report",
]
