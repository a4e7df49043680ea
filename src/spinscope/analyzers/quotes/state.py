"""The rules' pass over the regions of an article, with what carries from one region to the next
(:class:`Flow`): a quotation-only region continues the last speaker, one after 'SPK CUE:' takes that cue,
a lone 'SPK CUE.' takes the quotation before it, and a quote continued into the next paragraph keeps its
attribution."""

from __future__ import annotations

from dataclasses import dataclass, field

from spinscope.analyzers.quotes.attribution import (
    SCORE_COLON,
    SCORE_CONTINUATION,
    SCORE_LOOK_BACK,
    SCORE_NEXT_PARAGRAPH,
    Attr,
    CueSpeaker,
)
from spinscope.analyzers.quotes.cues import find_in_region
from spinscope.analyzers.quotes.marks import Piece, regions
from spinscope.analyzers.quotes.tokens import Tok, tokens
from spinscope.document import Span


@dataclass
class Flow:
    """What one region leaves to the next."""

    text: str
    pieces: list[Piece]
    attrs: list[Attr] = field(default_factory=list)
    piece_owner: dict[int, int] = field(default_factory=dict)  # piece index -> attribution index
    last_direct: int | None = None  # the last attribution with a direct quotation and a speaker
    pending_colon: CueSpeaker | None = None  # 'SPK CUE:' ending the previous region
    previous_quotes: list[int] = field(
        default_factory=list
    )  # pieces of the previous region when it held only quotations

    def direct(self, q: int, cue: tuple[int, int] | None, speaker: tuple[int, int] | None, score: float) -> Attr:
        """A direct quote of piece q."""
        piece = self.pieces[q]
        return Attr([(piece.start, piece.end)], cue, speaker, "direct", score, "speech", [q])

    def look_back(self, back: CueSpeaker) -> list[Attr]:
        """'“…”  Smith said on Tuesday.': the cue looks back to a quotation-only region before it."""
        cs, ce, ss, se = back
        if not self.previous_quotes or any(q in self.piece_owner for q in self.previous_quotes):
            return []
        return [self.direct(q, (cs, ce), (ss, se), SCORE_LOOK_BACK) for q in self.previous_quotes]

    def carried(self, toks: list[Tok], region_pieces: list[int]) -> list[Attr]:
        """A region that opens with a quotation and has no cue: the content announced by "SPK CUE:" at the
        end of the previous region, or a continuation of the previous speaker."""
        if self.pending_colon is not None:
            cs, ce, ss, se = self.pending_colon
            return [self.direct(q, (cs, ce), (ss, se), SCORE_COLON) for q in region_pieces]
        only_quotes = all(t.kind in ("q", "p") for t in toks)
        first = toks[0].quote
        if self.last_direct is None or not (only_quotes or self.pieces[first].words(self.text) >= 5):
            return []
        prev = self.attrs[self.last_direct]
        if prev.speaker is None or (not only_quotes and self.pieces[first].words(self.text) < 3):
            return []  # a region that is only a quotation ('"Very good."') continues however short
        return [
            self.direct(q, prev.cue, prev.speaker, SCORE_CONTINUATION)
            for q in region_pieces
            if self.pieces[q].words(self.text) >= 3 or q == first
        ]

    def next_paragraph(self, region_pieces: list[int], found: list[Attr]) -> list[Attr]:
        """Multi-paragraph quotes: a piece that continues an earlier piece joins its attribution."""
        out = []
        for q in region_pieces:
            origin = self.pieces[q].continues
            if origin >= 0 and origin in self.piece_owner and q not in {p for a in found + out for p in a.pieces}:
                owner = self.attrs[self.piece_owner[origin]]
                out.append(self.direct(q, owner.cue, owner.speaker, SCORE_NEXT_PARAGRAPH))
        return out

    def _ends_with_quotation(self, attr: Attr) -> bool:
        """'Voters need leaders "who understand …," Varga said.': a partial quotation that a quotation-only
        paragraph after it may continue."""
        return bool(attr.pieces) and attr.contents[-1][1] == self.pieces[attr.pieces[-1]].end

    def add(self, toks: list[Tok], found: list[Attr]) -> None:
        for attr in found:
            index = len(self.attrs)
            self.attrs.append(attr)
            for q in attr.pieces:
                self.piece_owner.setdefault(q, index)
            if attr.speaker is not None and (attr.kind == "direct" or self._ends_with_quotation(attr)):
                self.last_direct = index
        has_quotation = any(t.kind == "q" for t in toks)
        if found and not any(a.kind == "direct" for a in found) and any(a.speaker for a in found):
            self.last_direct = None if not has_quotation else self.last_direct
        if not found and not has_quotation:
            # A sentence of the writer's own between quotes ends the run of continuations.
            self.last_direct = None


def rule_attributions(text: str, sentences: list[Span], pieces: list[Piece]) -> Flow:
    """Every attribution the rules find, region by region, in text order."""
    flow = Flow(text, pieces)
    for region in regions(text, sentences, pieces):
        toks = tokens(text, region.start, region.end, pieces)
        if not toks:
            continue
        found, colon, back = find_in_region(toks)
        region_pieces = [t.quote for t in toks if t.kind == "q"]
        if back is not None:
            colon = None
            found = flow.look_back(back)
        if not found and toks[0].kind == "q":
            found = flow.carried(toks, region_pieces)
        found += flow.next_paragraph(region_pieces, found)
        flow.pending_colon = colon
        only_quotation = all(t.kind in ("q", "p") for t in toks) and bool(region_pieces)
        flow.previous_quotes = region_pieces if only_quotation and not found else []
        flow.add(toks, found)
    return flow
