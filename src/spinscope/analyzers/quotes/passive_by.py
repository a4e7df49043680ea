"""The passive with its agent: "The bill was opposed by House Republicans", "Trump has been criticized by
some of his rivals for failing to …", "Rubio was asked by a caller why …". PolNeAR's source is the agent
after "by", its cue the verb with its auxiliaries ("has been criticized"), its content the grammatical
subject (and a "for …" reason after the agent), or for a question the clause asked. 133 of the 17,802
attributions in 90 % of PolNeAR train have this shape; the rules left them all out before (a passive's
subject is never its source, see :func:`.phrases.passive`)."""

from __future__ import annotations

from spinscope.analyzers.quotes.attribution import SCORE_BY_VERB_CLASS, RegionScan
from spinscope.analyzers.quotes.phrases import Range, passive, skip_aux_left, subject_left
from spinscope.analyzers.quotes.vocab import VERBS

# Words that end the agent's noun phrase ("by House Republicans for …", "by a caller why …").
_AGENT_ENDS = frozenset(
    "for in at on during after before that who which when while because as whether if why how what about to "
    "since over".split()
)
# Participles seen with an agent as PolNeAR attributions in 90 % of PolNeAR train (reported 12, asked 10,
# opposed 5, criticized 3, …); others ("was backed by the military", "were written by men") mostly not.
_BY_VERBS = frozenset(
    "reported asked opposed criticized criticised shared echoed claimed endorsed championed denounced accused "
    "rejected attacked applauded dismissed praised condemned questioned challenged cited quoted disputed "
    "welcomed slammed blasted mocked ridiculed excoriated".split()
)
_QUESTION_OPENERS = frozenset({"whether", "if", "why", "how", "what", "about", "to"})
_MAX_AGENT_WORDS = 12


def _agent(scan: RegionScan, by: int) -> Range | None:
    """The noun phrase after "by": up to a comma, a full stop or a word that opens another phrase."""
    toks = scan.toks
    end = by
    while end + 1 < scan.n and end - by < _MAX_AGENT_WORDS:
        nxt = toks[end + 1]
        inner = ("’", "'", "-", ".", "%")
        if nxt.kind == "q" or (nxt.kind == "p" and nxt.text not in inner) or nxt.low in _AGENT_ENDS:
            break
        if nxt.text == "." and (end + 2 >= scan.n or toks[end + 2].cap):
            break  # the sentence's full stop, not an initial's
        end += 1
    if end == by or scan.used[by + 1] or toks[by + 1].kind != "w":
        return None
    return by + 1, end


def passive_by(scan: RegionScan, i: int) -> int | None:
    """``SUBJ was VERB-ed by AGENT [for …]`` at the participle i; returns where to go on, or None."""
    toks, n = scan.toks, scan.n
    t = toks[i]
    verb = VERBS.get(t.low)
    if verb is None or t.low not in _BY_VERBS or t.cap or i + 2 >= n or toks[i + 1].low != "by":
        return None
    first_aux = skip_aux_left(toks, i)
    if first_aux == i or not passive(toks, first_aux, i):
        return None
    agent = _agent(scan, i + 1)
    if agent is None:
        return None
    score = SCORE_BY_VERB_CLASS[verb[1]]
    after = agent[1] + 1
    stop = scan.content_stop(after) if after < n else after
    if after < n and toks[after].low in _QUESTION_OPENERS:
        attr = scan.make(after, stop, (first_aux, i), agent, score, verb[1])  # "was asked by X whether …"
    else:
        subject = subject_left(toks, first_aux)
        if subject is None or any(scan.used[y] for y in range(subject[0], subject[1] + 1)):
            return None
        if toks[subject[0]].low in ("who", "which", "that"):
            return None  # the relative pronoun's content is its antecedent, left to the learned tagger
        attr = scan.make(subject[0], subject[1], (first_aux, i), agent, score, verb[1])
        if attr is not None and after < n and toks[after].low == "for":
            attr.extend(scan.make(after, stop, (first_aux, i), agent, score, verb[1]))
    if attr is None:
        return None
    for y in range(agent[0], agent[1] + 1):
        scan.used[y] = True
    scan.found.append(attr)
    return stop + 1 if attr.contents[-1][0] > toks[agent[1]].end else agent[1] + 1
