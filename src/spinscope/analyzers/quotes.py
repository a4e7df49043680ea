"""Who says what: direct quotes, reported speech and scare quotes, with cues and speakers.

:func:`find_quotes` is rules first (steps 1-5), with a small learned tagger to
add what PolNeAR counts as attribution beyond reporting verbs (step 6). Every
span is a character range of the original text. Cues are the verb with its
auxiliaries and adverbs (*has also said*) and not its addressee (*told*, not
*told reporters*), as PolNeAR marks them. The steps:

1. **Quotation marks.** Curly double quotes, straight double quotes and the
   doubled apostrophes some outlets use (``''…''``) are paired inside each
   paragraph; a straight mark opens after a space or an opening bracket and
   closes before a space or punctuation. Single curly quotes ``‘…’`` are paired
   only outside double quotes and only where ``’`` is not an apostrophe
   (``don’t``, ``voters’``). A quote left open at the end of a paragraph
   continues into the next paragraph when that one opens with a quotation mark
   (the newspaper convention for multi-paragraph quotes); each paragraph's piece
   is its own :class:`Quote`, all with the same speaker and cue.
2. **Regions.** Sentences are merged where a quote runs across a sentence
   boundary, so that a quote is always inside one region. Inside a region each
   quote is one opaque token.
3. **Cue patterns**, tried in each region (``SPK`` a speaker noun phrase,
   ``CUE`` a reporting verb with its auxiliaries and adverbs):

   - ``SPK CUE [addressee] [time/place] [that|:|,] CONTENT`` — *The ministry said
     on Tuesday that …*, *Ruiz told reporters …*, *The ministry said: "…"*;
   - ``CONTENT, SPK CUE [adverbials] [, CONTENT2]`` and the inverted
     ``CONTENT, CUE SPK`` — *"…," he said. "…"*, *"…," said Ana Ruiz, the
     minister.* — a quote split around its cue gives one quote per piece;
   - ``according to SPK, CONTENT`` / ``CONTENT, according to SPK``;
   - ``…, saying|adding|noting (that) CONTENT`` (the speaker is the clause's subject);
   - ``"…" — Name`` sign-offs (the dash is the cue).

   Verbs come in classes with their own confidence: reporting verbs (said,
   told, warned, tweeted, denied …: 0.9), beliefs (think, believe, fear: 0.6),
   evidence with a poll/study/report subject (showed, found: 0.7) and speech
   acts and stances that PolNeAR counts as attributions (criticised, urged,
   called for, endorsed: 0.5, content = their object). Passives (*was asked*)
   and infinitives (*to say*) are not cues.

   A region that is only a quote, following a quote with a speaker, continues
   that speaker (same cue); one that follows ``SPK CUE:`` at the end of the
   previous region takes that speaker and cue.
4. **Kinds.** Content that is exactly one quotation is ``direct``; anything
   else (``that …``, a paraphrase holding a partial quotation) is
   ``indirect``. A short quotation (at most 4 words) inside no attribution is a
   ``scare`` quote (no speaker, no cue); a Title-Case phrase in quotes is taken
   for the title of a work and skipped; a longer quotation without a cue is a
   ``direct`` quote with no speaker.
5. **Speakers.** ``speaker`` is the whole noun phrase (titles, appositives
   included, as PolNeAR marks sources); ``speaker_name`` is the name without
   titles (*Finance Minister Ana Ruiz* -> *Ana Ruiz*; a later *Ruiz* or
   *Ms. Ruiz* -> *Ana Ruiz*). Pronouns (he, she, they, who) and descriptors
   (*the minister*, *the spokesman*, *the group*) are resolved to the most
   recent compatible speaker or named entity before them; anonymous sources
   (*a senior defence official*, *sources*, *officials who asked not to be
   named*) get no name. ``speaker_type`` is person / anonymous / organisation /
   group from the head noun and the names (see ``_ORG_WORDS``, ``_GROUP_WORDS``).
6. **Learned tagger** (``use_tagger=True``, the default, when
   ``models/quote-encoder`` is installed): PolNeAR marks as attributions much
   more than reporting verbs (criticised X, endorsed Y, a poll showed, the
   memo) — about 45% of its cues are outside any lexicon here. A MiniLM token
   tagger (:mod:`spinscope.analyzers.quote_tagger`, fine-tuned on PolNeAR train
   with the rules' tags among its inputs) adds the attributions the rules do
   not find, and where both find the same cue its source span (PolNeAR's
   conventions: appositives, relative clauses) replaces the rules'. Those
   attributions are ``indirect`` (``direct`` when the content is exactly a
   quotation), scored with the tagger's mean probability. ``use_tagger=False``
   gives the rules alone.

``Quote.score`` is a fixed confidence per pattern (explicit cue next to the
content highest, continuation, speech-act and unattributed quotes lower).
Measured on PolNeAR: ``python -m spinscope.evaluation.quotes [--rules-only] DIR``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from spinscope.document import Quote, Span, SpeakerType
from spinscope.segmentation import paragraphs


def _words(block: str) -> set[str]:
    """A lexicon written as white-space separated words."""
    return set(block.split())


# ---- lexicons ---------------------------------------------------------------------

# Reporting verbs: base form -> whether it takes an addressee object before the content.
_SPEECH_VERBS = _words(
    """
    acknowledge add admit agree allege announce argue ask assert assure boast caution claim complain concede
    conclude confirm contend counter declare demand deny disclose emphasise emphasize estimate explain fume hint
    indicate inform insist joke lament maintain mention muse note observe pledge posit  predict proclaim
    promise propose protest quip recall recommend reiterate remark remind repeat reply report respond retort
    reveal say scoff shout signal speculate state stress suggest tell testify threaten tweet vow warn wonder
    write yell
    """
)
# Verbs whose addressee comes before the content: "told reporters that …"
_OBJECT_VERBS = {"remind", "assure", "tell", "inform"}
# Verbs of belief/expectation that PolNeAR also annotates; lower confidence.
_THINK_VERBS = _words(
    """
    think believe fear worry doubt hope expect feel know understand
    """
)
# Speech acts and stances that PolNeAR annotates as attributions (criticised X, urged Y to, called for);
# chosen from the verbs most often marked as cues in PolNeAR train. Lowest confidence.
_ACT_VERBS = _words(
    """
    criticize criticise accuse describe urge defend praise reject question cite blast denounce dismiss blame
    condemn echo mock slam decry tout rail thank call express voice endorse request challenge portray liken
    applaud welcome chant retweet quote attack refuse decline seek want support oppose highlight push press
    credit label brand dub hail lambaste ridicule disparage excoriate berate chide scold rebuke castigate fault
    pan savage plan intend pledge back favor favour prefer demand
    """
)
# Forms of those verbs that were mostly no cue on held-out PolNeAR train ("the policies they support",
# "questions about"): quote_sources.py cues. "vote" was dropped from the list for the same reason.
_NOT_ACT_CUES = {"support", "supports", "questions"}
# Where a speech act went out ("on Twitter", "in a statement", "at a rally"): not part of what it is about.
_CHANNEL_WORDS = _words(
    """
    twitter facebook instagram tiktok telegram youtube x social television tv radio broadcast podcast
    statement interview post tweet speech conference briefing rally address
    """
)
# Evidence: a poll/study "shows", "found"...
_EVIDENCE_VERBS = {"show", "find", "suggest", "indicate", "reveal", "conclude", "estimate", "project"}
_EVIDENCE_NOUNS = _words(
    """
    poll polls survey surveys study studies report reports data analysis research figures statistics records
    documents review investigation audit assessment estimates census polling results
    """
)
# Heads of an object relative clause whose verb is no cue: "nothing the president said", "what she said".
_OBJECT_RELATIVE_HEADS = _words("nothing everything anything something what whatever")
_PARTICIPLE_CUES = _words(
    """
    saying adding noting arguing warning insisting claiming explaining stressing writing tweeting declaring
    asserting acknowledging suggesting calling telling asking stating announcing emphasizing emphasising
    predicting vowing promising contending conceding recalling lamenting complaining
    """
)
_IRREGULAR = {
    "seek": ("seeks", "sought", "seeking"),
    "rail": ("rails", "railed", "railing"),
    "slam": ("slams", "slammed", "slamming"),
    "pan": ("pans", "panned", "panning"),
    "dub": ("dubs", "dubbed", "dubbing"),
    "plan": ("plans", "planned", "planning"),
    "prefer": ("prefers", "preferred", "preferring"),
    "favor": ("favors", "favored", "favoring"),
    "say": ("says", "said", "saying"),
    "tell": ("tells", "told", "telling"),
    "write": ("writes", "wrote", "writing", "written"),
    "think": ("thinks", "thought", "thinking"),
    "find": ("finds", "found", "finding"),
    "feel": ("feels", "felt", "feeling"),
    "know": ("knows", "knew", "knowing", "known"),
    "understand": ("understands", "understood", "understanding"),
    "quip": ("quips", "quipped", "quipping"),
    "admit": ("admits", "admitted", "admitting"),
    "signal": ("signals", "signaled", "signaling", "signalled", "signalling"),
    "post": ("posts", "posted", "posting"),
    "counter": ("counters", "countered", "countering"),
}
_NOUNISH_3SG = _words(
    """
    states reports claims notes charges answers posts promises estimates findings shows counters hints signals
    demands fears doubts hopes
    """
)

_AUX = _words(
    """
    has have had also later previously repeatedly once again then publicly privately reportedly allegedly would
    will could can may might must should did does do not never long recently earlier first still often always
    frequently initially subsequently separately simply just only even already further flatly firmly strongly
    openly loudly quietly angrily bluntly curtly proudly confidently tersely succinctly emphatically jokingly
    hastily quickly immediately finally eventually herself himself themselves itself n’t n't been be is was were
    are going to
    """
)
_PRONOUNS = {"he", "she", "they", "we", "i", "you", "it", "who", "one"}
_DETERMINERS = _words(
    """
    the a an this that these those his her their its our my your one two three four five six several some many
    most both all other another each few more senior top former local state federal chief
    """
)
# Words that cannot be inside a speaker noun phrase (stop the leftward walk).
_BOUNDARY = _words(
    """
    and or but that which because while when whom whose as after before if since although though so where than
    until unless whether what how in on at for with from by to about into over under against during without
    through between among like also is was were are be been being has have had not it him them us me there here
    then now yet even just only once asked told said says say do does did can could would will should may might
    must why very too up out off down back this these those other no any every
    """
)
_TITLES = _words(
    """
    president vice prime minister secretary sen sen. senator rep rep. representative gov gov. governor gen gen.
    general lt lt. col col. colonel maj maj. major capt capt. captain sgt sgt. adm adm. admiral dr dr. mr mr.
    mrs mrs. ms ms. miss mx prof prof. professor rev rev. reverend judge justice mayor chairman chairwoman chair
    chief director spokesman spokeswoman spokesperson ambassador commander commissioner attorney speaker leader
    whip king queen prince princess sheikh pope father sister brother councillor councilor councilman
    councilwoman deputy assistant treasurer chancellor premier envoy strategist adviser advisor manager
    executive ceo founder analyst economist officer official lawyer candidate nominee host anchor author editor
    correspondent reporter pastor bishop rabbi imam cardinal archbishop sheriff detective inspector
    superintendent lord lady sir dame emir sultan mullah ayatollah marshal brigadier colonel-general lieutenant
    sergeant private corporal head coordinator aide partner president-elect senator-elect chief-of-staff st. jr
    jr. sr sr.
    """
)
_PERSON_ROLES = _words(
    """
    minister president spokesman spokeswoman spokesperson senator governor mayor general official secretary
    chairman chairwoman director ambassador commander leader candidate nominee adviser advisor strategist
    manager lawyer attorney judge chief executive founder analyst economist officer king queen prince pope
    premier chancellor envoy host author editor aide commissioner sheriff representative congressman
    congresswoman lawmaker legislator politician businessman businesswoman mogul billionaire woman man doctor
    professor researcher scientist expert activist organizer organiser campaigner witness resident survivor
    victim father mother son daughter wife husband widow veteran student teacher worker farmer voter supporter
    critic opponent rival challenger incumbent colonel captain admiral sergeant pastor priest bishop cleric imam
    rabbi republican democrat conservative liberal boss head partner owner contender hopeful frontrunner
    front-runner reporter journalist columnist correspondent prosecutor investigator detective inspector
    negotiator mediator diplomat consultant pollster operative chair deputy secretary-general emir
    """
)
_ANON_HEADS = _words(
    """
    official officials source sources aide aides diplomat diplomats person people insider insiders individual
    individuals officer officers staffer staffers member members employee employees commander commanders analyst
    analysts adviser advisers advisor advisors observer observers expert experts investigator investigators
    lawmaker lawmakers executive executives someone
    """
)
_ANON_DETS = _words(
    """
    a an one two three four several some many other another few
    """
)
_ORG_WORDS = {
    "ministry",
    "government",
    "army",
    "military",
    "police",
    "company",
    "firm",
    "department",
    "agency",
    "office",
    "campaign",
    "committee",
    "council",
    "party",
    "union",
    "embassy",
    "pentagon",
    "kremlin",
    "congress",
    "senate",
    "house",
    "court",
    "commission",
    "bank",
    "administration",
    "newspaper",
    "network",
    "institute",
    "university",
    "foundation",
    "corporation",
    "corp",
    "corp.",
    "inc",
    "inc.",
    "ltd",
    "ltd.",
    "llc",
    "association",
    "organization",
    "organisation",
    "federation",
    "service",
    "authority",
    "authorities",
    "board",
    "bureau",
    "cabinet",
    "parliament",
    "assembly",
    "navy",
    "force",
    "forces",
    "ministry's",
    "times",
    "post",
    "journal",
    "news",
    "press",
    "reuters",
    "ap",
    "afp",
    "cnn",
    "bbc",
    "nbc",
    "abc",
    "cbs",
    "fox",
    "msnbc",
    "npr",
    "politico",
    "tribune",
    "herald",
    "guardian",
    "telegraph",
    "magazine",
    "website",
    "statement",
    "group",
    "coalition",
    "alliance",
    "nato",
    "un",
    "eu",
    "who",
    "fbi",
    "cia",
    "nsa",
    "irs",
    "epa",
    "dnc",
    "rnc",
    "gop",
    "center",
    "centre",
    "club",
    "society",
    "fund",
    "trust",
    "project",
    "watch",
    "channel",
    "television",
    "radio",
    "station",
    "paper",
    "secretariat",
    "presidency",
    "palace",
    "headquarters",
    "command",
    "staff",
    "team",
    "league",
    "airline",
    "airlines",
    "hospital",
    "school",
    "college",
    "tribunal",
    "prosecutors",
    "state",
    "country",
    "nation",
    "city",
    "county",
    "province",
    "region",
    "municipality",
    "agency's",
    "industry",
    "lobby",
    "caucus",
    "delegation",
    "regime",
    "junta",
    "leadership",
    "white",
    "poll",
    "survey",
    "study",
    "report",
    "data",
    "analysis",
    "research",
} | _EVIDENCE_NOUNS
_GROUP_WORDS = _words(
    """
    rebels rebel militants militant insurgents insurgent fighters protesters protestors demonstrators crowd
    crowds militia militias mob activists supporters residents villagers voters students workers families
    refugees migrants settlers gunmen guerrillas front brigade brigades movement faction factions separatists
    jihadists extremists opposition strikers groups democrats republicans conservatives liberals critics
    opponents americans citizens witnesses parents fans members delegates lawmakers senators legislators leaders
    officials experts analysts economists scientists doctors people women men youths others progressives
    evangelicals farmers veterans
    """
)
_GROUP_NAME_ENDINGS = _words(
    """
    front brigade brigades militia rebels army movement guard taliban hamas hezbollah isis isil jihad mujahideen
    resistance legion
    """
)
_TIME_WORDS = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday yesterday today tonight earlier later recently
    previously afterward afterwards again last this next week month year night morning afternoon evening weekend
    then now also repeatedly publicly privately once twice bluntly flatly simply quietly separately directly
    explicitly frankly openly there here first further too elsewhere late early ago days weeks months years
    shortly soon immediately in on at during after before via through over from with by to a an the his her
    their its of
    """
)
_ADVERBIAL_HEADS = _words(
    """
    statement interview conference briefing speech email e-mail letter tweet post message call rally appearance
    hearing meeting event address remarks op-ed editorial memo video broadcast press news radio television
    twitter facebook instagram communique communiqué release town hall debate forum session summit ceremony
    visit trip stop program programme show podcast
    """
)
_MONTHS = _words(
    """
    january february march april may june july august september october november december jan jan. feb feb. mar
    mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct oct. nov nov. dec dec.
    """
)
_NOT_NAMES = _words(
    """
    the a an in on at but and or if when as this that it he she they we i you his her their our there here after
    before while for with by from so yet still also however meanwhile asked according mr mrs ms dr no yes not
    what who why how
    """
)


