"""The cue patterns, tried in each region (``SPK`` a speaker noun phrase, ``CUE`` a reporting verb with its
auxiliaries and adverbs; one function each):

- ``SPK CUE [addressee] [time/place] [that|:|,] CONTENT`` and ``CONTENT, SPK CUE [, CONTENT2]``
  (:func:`_reporting_verb`);
- the inverted ``CONTENT, CUE SPK`` (:func:`_inverted`);
- ``according to SPK, CONTENT`` / ``CONTENT, according to SPK`` (:func:`_according_to`);
- ``…, saying|adding|noting (that) CONTENT``, the speaker the clause's subject (:func:`_participle`);
- ``"…" — Name`` sign-offs, the dash the cue (:func:`_sign_offs`).
"""

from __future__ import annotations

from spinscope.analyzers.quotes.asked import question_asked
from spinscope.analyzers.quotes.attribution import (
    SCORE_ACCORDING_TO,
    SCORE_BY_VERB_CLASS,
    SCORE_PARTICIPLE,
    SCORE_SIGN_OFF,
    Attr,
    CueSpeaker,
    RegionScan,
)
from spinscope.analyzers.quotes.bounds import after_cue, looks_like_content
from spinscope.analyzers.quotes.clauses import apposed_name_end, reports_a_clause, restrictive_end
from spinscope.analyzers.quotes.inverted import inverted
from spinscope.analyzers.quotes.passive_by import passive_by
from spinscope.analyzers.quotes.phrases import Range, passive, skip_aux_left, subject_left
from spinscope.analyzers.quotes.raising import RAISING_VERBS, raising
from spinscope.analyzers.quotes.tokens import Tok
from spinscope.analyzers.quotes.vocab import (
    ADVERBIAL_HEADS,
    ANON_HEADS,
    AUX,
    CHANNEL_WORDS,
    DOCUMENT_WORDS,
    EVIDENCE_NOUNS,
    GROUP_WORDS,
    INTENSIFIERS,
    INTRO,
    INVERTIBLE,
    MEDIA_NOUNS,
    NOT_SPEAKERS,
    NOUNISH_3SG,
    OBJECT_RELATIVE_HEADS,
    OBJECT_VERBS,
    ORG_WORDS,
    PARTICIPLE_CUES,
    PERSON_ROLES,
    PRONOUNS,
    SEPARATORS,
    TAG_VERBS,
    VERBS,
)

# Words after which a speech act's object ends: "criticized the plan despite …", "urged X, but …".
_ACT_OBJECT_ENDS = frozenset(
    "despite following because after before while when since amid but and which who where during".split()
)
_ACT_PREPOSITIONS = frozenset({"for", "on", "against", "to", "of", "about", "with", "at", "into"})
_PLURAL_LIKE_FORMS = NOUNISH_3SG | {
    "remarks",
    "states",
    "notes",
    "claims",
    "reports",
    "calls",
    "tweets",
    "posts",
    "answers",
}


def _according_to(scan: RegionScan, i: int) -> int:
    """``according to SPK, CONTENT`` / ``CONTENT, according to SPK`` at token i; returns where to go on."""
    toks, n = scan.toks, scan.n
    s0 = i + 2
    s1 = s0
    while s1 < n and toks[s1].kind != "q" and not (toks[s1].kind == "p" and toks[s1].text in ",;.!?—–"):
        s1 += 1
    if s1 == s0:
        return i + 1
    cue, speaker = (i, i + 1), (s0, s1 - 1)
    attr = None
    rng = scan.before_range(i) if scan.sep_before(i) or (i > 0 and toks[i - 1].text == "(") else None
    apposed = apposed_name_end(toks, s1) if rng is not None else None
    if apposed is not None:  # "…, according to the operator, Coastline Buses."
        speaker, s1 = (s0, apposed), apposed + 1
    if rng is None and scan.sep_before(i) and any(scan.used[:i]):
        # '"…," he told Flake, according to officials': they report the whole clause, attribution and all.
        rng = scan.before_range(i, nested=True)
    after_first = s1 + 1 if s1 < n and toks[s1].text in ",—–" else n
    if rng is not None:
        attr = scan.make(rng[0], rng[1], cue, speaker, SCORE_ACCORDING_TO, "speech")
        if attr is not None and after_first < n and looks_like_content(toks, after_first, n - 1):
            attr.extend(scan.make(after_first, n - 1, cue, speaker, SCORE_ACCORDING_TO, "speech"))
    elif after_first < n:
        attr = scan.make(after_first, n - 1, cue, speaker, SCORE_ACCORDING_TO, "speech")
    if attr is not None:
        scan.found.append(attr)
        for y in range(i, s1):
            scan.used[y] = True
    return s1


