"""Where a content starts after its cue: past the addressee ("told reporters"), time and place
("on Tuesday", "in a statement", "at a rally in Ohio") and the "that" that opens it."""

from __future__ import annotations

from spinscope.analyzers.quotes.tokens import Tok
from spinscope.analyzers.quotes.vocab import ADVERBIAL_HEADS, MONTHS, NOT_NAMES, TIME_WORDS, VERBS

_ADDRESSEES = frozenset({"reporters", "journalists", "him", "her", "them", "us", "me", "you", "supporters"})
_POSSESSIVE_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "its", "our"})
_ADDRESSEE_ENDS = frozenset({"reporters", "audience", "crowd", "newspaper", "network", "agency"})
_PHRASE_PREPOSITIONS = frozenset({"in", "at", "during", "via", "on", "through", "after", "before", "over"})
_ADVERBIAL_OPENERS = frozenset(
    {"on", "in", "at", "during", "via", "after", "late", "early", "last", "this", "earlier", "later"}
)
_NOT_ADVERBIAL_OPENERS = frozenset(
    {"a", "an", "the", "his", "her", "their", "its", "to", "of", "with", "from", "by", "over"}
)
_ADVERBIAL_WORDS = frozenset(
    {"news", "a", "an", "the", "his", "her", "their", "its", "phone", "written", "joint", "televised", "prepared"}
    | {"separate", "radio", "tv", "of", "with"}
)


def _age_between_commas(toks: list[Tok], m: int) -> bool:
    """ ", 58," after a name."""
    return toks[m].text == "," and toks[m + 1].text.isdigit() and toks[m + 2].text == "," and toks[m - 1].cap


def _that_soon(toks: list[Tok], k: int) -> int | None:
    """A "that" soon after the verb starts the content: "said in a statement Saturday that …", "told Colin
    Marsh, 58, that …" (an addressee's age between commas)."""
    age = {m + 1 for m in range(k, min(len(toks), k + 12) - 2) if _age_between_commas(toks, m)}
    for m in range(k, min(len(toks), k + 14)):
        tm = toks[m]
        if m in age or (m - 1 in age and tm.text == ",") or (m + 1 in age and tm.text == ","):
            continue
        if tm.kind == "q" or (tm.kind == "p" and tm.text in ",;:"):
            break
        if tm.low == "that" and not tm.cap:
            return m
        if tm.low in VERBS and tm.low not in ("said",) and m > k:
            break
    return None


def _skip_addressee(toks: list[Tok], i: int, k: int) -> int:
    """After told reporters / told the AP / told CNN / told him."""
    n = len(toks)
    if toks[k].low in _ADDRESSEES:
        return k + 1
    if toks[k].low in _POSSESSIVE_DETERMINERS:
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
            if toks[k - 1].low in _ADDRESSEE_ENDS:
                break
        return k
    if toks[k].cap and toks[k].low not in NOT_NAMES:
        while k < n and toks[k].kind == "w" and toks[k].cap:
            k += 1
    return k


def _prepositional_phrase(toks: list[Tok], k: int) -> int | None:
    """ "in his formal statement:", "at a rally in Ohio that …": the end of a prepositional phrase up to
    ':' / ',' / that / a quotation, when it names a channel, a time or a place."""
    n = len(toks)
    if not (k < n and toks[k].low in _PHRASE_PREPOSITIONS):
        return None
    for m in range(k + 1, min(n, k + 10)):
        tm = toks[m]
        if tm.kind == "q" or tm.text in (":", ",") or (tm.low == "that" and not tm.cap):
            between = toks[k + 1 : m]
            if (
                between
                and all(b.kind == "w" and b.low not in VERBS for b in between)
                and any(b.low in ADVERBIAL_HEADS or b.low in TIME_WORDS or b.cap or b.low in MONTHS for b in between)
            ):
                return m
            return None
        if tm.kind == "p" and tm.text not in ("’", "'", "-", "."):
            return None
    return None


def _adverbial_end(toks: list[Tok], k: int) -> int:
    """The end of the adverbial that the word at ``k`` opens."""
    low = toks[k].low
    m = k + 1
    while (
        m < len(toks)
        and toks[m].kind == "w"
        and (
            toks[m].low in TIME_WORDS
            or toks[m].low in ADVERBIAL_HEADS
            or toks[m].low in MONTHS
            or toks[m].text.isdigit()
            or (toks[m].cap and low in ("on", "in", "at", "during", "via", "to"))
            or toks[m].low in _ADVERBIAL_WORDS
        )
    ):
        m += 1
    return m


def _skip_adverbials(toks: list[Tok], i: int, k: int) -> int:
    """Past time and place adverbials: "on Tuesday", "in a statement", "at a news conference", "last week"."""
    n = len(toks)
    while k < n:
        t = toks[k]
        if t.kind != "w":
            break
        low = t.low
        if low in _ADVERBIAL_OPENERS or (low in TIME_WORDS and low not in _NOT_ADVERBIAL_OPENERS):
            m = _adverbial_end(toks, k)
            if m == k + 1 and low in ("on", "in", "at", "during", "via", "after"):
                break  # a preposition that does not start an adverbial: content
            if low in ("in", "at", "during", "via") and not any(
                toks[x].low in ADVERBIAL_HEADS or toks[x].cap for x in range(k + 1, m)
            ):
                break
            k = m
            continue
        if (t.low in MONTHS and not t.low.startswith("may")) or (
            t.text.isdigit() and k > i + 1 and toks[k - 1].low in MONTHS
        ):
            k += 1
            continue
        break
    return k


def after_cue(toks: list[Tok], i: int, takes_object: bool) -> int:
    """Index where the content starts after the cue verb at ``i`` (skipping addressee, time and place)."""
    k = i + 1
    that = _that_soon(toks, k)
    if that is not None:
        return that
    if takes_object and k < len(toks):
        k = _skip_addressee(toks, i, k)
    phrase_end = _prepositional_phrase(toks, k)
    if phrase_end is not None:
        return phrase_end
    return _skip_adverbials(toks, i, k)


def looks_like_content(toks: list[Tok], k: int, end: int, min_words: int = 3) -> bool:
    """Tokens k..end can be a reported content: enough words (a quotation counts three), not a conjunction."""
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