def _inflect(base: str) -> set[str]:
    base = base.strip()
    if base in _IRREGULAR:
        return {base, *_IRREGULAR[base]}
    forms = {base}
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.add(base + "es")
    elif base.endswith("y") and base[-2] not in "aeiou":
        forms.add(base[:-1] + "ies")
    else:
        forms.add(base + "s")
    if base.endswith("e"):
        forms.update({base + "d", base[:-1] + "ing"})
    elif base.endswith("y") and base[-2] not in "aeiou":
        forms.update({base[:-1] + "ied", base + "ing"})
    else:
        forms.update({base + "ed", base + "ing"})
    return forms


def _verb_table() -> dict[str, tuple[str, str]]:
    """word form -> (base, class) with class in speech / think / evidence."""
    table: dict[str, tuple[str, str]] = {}
    for base in _EVIDENCE_VERBS:
        for form in _inflect(base):
            table[form] = (base, "evidence")
    for base in _ACT_VERBS:
        for form in _inflect(base) - _NOT_ACT_CUES:
            table[form] = (base, "act")
    for base in _THINK_VERBS:
        for form in _inflect(base):
            table[form] = (base, "think")
    for base in _SPEECH_VERBS:
        for form in _inflect(base):
            table[form] = (base, "speech")
    return table


_VERBS = _verb_table()

# ---- tokens -----------------------------------------------------------------------

_WORD = re.compile(
    r"(?:[A-Z]\.){2,}|[A-Za-z]\.(?=\s[A-Z])|"  # U.S., J. M.
    r"\w+(?:[’'\-&.]\w+)*(?:[’']s\b)?|[^\w\s]"
)
_ABBREV = _words(
    """
    sen rep gov gen lt col maj capt sgt adm dr mr mrs ms prof rev st jr sr jan feb mar apr jun jul aug sep sept
    oct nov dec corp inc ltd co no vs mt ft
    """
)


@dataclass
class _Tok:
    start: int
    end: int
    text: str
    kind: str  # "w" word, "p" punctuation, "q" a whole quotation
    quote: int = -1  # index into the quote pieces for kind "q"

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def cap(self) -> bool:
        return self.kind == "w" and self.text[:1].isupper()


def _tokens(text: str, start: int, end: int, pieces: list[_Piece]) -> list[_Tok]:
    """Tokens of text[start:end] with every quotation piece inside it as one token."""
    toks: list[_Tok] = []
    inside = [(i, p) for i, p in enumerate(pieces) if p.start >= start and p.end <= end]
    position = start
    for index, piece in [*inside, (-1, None)]:
        stop = piece.start if piece is not None else end
        for m in _WORD.finditer(text, position, stop):
            s, e = m.start(), m.end()
            word = m.group()
            if word[0].isalnum() and e < stop and text[e] == "." and word.lower() in _ABBREV:
                e += 1
                word += "."
            toks.append(_Tok(s, e, word, "w" if word[0].isalnum() else "p"))
        if piece is None:
            break
        toks.append(_Tok(piece.start, piece.end, text[piece.start : piece.end], "q", index))
        position = piece.end
    # Abbreviation dots swallowed above must not also stand as their own token.
    cleaned: list[_Tok] = []
    for t in toks:
        if cleaned and t.kind == "p" and t.start < cleaned[-1].end:
            continue
        cleaned.append(t)
    return cleaned


# ---- quotation marks ------------------------------------------------------------------


@dataclass
class _Piece:
    start: int  # the opening mark
    end: int  # after the closing mark (or the end of the paragraph when unclosed)
    closed: bool
    continues: int = -1  # index of the piece this one continues (multi-paragraph quote)

    def words(self, text: str) -> int:
        return len(re.findall(r"\w+", text[self.start : self.end]))


_OPENERS_BEFORE = " \t\n([{—–-/“‘"
_DOUBLE = re.compile(r"''|``|[\"“”„]")


def _double_marks(text: str, block: Span) -> list[tuple[int, int, str]]:
    """(start, end, role) for each double quotation mark in the block; role is open / close / either."""
    marks = []
    for m in _DOUBLE.finditer(text, block.start, block.end):
        s, e, mark = m.start(), m.end(), m.group()
        before = text[s - 1] if s > block.start else " "
        after = text[e] if e < block.end else " "
        if mark in "“„" or mark == "``":
            role = "open"
        elif mark == "”":
            role = "close"
        else:
            opens = before in _OPENERS_BEFORE or before in "\"'" or s == block.start
            closes = not before.isspace() and (after.isspace() or not after.isalnum() or e == block.end)
            role = "open" if opens and not closes else "close" if closes and not opens else "either"
        marks.append((s, e, role))
    return marks


def _pair(marks: list[tuple[int, int, str]], block_end: int) -> tuple[list[tuple[int, int]], int | None]:
    """Pair opening and closing marks; returns the pairs and the start of a quote left open."""
    pairs = []
    open_at: int | None = None
    for s, e, role in marks:
        if open_at is None:
            if role in ("open", "either"):
                open_at = s
            # A stray closing mark with nothing open is ignored.
        elif role in ("close", "either"):
            pairs.append((open_at, e))
            open_at = None
        else:  # a second opening mark: the first was never closed; restart here
            open_at = s
    return pairs, open_at


_SINGLE_OPEN = re.compile(r"‘")


