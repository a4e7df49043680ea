"""Speaker noun phrases around a cue: to its left ("Finance Minister Ana Ruiz said") and to its right
("…," said Ana Ruiz), with the auxiliaries and time words that may stand between them and the verb."""

from __future__ import annotations

from spinscope.analyzers.quotes.tokens import Tok
from spinscope.analyzers.quotes.vocab import (
    ADJ_SUFFIXES,
    ANON_HEADS,
    AUX,
    BOUNDARY,
    DETERMINERS,
    EVIDENCE_NOUNS,
    GROUP_WORDS,
    INTENSIFIERS,
    LEADING_NOISE,
    MONTHS,
    NAME_PARTICLES,
    NOUN_EXCEPTIONS,
    NP_LINKS,
    ORG_WORDS,
    PERSON_ROLES,
    PREPOSITIONS,
    PRONOUNS,
    TIME_LEFT,
    TIME_WORDS,
    VERBS,
    WEEKDAYS,
)

Range = tuple[int, int]  # first and last token index, inclusive

# Words after which an anonymity relative clause ends its subject: "officials who asked not to be named".
_ANONYMITY_WORDS = frozenset({"named", "identified", "anonymity", "authorized", "authorised", "record", "publicly"})
# Links inside a name or a noun phrase: "Secretary of State John Kerry", "a spokesperson for the ministry".
_INNER_PARTICLES = NAME_PARTICLES | {"of"}
_INNER_LINKS = _INNER_PARTICLES | {"for", "at", "with", "from", "in", "and"}
_QUANTIFIER_SUBJECTS = frozenset({"another", "others", "some", "many", "most", "both", "each", "several"})


def nounish(word: str, after_determiner: bool = False) -> bool:
    """A lowercase word that can head a speaker noun phrase (``after_determiner``: "the note", "a report")."""
    if after_determiner and (word in VERBS or word in EVIDENCE_NOUNS) and not word.endswith(("ed", "ing")):
        return True
    if word in PERSON_ROLES or word in GROUP_WORDS or word in ORG_WORDS or word in ANON_HEADS:
        return True
    if word.rstrip("s") in PERSON_ROLES or word.rstrip("s") in ORG_WORDS:
        return True
    if word in NOUN_EXCEPTIONS:
        return True
    if word in BOUNDARY or word in VERBS or word in AUX or word in DETERMINERS or word in TIME_WORDS:
        return False
    return len(word) > 2 and not word.endswith(ADJ_SUFFIXES)


def _appositive_left(toks: list[Tok], j: int) -> Range | None:
    """ "NAME, APPOSITIVE, said": the source keeps the appositive and its closing comma (at ``j``), as
    PolNeAR does."""
    k = j - 1
    while k >= 0 and not (toks[k].kind == "p" and toks[k].text in ',;:(“"—–') and j - k <= 30:
        if toks[k].kind == "q":
            return None
        k -= 1
    if not (k >= 1 and toks[k].text == ","):
        return None
    head = subject_left(toks, k)
    last = head[1] if head is not None else -1
    while head is not None and last > head[0] and toks[last].kind == "p":
        last = next((x for x in range(last - 1, head[0] - 1, -1) if toks[x].text == "("), head[0]) - 1
    if head is None or not (toks[last].cap or toks[last].low in ("he", "she", "they") or nounish(toks[last].low)):
        return None  # the head word: "Rep. Ana Scott (D-Va.), one of …" -> "Scott"
    appositive = toks[k + 1 : j]
    relative = bool(appositive) and (
        appositive[0].low in ("who", "whose", "which")
        or (appositive[0].low.endswith("ing") and appositive[0].kind == "w")
    )
    if appositive and (
        relative or not any(a.low in VERBS or a.low in ("told", "is", "was", "are") for a in appositive)
    ):
        return head[0], j
    return None


