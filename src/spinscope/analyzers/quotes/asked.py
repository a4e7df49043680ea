"""The question put to a speaker: "Asked whether he would run, Ruiz said …", "… said when asked about
the deal", "Asked by a caller why …". PolNeAR marks the question as its own attribution: the cue "asked"
(without "when"), the question as content, and the asker as source when "by" names one (else none)."""

from __future__ import annotations

from spinscope.analyzers.quotes.attribution import NO_SHARED_SOURCE, SCORE_BY_VERB_CLASS, RegionScan
from spinscope.analyzers.quotes.phrases import Range

_BEFORE = frozenset({"when", "after", "once", "if", "while", "as"})
_QUESTION = frozenset({"whether", "if", "about", "why", "how", "what", "which", "who", "when", "where"})
_AGENT_ENDS = _QUESTION | frozenset({"to", "for", "on", "in", "during", "at"})


def _agent(scan: RegionScan, by: int) -> Range | None:
    toks = scan.toks
    end = by
    while end + 1 < scan.n and end - by < 8 and toks[end + 1].kind == "w" and toks[end + 1].low not in _AGENT_ENDS:
        end += 1
    return (by + 1, end) if end > by else None


def question_asked(scan: RegionScan, i: int) -> int | None:
    """The question of an "asked" that opens a clause (sentence start, after a comma or "when") at token i;
    returns where to go on, or None."""
    toks, n = scan.toks, scan.n
    if toks[i].low != "asked" or scan.used[i] or i + 2 >= n:
        return None
    if i > 0 and toks[i - 1].low not in _BEFORE and toks[i - 1].text != ",":
        return None
    agent = _agent(scan, i + 1) if toks[i + 1].low == "by" else None
    k = agent[1] + 1 if agent is not None else i + 1
    if k >= n or toks[k].low not in _QUESTION:
        return None
    stop = next((y - 1 for y in range(k + 1, n) if toks[y].text == "," or toks[y].kind == "q"), n - 1)
    if agent is not None and any(scan.used[y] for y in range(agent[0], agent[1] + 1)):
        return None
    attr = scan.make(k, stop, (i, i), agent, SCORE_BY_VERB_CLASS["speech"], NO_SHARED_SOURCE)
    if attr is None:
        return None
    scan.found.append(attr)
    if agent is not None:
        for y in range(agent[0], agent[1] + 1):
            scan.used[y] = True
    return stop + 1