def _single_pairs(text: str, block: Span, taken: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """‘…’ used as quotation marks outside double quotes (’ followed by a letter is an apostrophe)."""
    pairs = []
    for m in _SINGLE_OPEN.finditer(text, block.start, block.end):
        s = m.start()
        if any(a <= s < b for a, b in taken) or any(a <= s < b for a, b in pairs):
            continue
        before = text[s - 1] if s > block.start else " "
        if not (before in _OPENERS_BEFORE or s == block.start) or s + 1 >= block.end or text[s + 1].isdigit():
            continue
        search = s + 1
        while True:
            close = text.find("’", search, block.end)
            if close < 0:
                break
            after = text[close + 1] if close + 1 < block.end else " "
            prev = text[close - 1]
            if not after.isalnum() and not (
                prev == "s"
                and after == " "
                and text[close - 2 : close].isalpha()
                and not text[close + 1 : close + 3].strip(" ").startswith(("”", ""))
            ):
                pairs.append((s, close + 1))
                break
            search = close + 1
    return pairs


def _quote_pieces(text: str, blocks: list[Span]) -> list[_Piece]:
    pieces: list[_Piece] = []
    pending: int | None = None  # index of an unclosed piece from the previous paragraph
    for block in blocks:
        marks = _double_marks(text, block)
        continuing = pending is not None and marks and marks[0][0] == block.start and marks[0][2] != "close"
        pairs, open_at = _pair(marks, block.end)
        block_pieces = [_Piece(a, b, True) for a, b in pairs]
        if open_at is not None:
            block_pieces.append(_Piece(open_at, block.end, False))
        block_pieces.sort(key=lambda p: p.start)
        if continuing and block_pieces and block_pieces[0].start == block.start:
            block_pieces[0].continues = pending  # type: ignore[assignment]
        singles = _single_pairs(text, block, [(p.start, p.end) for p in block_pieces])
        block_pieces.extend(_Piece(a, b, True) for a, b in singles)
        block_pieces.sort(key=lambda p: p.start)
        pending = None
        for piece in block_pieces:
            pieces.append(piece)
            if not piece.closed:
                pending = len(pieces) - 1
        if pending is not None and pieces[pending].start < block.start:
            pending = None
    return pieces


# ---- attributions (before speaker resolution) -----------------------------------------


@dataclass
class _Attr:
    contents: list[tuple[int, int]]
    cue: tuple[int, int] | None
    speaker: tuple[int, int] | None
    kind: str  # direct / indirect
    score: float
    verb_class: str = "speech"
    pieces: list[int] = field(default_factory=list)  # quote pieces used as contents
    speaker_hint: str | None = None  # "participle": subject found far left


def _trim(text: str, start: int, end: int, chars: str = " \t\n,;:—–-") -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


class _Region:
    def __init__(self, text: str, span: Span, toks: list[_Tok]) -> None:
        self.text = text
        self.span = span
        self.toks = toks


def _is_name_tok(t: _Tok) -> bool:
    return t.cap and t.low.rstrip(".") not in _NOT_NAMES


_NP_LINKS = {"of", "for", "at", "with", "from", "in"}
_PREPOSITIONS = _words("in on at by with from into onto during through via after before under over about")
_ADJ_SUFFIXES = ("ed", "ing", "ly", "ous", "ful", "able", "ible", "ic", "al", "ive")
_NOUN_EXCEPTIONS = _words(
    """
    official general principal rival criminal individual critic cleric representative executive detective
    operative relative conservative liberal radical national professional intellectual referral tribunal journal
    capital marshal admiral hospital council arsenal portal initial ally family assembly supply daily weekly
    republic public clinic mechanic heretic skeptic sceptic fanatic being king ring wing building briefing
    hearing meeting ruling reading reed creed seed speed feed breed steed need greed deed weed
    """
)
_INTENSIFIERS = {"himself", "herself", "themselves", "itself", "myself", "ourselves", "yourself"}
_LEADING_NOISE = _words(
    """
    meanwhile however instead still yet now then but and so also today yesterday even only just indeed moreover
    furthermore later earlier separately similarly likewise thus hence therefore finally
    """
)


def _nounish(word: str, after_determiner: bool = False) -> bool:
    """A lowercase word that can head a speaker noun phrase (``after_determiner``: "the note", "a report")."""
    if after_determiner and (word in _VERBS or word in _EVIDENCE_NOUNS) and not word.endswith(("ed", "ing")):
        return True
    if word in _PERSON_ROLES or word in _GROUP_WORDS or word in _ORG_WORDS or word in _ANON_HEADS:
        return True
    if word.rstrip("s") in _PERSON_ROLES or word.rstrip("s") in _ORG_WORDS:
        return True
    if word in _NOUN_EXCEPTIONS:
        return True
    if word in _BOUNDARY or word in _VERBS or word in _AUX or word in _DETERMINERS or word in _TIME_WORDS:
        return False
    return len(word) > 2 and not word.endswith(_ADJ_SUFFIXES)


def _subject_left(toks: list[_Tok], i: int) -> tuple[int, int] | None:
    """The speaker noun phrase ending just before index ``i`` (token indices, inclusive), or None."""
    j = i - 1
    if j < 0:
        return None
    t = toks[j]
    if t.kind == "p" and t.text == ",":
        # "NAME, APPOSITIVE, said" (the source keeps the appositive and its closing comma, as PolNeAR does)
        k = j - 1
        while k >= 0 and not (toks[k].kind == "p" and toks[k].text in ',;:(“"—–') and j - k <= 30:
            if toks[k].kind == "q":
                return None
            k -= 1
        if k >= 1 and toks[k].text == ",":
            head = _subject_left(toks, k)
            if head is not None and (
                toks[head[1]].cap or toks[head[1]].low in ("he", "she", "they") or _nounish(toks[head[1]].low)
            ):
                appositive = toks[k + 1 : j]
                relative = bool(appositive) and (
                    appositive[0].low in ("who", "whose", "which")
                    or (appositive[0].low.endswith("ing") and appositive[0].kind == "w")
                )
                if appositive and (
                    relative or not any(a.low in _VERBS or a.low in ("told", "is", "was", "are") for a in appositive)
                ):
                    return head[0], j
        return None
    # "Officials who asked not to be named said": an anonymity relative clause without commas.
    for w in range(j - 1, max(-1, j - 12), -1):
        if toks[w].kind != "w":
            break
        if toks[w].low in ("who", "that") and w > 0:
            tail = {x.low for x in toks[w + 1 : j + 1]}
            if tail & {"named", "identified", "anonymity", "authorized", "authorised", "record", "publicly"}:
                head = _subject_left(toks, w)
                if head is not None:
                    return head[0], j
            break
    if t.kind != "w":
        if t.kind == "p" and t.text == ")":  # "(D-Ill.)" party tags
            k = j
            while k >= 0 and toks[k].text != "(":
                k -= 1
            if k > 0 and j - k <= 8:
                inner = _subject_left(toks, k)
                if inner is not None:
                    return inner[0], j
        return None
    # "Sanders himself acknowledged": the intensifier belongs to the source.
    end = j
    if t.low in _INTENSIFIERS and j > 0:
        j -= 1
        t = toks[j]
        if t.kind != "w":
            return None
    low = t.low
    if low in _PRONOUNS or low in ("another", "others", "some", "many", "most", "both", "each", "several"):
        return j, end
    if low in _BOUNDARY and not t.cap:
        return None
    start = j
    n_words = 0
    k = j
    while k >= 0 and n_words < 16:
        tk = toks[k]
        lk = tk.low
        if tk.kind == "w":
            if tk.cap:
                pass
            elif lk in (
                "of",
                "de",
                "al",
                "bin",
                "van",
                "von",
                "der",
                "la",
                "le",
                "da",
                "du",
                "del",
                "for",
                "at",
                "with",
                "from",
                "in",
                "and",
            ):
                # inside a name or a noun phrase: "Secretary of State John Kerry", "members of the caucus",
                # "Toomey and Sen. Kelly Ayotte", "a spokesperson for the ministry"
                left = toks[k - 1] if k > 0 else None
                if left is None or left.kind != "w" or k == j:
                    break
                if lk == "and":
                    if not (left.cap and toks[k + 1].cap) and not (
                        _nounish(left.low) and left.low.endswith("s") and toks[k + 1].kind == "w"
                    ):
                        break
                elif lk in ("of", "de", "al", "bin", "van", "von", "der", "la", "le", "da", "du", "del"):
                    if not (
                        toks[k + 1].cap
                        or left.low in _PERSON_ROLES
                        or left.low in _ANON_HEADS
                        or left.low in _GROUP_WORDS
                        or left.low in _ORG_WORDS
                        or left.cap
                    ):
                        break
                elif not (
                    left.low in _PERSON_ROLES
                    or left.low in _ANON_HEADS
                    or left.low in _GROUP_WORDS
                    or left.low in _ORG_WORDS  # "police in Harnov", "the ministry in Kessin"
                    or left.low.rstrip("s") in _PERSON_ROLES
                    or left.low in _EVIDENCE_NOUNS
                ):
                    break
            elif (
                lk in _BOUNDARY
                or (lk in _PRONOUNS and k != j)
                or (lk in _VERBS and (k != j or not (k > 0 and toks[k - 1].low in _DETERMINERS)))
            ):
                break
            elif k != j and lk.endswith("ed") and lk not in _NOUN_EXCEPTIONS and lk not in _DETERMINERS:
                break  # a past-tense verb: the noun phrase starts after it
            start = k
            n_words += 1
        elif tk.kind == "p" and tk.text in "-–’'&." and 0 < k < j and toks[k - 1].kind == "w":
            start = k
        else:
            break
        k -= 1
    while start <= j and toks[start].low in _LEADING_NOISE:
        start += 1
    # Links at the left edge are not part of it ("for the ministry" -> "the ministry")
    while start <= j and toks[start].low in _NP_LINKS | {"and"}:
        start += 1
    if start > j:
        return None
    if start > 0 and toks[start - 1].low in _PREPOSITIONS and not toks[start - 1].cap:
        return None  # "In a communique posted on …": the noun phrase is a prepositional object
    head = toks[j]
    after_det = j > 0 and toks[j - 1].low in _DETERMINERS
    if not head.cap and head.low not in _PRONOUNS and not _nounish(head.low, after_det):
        return None
    if head.cap and head.low in _MONTHS | {
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    }:
        return None
    return start, end


_TIME_LEFT = _words(
    """
    monday tuesday wednesday thursday friday saturday sunday yesterday today tonight on last this week month
    year night morning afternoon evening weekend earlier later late early
    """
)


def _skip_aux_left(toks: list[_Tok], i: int) -> int:
    """Index of the first auxiliary/adverb (or time phrase) before the verb at ``i`` (``i`` when there is none)."""
    k = i
    while k - 1 >= 0 and toks[k - 1].kind == "w":
        w = toks[k - 1]
        low = w.low
        if (low in _AUX and not w.cap) or (
            not w.cap and low.endswith("ly") and low not in _NOUN_EXCEPTIONS and low not in ("only",) and len(low) > 4
        ):
            k -= 1
            continue
        if low in _TIME_LEFT and (w.cap or low in ("yesterday", "today", "earlier", "later", "tonight")):
            k -= 1
            # "on Monday", "last week"
            while k - 1 >= 0 and toks[k - 1].low in ("on", "last", "this", "late", "early", "earlier", "later"):
                k -= 1
            continue
        break
    return k


def _passive(toks: list[_Tok], first_aux: int, i: int) -> bool:
    """'was asked', 'is expected', 'had been told': the grammatical subject is not the source."""
    return any(
        toks[x].low in ("is", "was", "were", "are", "been", "be", "being", "’s", "'s") for x in range(first_aux, i)
    ) and toks[i].low.endswith(("ed", "told", "said", "written", "thought", "known", "found", "felt", "understood"))


def _after_cue(toks: list[_Tok], i: int, takes_object: bool) -> int:
    """Index where the content starts after the cue verb at ``i`` (skipping addressee, time and place)."""
    n = len(toks)
    k = i + 1
    # A "that" soon after the verb starts the content: "said in a statement Saturday that …"
    for m in range(k, min(n, k + 14)):
        tm = toks[m]
        if tm.kind == "q" or (tm.kind == "p" and tm.text in ",;:"):
            break
        if tm.low == "that" and not tm.cap:
            return m
        if tm.low in _VERBS and tm.low not in ("said",) and m > k:
            break
    if takes_object and k < n:
        # told reporters / told the AP / told CNN / told him
        if toks[k].low in ("reporters", "journalists", "him", "her", "them", "us", "me", "you", "supporters"):
            k += 1
        elif toks[k].low in ("the", "a", "an", "his", "her", "their", "its", "our"):
            k += 1
            while (
                k < n
                and toks[k].kind == "w"
                and toks[k].low not in ("that", "he", "she", "they", "it", "we", "i", "there")
                and k - i < 6
            ):
                if not toks[k].cap and k + 1 < n and toks[k + 1].kind == "w" and toks[k + 1].cap:
                    break
                k += 1
                if toks[k - 1].low in ("reporters", "audience", "crowd", "newspaper", "network", "agency"):
                    break
        elif k < n and toks[k].cap and toks[k].low not in _NOT_NAMES:
            while k < n and toks[k].kind == "w" and toks[k].cap:
                k += 1
    # "in his formal statement:", "at a rally in Ohio that …": a prepositional phrase up to ':' / ',' / that / a quote
    if k < n and toks[k].low in ("in", "at", "during", "via", "on", "through", "after", "before", "over"):
        for m in range(k + 1, min(n, k + 10)):
            tm = toks[m]
            if tm.kind == "q" or tm.text in (":", ",") or (tm.low == "that" and not tm.cap):
                between = toks[k + 1 : m]
                if (
                    between
                    and all(b.kind == "w" and b.low not in _VERBS for b in between)
                    and any(
                        b.low in _ADVERBIAL_HEADS or b.low in _TIME_WORDS or b.cap or b.low in _MONTHS for b in between
                    )
                ):
                    return m
                break
            if tm.kind == "p" and tm.text not in ("’", "'", "-", "."):
                break
    # Time and place adverbials: "on Tuesday", "in a statement", "at a news conference", "last week".
    while k < n:
        t = toks[k]
        if t.kind != "w":
            break
        low = t.low
        if low in ("on", "in", "at", "during", "via", "after", "late", "early", "last", "this", "earlier", "later") or (
            low in _TIME_WORDS
            and low not in ("a", "an", "the", "his", "her", "their", "its", "to", "of", "with", "from", "by", "over")
        ):
            m = k + 1
            while (
                m < n
                and toks[m].kind == "w"
                and (
                    toks[m].low in _TIME_WORDS
                    or toks[m].low in _ADVERBIAL_HEADS
                    or toks[m].low in _MONTHS
                    or toks[m].text.isdigit()
                    or (toks[m].cap and low in ("on", "in", "at", "during", "via", "to"))
                    or toks[m].low
                    in (
                        "news",
                        "a",
                        "an",
                        "the",
                        "his",
                        "her",
                        "their",
                        "its",
                        "phone",
                        "written",
                        "joint",
                        "televised",
                        "prepared",
                        "separate",
                        "radio",
                        "tv",
                        "of",
                        "with",
                    )
                )
            ):
                m += 1
            if m == k + 1 and low in ("on", "in", "at", "during", "via", "after"):
                break  # a preposition that does not start an adverbial: content
            if low in ("in", "at", "during", "via") and not any(
                toks[x].low in _ADVERBIAL_HEADS or toks[x].cap for x in range(k + 1, m)
            ):
                break
            k = m
            continue
        if (t.low in _MONTHS and not t.low.startswith("may")) or (
            t.text.isdigit() and k > i + 1 and toks[k - 1].low in _MONTHS
        ):
            k += 1
            continue
        break
    return k


_CLAUSE_STARTERS = _words(
    """
    that he she they it we i you there the a an his her their its our this these those no not all some many most
    if when whether what how why who any every both none nothing only one two three more fewer less to about as
    because while by after
    """
)


def _looks_like_content(toks: list[_Tok], k: int, end: int, min_words: int = 3) -> bool:
    if k > end:
        return False
    t = toks[k]
    words = sum(1 for x in toks[k : end + 1] if x.kind == "w") + sum(3 for x in toks[k : end + 1] if x.kind == "q")
    if words < min_words:
        return False
    if t.kind == "q":
        return True
    if t.kind == "p":
        return t.text in ":$£€(“‘"
    return t.low not in ("and", "but", "or", "nor", "because", "so", "than", "as")


_SEPARATORS = {",", "—", "–", "-", "―"}
# "released a statement saying …", "held up a sign saying …"
_MEDIA_NOUNS = _words("statement statements sign letter note message tweet post email e-mail ad advert video release")
_INVERTIBLE = _words(
    """
    said says added adds wrote writes asked asks continued explained explains noted notes argued argues insisted
    insists warned warns tweeted told tells recalled recalls declared replied responded cautioned concluded
    observed quipped joked conceded admitted acknowledged claimed countered stressed emphasized predicted
    remarked announced shouted complained lamented boasted wondered suggested confirmed mused scoffed yelled
    fumed agreed reported
    """
)
_INTRO = _words(
    """
    in on at after before during when while as earlier later speaking asked meanwhile however but and yet still
    then now since for with from by over under also instead though although if because last this
    """
)


def _subject_right(toks: list[_Tok], s: int, limit: int) -> tuple[int, int] | None:
    """A noun phrase starting at token ``s`` (before ``limit``): pronoun, name run, or determiner phrase."""
    if s >= limit or toks[s].kind != "w":
        return None
    t = toks[s]
    if t.low in ("he", "she", "they", "we", "i"):
        return s, s
    if t.low in ("what", "how", "why", "where", "who", "it", "there", "this", "that", "these", "those"):
        return None
    e = s
    # A sentence-initial "The" is capitalised too: "The mayor" is a determiner phrase, not the name "The".
    if t.cap and not (t.low in _DETERMINERS and s + 1 < limit and toks[s + 1].kind == "w" and not toks[s + 1].cap):
        while e + 1 < limit and (
            toks[e + 1].cap
            or (toks[e + 1].low in ("of", "de", "al", "bin", "van", "von") and e + 2 < limit and toks[e + 2].cap)
            or (toks[e + 1].kind == "p" and toks[e + 1].text in "-’'." and e + 2 < limit and toks[e + 2].kind == "w")
        ):
            e += 1
        if e + 1 < limit and toks[e + 1].text == "(":
            close = next((x for x in range(e + 2, min(limit, e + 8)) if toks[x].text == ")"), None)
            if close is not None:
                e = close
        return s, e
    if t.low in _DETERMINERS:
        while (
            e + 1 < limit
            and e - s < 6
            and toks[e + 1].kind == "w"
            and toks[e + 1].low not in _BOUNDARY
            and (toks[e + 1].low not in _VERBS and toks[e + 1].low not in _AUX)
        ):
            e += 1
        return (s, e) if e > s else None
    return None


def _find_in_region(region: _Region, pieces: list[_Piece]) -> tuple[list[_Attr], tuple[int, int, int, int] | None]:
    """Attributions in one region; also returns (cue_start, cue_end, spk_start, spk_end) when the region ends
    with 'SPK CUE:' and no content (the next region's quotation belongs to it)."""
    toks = region.toks
    n = len(toks)
    found: list[_Attr] = []
    used = [False] * n
    pending_colon = None
    looking_back: list[tuple[int, int, int, int]] = []

    def sep_before(x: int) -> bool:
        """A content can end just before token x: a separator comma/dash, or a quotation."""
        return x > 0 and (toks[x - 1].kind == "q" or (toks[x - 1].kind == "p" and toks[x - 1].text in _SEPARATORS))

    def before_range(x: int, nested: bool = False) -> tuple[int, int] | None:
        """Tokens of the content that ends before token x (the separator excluded). ``nested``: the whole
        clause, even when other attributions already hold some of its tokens."""
        last = x - 1
        while last >= 0 and toks[last].kind == "p":
            last -= 1
        if last < 0:
            return None
        if nested:
            return 0, last
        if any(used[y] for y in range(0, last + 1)):
            return None
        first = 0
        # A quotation right before the cue is the content by itself when only punctuation precedes it.
        if toks[last].kind == "q" and all(toks[y].kind == "p" for y in range(0, last)):
            first = last
        return first, last

    def make(
        first: int,
        last: int,
        cue: tuple[int, int],
        speaker: tuple[int, int] | None,
        score: float,
        verb_class: str,
        hint: str | None = None,
    ) -> _Attr | None:
        while first <= last and toks[first].kind == "p" and toks[first].text in ",;:—–-―(":
            first += 1
        while last >= first and toks[last].kind == "p" and toks[last].text in ".,;:!?—–-―)":
            last -= 1
        if last < first:
            return None
        if not any(toks[y].kind in ("w", "q") for y in range(first, last + 1)):
            return None
        only_quote = first == last and toks[first].kind == "q"
        for y in range(first, last + 1):
            used[y] = True
        return _Attr(
            contents=[(toks[first].start, toks[last].end)],
            cue=(toks[cue[0]].start, toks[cue[1]].end),
            speaker=(toks[speaker[0]].start, toks[speaker[1]].end) if speaker else None,
            kind="direct" if only_quote else "indirect",
            score=score,
            verb_class=verb_class,
            pieces=[toks[y].quote for y in range(first, last + 1) if toks[y].kind == "q"],
            speaker_hint=hint,
        )

    def extend(attr: _Attr, other: _Attr | None) -> None:
        if other is None:
            return
        attr.contents += other.contents
        attr.pieces += other.pieces
        if other.kind == "indirect":
            attr.kind = "indirect"

    def main_subject(limit: int) -> tuple[int, int] | None:
        """The subject of the region's main clause (for ', saying …')."""
        s = 0
        while s < limit and toks[s].kind == "p":
            s += 1
        if s < limit and toks[s].low in _INTRO:
            comma = next((x for x in range(s, limit) if toks[x].text == ","), None)
            if comma is None:
                return None
            s = comma + 1
        return _subject_right(toks, s, limit)

    def content_stop(k: int) -> int:
        """Last token of a content starting at k: before a later ', SPK said' or ', saying' in the region."""
        for y in range(k + 2, n):
            ty = toks[y]
            if ty.kind != "w" or ty.cap:
                continue
            if ty.low == "according" and y + 1 < n and toks[y + 1].low == "to" and toks[y - 1].text in _SEPARATORS:
                return max(k, y - 2)  # ", according to X" reports the whole clause: see the according-to rule
            if ty.low in _PARTICIPLE_CUES and (toks[y - 1].text in _SEPARATORS or toks[y - 1].low in ("and", "but")):
                last = y - 1 if toks[y - 1].kind == "p" else y - 2
                return max(k, last)
            if (
                ty.low in _INVERTIBLE
                and toks[y - 1].kind == "q"
                and y + 1 < n
                and (toks[y + 1].cap or toks[y + 1].low in ("the", "a", "an"))
            ):
                return max(k, y - 2)
            if _VERBS.get(ty.low, ("", ""))[1] in ("speech", "act") or ty.low in ("told", "tells"):
                subj = _subject_left(toks, _skip_aux_left(toks, y))
                if subj is None or subj[0] <= k + 1:
                    continue
                if sep_before(subj[0]) and toks[subj[0] - 1].kind == "q":
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
        return n - 1

    i = 0
    while i < n:
        t = toks[i]
        if t.kind != "w" or used[i]:
            i += 1
            continue
        low = t.low
        # --- according to SPK -------------------------------------------------------------
        if low == "according" and i + 1 < n and toks[i + 1].low == "to":
            s0 = i + 2
            s1 = s0
            while s1 < n and toks[s1].kind != "q" and not (toks[s1].kind == "p" and toks[s1].text in ",;.!?—–"):
                s1 += 1
            if s1 == s0:
                i += 1
                continue
            cue, speaker = (i, i + 1), (s0, s1 - 1)
            attr = None
            rng = before_range(i) if sep_before(i) or (i > 0 and toks[i - 1].text == "(") else None
            if rng is None and sep_before(i) and any(used[:i]):
                # '"…," he told Flake, according to officials': they report the whole clause, attribution and all.
                rng = before_range(i, nested=True)
            after_first = s1 + 1 if s1 < n and toks[s1].text in ",—–" else n
            if rng is not None:
                attr = make(rng[0], rng[1], cue, speaker, 0.85, "speech")
                if attr is not None and after_first < n and _looks_like_content(toks, after_first, n - 1):
                    extend(attr, make(after_first, n - 1, cue, speaker, 0.85, "speech"))
            elif after_first < n:
                attr = make(after_first, n - 1, cue, speaker, 0.85, "speech")
            if attr is not None:
                found.append(attr)
                for y in range(i, s1):
                    used[y] = True
            i = s1
            continue
        # --- participles: "…, saying (that) CONTENT" -------------------------------------------
        if (
            low in _PARTICIPLE_CUES
            and not t.cap
            and i > 0
            and (
                toks[i - 1].text in _SEPARATORS
                or toks[i - 1].kind == "q"
                or toks[i - 1].low in ("and", "by", "then", "before", "after", "while")
                or toks[i - 1].low in _MEDIA_NOUNS
            )
        ):
            k = i + 1
            if k < n and toks[k].text in (",", ":"):
                k += 1
            if _looks_like_content(toks, k, n - 1):
                subject = main_subject(i)
                attr = make(k, n - 1, (i, i), subject, 0.75, "speech", "participle")
                if attr is not None:
                    if subject is None and found and found[-1].speaker:
                        # '"…," said Ruiz, adding …': the speaker just named goes on talking.
                        attr.speaker = found[-1].speaker
                    found.append(attr)
                    used[i] = True
                    break
        # --- reporting verbs ----------------------------------------------------------------------
        verb = _VERBS.get(low)
        if low in ("told", "tells", "tell", "telling"):
            verb = ("tell", "speech")
        if verb is None or t.cap or (i > 0 and toks[i - 1].low == "to") or low.endswith("ing"):
            i += 1
            continue
        base, vclass = verb
        if i > 0 and toks[i - 1].low in ("the", "a", "an", "his", "her", "their", "its", "our", "this", "that"):
            i += 1
            continue
        vscore = {"speech": 0.9, "think": 0.6, "evidence": 0.7, "act": 0.5}[vclass]
        first_aux = _skip_aux_left(toks, i)
        cue_start = i
        while (
            cue_start - 1 >= first_aux
            and (toks[cue_start - 1].low in _AUX or toks[cue_start - 1].low.endswith("ly"))
            and not toks[cue_start - 1].cap
        ):
            cue_start -= 1
        if _passive(toks, first_aux, i) or (i + 2 < n and toks[i + 1].low == "not" and toks[i + 2].low == "to"):
            # passives, and "who asked not to be named"
            i += 1
            continue
        subject = _subject_left(toks, first_aux)
        if (
            subject is None
            and first_aux > 1
            and toks[first_aux - 1].low in ("and", "then", "but")
            and (vclass in ("speech", "think"))
        ):
            # "The governor met survivors and said …": the subject of the clause's first verb
            coordinated = main_subject(first_aux - 1)
            if coordinated is not None and coordinated[1] < first_aux - 2:
                subject = coordinated
        if subject is not None:
            s_first, s_last = subject
            head_tok = toks[s_last - 1] if toks[s_last].low in _INTENSIFIERS and s_last > s_first else toks[s_last]
            head = head_tok.low
            ok = True
            if vclass == "evidence":
                ok = (
                    head in _EVIDENCE_NOUNS
                    or head.rstrip("s") in _EVIDENCE_NOUNS
                    or (i + 1 < n and toks[i + 1].low == "that")
                )
            elif vclass in ("think", "act"):
                ok = (
                    head_tok.cap
                    or head in _PRONOUNS
                    or head in _GROUP_WORDS
                    or head in _PERSON_ROLES
                    or (head in _ORG_WORDS or head in _ANON_HEADS or head.rstrip("s") in _PERSON_ROLES)
                )
            if (
                low.endswith("s")
                and low not in ("says",)
                and base + "s" == low
                and base + "s"
                in _NOUNISH_3SG
                | {"remarks", "states", "notes", "claims", "reports", "calls", "tweets", "posts", "answers"}
            ):
                # 3rd-person -s forms double as plural nouns ("states", "remarks"): a singular subject only.
                ok = ok and (head_tok.cap or head in ("he", "she", "it", "who", "one"))
            if (
                low == base
                and cue_start == i
                and head not in ("they", "we", "i", "you", "who")
                and not (head.endswith("s") or any(toks[y].low == "and" for y in range(s_first, s_last)))
            ):
                ok = False  # a bare base form needs a plural subject ("officials say") or an auxiliary
            if toks[s_first].low in _OBJECT_RELATIVE_HEADS or (
                s_first > 0 and toks[s_first - 1].low in _OBJECT_RELATIVE_HEADS
            ):
                ok = False  # "Nothing the president said will …": the verb sits in a relative clause
            if not ok:
                i += 1
                continue
            cue = (cue_start, i)
            k = _after_cue(toks, i, base in _OBJECT_VERBS)
            colon = k < n and toks[k].text == ":"
            if k < n and toks[k].kind == "p" and toks[k].text in ":,":
                k += 1
            stop = content_stop(k)
            if toks[s_first].low in ("who", "which", "whom") and s_first > 0 and toks[s_first - 1].text == ",":
                comma = next((y for y in range(k, stop + 1) if toks[y].text == ","), None)
                if comma is not None:
                    stop = comma - 1
            if vclass == "act":
                # A speech act's content is its object: "criticized X", "called for X", "declined to comment on X"
                while k < n and toks[k].low in ("for", "on", "against", "to", "of", "about", "with", "at", "into"):
                    k += 1
                for y in range(k + 1, stop + 1):
                    if toks[y].text in (",", ";", "—", "–") or toks[y].low in (
                        "despite",
                        "following",
                        "because",
                        "after",
                        "before",
                        "while",
                        "when",
                        "since",
                        "amid",
                        "but",
                        "and",
                        "which",
                        "who",
                        "where",
                        "during",
                    ):
                        stop = y - 1
                        break
                # ... nor the channel it went out on: "defended the decision on Twitter", "… at a rally".
                for y in range(k + 1, stop + 1):
                    if toks[y].low in ("on", "in", "at", "via") and any(
                        toks[z].low in _CHANNEL_WORDS for z in range(y + 1, min(y + 4, stop + 1))
                    ):
                        stop = y - 1
                        break
            has_after = _looks_like_content(toks, k, stop, 1 if vclass == "act" else 3)
            if k + 1 < n and toks[k].low == "according" and toks[k + 1].low == "to":
                has_after = False  # '"…," he told Flake, according to officials': theirs, not his
            before = before_range(s_first) if sep_before(s_first) else None
            if (
                before is not None
                and toks[before[0]].low in _INTRO
                and toks[before[1]].kind != "q"
                and (colon or before[1] - before[0] < 10)
            ):
                before = None  # "In a televised address, the president said: …" — an adverbial, not content
            if before is not None and (not has_after or toks[k].kind == "q" or toks[k - 1].text == ","):
                attr = make(before[0], before[1], cue, subject, vscore, vclass)
                if attr is not None:
                    if has_after and toks[k].low in _PARTICIPLE_CUES and not toks[k].cap:
                        # '"…," Ruiz said, adding that …': a second attribution, same speaker, cue "adding".
                        # Not left to the participle rule below: its speaker is the region's main subject,
                        # and here it must be this cue's own.
                        found.append(attr)
                        after = k + 1 + (k + 1 <= stop and toks[k + 1].text in (",", ":"))
                        if _looks_like_content(toks, after, stop):
                            second = make(after, stop, (k, k), subject, 0.75, "speech", "participle")
                            found.extend([second] if second is not None else [])
                        i = stop + 1
                        continue
                    if has_after and (toks[k].kind == "q" or toks[k - 1].text == ","):
                        extend(attr, make(k, stop, cue, subject, vscore, vclass))
                        found.append(attr)
                        i = stop + 1
                        continue
                    found.append(attr)
                    i = k
                    continue
            if has_after:
                attr = make(k, stop, cue, subject, vscore, vclass)
                if attr is not None:
                    found.append(attr)
                    i = stop + 1
                    continue
            if colon and all(toks[y].kind == "p" for y in range(k, n)):
                pending_colon = (toks[cue[0]].start, toks[cue[1]].end, toks[s_first].start, toks[s_last].end)
            elif s_first == 0 and vclass == "speech" and all(toks[y].kind == "p" for y in range(k, n)) and not found:
                # "Smith said on Tuesday." alone: the content is the quotation just before (see find_quotes)
                looking_back.append((toks[cue[0]].start, toks[cue[1]].end, toks[s_first].start, toks[s_last].end))
            i += 1
            continue
        # --- inverted: "CONTENT, said SPK" ---------------------------------------------------------
        if vclass == "speech" and low in _INVERTIBLE and sep_before(i) and i + 1 < n and toks[i + 1].low != "that":
            s0 = i + 1
            if toks[s0].kind == "w" and (
                toks[s0].cap
                or toks[s0].low in _DETERMINERS
                or toks[s0].low in ("he", "she", "they", "we", "i")
                or _nounish(toks[s0].low)
            ):
                s1 = s0
                ended = False
                while s1 < n:
                    ts = toks[s1]
                    if ts.kind == "q":
                        ended = True
                        break
                    if (ts.kind == "p" and ts.text in ";!?") or (
                        ts.kind == "p"
                        and ts.text == "."
                        and (s1 + 1 >= n or (toks[s1 + 1].text not in ")" and not toks[s1 + 1].low.islower()))
                    ):
                        ended = True
                        break
                    if (
                        ts.text == ","
                        and s1 + 1 < n
                        and toks[s1 + 1].low
                        in (
                            "adding",
                            "saying",
                            "noting",
                            "though",
                            "although",
                            "but",
                            "and",
                            "while",
                            "as",
                            "because",
                            "referring",
                            "explaining",
                            "arguing",
                            "citing",
                            "in",
                            "during",
                            "at",
                            "after",
                            "when",
                            "who",
                            "speaking",
                            "calling",
                            "describing",
                            "according",
                        )
                    ):
                        ended = True
                        break
                    if (
                        ts.low in ("in", "at", "on", "during", "after", "when", "to", "last", "this")
                        and s1 > s0
                        and (toks[s1 - 1].kind == "w")
                        and toks[s1 - 1].low not in _TITLES
                        and not any(toks[y].text == "," for y in range(s0, s1))
                    ):
                        ended = True
                        break
                    if ts.low in ("that", "the", "a") and s1 == s0 + 1 and not toks[s0].cap:
                        break
                    if (
                        ts.low in _VERBS
                        and not ts.cap
                        and s1 > s0
                        and not any(toks[y].text == "," for y in range(s0, s1))
                    ):
                        break  # "said Obama failed …": not an inverted speaker
                    s1 += 1
                else:
                    ended = True
                e1 = s1 - 1
                while e1 > s0 and toks[e1].kind == "p":
                    e1 -= 1
                rng = before_range(i)
                if ended and rng is not None:
                    speaker = (s0, e1)
                    attr = make(rng[0], rng[1], (i, i), speaker, 0.9, "speech")
                    if attr is not None:
                        rest = s1
                        while rest < n and toks[rest].kind == "p" and toks[rest].text in ",:.":
                            rest += 1
                        if rest < n and toks[rest].kind == "q":
                            extend(attr, make(rest, n - 1, (i, i), speaker, 0.9, "speech"))
                        found.append(attr)
                        i = max(s1, i + 1)
                        continue
        i += 1

    # --- "…" — Name sign-offs ---------------------------------------------------------------------
    for x in range(n - 2):
        if toks[x].kind == "q" and not used[x] and toks[x + 1].text in ("—", "–", "―", "-") and toks[x + 2].cap:
            y = x + 2
            while y + 1 < n and toks[y + 1].kind != "q" and toks[y + 1].text not in ".;!?":
                y += 1
            found.append(
                _Attr(
                    [(toks[x].start, toks[x].end)],
                    (toks[x + 1].start, toks[x + 1].end),
                    (toks[x + 2].start, toks[y].end),
                    "direct",
                    0.85,
                    "speech",
                    [toks[x].quote],
                )
            )
            used[x] = True
    if looking_back and not found:
        pending_colon = ("back", *looking_back[0])  # type: ignore[assignment]
    return found, pending_colon


# ---- speakers ---------------------------------------------------------------------------


@dataclass
class _Entity:
    name: str
    kind: SpeakerType
    position: int
    roles: set[str]


_NAME_RUN = re.compile(r"(?:(?:[A-Z][\w’'\-]*\.?|of|de|al|bin|van|von|der|la|du|del)\s+)*[A-Z][\w’'\-]*(?:’s|'s)?")


def _strip_title(words: list[str]) -> tuple[list[str], set[str]]:
    """Split a capitalised run into its title words and the name ("Finance Minister Ana Ruiz" -> Ana Ruiz)."""
    roles: set[str] = set()
    last_title = -1
    for idx, w in enumerate(words):
        lw = w.lower().rstrip(",")
        if lw in _TITLES or lw.rstrip(".") in _TITLES:
            last_title = idx
            roles.add(lw.rstrip("."))
    name = words[last_title + 1 :] if last_title + 1 < len(words) else []
    # Descriptive words before a title ("Finance", "Defence") are part of the title
    return name, roles


# "police in Harnov", "a reporter from Reuters": the place or employer after in/at/from is neither the
# speaker's name nor its head word.
_PLACE_AFTER = r"\b(?:in|at|from)\s+(?=[A-Z])"
_AFTER_ANON_HEAD = _words("at with of in on from familiar close present involved briefed inside within near")


def _clean_name(phrase: str) -> tuple[str | None, set[str]]:
    """The name inside a speaker phrase, without titles, appositives and party tags, and the role words."""
    phrase = re.sub(r"\s*\([^)]*\)", "", phrase)
    head = re.split(r",|\bof\s+(?=[a-z])|\bwho\b|\bwhich\b|" + _PLACE_AFTER, phrase)[0].strip()
    head = re.sub(r"^(?:the|a|an)\s+", "", head, flags=re.I)
    words = head.split()
    # possessive prefix "Kasich’s chief strategist John Weaver" -> after the possessive
    for idx in range(len(words) - 1, -1, -1):
        if words[idx].endswith(("’s", "'s", "s’", "s'")) and idx < len(words) - 1:
            words = words[idx + 1 :]
            break
    roles = {w.lower().rstrip(".,") for w in words if w.lower().rstrip(".,") in _PERSON_ROLES | _TITLES}
    caps_from = None
    for idx, w in enumerate(words):
        if w[:1].isupper():
            caps_from = idx
            break
    if caps_from is None:
        return None, roles
    run = words[caps_from:]
    # Cut at "of" + place ("Chuck Schumer of New York")
    for idx, w in enumerate(run):
        if w == "of" and idx > 0:
            run = run[:idx]
            break
    if any(not w[:1].isupper() and w not in ("de", "al", "bin", "van", "von", "der", "la", "du", "del") for w in run):
        # "Clinton campaign Chairman John Podesta": keep the capitalised tail
        tail: list[str] = []
        for w in reversed(run):
            if w[:1].isupper():
                tail.insert(0, w)
            else:
                break
        run = tail
    if len(run) == 1 and run[0].lower().strip(".,") in _ANON_HEADS | _GROUP_WORDS | _ORG_WORDS | _PERSON_ROLES:
        return None, roles  # "Officials", "Rebels", "Sources" at the start of a sentence are not names
    name_words, title_roles = _strip_title(run)
    roles |= title_roles
    if not name_words:
        return None, roles
    name = " ".join(name_words).strip(" ,.;:")
    name = re.sub(r"(’s|'s)$", "", name)
    if name.lower() in _NOT_NAMES or not name:
        return None, roles
    return name, roles


def _classify(phrase: str, name: str | None, roles: set[str]) -> SpeakerType:
    words = [w.lower().strip(".,’'") for w in re.findall(r"[\w’'\-.]+", phrase)]
    head_part = re.split(r",|\bwho\b|\bwhich\b|\bthat\b|" + _PLACE_AFTER, phrase)[0]
    head_words = [w.lower().strip(".,’'") for w in re.findall(r"[\w’'\-.]+", head_part)]
    head = head_words[-1] if head_words else ""
    if (
        re.search(
            r"not (?:to )?be (?:named|identified)|condition of anonymity|anonymously|declined to be named|"
            r"familiar with|spoke on background",
            phrase,
            re.I,
        )
        and name is None
    ):
        return "anonymous"
    # "officials with knowledge of the meeting", "two people present": the head comes before its modifier.
    anon_at = next(
        (
            k
            for k, w in enumerate(head_words)
            if w in _ANON_HEADS and (k == len(head_words) - 1 or head_words[k + 1] in _AFTER_ANON_HEAD)
        ),
        None,
    )
    if anon_at is not None:
        head, head_words = head_words[anon_at], head_words[: anon_at + 1]
    if (
        name is None
        and (head in _ANON_HEADS or head.endswith("sources"))
        and (
            not head_words
            or head_words[0] in _ANON_DETS
            or len(head_words) == 1
            or head in ("sources", "source")
            or head_words[0] not in ("the", "this", "that")
        )
    ):
        return "anonymous"
    if head in ("he", "she", "i", "you"):
        return "person"
    if name is not None:
        name_words = [w.lower() for w in name.split()]
        if name_words and name_words[-1] in _GROUP_NAME_ENDINGS:
            return "group"
        if any(w in _ORG_WORDS for w in name_words) or (name.isupper() and len(name) <= 6):
            return "organisation"
        if roles & _PERSON_ROLES or len(name.split()) >= 2:
            return "person"
    if head in _GROUP_WORDS or head in ("they", "we"):
        return "group"
    if head in _ORG_WORDS or (any(w in ("white", "house") for w in head_words[-2:]) and "white" in head_words):
        return "organisation"
    if head in _PERSON_ROLES or head.rstrip("s") in _PERSON_ROLES:
        return "person" if not head.endswith("s") or head in ("boss",) else "group"
    if name is not None:
        return "person"
    return "organisation" if words and words[-1] in _ORG_WORDS else "person"


def _entities(text: str) -> list[_Entity]:
    """Capitalised name runs in the text, with a guessed kind (for resolving pronouns and descriptors)."""
    found: list[_Entity] = []
    for m in _NAME_RUN.finditer(text):
        phrase = m.group()
        words = phrase.split()
        # Skip sentence-initial function words ("The", "In") at the start of a run.
        while words and words[0].lower().rstrip(".") in _NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        start_of_run = m.start() + phrase.find(words[0])
        name, roles = _clean_name(" ".join(words))
        if name is None:
            continue
        # the two words before the run, for roles like "the minister, Ana Ruiz"
        before = text[max(0, start_of_run - 40) : start_of_run].lower()
        for role in _PERSON_ROLES:
            if re.search(rf"\b{re.escape(role)}\b[\s,]*$", before):
                roles.add(role)
        kind = _classify(" ".join(words), name, roles)
        if kind == "person" and len(name.split()) == 1 and not roles:
            continue  # a lone capitalised word: not reliably a person (place, month, sentence start)
        found.append(_Entity(name, kind, start_of_run, roles))
    return found


def _find_entity(entities: list[_Entity], before: int, want: set[str], role: str | None = None) -> _Entity | None:
    best = None
    for entity in entities:
        if entity.position >= before:
            break
        if entity.kind in want and (role is None or role in entity.roles):
            best = entity
    return best


def _resolve(
    text: str, quotes_attrs: list[_Attr], entities: list[_Entity]
) -> list[tuple[str | None, SpeakerType | None]]:
    """speaker_name and speaker_type for each attribution, in text order."""
    results: list[tuple[str | None, SpeakerType | None]] = []
    speakers: list[tuple[int, str, SpeakerType, set[str]]] = []  # (position, name, type, roles) of named speakers
    by_surname: dict[str, str] = {}
    for entity in entities:
        if entity.kind == "person" and len(entity.name.split()) >= 2:
            by_surname.setdefault(entity.name.split()[-1], entity.name)

    def recent_speaker(pos: int, want: set[str], role: str | None = None) -> tuple[str, SpeakerType] | None:
        for p, name, kind, roles in reversed(speakers):
            if p < pos and kind in want and (role is None or role in roles):
                return name, kind
        return None

    for attr in quotes_attrs:
        if attr.speaker is None:
            results.append((None, None))
            continue
        s, e = attr.speaker
        phrase = text[s:e]
        low = phrase.lower().strip()
        name, roles = _clean_name(phrase)
        kind = _classify(phrase, name, roles)
        if name is not None and len(name.split()) == 1 and name in by_surname:
            name = by_surname[name]
        if name is not None and kind == "person" and len(name.split()) == 1:
            # A surname seen earlier in full ("Ruiz" after "Ana Ruiz")
            for entity in reversed(entities):
                if entity.position < s and entity.name.split()[-1] == name:
                    name = entity.name
                    break
        resolved: tuple[str, SpeakerType] | None = None
        if name is None:
            words = low.split()
            head = re.split(r",|\bwho\b", low)[0].split()
            head_word = head[-1].strip(".,’'") if head else ""
            if low in ("he", "she", "i", "who", "you") or low in ("him", "her"):
                resolved = recent_speaker(s, {"person"})
                if resolved is None:
                    entity = _find_entity(entities, s, {"person"})
                    resolved = (entity.name, "person") if entity else None
                kind = "person"
            elif low in ("they", "we", "it"):
                resolved = recent_speaker(s, {"organisation", "group", "anonymous"})
                if resolved is None and low == "it":
                    entity = _find_entity(entities, s, {"organisation"})
                    resolved = (entity.name, "organisation") if entity else None
                kind = resolved[1] if resolved else ("organisation" if low == "it" else "group")
            elif words and words[0] in ("the", "this") and kind != "anonymous":
                # A definite descriptor: "the minister", "the spokesman", "the group", "the ministry".
                if head_word in _PERSON_ROLES or head_word in _TITLES:
                    resolved = recent_speaker(s, {"person"}, head_word)
                    if resolved is None:
                        entity = _find_entity(entities, s, {"person"}, head_word)
                        resolved = (entity.name, "person") if entity else None
                    kind = "person"
                else:
                    want: set[str] = {"group"} if head_word in _GROUP_WORDS else {"organisation"}
                    if head_word == "group":
                        want = {"group", "organisation"}
                    for entity in reversed(entities):
                        if (
                            entity.position < s
                            and entity.kind in want
                            and (
                                head_word in entity.name.lower()
                                or head_word in ("group", "organisation", "organization")
                                or head_word in _GROUP_WORDS
                            )
                        ):
                            resolved = (entity.name, entity.kind)
                            break
                    # Only a bare descriptor ("the ministry", "the group") points back to the last speaker;
                    # one with its own modifiers ("the regional health office") names a new body.
                    if resolved is None and len(head) <= 2:
                        resolved = recent_speaker(s, want)  # type: ignore[arg-type]
                    if resolved:
                        kind = resolved[1]
        if resolved is not None:
            name = resolved[0]
            if kind not in ("anonymous",):
                kind = resolved[1] if resolved[1] != "anonymous" else kind
        if kind == "anonymous":
            name = None
        elif name is None and kind in ("organisation", "group") and low not in ("they", "we", "it", "who"):
            # An unresolved descriptor names the speaker as well as anything: "the ministry", "the rebels".
            name = re.split(r",| who\b| which\b", phrase)[0].strip()
        results.append((name, kind))
        if name is not None:
            speakers.append((s, name, kind, roles))
    return results


# ---- the public function -------------------------------------------------------------


def _regions(text: str, sentences: list[Span], pieces: list[_Piece]) -> list[Span]:
    """Sentences merged so that no quotation piece crosses a region boundary."""
    regions: list[Span] = []
    for sentence in sentences:
        if regions:
            last = regions[-1]
            crossing = any(p.start < last.end and p.end > sentence.start and p.start >= last.start for p in pieces)
            same_block = "\n" not in text[last.end : sentence.start]
            sign_off = text[sentence.start] in "—–―" and text[last.end - 1] in "\"”’'"
            if (crossing or sign_off) and same_block:
                regions[-1] = Span(last.start, sentence.end)
                continue
        regions.append(sentence)
    return regions


# Words that stay lower-case in Title Case.
_TITLE_SMALL_WORDS = _words("of the a an and in on for to at with is or by from")


def _in_headline(text: str, piece: _Piece) -> bool:
    """The piece sits on a line set in Title Case (a headline), where capitals say nothing about names."""
    line_start = text.rfind("\n", 0, piece.start) + 1
    line_end = text.find("\n", piece.end)
    if line_end < 0:
        line_end = len(text)
    line = text[line_start:line_end]
    outside = text[line_start : piece.start] + " " + text[piece.end : line_end]
    small = _TITLE_SMALL_WORDS | {"as"}
    words = [w for w in re.findall(r"[A-Za-z][\w’'\-]*", outside) if w.lower() not in small]
    ends_like_sentence = line.rstrip().endswith((".", "?", "!")) and len(line.split()) > 12
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words) and not ends_like_sentence


