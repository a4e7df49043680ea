"""Score spinscope on the hand-marked spin set (``spin_set/``, issues #23 and #24).

Every figure is pooled over the articles of a split (``dev``: may be tuned on; ``report``: only reported;
``fresh``: written later, committed before any run, only reported and never part of ``all``):

- **writer recall**: share of the writer's marked spans that some technique span of the output overlaps
  (any character in common), (a) counting every technique span of the JSON, (b) only the spans the
  default view shows; the same for the quoted speakers' marked spans, and per technique;
- **precision shown**: share of the shown spans in the writer's voice that overlap a marked span (the
  writer's or a quoted one);
- **false highlights per 1,000 words of wire reports**: shown spans (any voice) overlapping no marked span;
- **opinion share** per kind: share of the words of the writer's sentences (``speaker == "writer"``) that
  lie in sentences labelled ``opinion``; and the share of marked claims inside such sentences (a check
  that the share is not bought by calling statements of fact opinion);
- **claim recall**: share of marked claims that a claim of the output overlaps; **claim precision**: share
  of the output's claims that overlap a marked claim (a lower bound: the wire reports' claims are marked
  less exhaustively than the op-eds').

A span is *shown* when its JSON has ``shown: true``; analyses without that key fall back to the 0.2 rule,
``not spinscope.calibration.is_weak(span)``. Since the set is small, the main figures carry a bootstrap
95 % interval over articles (articles resampled with replacement, the pooled figure recomputed).

    spinscope eval-spin --split all
"""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from spinscope.calibration import is_weak
from spinscope.evaluation.spin_set_loader import KINDS, PTC_LABELS, SPLITS, SpinArticle, load_spin_set

BOOTSTRAP_SAMPLES = 2000
# The figures a run prints with an interval: (key, label); each is a pooled ratio of two per-article counts.
MAIN_FIGURES = (
    ("writer_recall_all", "writer spans found, every span counted"),
    ("writer_recall_shown", "writer spans found by the default view"),
    ("precision_shown", "shown writer-voice spans touching a mark"),
    ("quoted_recall_all", "quoted spans found, every span counted"),
    ("quoted_recall_shown", "quoted spans found by the default view"),
    ("claim_recall", "marked claims found"),
    ("claim_precision", "output claims touching a marked claim"),
    ("claims_in_opinion", "marked claims in the writer's opinion"),
)

Analyse = Callable[[SpinArticle], Mapping[str, Any]]


def is_shown(span: Mapping[str, Any]) -> bool:
    """Whether the default view shows a technique span: its ``shown`` flag, else the confidence rule."""
    shown = span.get("shown")
    if isinstance(shown, bool):
        return shown
    return not is_weak(span)


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score_article(article: SpinArticle, result: Mapping[str, Any]) -> dict[str, Any]:
    """Per-article counts from one analysis (the ``spinscope/1`` JSON of ``article.text``)."""
    if result.get("text") != article.text:
        raise ValueError(f"{article.id}: the analysis is not of the article's clean text (offsets would not match)")
    techniques = list(result.get("techniques", []))
    shown = [t for t in techniques if is_shown(t)]
    marks = [(m.start, m.end) for m in article.spans]

    def touches(span: Mapping[str, Any], spans: Iterable[tuple[int, int]]) -> bool:
        return any(_overlaps(span["start"], span["end"], a, b) for a, b in spans)

    marked = []
    for mark in article.spans:
        hits_all = [t for t in techniques if _overlaps(mark.start, mark.end, t["start"], t["end"])]
        hits_shown = [t for t in hits_all if is_shown(t)]
        marked.append(
            {
                "text": mark.text,
                "voice": mark.voice,
                "techniques": list(mark.techniques),
                "found_all": bool(hits_all),
                "found_shown": bool(hits_shown),
                # found with one of its own labels (any span / a shown span)
                "label_all": any(t["technique"] in mark.techniques for t in hits_all),
                "label_shown": any(t["technique"] in mark.techniques for t in hits_shown),
            }
        )
    shown_writer = [t for t in shown if t.get("voice_of", "writer") == "writer"]

    text = article.text
    writer_words = opinion_words = 0
    opinion_spans = []
    for sentence in result.get("sentences", []):
        if sentence.get("speaker", "writer") != "writer":
            continue
        words = len(text[sentence["start"] : sentence["end"]].split())
        writer_words += words
        if sentence["voice"] == "opinion":
            opinion_words += words
            opinion_spans.append((sentence["start"], sentence["end"]))

    claims = [(c["start"], c["end"]) for c in result.get("claims", [])]
    marked_claims = [(c.start, c.end) for c in article.claims]
    return {
        "id": article.id,
        "kind": article.kind,
        "split": article.split,
        "words": article.words,
        "marks": marked,
        "shown_writer": len(shown_writer),
        "shown_writer_touching": sum(touches(t, marks) for t in shown_writer),
        "shown": len(shown),
        "shown_false": sum(not touches(t, marks) for t in shown),
        "spans": len(techniques),
        "writer_words": writer_words,
        "opinion_words": opinion_words,
        "claims_marked": len(article.claims),
        "claims_found": sum(touches({"start": c.start, "end": c.end}, claims) for c in article.claims),
        "claims_output": len(claims),
        "claims_output_touching": sum(touches({"start": a, "end": b}, marked_claims) for a, b in claims),
        # a marked claim in a sentence of the writer's labelled opinion: opinion share bought with facts
        "claims_in_opinion": sum(touches({"start": c.start, "end": c.end}, opinion_spans) for c in article.claims),
    }


