"""The learned attribution tagger's output (:mod:`spinscope.analyzers.quote_tagger`) merged into the
rules' attributions.

Where tagger and rules share a cue, the tagger's source span (it learned PolNeAR's conventions:
appositives, titles, relative clauses) replaces or fills the rules' one. The tagger's other attributions
are added where no rule cue or source is in the way, also inside a rule's content ("X said that Y claimed
Z": nested reported speech). Chosen on the held-out tenth of PolNeAR train against other merges
(overlap F1 source / cue / content): the tagger only filling gaps 0.733 / 0.617 / 0.891, its sources
winning on shared cues 0.736 / 0.617 / 0.891, with nesting too (this one) 0.740 / 0.630 / 0.907, the
tagger leading 0.766 / 0.638 / 0.845 (more sources, worse contents). A tagger attribution (score at least
TAGGER_MIN_SCORE) whose content holds a whole rule attribution replaces that one ("McGurk tweeted that he
welcomed the action": the rules found only "he welcomed"; PolNeAR gives each token one role): exact F1
source / cue / content 0.762 / 0.703 / 0.557 -> 0.768 / 0.707 / 0.560 (stop 21; from 0.9 down to 0.4 the
threshold changes the third decimal only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from spinscope.analyzers.quotes.attribution import TAGGER_WEIGHT, Attr
from spinscope.analyzers.quotes.edges import clean_tagger_speaker, tidy_tagger_content
from spinscope.analyzers.quotes.phantoms import phantom_cue
from spinscope.analyzers.quotes.vocab import NOT_NAMES
from spinscope.document import Quote, Span
from spinscope.segmentation import sentence_of

if TYPE_CHECKING:
    from spinscope.runtime.encoding import TokenizedText

TAGGER_MIN_SCORE = 0.5  # research/quote_sources.py figures takes others

Found = tuple[Span | None, Span, list[Span], float]  # (speaker, cue, contents, score)


def _tagger_attr(speaker: Span | None, cue: Span, contents: list[Span], score: float, loose: list[Quote]) -> Attr:
    """An attribution found by the tagger; direct when its one content is a quotation the rules left loose."""
    direct = len(contents) == 1 and any(
        q.kind == "direct" and q.content.start == contents[0].start and q.content.end == contents[0].end for q in loose
    )
    return Attr(
        contents=[(c.start, c.end) for c in contents],
        cue=(cue.start, cue.end),
        speaker=(speaker.start, speaker.end) if speaker else None,
        kind="direct" if direct else "indirect",
        score=round(score, 4),
        verb_class="tagger",
    )


def _provisional(attrs: list[Attr], loose: list[Quote]) -> list[Quote]:
    """The rules' findings as quotes: the tagger reads them as input channels."""
    return [
        Quote(
            a.kind,  # type: ignore[arg-type]
            Span(*c),
            Span(*a.cue) if a.cue else None,
            Span(*a.speaker) if a.speaker else None,
        )
        for a in attrs
        for c in a.contents
    ] + loose


def _cuts_a_name(text: str, mine: Span | None, theirs: Span) -> bool:
    """The tagger's source is the rules' one less the first word of a capitalised name ("Save Our Seafront"
    read as "Our Seafront": the tagger takes "Save" for a verb) or less its last word ("Living Wage Now",
    "Property First": the tagger takes it for an adverb)."""
    if mine is not None and mine.start == theirs.start and theirs.end < mine.end:
        dropped = text[theirs.end : mine.end].split()
        last = text[theirs.start : theirs.end].split()[-1:]
        return len(dropped) == 1 and dropped[0][:1].isupper() and bool(last) and last[0][:1].isupper()
    if mine is None or mine.end != theirs.end or not mine.start < theirs.start:
        return False
    dropped = text[mine.start : theirs.start].split()
    # "When Trump", "After Scalia": the tagger rightly leaves the conjunction out
    first = dropped[0] if len(dropped) == 1 else ""
    return first[:1].isupper() and first.lower() not in NOT_NAMES and text[theirs.start : theirs.start + 1].isupper()


def _tagger_sources(text: str, attrs: list[Attr], found: list[Found]) -> None:
    """On a cue both found, the tagger's source replaces the rules' one unless it overlaps a content or the
    rules' one is a relative pronoun ('Mr. Scott, who has called …': PolNeAR's source is 'who')."""
    for attr in attrs:
        if attr.cue is None or (attr.speaker and text[attr.speaker[0] : attr.speaker[1]].lower() in ("who", "which")):
            continue
        cue = Span(*attr.cue)
        for t_speaker, t_cue, _, _ in found:
            if t_speaker is None or not t_cue.overlaps(cue):
                continue
            mine = Span(*attr.speaker) if attr.speaker else None
            clash = [c for c in attr.contents if t_speaker.overlaps(Span(*c))]
            if not clash and not _cuts_a_name(text, mine, t_speaker):
                attr.speaker = (t_speaker.start, t_speaker.end)
            elif len(clash) < len(attr.contents) and mine is not None and t_speaker.contains(mine):
                # "Last week, J.J. Goldberg, editor of X, wrote, '…'": the rules read the name as content
                # before an appositive subject; the tagger's source is the whole.
                attr.contents = [c for c in attr.contents if c not in clash]
                attr.speaker = (t_speaker.start, t_speaker.end)
            break


