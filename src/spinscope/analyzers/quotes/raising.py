"""Expectations and appearances with no one behind them: "The minister is expected to resign", "The
court seemed to send a signal". PolNeAR counts these as attributions without a source: the cue is the
verb with its auxiliaries ("is expected", "had been expected", "seemed"), the content two pieces, the
subject and the infinitive clause. Counted on the 90 % of PolNeAR train the tagger trained on: "be
expected to" is a cue 87 % of the time (46 of 53), "appear/seem to" 55 % (127 of 233); the learned tagger
finds few of them."""

from __future__ import annotations

from spinscope.analyzers.quotes.attribution import NO_SHARED_SOURCE, SCORE_RAISING, RegionScan
from spinscope.analyzers.quotes.phrases import skip_aux_left, subject_left

_EXPECTED = frozenset({"expected"})
_APPEARANCE = frozenset({"appear", "appears", "appeared", "seem", "seems", "seemed"})
RAISING_VERBS = _EXPECTED | _APPEARANCE
_CLAUSE_OPENERS = frozenset({"that", "and", "but", "while", "because", "if", "when", "as", "although", "though", "so"})
_PERSONAL = frozenset({"he", "she", "they", "we", "i", "you"})
_FOCUS = frozenset({"even", "only", "also", "now"})
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "'s", "’s"})


def _clause_subject(scan: RegionScan, first_aux: int) -> tuple[int, int] | None:
    """Every word of the clause before the verb ("The embattled French president"), back to a comma, a
    quotation or a conjunction; the plain noun phrase when the clause runs longer than ten words."""
    toks = scan.toks
    start = first_aux
    while start > 0 and toks[start - 1].kind == "w" and toks[start - 1].low not in _CLAUSE_OPENERS:
        start -= 1
    if start == first_aux:
        return None
    if first_aux - start > 10:
        return subject_left(toks, first_aux)
    return start, first_aux - 1


def raising(scan: RegionScan, i: int) -> int | None:
    """``SUBJ is expected to …`` / ``SUBJ seems to …`` at token i; returns where to go on, or None."""
    toks, n = scan.toks, scan.n
    t = toks[i]
    if t.cap or i + 2 >= n or toks[i + 1].low != "to" or toks[i + 2].kind != "w":
        return None
    first_aux = skip_aux_left(toks, i)
    if t.low in _EXPECTED:
        if first_aux == i or not any(toks[y].low in _BE for y in range(first_aux, i)):
            return None  # "they expected to win" has a subject who expects: a belief, not this
        cue_start = first_aux
    elif t.low in _APPEARANCE:
        cue_start = i
    else:
        return None
    subject = _clause_subject(scan, first_aux)
    if subject is None or any(scan.used[y] for y in range(subject[0], subject[1] + 1)):
        return None
    if t.low in _APPEARANCE and toks[subject[0]].low in _PERSONAL:
        return None  # "he seemed to paper over …": PolNeAR reads "seemed to" as his act, not an appearance
    while subject[0] < subject[1] and toks[subject[0]].low in _FOCUS:
        subject = (subject[0] + 1, subject[1])
    stop = scan.content_stop(i + 1)
    relative = toks[subject[0]].low in ("who", "which")
    for y in range(i + 2, stop + 1):
        ty = toks[y]
        if (
            ty.text in ("—", "–", ":", ";")
            or (ty.kind == "q" and toks[y - 1].kind == "p")
            or (ty.text == "," and (relative or (y + 1 <= stop and toks[y + 1].low.endswith("ing"))))
        ):
            stop = y - 1  # the infinitive clause ends at a dash, a colon, a participle after a comma
            break
    attr = scan.make(subject[0], subject[1], (cue_start, i), None, SCORE_RAISING, NO_SHARED_SOURCE)
    if attr is None:
        return None
    attr.extend(scan.make(i + 1, stop, (cue_start, i), None, SCORE_RAISING, NO_SHARED_SOURCE))
    if len(attr.contents) < 2:
        return None
    scan.found.append(attr)
    return stop + 1