def _pairs(records: Sequence[Mapping[str, Any]], figure: str) -> list[tuple[float, float]]:
    """(numerator, denominator) of one figure for each article."""
    pairs = []
    for r in records:
        writer = [m for m in r["marks"] if m["voice"] == "writer"]
        quoted = [m for m in r["marks"] if m["voice"] == "quoted"]
        if figure == "writer_recall_all":
            pairs.append((sum(m["found_all"] for m in writer), len(writer)))
        elif figure == "writer_recall_shown":
            pairs.append((sum(m["found_shown"] for m in writer), len(writer)))
        elif figure == "quoted_recall_all":
            pairs.append((sum(m["found_all"] for m in quoted), len(quoted)))
        elif figure == "quoted_recall_shown":
            pairs.append((sum(m["found_shown"] for m in quoted), len(quoted)))
        elif figure == "precision_shown":
            pairs.append((r["shown_writer_touching"], r["shown_writer"]))
        elif figure == "claim_recall":
            pairs.append((r["claims_found"], r["claims_marked"]))
        elif figure == "claims_in_opinion":
            pairs.append((r["claims_in_opinion"], r["claims_marked"]))
        elif figure == "claim_precision":
            pairs.append((r["claims_output_touching"], r["claims_output"]))
        elif figure == "wire_false_per_1000":
            if r["kind"] == "wire":
                pairs.append((r["shown_false"], r["words"] / 1000))
        elif figure.startswith("opinion_share:"):
            if r["kind"] == figure.split(":", 1)[1]:
                pairs.append((r["opinion_words"], r["writer_words"]))
        else:
            raise ValueError(f"unknown figure {figure!r}")
    return pairs


def _ratio(pairs: Sequence[tuple[float, float]]) -> float | None:
    den = sum(d for _, d in pairs)
    return sum(n for n, _ in pairs) / den if den else None


def bootstrap_interval(
    pairs: Sequence[tuple[float, float]], samples: int = BOOTSTRAP_SAMPLES, seed: int = 0
) -> tuple[float, float] | None:
    """95 % percentile interval of the pooled ratio, resampling articles with replacement."""
    if not pairs or _ratio(pairs) is None:
        return None
    rng = random.Random(seed)  # fixed: the same set gives the same interval on every run
    values = []
    for _ in range(samples):
        value = _ratio([pairs[rng.randrange(len(pairs))] for _ in pairs])
        if value is not None:
            values.append(value)
    values.sort()
    return values[int(0.025 * (len(values) - 1))], values[int(0.975 * (len(values) - 1))]


def summarise(records: Sequence[Mapping[str, Any]], samples: int = BOOTSTRAP_SAMPLES) -> dict[str, Any]:
    """Pooled figures of a group of articles, with bootstrap intervals for the main ones."""
    figures: dict[str, Any] = {
        "articles": len(records),
        "words": sum(r["words"] for r in records),
        "writer_marks": sum(m["voice"] == "writer" for r in records for m in r["marks"]),
        "quoted_marks": sum(m["voice"] == "quoted" for r in records for m in r["marks"]),
        "spans": sum(r["spans"] for r in records),
        "shown": sum(r["shown"] for r in records),
    }
    for key, _ in MAIN_FIGURES:
        pairs = _pairs(records, key)
        figures[key] = {"value": _ratio(pairs), "ci95": bootstrap_interval(pairs, samples)}
    wire = _pairs(records, "wire_false_per_1000")
    figures["wire_false_per_1000"] = {
        "value": _ratio(wire),
        "ci95": bootstrap_interval(wire, samples),
        "false": int(sum(n for n, _ in wire)),
        "words": round(sum(d for _, d in wire) * 1000),
    }
    figures["opinion_share"] = {
        kind: {"value": _ratio(pairs), "ci95": bootstrap_interval(pairs, samples)}
        for kind in KINDS
        if (pairs := _pairs(records, f"opinion_share:{kind}"))
    }
    table = {}
    for label in (*PTC_LABELS, "Scare_Quotes"):
        rows = [m for r in records for m in r["marks"] if m["voice"] == "writer" and label in m["techniques"]]
        if rows:
            table[label] = {
                "n": len(rows),
                "recall_all": sum(m["found_all"] for m in rows) / len(rows),
                "recall_shown": sum(m["found_shown"] for m in rows) / len(rows),
                "label_all": sum(m["label_all"] for m in rows) / len(rows),
                "label_shown": sum(m["label_shown"] for m in rows) / len(rows),
            }
    figures["per_technique"] = table
    figures["claims_output"] = sum(r["claims_output"] for r in records)
    return figures