def _anonymity_relative(toks: list[Tok], j: int) -> Range | None:
    """ "Officials who asked not to be named said": an anonymity relative clause without commas."""
    for w in range(j - 1, max(-1, j - 12), -1):
        if toks[w].kind != "w":
            break
        if toks[w].low in ("who", "that") and w > 0:
            if {x.low for x in toks[w + 1 : j + 1]} & _ANONYMITY_WORDS:
                head = subject_left(toks, w)
                if head is not None:
                    return head[0], j
            break
    return None


def _party_tag_left(toks: list[Tok], j: int) -> Range | None:
    """ "Sen. Dick Durbin (D-Ill.) said": the party tag belongs to the source."""
    k = j
    while k >= 0 and toks[k].text != "(":
        k -= 1
    if k > 0 and j - k <= 8:
        inner = subject_left(toks, k)
        if inner is not None:
            return inner[0], j
    return None


def _link_continues(toks: list[Tok], k: int, j: int) -> bool:
    """Whether the link word at ``k`` is inside the noun phrase ending at ``j``: "Toomey and Sen. Kelly
    Ayotte", "members of the caucus", "a spokesperson for the ministry", "police in Harnov"."""
    lk = toks[k].low
    left = toks[k - 1] if k > 0 else None
    if left is None or left.kind != "w" or k == j:
        return False
    if lk == "and":
        return (left.cap and toks[k + 1].cap) or (
            nounish(left.low) and left.low.endswith("s") and toks[k + 1].kind == "w"
        )
    if lk in _INNER_PARTICLES:
        return (
            toks[k + 1].cap
            or left.low in PERSON_ROLES
            or left.low in ANON_HEADS
            or left.low in GROUP_WORDS
            or left.low in ORG_WORDS
            or left.cap
        )
    return (
        left.low in PERSON_ROLES
        or left.low in ANON_HEADS
        or left.low in GROUP_WORDS
        or left.low in ORG_WORDS
        or left.low.rstrip("s") in PERSON_ROLES
        or left.low in EVIDENCE_NOUNS
    )


# Determiners that are also noun-phrase boundaries elsewhere ("said this week") but open a speaker phrase
# when a noun follows them ("this source told", "one official said").
_OPENING_DETERMINERS = frozenset({"this", "these", "those", "one", "another", "each"})


def _walk_left(toks: list[Tok], j: int) -> int:
    """The first token of the noun phrase whose head is at ``j`` (at most 16 words)."""
    start = j
    n_words = 0
    k = j
    while k >= 0 and n_words < 16:
        tk = toks[k]
        lk = tk.low
        if tk.kind == "w":
            if tk.cap:
                pass
            elif lk in _INNER_LINKS:
                if not _link_continues(toks, k, j):
                    break
            elif lk in _OPENING_DETERMINERS and k < j:
                start = k  # "this source", "one official": the determiner opens the phrase
                break
            elif (
                lk in BOUNDARY
                or (lk in PRONOUNS and k != j)
                or (lk in VERBS and (k != j or not (k > 0 and toks[k - 1].low in DETERMINERS)))
            ):
                break
            elif k != j and lk.endswith("ed") and lk not in NOUN_EXCEPTIONS and lk not in DETERMINERS:
                break  # a past-tense verb: the noun phrase starts after it
            start = k
            n_words += 1
        elif tk.kind == "p" and tk.text in "-–’'&." and 0 < k < j and toks[k - 1].kind == "w":
            start = k
        else:
            break
        k -= 1
    while start <= j and toks[start].low in LEADING_NOISE:
        start += 1
    # Links at the left edge are not part of it ("for the ministry" -> "the ministry")
    while start <= j and toks[start].low in NP_LINKS | {"and"}:
        start += 1
    return start


