"""Read the hand-marked evaluation set of obvious spin (``spin_set/``): clean text plus exact offsets.

Each article is a ``.txt`` file: a front matter of ``key: value`` lines (``id``, ``kind``: op-ed / mixed /
wire, ``title``), a line ``---``, then the article with inline marks (the ``spin_set/README.md`` rules):

    [[a shameless cash grab|LL]]           the writer's persuasive span, technique Loaded_Language
    [[thieves in suits|NC|quoted]]          a quoted speaker's words (technique Name_Calling,Labeling)
    [["green"|SQ+DBT]]                      several labels: a scare quote marked as Doubt too
    <<The tram line cost 40 million.>>      a checkable factual claim (may hold [[...]] marks)

The marks are stripped and the offsets computed while stripping, so ``text[start:end]`` is the marked
string by construction; the loader's test checks it anyway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from spinscope.techniques import TECHNIQUES

SPIN_SET = Path(__file__).with_name("spin_set")
# "fresh": written after dev and report had been looked at, committed before any run, never tuned on.
SPLITS = ("dev", "report", "fresh")
# What "all" means: dev and report only, so that figures stored for "all" do not move with fresh.
ALL_SPLITS = ("dev", "report")
KINDS = ("op-ed", "mixed", "wire")
# Not a PTC class: quotation marks put round a word to sneer at it. Always given beside a PTC label.
EXTRA_LABELS = ("Scare_Quotes",)
ALIASES = {
    "LL": "Loaded_Language",
    "NC": "Name_Calling,Labeling",
    "REP": "Repetition",
    "EXG": "Exaggeration,Minimisation",
    "DBT": "Doubt",
    "FEAR": "Appeal_to_fear-prejudice",
    "FLAG": "Flag-Waving",
    "CAUSE": "Causal_Oversimplification",
    "SLO": "Slogans",
    "AUTH": "Appeal_to_Authority",
    "BW": "Black-and-White_Fallacy",
    "TTC": "Thought-terminating_Cliches",
    "WHAT": "Whataboutism,Straw_Men,Red_Herring",
    "BAND": "Bandwagon,Reductio_ad_hitlerum",
    "SQ": "Scare_Quotes",
}
PTC_LABELS = tuple(t.id for t in TECHNIQUES)
VOICES = ("writer", "quoted")


class MarkupError(ValueError):
    """A spin-set file whose marks do not parse."""


@dataclass(frozen=True)
class MarkedSpan:
    start: int
    end: int
    techniques: tuple[str, ...]  # PTC ids first, then any extra (Scare_Quotes)
    voice: str  # "writer" or "quoted"
    text: str

    @property
    def technique(self) -> str:
        """The first PTC label: the one the per-technique table counts first."""
        return self.techniques[0]


@dataclass(frozen=True)
class MarkedClaim:
    start: int
    end: int
    text: str


@dataclass
class SpinArticle:
    id: str
    kind: str
    split: str
    text: str
    spans: list[MarkedSpan] = field(default_factory=list)
    claims: list[MarkedClaim] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    path: Path | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


def parse_labels(raw: str, where: str) -> tuple[tuple[str, ...], str]:
    parts = raw.split("|")
    if len(parts) > 2:
        raise MarkupError(f"{where}: too many '|' in label {raw!r}")
    voice = parts[1].strip() if len(parts) == 2 else "writer"
    if voice not in VOICES:
        raise MarkupError(f"{where}: voice {voice!r} is not one of {VOICES}")
    labels = []
    for label in parts[0].split("+"):
        label = ALIASES.get(label.strip(), label.strip())
        if label not in PTC_LABELS and label not in EXTRA_LABELS:
            raise MarkupError(f"{where}: unknown technique {label!r}")
        labels.append(label)
    ptc = [x for x in labels if x in PTC_LABELS]
    if not ptc:
        raise MarkupError(f"{where}: {raw!r} names no PTC technique (an extra label goes beside one)")
    return (*ptc, *(x for x in labels if x not in PTC_LABELS)), voice


def parse_markup(marked: str, where: str = "<text>") -> tuple[str, list[MarkedSpan], list[MarkedClaim]]:
    """The clean text and the marks of one marked body (see the module docstring)."""
    out: list[str] = []
    length = 0
    # open marks: ("span", start, label chars or None while still in the span text) / ("claim", start)
    stack: list[list] = []
    spans: list[MarkedSpan] = []
    claims: list[MarkedClaim] = []
    i = 0
    while i < len(marked):
        two = marked[i : i + 2]
        top = stack[-1] if stack else None
        if top is not None and top[0] == "span" and top[2] is not None:
            # inside a label: read up to "]]"
            if two == "]]":
                stack.pop()
                techniques, voice = parse_labels("".join(top[2]), where)
                text = "".join(out)[top[1] : length]
                if not text.strip() or text != text.strip():
                    raise MarkupError(f"{where}: span {text!r} is empty or has outer spaces")
                spans.append(MarkedSpan(top[1], length, techniques, voice, text))
                i += 2
            else:
                top[2].append(marked[i])
                i += 1
            continue
        if two == "[[":
            stack.append(["span", length, None])
            i += 2
        elif two == "<<":
            stack.append(["claim", length])
            i += 2
        elif marked[i] == "|" and top is not None and top[0] == "span":
            top[2] = []
            i += 1
        elif two == ">>":
            if top is None or top[0] != "claim":
                raise MarkupError(f"{where}: '>>' closes no claim")
            stack.pop()
            text = "".join(out)[top[1] : length]
            if not text.strip() or text != text.strip():
                raise MarkupError(f"{where}: claim {text!r} is empty or has outer spaces")
            claims.append(MarkedClaim(top[1], length, text))
            i += 2
        elif two == "]]" or marked[i] == "|":
            raise MarkupError(f"{where}: stray {marked[i]!r} at character {i}")
        else:
            out.append(marked[i])
            length += 1
            i += 1
    if stack:
        raise MarkupError(f"{where}: {len(stack)} mark(s) left open")
    text = "".join(out)
    return text, sorted(spans, key=lambda s: (s.start, s.end)), sorted(claims, key=lambda c: (c.start, c.end))


def parse_file(path: Path, split: str) -> SpinArticle:
    raw = path.read_text(encoding="utf-8")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise MarkupError(f"{path}: no '---' line after the front matter")
    meta = {}
    for line in head.splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    if meta.get("kind") not in KINDS:
        raise MarkupError(f"{path}: kind {meta.get('kind')!r} is not one of {KINDS}")
    text, spans, claims = parse_markup(body.strip("\n") + "\n", str(path))
    return SpinArticle(meta.get("id") or path.stem, meta["kind"], split, text, spans, claims, meta, path)


def load_spin_set(split: str = "all", root: Path = SPIN_SET) -> list[SpinArticle]:
    """The articles of one split ("dev", "report", "fresh") or of dev and report ("all"), in file-name
    order. "all" leaves out "fresh" on purpose: it is reported on its own."""
    if split not in (*SPLITS, "all"):
        raise ValueError(f"unknown split {split!r}: use dev, report, fresh or all")
    chosen = ALL_SPLITS if split == "all" else (split,)
    return [parse_file(path, name) for name in chosen for path in sorted((root / name).glob("*.txt"))]