def _is_title(text: str, piece: _Piece) -> bool:
    """Title Case inside the marks (two words or more, most capitalised): a title of a work or a name.
    Not in a headline, where every word is capitalised: a short quoted phrase there is a scare quote."""
    inner = text[piece.start : piece.end].strip("\"“”‘’' ,.")
    words = re.findall(r"[A-Za-z][\w’'\-]*", inner)
    if len(words) <= 3 and _in_headline(text, piece):
        return False
    if len(words) < 2:
        if len(words) == 1 and words[0][0].isupper():
            # A single capitalised word mid-sentence ("Sanity") reads as a name or slogan, not a scare quote.
            prev = text[max(0, piece.start - 3) : piece.start].strip()
            return bool(prev) and prev[-1] not in ".!?"
        return False
    caps = [w for w in words if w.lower() not in _TITLE_SMALL_WORDS]
    return bool(caps) and sum(w[0].isupper() for w in caps) >= max(2, len(caps)) and words[0][0].isupper()


def find_quotes(text: str, sentences: list[Span], use_tagger: bool = True, encoded: object | None = None) -> list[Quote]:
    """Direct, indirect and scare quotes in ``text`` (``sentences`` from :func:`spinscope.segmentation.sentences`).

    Returned in text order of their content; one quote per content span. ``use_tagger=False`` gives the
    rules alone (the learned tagger, when installed, only adds attributions the rules did not find)."""
    blocks = paragraphs(text)
    pieces = _quote_pieces(text, blocks)
    regions = _regions(text, sentences, pieces)
    attrs: list[_Attr] = []
    piece_owner: dict[int, int] = {}  # piece index -> attribution index
    last_direct: int | None = None  # the last attribution with a direct quotation
    pending_colon = None
    previous_quotes: list[int] = []  # pieces of the previous region when it held only quotations
    for region_span in regions:
        toks = _tokens(text, region_span.start, region_span.end, pieces)
        if not toks:
            continue
        region = _Region(text, region_span, toks)
        found, colon = _find_in_region(region, pieces)
        region_pieces = [t.quote for t in toks if t.kind == "q"]
        if colon is not None and colon[0] == "back":
            # "“…”  Smith said on Tuesday.": the cue looks back to a quotation-only region before it.
            _, cs, ce, ss, se = colon
            colon = None
            if previous_quotes and not any(q in piece_owner for q in previous_quotes):
                found = [
                    _Attr([(pieces[q].start, pieces[q].end)], (cs, ce), (ss, se), "direct", 0.8, "speech", [q])
                    for q in previous_quotes
                ]
        # A region that opens with a quotation and has no cue: continuation of the previous speaker,
        # or the content announced by "SPK CUE:" at the end of the previous region.
        if not found and toks[0].kind == "q":
            only_quotes = all(t.kind == "q" or t.kind == "p" for t in toks)
            if pending_colon is not None:
                cs, ce, ss, se = pending_colon
                found = [
                    _Attr([(text_piece.start, text_piece.end)], (cs, ce), (ss, se), "direct", 0.85, "speech", [q])
                    for q in region_pieces
                    if (text_piece := pieces[q])
                ]
                if only_quotes is False and found:
                    pass
            elif last_direct is not None and (only_quotes or pieces[toks[0].quote].words(text) >= 5):
                prev = attrs[last_direct]
                if prev.speaker is not None and pieces[toks[0].quote].words(text) >= 3:
                    found = [
                        _Attr([(pieces[q].start, pieces[q].end)], prev.cue, prev.speaker, "direct", 0.8, "speech", [q])
                        for q in region_pieces
                        if pieces[q].words(text) >= 3 or q == toks[0].quote
                    ]
        # Multi-paragraph quotes: a piece that continues an earlier piece joins its attribution.
        for q in region_pieces:
            origin = pieces[q].continues
            if origin >= 0 and origin in piece_owner and q not in {p for a in found for p in a.pieces}:
                owner = attrs[piece_owner[origin]]
                found.append(
                    _Attr([(pieces[q].start, pieces[q].end)], owner.cue, owner.speaker, "direct", 0.85, "speech", [q])
                )
        pending_colon = colon
        only_quotation = all(t.kind in ("q", "p") for t in toks) and bool(region_pieces)
        previous_quotes = region_pieces if only_quotation and not found else []
        for attr in found:
            index = len(attrs)
            attrs.append(attr)
            for q in attr.pieces:
                piece_owner.setdefault(q, index)
            if attr.kind == "direct" and attr.speaker is not None:
                last_direct = index
        if found and not any(a.kind == "direct" for a in found) and any(a.speaker for a in found):
            last_direct = None if not any(t.kind == "q" for t in toks) else last_direct
        if not found and not any(t.kind == "q" for t in toks):
            # A sentence of the writer's own between quotes ends the run of continuations.
            last_direct = None

    loose = _loose_quotations(text, pieces, attrs, set(piece_owner))
    if use_tagger:
        attrs = _with_tagger(text, sentences, attrs, loose, encoded)
        covered = [(s, e) for a in attrs for s, e in a.contents]
        loose = [q for q in loose if not any(s <= q.content.start and q.content.end <= e for s, e in covered)]
    attrs = [_widen_cue(text, a) for a in attrs]
    attrs.sort(key=lambda a: min([c[0] for c in a.contents] + ([a.cue[0]] if a.cue else [])))
    names = _resolve(text, attrs, _entities(text))
    quotes: list[Quote] = []
    seen: set[tuple[int, int]] = set()
    for attr, (name, kind) in zip(attrs, names, strict=True):
        for start, end in attr.contents:
            s, e = _trim(text, start, end, " \t\n")
            if e <= s or (s, e) in seen:
                continue
            seen.add((s, e))
            direct = attr.kind == "direct" or (len(attr.contents) > 1 and text[s] in "\"“‘'" and text[e - 1] in "\"”’'")
            quotes.append(
                Quote(
                    kind="direct" if direct else "indirect",
                    content=Span(s, e),
                    cue=Span(*attr.cue) if attr.cue else None,
                    speaker=Span(*attr.speaker) if attr.speaker else None,
                    speaker_name=name,
                    speaker_type=kind if attr.speaker else None,
                    score=attr.score,
                )
            )
    quotes.extend(q for q in loose if (q.content.start, q.content.end) not in seen)
    quotes.sort(key=lambda q: (q.content.start, q.content.end))
    return quotes


