"""The inverted speech tag: ``CONTENT, CUE SPK [, CONTENT2]`` ('"…," said Ana Ruiz, the minister. "…"'),
and where its speaker ends (never a clause: 'said Obama failed to …', 'said he fully supports …')."""

from __future__ import annotations

from spinscope.analyzers.quotes.attribution import SCORE_INVERTED, RegionScan
from spinscope.analyzers.quotes.phrases import nounish
from spinscope.analyzers.quotes.tokens import Tok
from spinscope.analyzers.quotes.vocab import AUX, DETERMINERS, TITLES, VERBS

# What ends an inverted speaker after a comma: '"…," said Ruiz, adding …', '…, said Ruiz, who …'.
_AFTER_INVERTED_SPEAKER = frozenset(
    "adding saying noting though although but and while as because referring explaining arguing citing in during "
    "at after when who speaking calling describing according".split()
)


def _inverted_speaker_end(toks: list[Tok], s0: int) -> tuple[int, bool]:
    """Where the speaker after an inverted cue ends (exclusive), and whether it ended cleanly (a quotation,
    the sentence's end, a clause after a comma, a time or place phrase)."""
    n = len(toks)
    s1 = s0
    while s1 < n:
        ts = toks[s1]
        if ts.kind == "q" and s1 > s0 and toks[s1 - 1].kind == "w":
            return s1, False  # 'said the president "offered no changes"': a partial quotation as predicate
        if ts.kind == "q" or (ts.kind == "p" and ts.text in ";!?"):
            return s1, True
        if (
            ts.kind == "p"
            and ts.text == "."
            and (s1 + 1 >= n or (toks[s1 + 1].text not in ")" and not toks[s1 + 1].low.islower()))
        ):
            return s1, True
        if ts.text == "," and s1 + 1 < n and toks[s1 + 1].low in _AFTER_INVERTED_SPEAKER:
            return s1, True
        no_comma = not any(toks[y].text == "," for y in range(s0, s1))
        if (
            ts.low in ("in", "at", "on", "during", "after", "when", "to", "last", "this")
            and s1 > s0
            and (toks[s1 - 1].kind == "w")
            and toks[s1 - 1].low not in TITLES
            and no_comma
        ):
            return s1, True
        if ts.low in ("that", "the", "a") and s1 == s0 + 1 and not toks[s0].cap:
            return s1, False
        if ts.low in VERBS and not ts.cap and s1 > s0 and no_comma:
            return s1, False  # "said Obama warned …": not an inverted speaker
        if _finite_after_name(toks, s0, s1) and no_comma:
            return s1, False  # "Rubio, on Fox, said Obama failed to …": a clause, the cue's content
        s1 += 1
    return s1, True


def _finite_after_name(toks: list[Tok], s0: int, s1: int) -> bool:
    """A lower-case auxiliary or past-tense verb right after a capitalised word, or any word after a subject
    pronoun: the words after the cue are a clause ("said Obama has", "said Obama failed", "said he fully
    supports"), not an inverted speaker."""
    ts = toks[s1]
    if s1 <= s0 or ts.kind != "w" or ts.cap:
        return False
    if toks[s1 - 1].low in ("he", "she", "they", "we", "i"):
        return True  # "said he fully supports …"
    if not toks[s1 - 1].cap:
        return False
    return ts.low in AUX or (ts.low.endswith("ed") and len(ts.low) > 4)


def _opened(toks: list[Tok], s0: int, e1: int) -> bool:
    """Whether a bracket opens between s0 and e1 (the bracket at e1 closes it)."""
    return any(toks[y].text == "(" for y in range(s0, e1))


def inverted(scan: RegionScan, i: int) -> int | None:
    """``CONTENT, CUE SPK [, CONTENT2]``: '"…," said Ana Ruiz, the minister. "…"'."""
    toks, n = scan.toks, scan.n
    s0 = i + 1
    first = toks[s0]
    if not (
        first.kind == "w"
        and (
            first.cap or first.low in DETERMINERS or first.low in ("he", "she", "they", "we", "i") or nounish(first.low)
        )
    ):
        return None
    s1, ended = _inverted_speaker_end(toks, s0)
    e1 = s1 - 1
    while e1 > s0 and toks[e1].kind == "p" and not (toks[e1].text == ")" and _opened(toks, s0, e1)):
        e1 -= 1  # a party tag keeps its closing bracket: "said Sen. Ana Ruiz (D-Conn.)"
    rng = scan.before_range(i, scan.final_tag(i) is not None)
    if not ended or rng is None:
        return None
    speaker = (s0, e1)
    attr = scan.make(rng[0], rng[1], (i, i), speaker, SCORE_INVERTED, "speech")
    if attr is None:
        return None
    rest = s1
    while rest < n and toks[rest].kind == "p" and toks[rest].text in ",:.":
        rest += 1
    if rest < n and toks[rest].kind == "q":
        attr.extend(scan.make(rest, n - 1, (i, i), speaker, SCORE_INVERTED, "speech"))
    scan.found.append(attr)
    return max(s1, i + 1)