# Participles whose content is their object, however short: "…, citing two aides", "…, accusing him".
_OBJECT_PARTICIPLES = frozenset(
    {"citing", "accusing", "urging", "criticizing", "criticising", "mocking", "questioning", "calling"}
)


def _participle_min_words(t: Tok) -> int:
    return 1 if t.low in _OBJECT_PARTICIPLES else 3


def _participle(scan: RegionScan, i: int) -> int | None:
    """``…, saying (that) CONTENT`` at token i: the speaker is the clause's subject. Returns where to go on
    (after the content: "…, acknowledging X but warning Y" holds two), None when there is none."""
    toks, n = scan.toks, scan.n
    k = i + 1
    if k < n and toks[k].text in (",", ":"):
        k += 1
    if not looks_like_content(toks, k, n - 1, _participle_min_words(toks[i])):
        return None
    subject = scan.main_subject(i)
    stop = scan.content_stop(k)
    if toks[i].low not in _OBJECT_PARTICIPLES and not reports_a_clause(toks, k, stop):
        return None  # "…, adding pressure on households": an action, not speech
    attr = scan.make(k, stop, (i, i), subject, SCORE_PARTICIPLE, "speech", "participle")
    if attr is None:
        return None
    if subject is None and scan.found and scan.found[-1].speaker:
        # '"…," said Ruiz, adding …': the speaker just named goes on talking.
        attr.speaker = scan.found[-1].speaker
    scan.found.append(attr)
    scan.used[i] = True
    return stop + 1


def _is_participle_cue(toks: list[Tok], i: int) -> bool:
    t = toks[i]
    return (
        t.low in PARTICIPLE_CUES
        and not t.cap
        and i > 0
        and (
            toks[i - 1].text in SEPARATORS
            or toks[i - 1].kind == "q"
            or toks[i - 1].low in ("and", "by", "then", "before", "after", "while", "but")
            or (toks[i - 1].low == "also" and i > 1 and toks[i - 2].low in ("and", "while", "but", ","))
            or toks[i - 1].low in MEDIA_NOUNS
        )
    )


# Verbs whose past tense is their base form: "the statement read" is past, not a bare base form.
_PAST_LIKE_BASE = frozenset({"read", "put"})


def _subject_fits(toks: list[Tok], i: int, subject: Range, verb: tuple[str, str], cue_start: int) -> bool:
    """Whether the noun phrase can be the source of the verb at i (evidence verbs want a poll or study,
    beliefs and speech acts someone who holds them; a base form a plural subject)."""
    base, vclass = verb
    low = toks[i].low
    s_first, s_last = subject
    if toks[s_last].text == "," and s_last > s_first:
        # "Speaker Ana Ruiz, the party's leader, called …": the head is the name before the appositive
        s_last = next(x for x in range(s_first, s_last + 1) if toks[x].text in ",(") - 1
        if toks[s_last].text == ")":
            s_last = next((x for x in range(s_last, s_first - 1, -1) if toks[x].text == "("), s_first + 1) - 1
        s_last = max(s_first, s_last)
    head_tok = toks[s_last - 1] if toks[s_last].low in INTENSIFIERS and s_last > s_first else toks[s_last]
    head = head_tok.low
    ok = head not in NOT_SPEAKERS  # "history shows", "that kind of attitude tells you"
    if head.endswith(("'s", "’s")) or head in ("'s", "’s"):
        ok = False  # "Trump's remarks about the judge": after a possessive the word is a noun
    if vclass == "evidence":
        ok = ok and (
            head in EVIDENCE_NOUNS
            or head.rstrip("s") in EVIDENCE_NOUNS
            or (i + 1 < len(toks) and toks[i + 1].low == "that")
        )
    elif vclass in ("think", "act"):
        ok = ok and (
            head_tok.cap
            or head in PRONOUNS
            or head == "which"
            or head in GROUP_WORDS
            or head in PERSON_ROLES
            or (head in ORG_WORDS or head in ANON_HEADS or head.rstrip("s") in PERSON_ROLES)
        )
    if low.endswith("s") and low not in ("says",) and base + "s" == low and base + "s" in _PLURAL_LIKE_FORMS:
        # 3rd-person -s forms double as plural nouns ("states", "remarks"): a singular subject only.
        ok = ok and (head_tok.cap or head in ("he", "she", "it", "who", "one") or head in DOCUMENT_WORDS)
    if (
        low == base
        and low not in _PAST_LIKE_BASE
        and cue_start == i
        and head not in ("they", "we", "i", "you", "who")
        and not (head.endswith("s") or any(toks[y].low == "and" for y in range(s_first, s_last)))
    ):
        ok = False  # a bare base form needs a plural subject ("officials say") or an auxiliary
    if head == "who" and vclass in ("think", "act") and (s_first == 0 or toks[s_first - 1].text != ","):
        ok = False  # "delegates who back him would …": a restrictive relative clause describes, it reports nothing
    if toks[s_first].low in OBJECT_RELATIVE_HEADS or (s_first > 0 and toks[s_first - 1].low in OBJECT_RELATIVE_HEADS):
        ok = False  # "Nothing the president said will …": the verb sits in a relative clause
    return ok