# What a cue takes in after its verb (PolNeAR's convention, seen on held-out PolNeAR train with
# training/experiments/quote_sources.py cues): a colon that announces the quotation ("said:"), a bare
# day ("said Saturday", "boasted Monday night"), the channel "in a statement", "(declined) to comment
# on", "(as she) puts it", and the preposition of a phrasal speech verb ("called for", "wrote about",
# "did not respond to").
_CUE_TAIL = re.compile(
    r"""\s*:(?=\s)
    |\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day(?:\s+(?:morning|afternoon|evening|night))?|yesterday|today|tonight)\b
    |\s+in\s+an?\s+(?:written\s+|joint\s+|brief\s+)?statement\b
    |\s+to\s+comment(?:\s+on)?\b
    |(?<=\bput)\s+it\b|(?<=\bputs)\s+it\b""",
    re.IGNORECASE | re.VERBOSE,
)
_PHRASAL_SPEECH = re.compile(
    r"(?:\b(?:call|calls|called|calling|press|presses|pressed|pressing)\s+for"
    r"|\b(?:call|calls|called|calling|comment|commented|commenting)\s+on"
    r"|\b(?:write|writes|wrote|written|writing|joke|jokes|joked|joking|talk|talks|talked|talking"
    r"|complain|complains|complained|complaining|boast|boasts|boasted|boasting)\s+about"
    r"|\b(?:respond|responded|sought|seek|seeks|seeking)\s+to)$",
    re.IGNORECASE,
)
_CUE_PREPOSITION = re.compile(r"\s+(for|on|about|to)\b", re.IGNORECASE)


