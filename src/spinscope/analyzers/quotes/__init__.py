"""Who says what: direct quotes, reported speech and scare quotes, with cues and speakers.

:func:`find_quotes` is rules first, with a small learned tagger to add what PolNeAR counts as
attribution beyond reporting verbs. Every span is a character range of the original text. Cues are the
verb with its auxiliaries and adverbs (*has also said*) and not its addressee (*told*, not *told
reporters*), as PolNeAR marks them. One module per step:

1. **Quotation marks** (:mod:`.marks`). Curly double quotes, straight double quotes and the doubled
   apostrophes some outlets use (``''…''``) are paired inside each paragraph; a straight mark opens after
   a space or an opening bracket and closes before a space or punctuation. Single curly quotes ``‘…’``
   are paired only outside double quotes and only where ``’`` is not an apostrophe (``don’t``,
   ``voters’``). A quote left open at the end of a paragraph continues into the next paragraph when that
   one opens with a quotation mark (the newspaper convention for multi-paragraph quotes); each
   paragraph's piece is its own :class:`Quote`, all with the same speaker and cue.
2. **Regions** (:mod:`.marks`, :mod:`.tokens`). Sentences are merged where a quote runs across a
   sentence boundary, so that a quote is always inside one region. Inside a region each quote is one
   opaque token.
3. **Cue patterns** (:mod:`.cues`, with the speaker noun phrases of :mod:`.phrases` and the content
   bounds of :mod:`.bounds`), tried in each region: ``SPK CUE [addressee] [time/place] [that|:|,]
   CONTENT``, ``CONTENT, SPK CUE [, CONTENT2]`` and the inverted ``CONTENT, CUE SPK``; ``according to
   SPK`` (:mod:`.inverted`); ``…, saying (that) CONTENT``; ``"…" — Name`` sign-offs. Verbs come in classes with their own
   confidence (:mod:`.attribution`): reporting verbs (said, told, warned, tweeted, denied …: 0.9),
   beliefs (think, believe, fear: 0.6), evidence with a poll/study/report subject (showed, found: 0.7)
   and speech acts and stances that PolNeAR counts as attributions (criticised, urged, called for,
   endorsed: 0.5, content = their object). Passives (*was asked*) and infinitives (*to say*) are not
   cues of their subject. Patterns of their own: a passive with its agent, the agent the source ("was
   opposed by House Republicans", :mod:`.passive_by`); the question asked ("when asked whether …",
   :mod:`.asked`); expectations and appearances with no source ("is expected to", "seemed to",
   :mod:`.raising`). The word lists are data files (:mod:`spinscope.lexicons`).
4. **Across regions** (:mod:`.state`). A region that is only a quote, following a quote with a speaker,
   continues that speaker (same cue); one that follows ``SPK CUE:`` at the end of the previous region
   takes that speaker and cue.
5. **Kinds.** Content that is exactly one quotation is ``direct``; anything else (``that …``, a
   paraphrase holding a partial quotation) is ``indirect``. A short quotation (at most 4 words) inside no
   attribution is a ``scare`` quote (no speaker, no cue); a Title-Case phrase in quotes is taken for the
   title of a work and skipped; a longer quotation without a cue is a ``direct`` quote with no speaker.
   A quotation of one or two words inside someone's reported words, after a determiner, a possessive or
   *so-called* (*the council's "consultation"*), is a scare quote too, beside the reported speech.
   **Headlines and captions** (:mod:`.headlines`: lines without a full stop of at most 14 words, or
   labelled *Photo:*, *Caption:*) hold no attribution unless it holds a quotation
   (*Minister: "We will not back down"*) or a named speaker's verb of saying reporting a clause (*Rubio
   Says … Was A Mistake*; the name used outside the headlines too), kept to its own line; no such line is
   the content of an attribution elsewhere. A speech participle after a comma (*…, adding*) needs a
   reported clause: *adding pressure on households* is none. Deeds (*approved*, :mod:`.phantoms`) are no cues.
6. **Speakers** (:mod:`.speakers`, :mod:`.coreference`). ``speaker`` is the whole noun phrase (titles,
   appositives included, as PolNeAR marks sources); ``speaker_name`` is the name without titles
   (*Finance Minister Ana Ruiz* -> *Ana Ruiz*; a later *Ruiz* or *Ms. Ruiz* -> *Ana Ruiz*). Pronouns
   and descriptors (*the minister*, *the group*) are resolved to the most recent compatible speaker or
   named entity before them; anonymous sources (*a senior defence official*, *sources*) get no name.
   A descriptor followed by a name (*the group's chair, Gwen Lloyd*) gives that name; a restrictive
   *who* after a common noun (*villagers who say*) is those people, never a person named elsewhere; a
   name the text puts after *in*, *near*, *on the* … or ending *Lane*, *Street* is a place, no referent.
   An unresolved descriptor has no name. ``role`` is what the phrase says the speaker is (:mod:`.naming`:
   *the group's chair, Gwen Lloyd* -> *chair of the group*; *Headteacher Rhona Calder* -> *Headteacher*).
   ``speaker_type`` is person / anonymous / organisation / group / document from the head noun and the
   names (company endings like *Energy*, *Holdings*; a campaign named for its aim, *Save Our Seafront*;
   the descriptor before a name, *the union Unite*). A cue without a subject of its own (``…, citing``, ``… and accused``) shares the source of the
   attribution before it in its sentence, else the main clause's subject (:mod:`.sharing`).
7. **Learned tagger** (:mod:`.tagger`; ``use_tagger=True``, the default, when ``models/quote-encoder``
   is installed): PolNeAR marks as attributions much more than reporting verbs (criticised X, endorsed
   Y, a poll showed, the memo) — about 45% of its cues are outside any lexicon here. A MiniLM token
   tagger (:mod:`spinscope.analyzers.quote_tagger`, fine-tuned on PolNeAR train with the rules' tags
   among its inputs) adds the attributions the rules do not find, and where both find the same cue its
   source span replaces the rules'. Those attributions are ``indirect`` (``direct`` when the content is
   exactly a quotation), scored with the tagger's mean probability. ``use_tagger=False`` gives the rules
   alone. Cue and content edges follow PolNeAR's conventions (:mod:`.edges`).

Measured on PolNeAR: ``spinscope eval-quotes --polnear DIR`` (``python -m spinscope.evaluation.quotes
[--rules-only] DIR``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spinscope.analyzers.quotes.attribution import SCORE_SCARE, SCORE_UNATTRIBUTED, Attr
from spinscope.analyzers.quotes.coreference import Resolver
from spinscope.analyzers.quotes.edges import contraction_to_cue, trim_speaker, widen_cue, widen_source
from spinscope.analyzers.quotes.headlines import outside_furniture
from spinscope.analyzers.quotes.marks import Piece, is_title, quote_pieces
from spinscope.analyzers.quotes.phantoms import phantom_cue
from spinscope.analyzers.quotes.sharing import share_speakers
from spinscope.analyzers.quotes.state import rule_attributions
from spinscope.analyzers.quotes.tagger import with_tagger
from spinscope.analyzers.quotes.tokens import trim
from spinscope.document import Quote, Span
from spinscope.segmentation import body_end, paragraphs, sentence_of

if TYPE_CHECKING:
    from spinscope.runtime.encoding import TokenizedText

__all__ = ["find_quotes"]

MID_SCARE_WORDS = 6


def _loose_quotations(
    text: str, sentences: list[Span], pieces: list[Piece], attrs: list[Attr], owned: set[int]
) -> list[Quote]:
    """Quotations inside no attribution: scare quotes (short), titles (skipped) or unattributed direct quotes."""
    covered = [(s, e) for a in attrs for s, e in a.contents]
    loose: list[Quote] = []
    for index, piece in enumerate(pieces):
        if index in owned or any(s <= piece.start and piece.end <= e for s, e in covered):
            continue
        words = piece.words(text)
        if piece.end - piece.start < 3 or words == 0 or is_title(text, piece):
            continue
        span = Span(piece.start, piece.end)
        inner = text[piece.start : piece.end].strip("\"“”‘’' ")
        home = sentence_of(sentences, piece.start)
        inside = home is not None and re.search(r"\w", text[home.start : piece.start]) is not None
        inside = inside and not (inner[:1].isupper() and inner[-1:] in (".", "!", "?"))  # a whole sentence
        if (words <= 4 and inner[-1:] not in (",", ".", "!", "?", "…")) or (inside and words <= MID_SCARE_WORDS):
            loose.append(Quote(kind="scare", content=span, score=SCORE_SCARE))
        else:
            loose.append(Quote(kind="direct", content=span, score=SCORE_UNATTRIBUTED))
    return loose


# Words before a quoted word that make it a noun the writer or speaker holds at arm's length: "the
# council's "consultation"", "the so-called "reforms"", "the new "low-traffic" scheme".
_DISTANCING = frozenset("the a an this that these those its their his her our your my so-called new called".split())
INNER_SCARE_WORDS = 2


def _scares_inside(text: str, pieces: list[Piece], attrs: list[Attr]) -> list[Quote]:
    """Short quotations inside someone's reported words that are scare quotes, not a partial quotation of
    them: at most two words, inside the content (not at its edges), after a determiner, a possessive or
    "so-called"."""
    found = []
    for piece in pieces:
        home = [(s, e) for a in attrs for s, e in a.contents if s < piece.start and piece.end < e]
        if not home or piece.words(text) > INNER_SCARE_WORDS or is_title(text, piece):
            continue
        inner = text[piece.start : piece.end].strip("\"“”‘’' ")
        before = text[max(home[0][0], piece.start - 30) : piece.start].split()
        after = text[piece.end : home[0][1]].strip()
        if not before or not after or not inner or inner[-1] in ",.!?…":
            continue
        word = before[-1].lower()
        if word in _DISTANCING or word.endswith(("'s", "’s", "s'", "s’")):
            found.append(Quote(kind="scare", content=Span(piece.start, piece.end), score=SCORE_SCARE))
    return found


def _quotes(text: str, sentences: list[Span], attrs: list[Attr]) -> list[Quote]:
    """One quote per content span of the attributions (in text order), with resolved speakers."""
    resolver = Resolver(text, sentences)
    quotes: list[Quote] = []
    seen: set[tuple[int, int]] = set()
    for attr in attrs:
        name, kind, role = resolver.resolve(attr)
        for start, end in attr.contents:
            s, e = trim(text, start, end, " \t\n")
            if e <= s or (s, e) in seen:
                continue
            seen.add((s, e))
            quotation = text[s] in "\"“‘'" and text[e - 1] in "\"”’'"
            # one whole quotation: a piece of a split quote, or what is left of a headline's contents
            whole = quotation and not re.search(r"[\"“”]", text[s + 1 : e - 1])
            direct = attr.kind == "direct" or (len(attr.contents) > 1 and quotation) or whole
            quotes.append(
                Quote(
                    kind="direct" if direct else "indirect",
                    content=Span(s, e),
                    cue=Span(*attr.cue) if attr.cue else None,
                    speaker=Span(*attr.speaker) if attr.speaker else None,
                    speaker_name=name,
                    speaker_type=kind if attr.speaker else None,
                    score=attr.score,
                    role=role,
                )
            )
    return quotes


def find_quotes(
    text: str,
    sentences: list[Span],
    use_tagger: bool = True,
    *,
    blocks: list[Span] | None = None,
    word_pieces: TokenizedText | None = None,
) -> list[Quote]:
    """Direct, indirect and scare quotes in ``text`` (``sentences`` from :func:`spinscope.segmentation.sentences`).

    Returned in text order of their content; one quote per content span. ``use_tagger=False`` gives the
    rules alone (the learned tagger, when installed, only adds attributions the rules did not find).
    ``blocks`` (the text's paragraphs) and ``word_pieces`` (the text tokenised by the quote encoder's
    tokenizer, e.g. the technique tagger's pass when both ship the same tokenizer file) are reused when a
    caller has them already; without them they are computed here, with the same result."""
    blocks = paragraphs(text) if blocks is None else blocks
    end = body_end(text, blocks)  # site furniture after the article (newsletter, privacy, "Related:") says nothing
    sentences = [s for s in sentences if s.start < end]
    pieces = quote_pieces(text, [p for p in blocks if p.start < end])
    flow = rule_attributions(text, sentences, pieces)
    attrs = [a for a in flow.attrs if a.cue is None or not phantom_cue(text, a.cue)]
    loose = _loose_quotations(text, sentences, pieces, attrs, set(flow.piece_owner))
    if use_tagger:
        attrs = with_tagger(text, sentences, attrs, loose, word_pieces)
        covered = [(s, e) for a in attrs for s, e in a.contents]
        loose = [q for q in loose if not any(s <= q.content.start and q.content.end <= e for s, e in covered)]
    attrs = outside_furniture(text, attrs)
    share_speakers(sentences, attrs, text)
    attrs = [contraction_to_cue(text, trim_speaker(text, widen_source(text, widen_cue(text, a)))) for a in attrs]
    attrs.sort(key=lambda a: min([c[0] for c in a.contents] + ([a.cue[0]] if a.cue else [])))
    quotes = _quotes(text, sentences, attrs)
    seen = {(q.content.start, q.content.end) for q in quotes}
    quotes.extend(q for q in loose if (q.content.start, q.content.end) not in seen)
    seen |= {(q.content.start, q.content.end) for q in loose}
    quotes.extend(q for q in _scares_inside(text, pieces, attrs) if (q.content.start, q.content.end) not in seen)
    quotes.sort(key=lambda q: (q.content.start, q.content.end))
    return quotes
