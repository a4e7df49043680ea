"""One self-contained HTML report for one analysis (the ``spinscope/1`` dict).

The page inlines its CSS and JavaScript, loads nothing from the network (a
Content-Security-Policy forbids it, and only the report's own script, pinned by
its hash, may run) and escapes every piece of article text through Jinja2's
autoescaping. Overlapping spans are flattened into runs by
:func:`~spinscope.render.segments.coverage_runs`; each run carries the set of
techniques, quotes, claims and opinion sentences covering it.

Technique spans the analysis' sensitivity leaves out (``shown`` false:
:func:`spinscope.calibration.apply_sensitivity`) are hidden until the reader
switches "weaker spans" on in the legend (then drawn faded); the JSON block
keeps every span.

Everything is read from the plain dict, with defaults, so a saved JSON renders
the same later and partial analyses (empty layers, empty summary) render too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from spinscope.calibration import SHOWN_MIN_CONFIDENCE, is_weak
from spinscope.render.figures import hidden_note, span_wording, summary_rows
from spinscope.render.segments import (
    coverage_runs,
    paragraph_spans,
    read_layers,
    valid_span,
)
from spinscope.summary import speech_contents, summary_of, voice_of
from spinscope.techniques import PALETTE_NOTE, TECHNIQUES, Technique, get_technique

_HERE = Path(__file__).resolve().parent
_UNKNOWN_COLOUR = "#d9d9d9"


# ---- static assets ------------------------------------------------------------------
@cache
def report_css() -> str:
    """The report's stylesheet (for pages that embed ``render_html(..., standalone=False)``)."""
    return (_HERE / "static" / "report.css").read_text(encoding="utf-8")