def _widen_cue(text: str, attr: _Attr) -> _Attr:
    """The cue with what follows its verb under PolNeAR's convention (``_CUE_TAIL``, ``_PHRASAL_SPEECH``);
    never into the speaker, and a content that began with the words taken in now starts after them."""
    if attr.cue is None:
        return attr
    start, end = attr.cue
    while True:
        tail = _CUE_TAIL.match(text, end)
        if tail is None:
            preposition = _CUE_PREPOSITION.match(text, end)
            if preposition is None or not _PHRASAL_SPEECH.search(text[start : preposition.end()]):
                break
            tail = preposition
        new_end = tail.end()
        if attr.speaker and attr.speaker[0] < new_end and end < attr.speaker[1]:
            break
        if any(s < new_end and end < e and not (s >= end and e > new_end) for s, e in attr.contents):
            break  # the words are inside a content that does not merely start with them
        end = new_end
    if end == attr.cue[1]:
        return attr
    contents = []
    for s, e in attr.contents:
        if attr.cue[1] <= s < end:
            s, e = _trim(text, end, e, " \t\n")
        contents.append((s, e))
    return replace(attr, cue=(start, end), contents=[c for c in contents if c[1] > c[0]] or attr.contents)


def _loose_quotations(text: str, pieces: list[_Piece], attrs: list[_Attr], owned: set[int]) -> list[Quote]:
    """Quotations inside no attribution: scare quotes (short), titles (skipped) or unattributed direct quotes."""
    covered = [(s, e) for a in attrs for s, e in a.contents]
    loose: list[Quote] = []
    for index, piece in enumerate(pieces):
        if index in owned or any(s <= piece.start and piece.end <= e for s, e in covered):
            continue
        words = piece.words(text)
        if piece.end - piece.start < 3 or words == 0 or _is_title(text, piece):
            continue
        span = Span(piece.start, piece.end)
        inner = text[piece.start : piece.end].strip("\"“”‘’' ")
        if words <= 4 and inner[-1:] not in (",", ".", "!", "?", "…"):
            loose.append(Quote(kind="scare", content=span, score=0.7))
        else:
            loose.append(Quote(kind="direct", content=span, score=0.5))
    return loose