def subject_left(toks: list[Tok], i: int) -> Range | None:
    """The speaker noun phrase ending just before index ``i`` (token indices, inclusive), or None."""
    j = i - 1
    if j < 0:
        return None
    t = toks[j]
    if t.kind == "p" and t.text == ",":
        return _appositive_left(toks, j)
    anonymous = _anonymity_relative(toks, j)
    if anonymous is not None:
        return anonymous
    if t.kind != "w":
        return _party_tag_left(toks, j) if t.kind == "p" and t.text == ")" else None
    # "Sanders himself acknowledged": the intensifier belongs to the source.
    end = j
    if t.low in INTENSIFIERS and j > 0:
        j -= 1
        t = toks[j]
        if t.kind != "w":
            return None
    if t.low in PRONOUNS or t.low in _QUANTIFIER_SUBJECTS:
        return j, end
    if t.low == "which" and j > 0 and toks[j - 1].text == ",":
        return j, end  # "The Ledger, which said it would …": PolNeAR's source is the relative pronoun
    if t.low in BOUNDARY and not t.cap:
        return None
    start = _walk_left(toks, j)
    if start > j:
        return None
    if start > 0 and toks[start - 1].low in PREPOSITIONS and not toks[start - 1].cap:
        return None  # "In a communique posted on …": the noun phrase is a prepositional object
    head = toks[j]
    after_det = j > 0 and toks[j - 1].low in DETERMINERS
    if not head.cap and head.low not in PRONOUNS and not nounish(head.low, after_det):
        return None
    if head.cap and head.low in MONTHS | WEEKDAYS:
        return None
    return start, end


def skip_aux_left(toks: list[Tok], i: int) -> int:
    """Index of the first auxiliary/adverb (or time phrase) before the verb at ``i`` (``i`` when there is none)."""
    k = i
    while k - 1 >= 0 and toks[k - 1].kind == "w":
        w = toks[k - 1]
        low = w.low
        if low in INTENSIFIERS:
            break  # "Sanders himself insisted": the intensifier belongs to the source
        if (low in AUX and not w.cap) or (
            not w.cap and low.endswith("ly") and low not in NOUN_EXCEPTIONS and low not in ("only",) and len(low) > 4
        ):
            k -= 1
            continue
        if low in TIME_LEFT and (w.cap or low in ("yesterday", "today", "earlier", "later", "tonight")):
            k -= 1
            # "on Monday", "last week"
            while k - 1 >= 0 and toks[k - 1].low in ("on", "last", "this", "late", "early", "earlier", "later"):
                k -= 1
            continue
        break
    return k


def passive(toks: list[Tok], first_aux: int, i: int) -> bool:
    """'was asked', 'is expected', 'had been told': the grammatical subject is not the source."""
    return any(
        toks[x].low in ("is", "was", "were", "are", "been", "be", "being", "’s", "'s") for x in range(first_aux, i)
    ) and toks[i].low.endswith(("ed", "told", "said", "written", "thought", "known", "found", "felt", "understood"))


def subject_right(toks: list[Tok], s: int, limit: int) -> Range | None:
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
    if t.cap and not (t.low in DETERMINERS and s + 1 < limit and toks[s + 1].kind == "w" and not toks[s + 1].cap):
        while e + 1 < limit and (
            toks[e + 1].cap
            or (toks[e + 1].low in _INNER_PARTICLES and e + 2 < limit and toks[e + 2].cap)
            or (toks[e + 1].kind == "p" and toks[e + 1].text in "-’'." and e + 2 < limit and toks[e + 2].kind == "w")
        ):
            e += 1
        if e + 1 < limit and toks[e + 1].text == "(":
            close = next((x for x in range(e + 2, min(limit, e + 8)) if toks[x].text == ")"), None)
            if close is not None:
                e = close
        return s, e
    if t.low in DETERMINERS:
        while (
            e + 1 < limit
            and e - s < 6
            and toks[e + 1].kind == "w"
            and toks[e + 1].low not in BOUNDARY
            and (toks[e + 1].low not in VERBS and toks[e + 1].low not in AUX)
            and not (e > s and toks[e + 1].low.endswith("ed") and toks[e + 1].low not in NOUN_EXCEPTIONS)
        ):
            e += 1
        return (s, e) if e > s else None
    return None