def _tidied(
    text: str,
    sentences: list[Span],
    speaker: Span | None,
    cue: Span,
    contents: list[Span],
    score: float,
    loose: list[Quote],
) -> Found:
    """A tagger attribution by the corpus's span conventions (:mod:`.edges`); its source kept inside the
    cue's sentence ("residents. Ali Hassan" -> "Ali Hassan"), and no content that is a scare quote of
    another sentence (the tagger hands a sentence's content runs to the cue of the sentence before)."""
    speaker = clean_tagger_speaker(text, speaker)
    home = sentence_of(sentences, cue.start)
    if speaker is not None and home is not None and speaker.overlaps(home) and not home.contains(speaker):
        speaker = clean_tagger_speaker(text, Span(max(speaker.start, home.start), min(speaker.end, home.end)))
    scare = [q.content for q in loose if q.kind == "scare"]
    kept = []
    for content in (tidy_tagger_content(text, c) for c in contents):
        elsewhere = home is not None and not home.overlaps(content)
        if elsewhere and any(q.contains(content) and content.end - content.start >= q.end - q.start - 2 for q in scare):
            continue
        kept.append(content)
    if not kept and speaker is not None and home is not None and speaker.end <= cue.start:
        comma = text.find(", ", cue.end, home.end)
        rest = tidy_tagger_content(text, Span(cue.end, comma if comma > 0 else home.end))
        if len(text[rest.start : rest.end].split()) >= 2:
            kept.append(rest)  # "He focused on X": the tagger found who and the cue; the content is the rest
    return speaker, cue, kept, score


def _past_rule_cue(text: str, item: Found, attrs: list[Attr]) -> Found:
    """A tagger cue that runs from a rule's cue over a comma into a second one ("said, not even suggesting",
    "wrote to Lynch, urging") keeps only its part after the comma."""
    speaker, cue, contents, score = item
    comma = text.rfind(",", cue.start, cue.end)
    if comma < 0 or not any(a.cue and Span(*a.cue).overlaps(Span(cue.start, comma)) for a in attrs):
        return item
    start = comma + 1
    while start < cue.end and text[start].isspace():
        start += 1
    return (speaker, Span(start, cue.end), contents, score) if start < cue.end else item


def _nested_in(attr: Attr, cue: Span, contents: list[Span], speaker: Span | None) -> bool:
    """Whether a rule's attribution lies wholly inside one of the tagger's contents, outside its cue and
    speaker ("McGurk tweeted that he welcomed the action": the rules found only "he welcomed")."""
    if attr.cue is None:
        return False
    spans = [Span(*attr.cue)] + ([Span(*attr.speaker)] if attr.speaker else []) + [Span(*c) for c in attr.contents]
    home = next((c for c in contents if c.contains(Span(*attr.cue))), None)
    return home is not None and all(home.contains(x) for x in spans) and not cue.overlaps(Span(*attr.cue))


def with_tagger(
    text: str, sentences: list[Span], attrs: list[Attr], loose: list[Quote], word_pieces: TokenizedText | None = None
) -> list[Attr]:
    """The rules' attributions with the tagger's sources and its own attributions added. (The tagger is the
    quote encoder, a second pass over the article: a head on the technique tagger's states was measured and
    fell short, see research/role_head.py.) ``word_pieces``: the text already tokenised with the encoder's
    tokenizer (the technique tagger's, when both ship one tokenizer file), or None to tokenise it here."""
    from spinscope.analyzers import quote_tagger

    model = quote_tagger.shipped()
    if model is None:
        return attrs
    found = [
        _tidied(text, sentences, speaker, cue, contents, score, loose)
        for speaker, cue, contents, score in quote_tagger.tagger_attributions(
            text, sentences, _provisional(attrs, loose), model, word_pieces
        )
        if not phantom_cue(text, cue)
    ]
    _tagger_sources(text, attrs, found)
    found = [_past_rule_cue(text, f, attrs) for f in found]
    added = list(attrs)
    # A source may speak twice ("Sanders criticized the accord, saying …" is two attributions of one source
    # in PolNeAR), so the tagger's source may be another attribution's source, never its cue or content.
    # A confident tagger attribution around a rule's one replaces it: PolNeAR gives each token one role.
    rule_spans = [Span(*a.cue) for a in attrs if a.cue] + [Span(*a.speaker) for a in attrs if a.speaker]
    for speaker, cue, contents, score in found:
        if score >= TAGGER_MIN_SCORE and contents and not any(cue.overlaps(r) for r in rule_spans):
            added = [a for a in added if not _nested_in(a, cue, contents, speaker)]
    speakers = [Span(*a.speaker) for a in added if a.speaker]
    blocking = [Span(*a.cue) for a in added if a.cue]
    for speaker, cue, contents, score in found:
        if not contents or score < TAGGER_MIN_SCORE or any(cue.overlaps(t) for t in blocking + speakers):
            continue
        contents = [c for c in contents if not any(c.overlaps(t) for t in blocking + speakers)]
        if not contents:
            continue
        if speaker is not None and any(speaker.overlaps(t) for t in blocking):
            speaker = None
        added.append(_tagger_attr(speaker, cue, contents, TAGGER_WEIGHT * score, loose))
        blocking += [*contents, cue]
        speakers += [speaker] if speaker else []
    return added