TAGGER_MIN_SCORE = 0.5
TAGGER_MODE = "hybrid-nested"  # see _with_tagger; chosen on held-out PolNeAR train (quote_sources.py modes)


def _tagger_attr(speaker: Span | None, cue: Span, contents: list[Span], score: float, loose: list[Quote]) -> _Attr:
    """An attribution found by the tagger; direct when its one content is a quotation the rules left loose."""
    direct = len(contents) == 1 and any(
        q.kind == "direct" and q.content.start == contents[0].start and q.content.end == contents[0].end for q in loose
    )
    return _Attr(
        contents=[(c.start, c.end) for c in contents],
        cue=(cue.start, cue.end),
        speaker=(speaker.start, speaker.end) if speaker else None,
        kind="direct" if direct else "indirect",
        score=round(score, 4),
        verb_class="tagger",
    )


def _tagger_primary(attrs: list[_Attr], found: list, loose: list[Quote]) -> list[_Attr]:
    """The tagger's attributions first; the rules' ones where the tagger has nothing overlapping."""
    out: list[_Attr] = []
    taken: list[Span] = []
    for speaker, cue, contents, score in found:
        twin = next((a for a in attrs if a.cue and cue.overlaps(Span(*a.cue))), None)
        if twin is not None:
            # Same cue as the rules: the rules' contents (quotation boundaries), the tagger's source.
            if speaker is not None and not any(speaker.overlaps(Span(*c)) for c in twin.contents):
                twin.speaker = (speaker.start, speaker.end)
            out.append(twin)
            taken += [Span(*c) for c in twin.contents] + [Span(*twin.cue)]  # type: ignore[misc]
            continue
        if not contents:
            continue
        out.append(_tagger_attr(speaker, cue, contents, score, loose))
        taken += [*contents, cue] + ([speaker] if speaker else [])
    for attr in attrs:
        if any(attr is a for a in out):
            continue
        spans = [Span(*c) for c in attr.contents] + ([Span(*attr.cue)] if attr.cue else [])
        if not any(sp.overlaps(t) for sp in spans for t in taken):
            out.append(attr)
    return out