def analyse_with(engine: str = "model", sensitivity: str | None = None) -> Analyse:
    """A function that analyses one spin-set article with ``spinscope.analyze`` and returns its JSON."""
    from spinscope.document import Article
    from spinscope.pipeline import analyze

    options: dict[str, Any] = {"engine": engine}
    if sensitivity is not None:
        # the sensitivity presets are newer than this command: pass the option only where analyze() has it
        if "sensitivity" not in inspect.signature(analyze).parameters:
            raise ValueError("this spinscope's analyze() has no sensitivity option")
        options["sensitivity"] = sensitivity

    def run(article: SpinArticle) -> Mapping[str, Any]:
        return analyze(Article(text=article.text, id=article.id, title=article.meta.get("title")), **options).to_dict()

    return run


def evaluate_spin(
    split: str = "all",
    engine: str = "model",
    sensitivity: str | None = None,
    *,
    articles: Sequence[SpinArticle] | None = None,
    only: Sequence[str] = (),
    analyse: Analyse | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
) -> dict[str, Any]:
    """Analyse the spin set's articles and score them: figures per split and overall, per-article counts."""
    chosen = list(articles) if articles is not None else load_spin_set(split)
    if only:
        chosen = [a for a in chosen if a.id in only]
        missing = set(only) - {a.id for a in chosen}
        if missing:
            raise ValueError(f"no spin-set article with id {', '.join(sorted(missing))}")
    if not chosen:
        raise ValueError("no article to score")
    run = analyse or analyse_with(engine, sensitivity)
    records = [score_article(article, run(article)) for article in chosen]
    groups = {name: [r for r in records if r["split"] == name] for name in SPLITS}
    splits = {name: summarise(rows, samples) for name, rows in groups.items() if rows}
    if len(splits) > 1:
        splits["all"] = summarise(records, samples)
    return {
        "engine": engine,
        "sensitivity": sensitivity,
        "splits": splits,
        "articles": records,
    }