def _act_object(toks: list[Tok], k: int, stop: int) -> tuple[int, int]:
    """A speech act's content is its object: "criticized X", "called for X", "declined to comment on X";
    not what follows a comma or a conjunction, nor the channel it went out on ("… on Twitter")."""
    n = len(toks)
    while k < n and toks[k].low in _ACT_PREPOSITIONS:
        k += 1
    for y in range(k + 1, stop + 1):
        if toks[y].text in (",", ";", "—", "–") or toks[y].low in _ACT_OBJECT_ENDS:
            stop = y - 1
            break
    for y in range(k + 1, stop + 1):
        if toks[y].low in ("on", "in", "at", "via", "during") and any(
            toks[z].low in CHANNEL_WORDS or toks[z].low in ADVERBIAL_HEADS for z in range(y + 1, min(y + 4, stop + 1))
        ):
            stop = y - 1
            break
    return k, stop


def _beside_quotation(toks: list[Tok], i: int) -> bool:
    """Whether the verb at i tags a quotation: one right after it ('continued: "…"', 'continued, "…"'), or
    one shortly before it with only a short tail after ('"…," Rubio continued.')."""
    n = len(toks)
    after = toks[i + 1 : i + 3]
    if after and (after[0].kind == "q" or (after[0].text in (":", ",") and len(after) > 1 and after[1].kind == "q")):
        return True
    before = any(toks[j].kind == "q" for j in range(max(0, i - 8), i))
    tail = [t for t in toks[i + 1 : n] if t.kind != "p"]
    return before and len(tail) <= 6 and all(t.kind == "w" and t.low != "that" for t in tail)


def _only_adverbial_after(toks: list[Tok], k: int) -> bool:
    """Whether the words from k on are no content of their own: not a quotation, not 'that …', not a
    participle cue ('adding …'), nor a ':'."""
    first = toks[k]
    return first.kind == "w" and first.low != "that" and first.low not in PARTICIPLE_CUES


def _content_before(scan: RegionScan, s_first: int, colon: bool, nested: bool = False) -> Range | None:
    """The content before 'SPK CUE' ("…, Ruiz said"), not an introductory adverbial; ``nested``: the
    whole clause, for a speech tag that ends the region."""
    toks = scan.toks
    before = scan.before_range(s_first, nested) if scan.sep_before(s_first) else None
    if (
        before is not None
        and toks[before[0]].low in INTRO
        and toks[before[1]].kind != "q"
        and (colon or before[1] - before[0] < 10)
    ):
        return None  # "In a televised address, the president said: …" — an adverbial, not content
    return before


_THEN_WORDS = frozenset({"before", "after", "then", "while"})


