"""What follows a cue: a reported clause rather than an object ("…, adding that it would" but not "…,
adding pressure on households"), and a name set after a comma ("according to the operator, Coastline
Buses.")."""

from __future__ import annotations

from spinscope.analyzers.quotes.tokens import Tok
from spinscope.lexicons import table

# What makes the words after a participle a reported clause rather than its object ("adding that it
# would", "saying he was" but not "adding pressure on households").
_FINITE = frozenset(
    "is are was were will would can could should may might must has have had did does do "
    "'s ’s 're ’re 'd ’d 'll ’ll 've ’ve".split()
)
_CLAUSE_OPENERS = frozenset("that whether if how why what when where who of about against to".split())
# Irregular past tenses ("understood", "said"): the forms that are neither the base, -s nor -ing.
_IRREGULAR_PAST = frozenset(
    form
    for base, forms in table("irregular-verbs").items()
    for form in forms
    if form != base and not form.endswith(("s", "ing"))
)


def reports_a_clause(toks: list[Tok], k: int, stop: int) -> bool:
    """Tokens k..stop read as reported speech: a quotation, "that" or a question word first, or a finite
    verb (an auxiliary or a past tense) among them."""
    first = toks[k]
    if first.kind == "q" or first.text == ":" or first.low in _CLAUSE_OPENERS:
        return True
    return any(
        t.kind == "q" or t.low in _FINITE | _IRREGULAR_PAST or (t.low.endswith("ed") and len(t.low) > 4)
        for t in toks[k : stop + 1]
    )


def apposed_name_end(toks: list[Tok], comma: int) -> int | None:
    """The last token of a name set after a comma that ends the region ("…, Coastline Buses."), or None."""
    if comma >= len(toks) or toks[comma].text != ",":
        return None
    end = comma
    while end + 1 < len(toks) and toks[end + 1].kind == "w" and toks[end + 1].cap:
        end += 1
    rest = toks[end + 1 :]
    if end == comma or end - comma > 5 or any(t.kind != "p" or t.text not in ".!?" for t in rest):
        return None
    return end


_AUXILIARIES = frozenset("is are was were have has had will would can could should may might must do does did".split())


def restrictive_end(toks: list[Tok], k: int, stop: int) -> int:
    """Where the content of a restrictive relative clause's cue ends ("residents who say they were never
    consulted | were told to …"): before the second auxiliary that follows a word of another kind, which
    starts the main clause's verb."""
    first = next((y for y in range(k, stop + 1) if toks[y].low in _AUXILIARIES), None)
    if first is None:
        return stop
    for y in range(first + 1, stop + 1):
        if toks[y].low in _AUXILIARIES and toks[y - 1].kind == "w" and toks[y - 1].low not in _AUXILIARIES:
            return y - 1
    return stop