def _figure(entry: Mapping[str, Any] | None, percent: bool = True) -> str:
    if not entry or entry.get("value") is None:
        return "n/a"
    value, ci = entry["value"], entry.get("ci95")
    if percent:
        text = f"{value:6.1%}"
        return text + (f"  [{ci[0]:.1%}, {ci[1]:.1%}]" if ci else "")
    return f"{value:6.2f}" + (f"  [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else "")


def format_spin_report(results: Mapping[str, Any]) -> str:
    """The figures as text: one block per split, then the per-technique table of the widest group."""
    sensitivity = f", sensitivity {results['sensitivity']}" if results["sensitivity"] else ""
    lines = [f"spin set: engine {results['engine']}{sensitivity}"]
    lines.append("pooled over articles; [95 % bootstrap interval over articles]")
    for name, figures in results["splits"].items():
        lines.append("")
        lines.append(
            f"== {name}: {figures['articles']} articles, {figures['words']} words, "
            f"{figures['writer_marks']} writer marks, {figures['quoted_marks']} quoted marks; "
            f"output {figures['spans']} technique spans, {figures['shown']} shown"
        )
        for key, label in MAIN_FIGURES:
            lines.append(f"  {label:<42} {_figure(figures[key])}")
        wire = figures["wire_false_per_1000"]
        if wire["value"] is not None:
            lines.append(
                f"  {'false highlights / 1,000 wire words':<42} {_figure(wire, percent=False)}"
                f"  ({wire['false']} in {wire['words']} words)"
            )
        for kind, entry in figures["opinion_share"].items():
            lines.append(f"  {'writer opinion share, ' + kind:<42} {_figure(entry)}")
    widest = results["splits"].get("all") or next(iter(results["splits"].values()))
    lines.append("")
    lines.append("writer marks per technique (a mark with several labels counts under each)")
    lines.append(f"  {'technique':<36} {'n':>4} {'found':>7} {'shown':>7} {'label':>7} {'label shown':>12}")
    for label, row in widest["per_technique"].items():
        lines.append(
            f"  {label:<36} {row['n']:4d} {row['recall_all']:7.1%} {row['recall_shown']:7.1%}"
            f" {row['label_all']:7.1%} {row['label_shown']:12.1%}"
        )
    lines.append("  found: any span overlaps; shown: a shown span overlaps; label: with one of the mark's labels")
    return "\n".join(lines) + "\n"


# ---- the sensitivity presets side by side ---------------------------------------------------------------
def analyse_at(engine: str = "model") -> Callable[[str], Analyse]:
    """``for_preset(name)``: an analyser for :func:`evaluate_spin` at that sensitivity. Each article is analysed
    once (at "everything"); a preset only sets the ``shown`` flags again (spinscope.calibration.apply_sensitivity)."""
    import copy

    from spinscope.calibration import apply_sensitivity
    from spinscope.document import Article
    from spinscope.pipeline import analyze
    from spinscope.summary import summarise as summarise_analysis

    done: dict[str, Any] = {}

    def for_preset(preset: str) -> Analyse:
        def run(article: SpinArticle) -> Mapping[str, Any]:
            if article.id not in done:
                item = Article(text=article.text, id=article.id, title=article.meta.get("title"))
                done[article.id] = analyze(item, engine=engine, sensitivity="everything")  # type: ignore[arg-type]
            analysis = copy.deepcopy(done[article.id])
            apply_sensitivity(analysis.techniques, preset)
            analysis.summary = {**summarise_analysis(analysis), "sensitivity": preset}
            return analysis.to_dict()

        return run

    return for_preset


def compare_sensitivities(split: str = "report", engine: str = "model", samples: int = BOOTSTRAP_SAMPLES) -> dict:
    """The spin set's figures at each preset, and the out-of-fold figures stored with the persuasion map."""
    from spinscope.calibration import SENSITIVITIES, sensitivity_thresholds, shipped_calibration

    for_preset = analyse_at(engine)
    articles = load_spin_set(split)
    measured = {}
    for preset in SENSITIVITIES:
        result = evaluate_spin(split, engine, preset, articles=articles, analyse=for_preset(preset), samples=samples)
        measured[preset] = result["splits"].get(split) or result["splits"]["all"]
    calibration = shipped_calibration()
    block = calibration.manifest.get("persuasion", {}) if calibration is not None else {}
    return {
        "split": split,
        "engine": engine,
        "thresholds": sensitivity_thresholds(),
        "measured": measured,
        "out_of_fold": block.get("validation", {}),
    }


def format_sensitivities(result: Mapping[str, Any]) -> str:
    lines = [
        f"sensitivity presets (engine {result['engine']}); a passage is shown when its 'persuasion' reaches the "
        "preset's threshold",
        "",
        f"spin set, {result['split']} split (measured now; writer's marked spans, shown writer-voice spans, "
        "wire reports):",
        f"  {'preset':<11} {'threshold':>9} {'recall':>8} {'precision':>10} {'false/1,000 wire words':>23}",
    ]
    for preset, figures in result["measured"].items():
        wire = figures["wire_false_per_1000"]
        lines.append(
            f"  {preset:<11} {result['thresholds'][preset]:9.2f} {figures['writer_recall_shown']['value']:8.1%} "
            f"{(figures['precision_shown']['value'] or 0.0):10.1%} {wire['value'] or 0.0:23.2f}"
        )
    stored = result["out_of_fold"]
    if stored:
        lines += [
            "",
            "out-of-fold when the map was fitted (training/fit_persuasion.py; mean ± sd over 5 folds): passages",
            "touching any marked span (precision) and marked spans touched (recall)",
            f"  {'preset':<11} {'PTC precision':>15} {'PTC recall':>15} {'spin dev precision':>19} {'spin dev recall':>16}",
        ]
        for preset, row in stored.items():
            ptc, spin = row.get("ptc", {}), row.get("spin", {})
            lines.append(
                f"  {preset:<11} {ptc.get('precision', 'n/a'):>15} {ptc.get('recall', 'n/a'):>15} "
                f"{spin.get('precision', 'n/a'):>19} {spin.get('recall', 'n/a'):>16}"
            )
    return "\n".join(lines) + "\n"