def _attribute(scan: RegionScan, i: int, subject: Range, verb: tuple[str, str], cue: Range) -> int:
    """The attribution of the cue verb at i with its subject: the content after it, before it, or both;
    returns where to go on."""
    toks, n = scan.toks, scan.n
    (base, vclass), s_first = verb, subject[0]
    score = SCORE_BY_VERB_CLASS[vclass]
    k = after_cue(toks, i, base in OBJECT_VERBS)
    colon = k < n and toks[k].text == ":"
    if k < n and toks[k].kind == "p" and toks[k].text in ":,":
        k += 1
    stop = scan.content_stop(k)
    relative = toks[s_first].low in ("who", "which", "whom") and s_first > 0 and toks[s_first - 1].text == ","
    if relative:
        comma = next((y for y in range(k, stop + 1) if toks[y].text == ","), None)
        if comma is not None:
            stop = comma - 1
    elif toks[s_first].low == "who":  # "Residents who say X were told …": the main clause is not X
        stop = restrictive_end(toks, k, stop)
    if vclass == "act":
        k, stop = _act_object(toks, k, stop)
    has_after = looks_like_content(toks, k, stop, 1 if vclass == "act" or relative else 3)
    if k + 1 < n and toks[k].low == "according" and toks[k + 1].low == "to":
        has_after = False  # '"…," he told Flake, according to officials': theirs, not his
    # 'Ana Ruiz, who has denied the reports, said': the antecedent is never the relative clause's content
    before = None if relative else _content_before(scan, s_first, colon, scan.final_tag(i) is not None)
    if has_after and before is not None and toks[before[1]].kind == "q" and _only_adverbial_after(toks, k):
        # '"You bet I would," Christie said when asked whether …', '"…," he said of the field': the
        # quotation is what was said; what follows the cue only says when, where or about what.
        has_after = False
    if has_after and toks[k].low in _THEN_WORDS and k + 1 <= stop and toks[k + 1].low in PARTICIPLE_CUES:
        k += 1  # '"…," Delgado responded before adding that …': the quotation is the response
    if before is not None and (
        not has_after
        or toks[k].kind == "q"
        or (toks[k - 1].text == "," and toks[k].low != "that")  # not "told Colin Marsh, 58, that …"
        or (k > i + 1 and toks[k - 1].low in _THEN_WORDS)
    ):
        attr = scan.make(before[0], before[1], cue, subject, score, vclass)
        if attr is not None:
            scan.found.append(attr)
            if has_after and toks[k].low in PARTICIPLE_CUES and not toks[k].cap:
                # '"…," Ruiz said, adding that …': a second attribution, same speaker, cue "adding".
                # Not left to the participle rule: its speaker is the region's main subject, here this cue's.
                after = k + 1 + (k + 1 <= stop and toks[k + 1].text in (",", ":"))
                if looks_like_content(toks, after, stop, _participle_min_words(toks[k])):
                    second = scan.make(after, stop, (k, k), subject, SCORE_PARTICIPLE, "speech", "participle")
                    scan.found.extend([second] if second is not None else [])
                return stop + 1
            if has_after and (toks[k].kind == "q" or toks[k - 1].text == ","):
                attr.extend(scan.make(k, stop, cue, subject, score, vclass))
                return stop + 1
            return k
    if has_after:
        attr = scan.make(k, stop, cue, subject, score, vclass)
        if attr is not None:
            scan.found.append(attr)
            return stop + 1
    if colon and all(toks[y].kind == "p" for y in range(k, n)):
        scan.pending_colon = scan.offsets(cue, subject)
    elif s_first == 0 and vclass == "speech" and all(toks[y].kind == "p" for y in range(k, n)) and not scan.found:
        # "Smith said on Tuesday." alone: the content is the quotation just before (see state.py)
        scan.looking_back.append(scan.offsets(cue, subject))
    return i + 1


def _cue_subject(scan: RegionScan, i: int, vclass: str, first_aux: int) -> Range | None:
    """The subject of the cue verb at i (its auxiliaries start at first_aux)."""
    toks = scan.toks
    subject = subject_left(toks, first_aux)
    if (
        subject is None
        and first_aux > 1
        and toks[first_aux - 1].low in ("and", "then", "but")
        and vclass
        in (
            "speech",
            "think",
        )
    ):
        # "The governor met survivors and said …": the subject of the clause's first verb
        coordinated = scan.main_subject(first_aux - 1)
        if coordinated is not None and coordinated[1] < first_aux - 2:
            return coordinated
    return subject


def _after_quotation(toks: list[Tok], subject: Range | None) -> Range | None:
    """'"…," former policy planning director Anne Sloter wrote': a subject read short ("director Anne
    Sloter") runs back to the quotation when only a few plain words lie between them."""
    if subject is None or subject[0] == 0:
        return subject
    k = subject[0] - 1
    while k >= 0 and toks[k].kind == "w" and not toks[k].cap and subject[0] - k <= 6 and toks[k].low not in PRONOUNS:
        k -= 1
    if k >= 0 and k < subject[0] - 1 and toks[k].kind == "q" and toks[k].text.rstrip("\"”’'").endswith((",", "!", "?")):
        return k + 1, subject[1]  # only after a quotation that hands over to its tag ('"…,"'), not a scare quote
    return subject


def _without_nested(scan: RegionScan, subject: Range | None) -> Range | None:
    """The subject up to a relative clause that is an attribution of its own: 'Mr. Scott, who has called
    the plan reckless, criticized …' -> 'Mr. Scott' (PolNeAR gives each token one role)."""
    if subject is None:
        return None
    toks = scan.toks
    lo, hi = toks[subject[0]].start, toks[subject[1]].end
    inner = [a.speaker[0] if a.speaker else a.cue[0] for a in scan.found if a.cue and lo <= a.cue[0] < hi]
    if not inner:
        return subject
    cut = min(inner)
    end = subject[1]
    while end >= subject[0] and (toks[end].end > cut or toks[end].kind == "p"):
        end -= 1
    return (subject[0], end) if end >= subject[0] else None