@cache
def report_js() -> str:
    """The report's script (for pages that embed ``render_html(..., standalone=False)``)."""
    return (_HERE / "static" / "report.js").read_text(encoding="utf-8")


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _csp(js: str) -> str:
    digest = base64.b64encode(hashlib.sha256(js.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest}'; "
        "style-src 'unsafe-inline'; "
        "img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )


def json_for_script(data: Any) -> Markup:
    """JSON that is safe inside ``<script type="application/json">`` (no ``</script>``, no ``<!--``)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return Markup(text)  # every markup-significant character is escaped above


# ---- small readers that tolerate partial dicts --------------------------------------
def technique_info(technique_id: str) -> Technique:
    """The technique's description; a neutral stand-in for ids this version does not know."""
    try:
        return get_technique(technique_id)
    except KeyError:
        name = technique_id.replace("_", " ").replace(",", " / ")
        return Technique(
            technique_id, name, "A technique this version of spinscope has no description for.", "", _UNKNOWN_COLOUR
        )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _score(value: Any) -> str:
    number = _number(value)
    return "—" if number is None else f"{number:.2f}"


def _faded(colour: str) -> str:
    """A weak span's colour: the technique's, mostly transparent (``#rrggbb`` gains an alpha)."""
    return f"{colour}59" if re.fullmatch(r"#[0-9a-fA-F]{6}", colour) else colour


def _safe_url(url: Any) -> str | None:
    return url if isinstance(url, str) and re.match(r"https?://", url, re.IGNORECASE) else None


def _stripes(colours: list[str]) -> str:
    """A background of equal horizontal bands, one per colour (every overlapping technique stays visible)."""
    if not colours:
        return ""
    if len(colours) == 1:
        return f"background-image:linear-gradient({colours[0]},{colours[0]})"
    step = 100 / len(colours)
    bands = ",".join(f"{c} {i * step:.2f}% {(i + 1) * step:.2f}%" for i, c in enumerate(colours))
    return f"background-image:linear-gradient(to bottom,{bands})"


# ---- the view model -----------------------------------------------------------------
def _model_rows(models: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per model named in ``models`` (nested one level: the technique tagger and classifier)."""
    rows = []
    for layer, value in models.items():
        if not isinstance(value, Mapping):
            continue
        found = [(str(layer), value)] if "name" in value else []
        found += [(f"{layer}: {k}", v) for k, v in value.items() if isinstance(v, Mapping) and "name" in v]
        if not found and isinstance(value.get("engine"), str):
            rows.append({"layer": str(layer), "name": f"{value['engine']} engine", "version": "", "sha256": ""})
        for label, model in found:
            sha = model.get("sha256")
            rows.append(
                {
                    "layer": label,
                    "name": str(model.get("name") or ""),
                    "version": str(model.get("version") or ""),
                    "sha256": sha[:12] if isinstance(sha, str) else "",
                }
            )
    return rows


def _view(analysis: Mapping[str, Any], show_weak: bool = False) -> dict[str, Any]:
    layers = read_layers(analysis)
    text, length, meta, title = layers.text, len(layers.text), layers.meta, layers.title
    techniques, opinions = layers.techniques, layers.opinions
    weak = {i for i, t in enumerate(techniques) if is_weak(t)}
    quotes, claims = layers.quotes, layers.claims
    figures = summary_of(analysis)  # once per view: every figure below reads it
    # The opinion layer shades the writer's opinion sentences; quoted speakers' opinions are listed apart.
    writer_opinions = [s for s in opinions if s.get("speaker", "writer") == "writer"]
    quoted_opinions = [s for s in opinions if s.get("speaker", "writer") != "writer"]
    contents = speech_contents(quotes)

    # Every layer becomes marks for one flat coverage computation.
    marks: list[dict[str, Any]] = []
    marks += [{"start": t["start"], "end": t["end"], "layer": "t", "i": i} for i, t in enumerate(techniques)]
    marks += [{"start": s["start"], "end": s["end"], "layer": "o", "i": i} for i, s in enumerate(writer_opinions)]
    for i, q in enumerate(quotes):
        marks.append({"start": q["content"]["start"], "end": q["content"]["end"], "layer": "q", "i": i})
        if valid_span(q.get("speaker"), length):
            marks.append({"start": q["speaker"]["start"], "end": q["speaker"]["end"], "layer": "s", "i": i})
    marks += [{"start": c["start"], "end": c["end"], "layer": "c", "i": i} for i, c in enumerate(claims)]

    # every span of a technique (drawn when the reader asks), and those the view shows: the summary's counts,
    # which count what is shown (a hand-made summary that misses a technique: the layer's shown spans)
    used = Counter(t["technique"] for t in techniques)
    given = figures.get("technique_counts")
    shown_counts = Counter({str(k): int(v) for k, v in given.items()} if isinstance(given, Mapping) else {})
    for tid, n in Counter(t["technique"] for i, t in enumerate(techniques) if i not in weak).items():
        shown_counts.setdefault(tid, n)
    legend_ids = [t.id for t in TECHNIQUES] + sorted(set(used) - {t.id for t in TECHNIQUES})
    legend = []
    for k, tid in enumerate(legend_ids):
        info = technique_info(tid)
        strong = shown_counts.get(tid, 0)
        legend.append(
            {
                "id": tid,
                "key": k,
                "name": info.name,
                "definition": info.definition,
                "colour": info.colour,
                "count": used.get(tid, 0),  # every span (the summary's count)
                "strong": strong,  # those shown by default
                "shown": used.get(tid, 0) if show_weak else strong,
                "weak_only": bool(used.get(tid, 0)) and not strong,
            }
        )
    key_of = {item["id"]: item["key"] for item in legend}

    paragraphs = []
    for p_start, p_end in paragraph_spans(analysis):
        runs = []
        for run in coverage_runs(text, marks, p_start, p_end):
            if not run.spans:
                runs.append({"plain": True, "text": run.text})
                continue
            layers: dict[str, list[int]] = {"t": [], "o": [], "q": [], "s": [], "c": []}
            for mark in run.spans:
                layers[mark["layer"]].append(mark["i"])
            every = sorted(layers["t"], key=lambda i: (-(_number(techniques[i].get("score")) or 0.0), i))
            # strong spans first: where they overlap a weak one, their colour leads
            tech = [i for i in every if i not in weak] + [i for i in every if i in weak and show_weak]
            tech_ids = list(dict.fromkeys(techniques[i]["technique"] for i in tech))
            classes = ["ss-run"]
            tips = []
            if every:
                classes.append("ss-t")
                if len(tech) > 1:
                    classes.append("ss-overlap")
                if not tech:
                    classes.append("ss-off")  # weak spans only, hidden until the reader shows them
                elif all(i in weak for i in tech):
                    classes.append("ss-weak")
                tips += [
                    f"{technique_info(techniques[i]['technique']).name} ({_score(techniques[i].get('score'))}"
                    + (", weak)" if i in weak else ")")
                    for i in tech
                ]
            if layers["o"]:
                classes.append("ss-op")
                tips.append("The writer's opinion")
            for i in layers["q"]:
                quote = quotes[i]
                kind = quote.get("kind") if quote.get("kind") in ("direct", "indirect", "scare") else "direct"
                classes.append(f"ss-q ss-q-{kind}")
                who = quote.get("speaker_name")
                who = f"{who}, {quote['role']}" if who and quote.get("role") else who
                tips.append(f"{kind.capitalize()} quote" + (f" — {who}" if who else ""))
            if layers["s"]:
                classes.append("ss-sp")
                tips.append("Speaker of a quote")
            if layers["c"]:
                classes.append("ss-cl")
                tips.append("Checkable claim")
            runs.append(
                {
                    "plain": False,
                    "text": run.text,
                    "start": run.start,
                    "end": run.end,
                    "tag": "mark" if every else "span",
                    "classes": " ".join(dict.fromkeys(classes)),
                    "t": " ".join(map(str, every)),
                    "focusable": bool(tech),
                    "techniques": " ".join(tech_ids),
                    "described_by": " ".join(f"ss-tn-{key_of[tid]}" for tid in tech_ids),
                    "o": " ".join(map(str, layers["o"])),
                    "q": " ".join(map(str, layers["q"] + [i for i in layers["s"] if i not in layers["q"]])),
                    "c": " ".join(map(str, layers["c"])),
                    "style": _stripes(
                        [
                            _faded(technique_info(tid).colour)
                            if all(i in weak for i in tech if techniques[i]["technique"] == tid)
                            else technique_info(tid).colour
                            for tid in tech_ids
                        ]
                    ),
                    "title": "\n".join(tips),
                }
            )
        paragraphs.append(runs)

    cards = []
    for i, t in enumerate(techniques):
        info = technique_info(t["technique"])
        voice = (
            t.get("voice_of") if t.get("voice_of") in ("writer", "quoted") else voice_of(t["start"], t["end"], contents)
        )
        cards.append(
            {
                "i": i,
                "id": info.id,
                "key": key_of[info.id],
                "name": info.name,
                "colour": info.colour,
                "score": _score(t.get("score")),
                "confidence": _score(t.get("confidence")) if _number(t.get("confidence")) is not None else "",
                "wording": span_wording(t, lambda tid: technique_info(tid).name.lower()),
                "weak": i in weak,
                "engine": t.get("engine") if isinstance(t.get("engine"), str) else "",
                "voice": "the writer's words" if voice == "writer" else "a quoted speaker's words",
                "text": text[t["start"] : t["end"]],
                "start": t["start"],
                "end": t["end"],
            }
        )
    definitions = [item for item in legend if item["count"]]
    weak_count = len(weak)
    hidden_passages = hidden_note(figures)
    for item in definitions:
        item["example"] = technique_info(item["id"]).example

    quote_rows = []
    for i, q in enumerate(quotes):
        cue = q.get("cue") if valid_span(q.get("cue"), length) else None
        speaker = q.get("speaker") if valid_span(q.get("speaker"), length) else None
        quote_rows.append(
            {
                "i": i,
                "kind": q.get("kind") or "direct",
                "speaker": q.get("speaker_name") or (text[speaker["start"] : speaker["end"]] if speaker else ""),
                "speaker_type": q.get("speaker_type") or "",
                "role": (q.get("role") or "") if q.get("speaker_name") else "",
                "cue": text[cue["start"] : cue["end"]] if cue else "",
                "content": text[q["content"]["start"] : q["content"]["end"]],
            }
        )
    claim_rows = [
        {
            "i": i,
            "text": text[c["start"] : c["end"]],
            "score": _score(c.get("score")),
            "reasons": [str(r) for r in c.get("reasons") or [] if isinstance(r, str | int | float)],
        }
        for i, c in enumerate(claims)
    ]
    opinion_rows = [
        {"i": i, "text": text[s["start"] : s["end"]], "score": _score(s.get("score"))}
        for i, s in enumerate(writer_opinions)
    ]
    quoted_opinion_rows = [
        {"i": i, "text": text[s["start"] : s["end"]], "score": _score(s.get("score"))}
        for i, s in enumerate(quoted_opinions)
    ]

    meta_items = []
    for key, label in (("outlet", "Outlet"), ("author", "Author"), ("date", "Date")):
        if isinstance(meta.get(key), str) and meta[key]:
            meta_items.append({"label": label, "value": meta[key]})
    url = meta.get("url") or meta.get("source")
    source = {"text": url, "href": _safe_url(url)} if isinstance(url, str) and url else None

    models = analysis.get("models") if isinstance(analysis.get("models"), Mapping) else {}

    return {
        "title": str(title),
        "meta_items": meta_items,
        "source": source,
        "id": str(analysis.get("id") or ""),
        "version": str(analysis.get("version") or ""),
        "models": _model_rows(models),
        "has_text": bool(text.strip()),
        "paragraphs": paragraphs,
        "legend": legend,
        "summary": summary_rows(analysis, figures),
        "figures": figures,
        "cards": cards,
        "weak_count": weak_count,
        "show_weak": show_weak,
        "min_confidence": f"{SHOWN_MIN_CONFIDENCE:.2f}",
        "hidden_note": hidden_passages,
        "sensitivity": str(figures.get("sensitivity") or "balanced"),
        "definitions": definitions,
        "palette_note": PALETTE_NOTE,
        "quotes": quote_rows,
        "claims": claim_rows,
        "opinions": opinion_rows,
        "quoted_opinions": quoted_opinion_rows,
    }


def render_html(analysis: Mapping[str, Any], *, standalone: bool = True, show_weak: bool = False) -> str:
    """Render a ``spinscope/1`` analysis dict as HTML.

    ``standalone=True`` gives one complete, self-contained page (CSS and JS
    inlined, no network requests). ``standalone=False`` gives only the report
    fragment (``<div class="ss-report">…</div>`` plus its JSON data); a page that
    embeds it should include :func:`report_css` and :func:`report_js` itself.
    ``show_weak`` starts the report with the weaker technique spans shown (faded).
    """
    view = _view(analysis, show_weak)
    js = report_js()
    template = _environment().get_template("report.html.j2")
    return template.render(
        standalone=standalone,
        data_json=json_for_script(dict(analysis)),
        css=Markup(report_css()),  # our own packaged stylesheet
        js=Markup(js),  # our own packaged script
        csp=_csp(js),
        **view,
    )
