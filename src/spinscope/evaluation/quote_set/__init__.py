"""The invented quote set of issue #26 (``articles.toml`` and ``articles_fresh.toml``, see README.md):
loading and scoring.

``python -m spinscope.evaluation.quote_set [--split dev|report|fresh|all] [--rules-only] [-v]`` prints the
figures; :func:`score` returns them for the test suite. ``all`` means dev and report: the ``fresh`` split
(written later, committed before any run, never tuned on) is reported on its own."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

from spinscope.document import Quote

SPLITS = ("dev", "report", "fresh", "all")
# What "all" means: dev and report only, so that figures stored for "all" do not move with fresh.
ALL_SPLITS = ("dev", "report")
FILES = ("articles.toml", "articles_fresh.toml")


@dataclass
class Article:
    id: str
    split: str
    text: str
    quotes: list[dict]
    headlines: list[str] = field(default_factory=list)
    not_speakers: list[str] = field(default_factory=list)
    forbidden_cues: list[str] = field(default_factory=list)
    forbid: list[dict] = field(default_factory=list)

    def line_spans(self, lines: list[str]) -> list[tuple[int, int]]:
        """Character ranges of whole lines of the text."""
        spans, pos = [], 0
        for line in self.text.split("\n"):
            if line in lines:
                spans.append((pos, pos + len(line)))
            pos += len(line) + 1
        return spans


def load(split: str = "all") -> list[Article]:
    """The articles of one split (``dev``, ``report``, ``fresh``) or of dev and report (``all``)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    articles = [
        Article(
            id=a["id"],
            split=a["split"],
            text=a["text"],
            quotes=a.get("quote", []),
            headlines=a.get("headlines", []),
            not_speakers=a.get("not_speakers", []),
            forbidden_cues=a.get("forbidden_cues", []),
            forbid=a.get("forbid", []),
        )
        for name in FILES
        for a in tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))["article"]
    ]
    return [a for a in articles if (a.split in ALL_SPLITS if split == "all" else a.split == split)]


def _norm(name: str | None) -> str:
    """A name as compared: lower case, no leading article, no possessive or edge punctuation."""
    low = (name or "").lower().replace("’", "'").strip(" .,;:")
    return re.sub(r"^the\s+", "", low)


def _cut(text: str, span) -> str:
    return text[span.start : span.end] if span is not None else ""


def _overlap(q: Quote, start: int, end: int) -> int:
    return max(0, min(q.content.end, end) - max(q.content.start, start))


@dataclass
class Tally:
    counts: dict[str, list[int]] = field(default_factory=dict)  # figure -> [right, of]
    misses: list[str] = field(default_factory=list)

    def add(self, figure: str, right: bool, why: str = "") -> None:
        pair = self.counts.setdefault(figure, [0, 0])
        pair[0] += int(right)
        pair[1] += 1
        if not right and why:
            self.misses.append(f"{figure}: {why}")


def _score_gold(art: Article, found: list[Quote], tally: Tally) -> None:
    """Each gold quote against the found quote whose content overlaps it most."""
    text = art.text
    for gold in art.quotes:
        start = gold["at"]["content"]
        end = start + len(gold["content"])
        where = f"{art.id} {gold['content'][:50]!r}"
        if gold["kind"] == "scare":
            hit = any(q.kind == "scare" and (q.content.start, q.content.end) == (start, end) for q in found)
            tally.add("scare quotes found", hit, where)
            continue
        candidates = [q for q in found if q.kind != "scare" and _overlap(q, start, end) > 0]
        best = max(candidates, key=lambda q: _overlap(q, start, end), default=None)
        tally.add("attributions found", best is not None, where)
        if best is None:
            continue
        got = f"{where} -> speaker {_cut(text, best.speaker)!r} name {best.speaker_name!r} type {best.speaker_type}"
        if "name" in gold:
            tally.add("names right", _norm(best.speaker_name) == _norm(gold["name"]), f"{got}; want {gold['name']!r}")
        if gold.get("type") in ("organisation", "group"):
            tally.add("collectives typed as such", best.speaker_type in ("organisation", "group"), got)
        if "type" in gold:
            tally.add("types exact", best.speaker_type == gold["type"], f"{got}; want {gold['type']}")
        if "speaker" in gold:
            # a trailing appositive comma ("Erik Dahl,") is PolNeAR's edge convention, not a wrong speaker
            same = _cut(text, best.speaker).rstrip(", ") == gold["speaker"]
            tally.add("speaker spans exact", same, f"{got}; want {gold['speaker']!r}")
        if "cue" in gold:
            tally.add("cues exact", _cut(text, best.cue) == gold["cue"], f"{where} cue {_cut(text, best.cue)!r}")
        tally.add(
            "contents exact",
            (best.content.start, best.content.end) == (start, end),
            f"{where} got {_cut(text, best.content)!r}",
        )


def _score_false(art: Article, found: list[Quote], tally: Tally) -> None:
    """What must not be there: attributions in headline lines, forbidden cues, places as speakers."""
    text = art.text
    gold_spans = {(g["at"]["content"], g["at"]["content"] + len(g["content"])) for g in art.quotes}
    attributed = [q for q in found if q.cue is not None or q.speaker is not None]
    for s, e in art.line_spans(art.headlines):
        bad = [
            q
            for q in attributed
            if any(sp is not None and s <= sp.start < e for sp in (q.cue, q.speaker))
            and (q.content.start, q.content.end) not in gold_spans
        ]
        why = "; ".join(f"{_cut(text, q.speaker)!r} {_cut(text, q.cue)!r}" for q in bad)
        tally.add("headline lines unattributed", not bad, f"{art.id} {text[s:e][:50]!r}: {why}")
    for word in art.forbidden_cues:
        bad = [q for q in attributed if q.cue is not None and word in _cut(text, q.cue).split()]
        tally.add("action words not cues", not bad, f"{art.id} cue {word!r}")
    for rule in art.forbid:
        bad = [
            q
            for q in attributed
            if rule["cue"] in _cut(text, q.cue).split() and _norm(q.speaker_name) == _norm(rule["name"])
        ]
        tally.add("action words not cues", not bad, f"{art.id} {rule['cue']!r} credited to {rule['name']!r}")
    names = {_norm(q.speaker_name) for q in attributed if q.speaker_name}
    for place in art.not_speakers:
        tally.add("not-speakers left out", _norm(place) not in names, f"{art.id} {place!r} as a speaker")


def score(split: str = "all", finder: Callable[[str], list[Quote]] | None = None) -> Tally:
    """Figures of the quote rules on one split (``finder`` maps a text to its quotes; default the rules
    with the learned tagger when it is installed)."""
    if finder is None:
        from spinscope.analyzers.quotes import find_quotes
        from spinscope.segmentation import sentences

        def finder(text: str) -> list[Quote]:
            return find_quotes(text, sentences(text))

    tally = Tally()
    for art in load(split):
        found = finder(art.text)
        _score_gold(art, found, tally)
        _score_false(art, found, tally)
    return tally


def report(tally: Tally) -> str:
    """One line a figure: right of total and the share."""
    return "\n".join(f"{k:28s} {r:3d}/{n:<3d} {r / n:.3f}" for k, (r, n) in tally.counts.items() if n)
