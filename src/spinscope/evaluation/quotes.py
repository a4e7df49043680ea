"""Score :func:`spinscope.analyzers.quotes.find_quotes` against PolNeAR attribution relations.

PolNeAR (Newell, Margolin & Ruths, LREC 2018) annotates, in BRAT standoff,
attribution relations: a ``Source`` (who), a ``Cue`` (said, told, according
to, ...) and a ``Content`` (what), linked by an event line
``E<n>\\tAttribution:T<a> Content:T<c> Cue:T<q> Source:T<s>`` (or
``Attribution-no-source``; a few events carry a second ``Content2``). A
text-bound annotation may be discontinuous: ``T<n>\\tContent 10 20;25 40\\t...``
(a quote split around its cue is *one* content made of two ranges).

How predictions become attributions
-----------------------------------
Scare quotes are not attributions and are dropped. The remaining quotes are
grouped by cue span: pieces of one split direct quote share their cue (and
speaker) and become one attribution whose content is the union of the pieces'
ranges. A quote without a cue forms its own attribution.

Metrics (per role: source, cue, content), micro-averaged over all articles
--------------------------------------------------------------------------
Spans are compared as sets of character ranges after trimming surrounding
white space of each range and joining ranges that only white space separates
(a quote continued in the next paragraph, a sentence split in two ranges); the
ranges of one role of one attribution form one set.

*Exact* (as in citron's ``citron_evaluate.py``, Newell et al. 2018, BBC R&D):

- cue: a predicted attribution is a true positive when some gold attribution
  has exactly the same cue ranges; precision = TP / predicted attributions,
  recall = gold attributions matched by some prediction / gold attributions.
- source and content: a predicted attribution is a true positive when some
  gold attribution has an *overlapping* cue and exactly the same source
  (content) ranges. For the source role only attributions with a source take
  part on either side (PolNeAR's ``Attribution-no-source`` events and
  predictions without a speaker are left out of the source figures).

*Overlap* (citron's token-overlap metric, the partial-credit measure used for
PARC3): every span is turned into its set of tokens (``\\w+`` runs and single
punctuation characters, identified by character position). Per role, over the
whole corpus, ``overlap`` = number of predicted tokens that are also gold tokens
of the same role (in any attribution), precision = overlap / predicted tokens,
recall = overlap / gold tokens, F1 their harmonic mean. A role's tokens are
counted once per attribution that holds them. Because PolNeAR is univocal (a
token plays at most one role in at most one attribution) this is token-level
P/R of each role's tag.

An article with files from several annotators (``name_<annotator>.ann``) is
scored against the first file in sorted order.

Measured on PolNeAR **dev** (84 articles, 2,192 attributions; the rules were
written and the tagger trained and tuned on PolNeAR train only)::

                    rules + quote encoder (default)   rules only (--rules-only; engine "fast")
    role     match      P      R      F1             P      R      F1
    source   exact    0.816  0.765  0.790          0.844  0.530  0.651
    source   overlap  0.854  0.824  0.839          0.878  0.528  0.659
    cue      exact    0.744  0.707  0.725          0.799  0.510  0.623
    cue      overlap  0.780  0.669  0.720          0.889  0.358  0.511
    content  exact    0.568  0.539  0.553          0.616  0.393  0.480
    content  overlap  0.890  0.926  0.908          0.920  0.747  0.825

For scale, citron (BBC) on PARC3 test, a different corpus with narrower
attributions: source 82.0 exact / 85.3 overlap, cue 82.3 exact, content 59.3
exact / 83.3 overlap. PolNeAR counts far more as attribution (stances, "a poll
showed", "the memo"), which is where recall is lost.

    python -m spinscope.evaluation.quotes ../shared/corpora/polnear/dev/data/dev
    python -m spinscope.evaluation.quotes --rules-only ../shared/corpora/polnear/dev/data/dev
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from spinscope.document import Quote

ROLES = ("source", "cue", "content")
Ranges = tuple[tuple[int, int], ...]
_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass
class Attribution:
    """One attribution relation as character ranges per role (an empty tuple when a role is absent)."""

    source: Ranges = ()
    cue: Ranges = ()
    content: Ranges = ()

    def role(self, name: str) -> Ranges:
        return getattr(self, name)


@dataclass
class GoldArticle:
    name: str
    text: str
    attributions: list[Attribution] = field(default_factory=list)


# ---- reading PolNeAR --------------------------------------------------------------


def _clean(text: str, ranges: list[tuple[int, int]]) -> Ranges:
    """Trim white space around each range, drop empty ones, sort and merge touching ranges."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            continue
        if out and (start <= out[-1][1] or not text[out[-1][1] : start].strip()):
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return tuple(out)