# Prepositions that open a time or place phrase, which ends at its comma: "on Sunday by a drone, police said".
_ADVERBIAL_PREPOSITIONS = _words("on in at during after before since over under into onto")


_ABBREVIATION_END = re.compile(r"(?:\b[A-Z]|\bJr|\bSr|\bInc|\bCo|\bLtd|\bCorp|\bSt|\bU\.S)\.$")


_SPACES = re.compile(r"\s*")


def _tidy_tagger_content(text: str, content: Span) -> Span:
    """A reported content without the sentence's full stop, as the rules' contents and PolNeAR's have it
    (8,381 of the 8,462 indirect contents in PolNeAR train that end a sentence leave the stop out, even
    after "U.S."), nor a comma it starts with."""
    start, end = content.start, content.end
    while start < end - 1 and (text[start] in ",;" or text[start].isspace()):
        start += 1
    following = _SPACES.match(text, end).end()  # the next non-space character (or the end of the text)
    sentence_end = end == len(text) or (following > end and not text[following : following + 1].islower())
    if end - start > 1 and text[end - 1] == "." and sentence_end:
        return Span(start, end - 1)
    return Span(start, end)


def _clean_tagger_speaker(text: str, speaker: Span | None) -> Span | None:
    """The tagger's source span without a stray left edge: leading punctuation (", officials") and a clause
    before a comma that starts with a preposition ("on Sunday by a drone, the police" -> "the police"),
    nor the sentence's full stop at its right edge ("said the mayor." -> "the mayor"; "Jr." keeps its own).
    A closing comma stays after an appositive, as in PolNeAR's sources ("Mr. Kaplan, a screenwriter,"), and
    goes after a plain name ("said Ruiz, adding" -> "Ruiz")."""
    if speaker is None:
        return None
    start, end = speaker.start, speaker.end
    while end > start and (text[end - 1].isspace() or text[end - 1] in "!?;:"):
        end -= 1
    if end > start and text[end - 1] == "," and text.find(",", start, end - 1) < 0:
        end -= 1
    if end > start and text[end - 1] == "." and not _ABBREVIATION_END.search(text, start, end):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in ",;:—–-"):
        start += 1
    first = re.match(r"([A-Za-z]+)\s+", text[start:end])
    if first and first.group(1) == "by":  # the agent of a passive cue: "was criticised by X"
        start += first.end()
    while start < end:
        first = re.match(r"[A-Za-z]+", text[start:end])
        comma = text.find(",", start, end - 1)
        if not first or comma < 0 or first.group(0) not in _ADVERBIAL_PREPOSITIONS:
            break
        start = comma + 1
        while start < end and text[start].isspace():
            start += 1
    return Span(start, end) if end > start else None


def _with_tagger(
    text: str, sentences: list[Span], attrs: list[_Attr], loose: list[Quote], encoded: object | None = None
) -> list[_Attr]:
    """Merge the learned tagger's attributions (see quote_tagger) with the rules', by ``TAGGER_MODE``:

    - ``hybrid``: where tagger and rules share a cue, the tagger's source replaces the rules' one when it
      contains it (or the rules had none); tagger attributions are added where the rules found nothing.
    - ``hybrid-source``: as ``hybrid``, but the tagger's source always wins on a shared cue.
    - ``hybrid-nested`` (default): as ``hybrid-source``, and a tagger attribution may also sit inside a
      rules' content ("X said that Y claimed Z"); only the rules' cues and sources block it.
    - ``primary``: the tagger's attributions first, the rules' where the tagger has nothing overlapping.

    On the held-out tenth of PolNeAR train (``training/experiments/quote_sources.py modes``, overlap F1
    source / cue / content): hybrid 0.733 / 0.617 / 0.891, hybrid-source 0.736 / 0.617 / 0.891,
    hybrid-nested 0.740 / 0.630 / 0.907, primary 0.766 / 0.638 / 0.845."""
    from spinscope.analyzers import quote_tagger

    model = quote_tagger.shipped()
    if model is None:
        return attrs
    provisional = [
        Quote(
            a.kind,  # type: ignore[arg-type]
            Span(*c),
            Span(*a.cue) if a.cue else None,
            Span(*a.speaker) if a.speaker else None,
        )
        for a in attrs
        for c in a.contents
    ] + loose
    taken = [Span(*c) for a in attrs for c in a.contents]
    taken += [Span(*a.cue) for a in attrs if a.cue] + [Span(*a.speaker) for a in attrs if a.speaker]
    added = list(attrs)
    found = quote_tagger.tagger_attributions(text, sentences, provisional, model, encoded=encoded)
    found = [
        (_clean_tagger_speaker(text, speaker), cue, [_tidy_tagger_content(text, c) for c in contents], score)
        for speaker, cue, contents, score in found
    ]
    if TAGGER_MODE == "primary":
        return _tagger_primary(attrs, found, loose)
    if TAGGER_MODE in ("hybrid", "hybrid-source", "hybrid-nested"):
        # Where tagger and rules agree on the cue, the tagger's source span (it learned PolNeAR's
        # conventions: appositives, titles, relative clauses) replaces or fills the rules' one.
        for attr in attrs:
            if attr.cue is None:
                continue
            cue = Span(*attr.cue)
            for t_speaker, t_cue, _, _ in found:
                if t_speaker is not None and t_cue.overlaps(cue):
                    mine = Span(*attr.speaker) if attr.speaker else None
                    clash = [c for c in attr.contents if t_speaker.overlaps(Span(*c))]
                    trusted = TAGGER_MODE in ("hybrid-source", "hybrid-nested")
                    if trusted or mine is None or t_speaker.contains(mine) or attr.speaker_hint == "participle":
                        if not clash:
                            attr.speaker = (t_speaker.start, t_speaker.end)
                        elif len(clash) < len(attr.contents) and mine is not None and t_speaker.contains(mine):
                            # "Last week, J.J. Goldberg, editor of X, wrote, '…'": the rules read the name
                            # as content before an appositive subject; the tagger's source is the whole.
                            attr.contents = [c for c in attr.contents if c not in clash]
                            attr.speaker = (t_speaker.start, t_speaker.end)
                    break
    nested = TAGGER_MODE == "hybrid-nested"
    # With "hybrid-nested", a tagger attribution may sit inside a rules' content ("X said that Y
    # claimed Z"): only the rules' cues and sources block it.
    blocking = (
        [Span(*a.cue) for a in attrs if a.cue] + [Span(*a.speaker) for a in attrs if a.speaker] if nested else taken
    )
    for speaker, cue, contents, score in found:
        if not contents or score < TAGGER_MIN_SCORE or any(cue.overlaps(t) for t in blocking):
            continue
        contents = [c for c in contents if not any(c.overlaps(t) for t in blocking)]
        if not contents:
            continue
        if speaker is not None and any(speaker.overlaps(t) for t in blocking):
            speaker = None
        added.append(_tagger_attr(speaker, cue, contents, 0.6 * score, loose))
        blocking += [*contents, cue] + ([speaker] if speaker else [])
    return added