def _reporting_verb(scan: RegionScan, i: int) -> int | None:
    """A reporting verb at i with its subject (``SPK CUE …``), or inverted after its content; returns where
    to go on, or None when the word is no cue."""
    toks = scan.toks
    t, low = toks[i], toks[i].low
    verb = ("tell", "speech") if low in ("told", "tells", "tell", "telling") else VERBS.get(low)
    if verb is None and low in TAG_VERBS and _beside_quotation(toks, i):
        verb = TAG_VERBS[low]
    if verb is None and low in ("put", "puts") and i + 1 < scan.n and toks[i + 1].low == "it":
        verb = ("put", "speech") if _beside_quotation(toks, i + 1) else None  # 'as Lund put it: "…"'
    # A capitalised cue only mid-sentence after an appositive ('Murphy, the head of the fund, Tweeted on
    # Friday'); in a Title Case headline every word is capitalised.
    midsentence_cap = t.cap and i > 1 and toks[i - 1].text == "," and i + 1 < scan.n and not toks[i + 1].cap
    if verb is None or (t.cap and not midsentence_cap) or (i > 0 and toks[i - 1].low == "to") or low.endswith("ing"):
        return None
    if i > 0 and toks[i - 1].low in ("the", "a", "an", "his", "her", "their", "its", "our", "this", "that"):
        return None
    first_aux = skip_aux_left(toks, i)
    cue_start = i
    while (
        cue_start - 1 >= first_aux
        and (toks[cue_start - 1].low in AUX or toks[cue_start - 1].low.endswith("ly"))
        and not toks[cue_start - 1].cap
    ):
        cue_start -= 1
    if passive(toks, first_aux, i) or (i + 2 < scan.n and toks[i + 1].low == "not" and toks[i + 2].low == "to"):
        return None  # passives, and "who asked not to be named"
    subject = _after_quotation(toks, _without_nested(scan, _cue_subject(scan, i, verb[1], first_aux)))
    if subject is not None:
        if not _subject_fits(toks, i, subject, verb, cue_start):
            return None
        return _attribute(scan, i, subject, verb, (cue_start, i))
    if (
        verb[1] == "speech"
        and low in INVERTIBLE
        and scan.sep_before(i)
        and i + 1 < scan.n
        and toks[i + 1].low != "that"
    ):
        return inverted(scan, i)
    return None


def _sign_offs(scan: RegionScan) -> None:
    """'"…" — Name': the dash is the cue."""
    toks, n = scan.toks, scan.n
    for x in range(n - 2):
        if toks[x].kind == "q" and not scan.used[x] and toks[x + 1].text in ("—", "–", "―", "-") and toks[x + 2].cap:
            y = x + 2
            while y + 1 < n and toks[y + 1].kind != "q" and toks[y + 1].text not in ".;!?":
                y += 1
            scan.found.append(
                Attr(
                    [(toks[x].start, toks[x].end)],
                    (toks[x + 1].start, toks[x + 1].end),
                    (toks[x + 2].start, toks[y].end),
                    "direct",
                    SCORE_SIGN_OFF,
                    "speech",
                    [toks[x].quote],
                )
            )
            scan.used[x] = True


def find_in_region(toks: list[Tok]) -> tuple[list[Attr], CueSpeaker | None, CueSpeaker | None]:
    """Attributions in one region; also the cue and speaker of a region that ends with 'SPK CUE:' and no
    content (the next region's quotation belongs to it), and of a region that is only 'SPK CUE.' (the
    quotation of the region before belongs to it)."""
    scan = RegionScan(toks)
    i = 0
    while i < scan.n:
        t = toks[i]
        if t.kind != "w" or scan.used[i]:
            i += 1
            continue
        if t.low == "according" and i + 1 < scan.n and toks[i + 1].low == "to":
            i = _according_to(scan, i)
            continue
        if _is_participle_cue(toks, i):
            after = _participle(scan, i)
            if after is not None:
                i = after
                continue
        after = raising(scan, i) if toks[i].low in RAISING_VERBS else passive_by(scan, i)
        after = after if after is not None else question_asked(scan, i)
        if after is not None:
            i = after
            continue
        after = _reporting_verb(scan, i)
        i = after if after is not None else i + 1
    _sign_offs(scan)
    looking_back = scan.looking_back[0] if scan.looking_back and not scan.found else None
    return scan.found, scan.pending_colon, looking_back