def parse_ann(ann: str, text: str) -> list[Attribution]:
    """Attribution events of one BRAT ``.ann`` file (text-bound lines may come after the events that use them)."""
    bound: dict[str, list[tuple[int, int]]] = {}
    events: list[dict[str, str]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        if parts[0].startswith("T"):
            head = parts[1].split(" ", 1)
            if len(head) != 2:
                continue
            try:
                bound[parts[0]] = [(int(a), int(b)) for a, b in (r.split() for r in head[1].split(";"))]
            except ValueError:
                continue
        elif parts[0].startswith("E"):
            events.append(dict(item.split(":", 1) for item in parts[1].split() if ":" in item))
    result = []
    for event in events:
        roles: dict[str, list[tuple[int, int]]] = {"source": [], "cue": [], "content": []}
        for key, ref in event.items():
            name = {"Source": "source", "Cue": "cue", "Content": "content", "Content2": "content"}.get(key)
            if name and ref in bound:
                roles[name].extend(bound[ref])
        attribution = Attribution(*(_clean(text, roles[r]) for r in ROLES))
        if attribution.cue or attribution.content:
            result.append(attribution)
    return result


def load_polnear(directory: str | Path) -> Iterator[GoldArticle]:
    """Articles of a PolNeAR split folder holding ``text/`` and ``attributions/``."""
    directory = Path(directory)
    chosen: dict[str, Path] = {}
    for ann in sorted((directory / "attributions").glob("*.ann")):
        name = ann.stem.rsplit("_", 1)[0]
        chosen.setdefault(name, ann)
    for name, ann in sorted(chosen.items()):
        text_path = directory / "text" / f"{name}.txt"
        if not text_path.exists():
            continue
        text = text_path.read_text(encoding="utf-8")
        yield GoldArticle(name, text, parse_ann(ann.read_text(encoding="utf-8"), text))


# ---- predictions as attributions ------------------------------------------------------


def quotes_to_attributions(text: str, quotes: list[Quote]) -> list[Attribution]:
    """Drop scare quotes; merge the pieces of a quote that share one cue into one attribution."""
    groups: dict[object, list[Quote]] = {}
    for i, quote in enumerate(quotes):
        if quote.kind == "scare":
            continue
        key: object = (quote.cue.start, quote.cue.end) if quote.cue is not None else ("alone", i)
        groups.setdefault(key, []).append(quote)
    result = []
    for members in groups.values():
        first = members[0]
        sources = {(q.speaker.start, q.speaker.end) for q in members if q.speaker is not None}
        result.append(
            Attribution(
                source=_clean(text, sorted(sources)),
                cue=_clean(text, [(first.cue.start, first.cue.end)]) if first.cue is not None else (),
                content=_clean(text, [(q.content.start, q.content.end) for q in members]),
            )
        )
    return result


# ---- scoring ------------------------------------------------------------------------


def _tokens(text: str, ranges: Ranges) -> set[int]:
    """Start offsets of the tokens inside ``ranges``."""
    found: set[int] = set()
    for start, end in ranges:
        found.update(start + m.start() for m in _TOKEN.finditer(text[start:end]))
    return found


def _overlaps(a: Ranges, b: Ranges) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@dataclass
class _Counts:
    tp_pred: int = 0
    n_pred: int = 0
    tp_gold: int = 0
    n_gold: int = 0
    overlap: int = 0
    pred_tokens: int = 0
    gold_tokens: int = 0


def score_article(text: str, predicted: list[Attribution], gold: list[Attribution], counts: dict[str, _Counts]) -> None:
    """Add one article's exact and overlap counts to ``counts`` (one entry per role)."""
    for role in ROLES:
        c = counts[role]
        preds = [p for p in predicted if p.role(role)] if role == "source" else predicted
        golds = [g for g in gold if g.role(role)] if role == "source" else gold

        def match(p: Attribution, g: Attribution, role: str = role) -> bool:
            if role == "cue":
                return bool(p.cue) and p.cue == g.cue
            return _overlaps(p.cue, g.cue) and p.role(role) == g.role(role) and bool(p.role(role))

        c.n_pred += len(preds)
        c.n_gold += len(golds)
        c.tp_pred += sum(any(match(p, g) for g in golds) for p in preds)
        c.tp_gold += sum(any(match(p, g) for p in preds) for g in golds)
        gold_tokens: set[int] = set()
        for g in gold:
            tokens = _tokens(text, g.role(role))
            gold_tokens |= tokens
            c.gold_tokens += len(tokens)
        for p in predicted:
            tokens = _tokens(text, p.role(role))
            c.pred_tokens += len(tokens)
            c.overlap += len(tokens & gold_tokens)


def _prf(tp_p: int, n_p: int, tp_g: int, n_g: int) -> dict[str, float]:
    precision = tp_p / n_p if n_p else 0.0
    recall = tp_g / n_g if n_g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def figures(counts: dict[str, _Counts]) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for role, c in counts.items():
        out[role] = {
            "exact": _prf(c.tp_pred, c.n_pred, c.tp_gold, c.n_gold),
            "overlap": _prf(c.overlap, c.pred_tokens, c.overlap, c.gold_tokens),
        }
    return out


def evaluate_polnear(directory: str | Path, use_tagger: bool = True) -> dict:
    """Run ``find_quotes`` on every article of a PolNeAR folder (``text/`` + ``attributions/``) and score it.

    ``use_tagger=False`` scores the rules alone (without the learned tagger's extra attributions).

    Returns ``{"articles", "predicted", "gold", "source"|"cue"|"content": {"exact"|"overlap":
    {"precision", "recall", "f1"}}}`` (see the module docstring for the definitions).
    """
    from spinscope.analyzers.quotes import find_quotes
    from spinscope.segmentation import sentences

    counts = {role: _Counts() for role in ROLES}
    n_articles = n_pred = n_gold = 0
    for article in load_polnear(directory):
        quotes = find_quotes(article.text, sentences(article.text), use_tagger=use_tagger)
        predicted = quotes_to_attributions(article.text, quotes)
        score_article(article.text, predicted, article.attributions, counts)
        n_articles += 1
        n_pred += len(predicted)
        n_gold += len(article.attributions)
    if n_articles == 0:
        raise FileNotFoundError(f"no PolNeAR articles under {directory} (expected text/ and attributions/)")
    return {"articles": n_articles, "predicted": n_pred, "gold": n_gold, **figures(counts)}


def format_quote_report(results: dict) -> str:
    """A plain-text table of the figures ``evaluate_polnear`` returns."""
    lines = [
        f"PolNeAR: {results['articles']} articles, {results['gold']} gold attributions, "
        f"{results['predicted']} predicted",
        f"{'role':<8} {'match':<8} {'P':>7} {'R':>7} {'F1':>7}",
    ]
    for role in ROLES:
        for kind in ("exact", "overlap"):
            f = results[role][kind]
            lines.append(f"{role:<8} {kind:<8} {f['precision']:7.4f} {f['recall']:7.4f} {f['f1']:7.4f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    rules_only = "--rules-only" in args
    args = [a for a in args if a != "--rules-only"]
    if len(args) != 1:
        raise SystemExit(
            "usage: python -m spinscope.evaluation.quotes [--rules-only] POLNEAR_SPLIT_DIR "
            "(holding text/ and attributions/)"
        )
    print(format_quote_report(evaluate_polnear(args[0], use_tagger=not rules_only)))


if __name__ == "__main__":
    main()
