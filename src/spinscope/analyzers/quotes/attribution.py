"""An attribution before speaker resolution, the fixed confidence of each pattern, and the scan of one
region that the cue patterns (:mod:`.cues`) share: which tokens are taken, where a content may end."""

from __future__ import annotations

from dataclasses import dataclass, field

from spinscope.analyzers.quotes.phrases import Range, skip_aux_left, subject_left, subject_right
from spinscope.analyzers.quotes.tokens import Tok
from spinscope.analyzers.quotes.vocab import (
    AUX,
    INTRO,
    INVERTIBLE,
    LEADING_NOISE,
    NOT_NAMES,
    PARTICIPLE_CUES,
    SEPARATORS,
    VERBS,
)

# Quote.score: a fixed confidence per pattern; an explicit cue next to its content scores highest.
SCORE_BY_VERB_CLASS = {"speech": 0.9, "think": 0.6, "evidence": 0.7, "act": 0.5}
SCORE_INVERTED = 0.9  # '"…," said Ana Ruiz'
SCORE_ACCORDING_TO = 0.85
SCORE_SIGN_OFF = 0.85  # '"…" — Ana Ruiz'
SCORE_COLON = 0.85  # 'Ruiz said:' ending one region, the quotation opening the next
SCORE_NEXT_PARAGRAPH = 0.85  # a quotation continued into the next paragraph
SCORE_LOOK_BACK = 0.8  # '"…"  Smith said on Tuesday.': the cue alone after a quotation-only region
SCORE_CONTINUATION = 0.8  # a quotation-only region after a quote with a speaker
SCORE_PARTICIPLE = 0.75  # '…, saying that …'
# The verb class of attributions whose missing source is no one's to share ("when asked whether …": the
# one asked is not the asker; "is expected to …": no one is named): see sharing.py.
NO_SHARED_SOURCE = "sourceless"
SCORE_RAISING = 0.5  # 'The minister is expected to resign': an expectation, no one named behind it
SCORE_SCARE = 0.7
SCORE_UNATTRIBUTED = 0.5  # a long quotation inside no attribution
TAGGER_WEIGHT = 0.6  # the learned tagger's mean probability, weighted down for attributions it alone found


@dataclass
class Attr:
    contents: list[tuple[int, int]]
    cue: tuple[int, int] | None
    speaker: tuple[int, int] | None
    kind: str  # direct / indirect
    score: float
    verb_class: str = "speech"
    pieces: list[int] = field(default_factory=list)  # quote pieces used as contents
    speaker_hint: str | None = None  # "participle": subject found far left

    def extend(self, other: Attr | None) -> None:
        """Add a second content of the same cue and speaker (a quotation split around its cue)."""
        if other is None:
            return
        self.contents += other.contents
        self.pieces += other.pieces
        if other.kind == "indirect":
            self.kind = "indirect"


# A cue with its speaker as character offsets: (cue start, cue end, speaker start, speaker end).
CueSpeaker = tuple[int, int, int, int]


class RegionScan:
    """The tokens of one region while the cue patterns run over it: the attributions found so far, the
    tokens they hold, and a 'SPK CUE:' or 'SPK CUE.' with no content that points at another region."""

    def __init__(self, toks: list[Tok]) -> None:
        self.toks = toks
        self.n = len(toks)
        self.found: list[Attr] = []
        self.used = [False] * self.n
        self.pending_colon: CueSpeaker | None = None
        self.looking_back: list[CueSpeaker] = []

    def offsets(self, cue: Range, speaker: Range) -> CueSpeaker:
        toks = self.toks
        return toks[cue[0]].start, toks[cue[1]].end, toks[speaker[0]].start, toks[speaker[1]].end

    def sep_before(self, x: int) -> bool:
        """A content can end just before token x: a separator comma/dash, or a quotation."""
        toks = self.toks
        return x > 0 and (toks[x - 1].kind == "q" or (toks[x - 1].kind == "p" and toks[x - 1].text in SEPARATORS))

    def before_range(self, x: int, nested: bool = False) -> Range | None:
        """Tokens of the content that ends before token x (the separator excluded). ``nested``: the whole
        clause, even when other attributions already hold some of its tokens."""
        toks = self.toks
        last = x - 1
        while last >= 0 and toks[last].kind == "p":
            last -= 1
        if last < 0:
            return None
        if nested:
            return 0, last
        if any(self.used[y] for y in range(0, last + 1)):
            return None
        first = 0
        # A quotation right before the cue is the content by itself when only punctuation precedes it.
        if toks[last].kind == "q" and all(toks[y].kind == "p" for y in range(0, last)):
            first = last
        return first, last

    def make(
        self,
        first: int,
        last: int,
        cue: Range,
        speaker: Range | None,
        score: float,
        verb_class: str,
        hint: str | None = None,
    ) -> Attr | None:
        """The attribution of content tokens first..last (punctuation at its edges dropped), marking them used."""
        toks = self.toks
        while first <= last and toks[first].kind == "p" and toks[first].text in ",;:—–-―(":
            first += 1
        while last >= first and toks[last].kind == "p" and toks[last].text in ".,;:!?—–-―)":
            last -= 1
        if last < first or not any(toks[y].kind in ("w", "q") for y in range(first, last + 1)):
            return None
        only_quote = first == last and toks[first].kind == "q"
        for y in range(first, last + 1):
            self.used[y] = True
        return Attr(
            contents=[(toks[first].start, toks[last].end)],
            cue=(toks[cue[0]].start, toks[cue[1]].end),
            speaker=(toks[speaker[0]].start, toks[speaker[1]].end) if speaker else None,
            kind="direct" if only_quote else "indirect",
            score=score,
            verb_class=verb_class,
            pieces=[toks[y].quote for y in range(first, last + 1) if toks[y].kind == "q"],
            speaker_hint=hint,
        )

    def main_subject(self, limit: int) -> Range | None:
        """The subject of the region's main clause (for ', saying …')."""
        toks = self.toks
        s = 0
        while s < limit and (toks[s].kind == "p" or (toks[s].low in LEADING_NOISE and toks[s].low not in INTRO)):
            s += 1  # "Even the president …", "But Ortiz …": the subject starts after the connective
        if s < limit and toks[s].low in INTRO:
            comma = next((x for x in range(s, limit) if toks[x].text == ","), None)
            if comma is None:
                return None
            s = comma + 1
        subject = subject_right(toks, s, limit)
        pronoun = toks[s].low in ("he", "she", "they", "we", "i") if s < limit else False
        if subject is not None and subject[0] == subject[1] and toks[s].low in NOT_NAMES and not pronoun:
            return None  # "When asked …, said", "Continuing, …": a function word is no subject
        return subject

    def final_tag(self, y: int) -> int | None:
        """The comma before a speech tag that ends the region, its verb at y (', Mook said.', ', the network
        reported late Thursday.', ', said Dan Gerst, a pollster.'); None when the verb at y is not one.
        Everything before that comma is the tag's content, whatever other cues it holds."""
        toks = self.toks
        if y < 2 or toks[y].low not in INVERTIBLE or toks[y].cap:
            return None
        rest = [t for t in toks[y + 1 :] if t.kind != "p" or t.text not in ".!?"]
        if len(rest) > 15 or any(
            t.kind == "q" or t.low == "that" or (not t.cap and (t.low in VERBS or t.low in AUX)) for t in rest
        ):
            return None
        if toks[y - 1].text == ",":
            following = toks[y + 1] if y + 1 < self.n else None
            return y - 1 if following is not None and (following.cap or following.low in ("the", "a", "an")) else None
        subject = subject_left(toks, skip_aux_left(toks, y))
        if subject is None or subject[0] < 2 or toks[subject[0] - 1].text != "," or len(rest) > 5:
            return None
        return subject[0] - 1

    def content_stop(self, k: int) -> int:
        """Last token of a content starting at k: before a later ', SPK said' or ', saying' in the region."""
        toks, n = self.toks, self.n
        for y in range(k + 2, n):
            ty = toks[y]
            if ty.kind != "w" or ty.cap:
                continue
            comma = self.final_tag(y)
            if comma is not None and comma > k + 1:
                return comma - 1
            if ty.low == "according" and y + 1 < n and toks[y + 1].low == "to" and toks[y - 1].text in SEPARATORS:
                return max(k, y - 2)  # ", according to X" reports the whole clause: see the according-to rule
            before = toks[y - 1].low
            if before == "also" and y > k + 2 and toks[y - 2].low in ("and", "but", "while"):
                before, y = toks[y - 2].low, y - 1  # "…, while also saying that …"
            if ty.low in PARTICIPLE_CUES and (before in SEPARATORS or before in ("and", "but", "before", "while")):
                last = y - 1 if toks[y - 1].kind == "p" else y - 2
                return max(k, last)
            if (
                ty.low in INVERTIBLE
                and toks[y - 1].kind == "q"
                and y + 1 < n
                and (toks[y + 1].cap or toks[y + 1].low in ("the", "a", "an"))
            ):
                return max(k, y - 2)
            if VERBS.get(ty.low, ("", ""))[1] in ("speech", "act") or ty.low in ("told", "tells"):
                stop = self._before_second_cue(k, y)
                if stop is not None:
                    return stop
        return n - 1

    def _before_second_cue(self, k: int, y: int) -> int | None:
        """Where a content starting at k ends when the verb at y has a subject of its own after it."""
        toks = self.toks
        subj = subject_left(toks, skip_aux_left(toks, y))
        if subj is None or subj[0] <= k + 1:
            return None
        if self.sep_before(subj[0]) and toks[subj[0] - 1].kind == "q":
            # "…, “QUOTE,” he said": the quotation belongs to the later cue
            return max(k, subj[0] - 2)
        if toks[subj[0] - 1].low in ("but", "and", "while", "whereas", "although", "though") or (
            toks[subj[0] - 1].text == ";"
        ):
            # "… but U.S. officials have said …": a second attribution in the sentence
            last = subj[0] - 2
            while last > k and toks[last].kind == "p":
                last -= 1
            return max(k, last)
        return None
