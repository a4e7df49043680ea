"""What a speaker phrase says the speaker is (its ``role``: "the group's chair, Gwen Lloyd" -> "chair of
the group"), and what the text says of a one-word name that has no title (a company: "Dunmore said it
would close two depots")."""

from __future__ import annotations

import re

from spinscope.analyzers.quotes.speakers import role_word
from spinscope.analyzers.quotes.vocab import BOUNDARY, DETERMINERS, GROUP_WORDS, NOT_NAMES, ORG_WORDS, TITLES

# Honorifics say nothing of what a speaker does: "Mr. Ruiz" has no role.
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame"})
# A possessive determiner says whose, not what ("Its secretary", "My neighbour" -> "secretary", "neighbour").
_OWNERS = frozenset({"its", "their", "his", "her", "my", "our", "your"})
# Titles that stand before a name but say no office when a role comes before them ("Awards judge Professor").
_ACADEMIC = frozenset({"professor", "prof", "rev", "reverend"})
_LINKS = frozenset({"for", "of", "at", "from", "with", "in"})
_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.I)
# "the group's chair" -> "chair of the group": a possessor that opens with a determiner.
_POSSESSIVE = re.compile(r"^((?:the|this|that|its|their|his|her|our)\s+[^,]*?)['’]s?\s+(\S.*)$", re.I)


def _describes(words: list[str], titles: set[str]) -> bool:
    """Whether some word of a descriptor names an office, a trade or a kind of body: a word of those
    lists, or a lower-case noun before the name ("barrister Neil Oduya", "Neil Oduya, a barrister")."""
    for word in words:
        low = word.lower().strip(".,’'")
        low = low[:-2] if low.endswith(("’s", "'s")) else low
        if low in _HONORIFICS:
            continue
        if role_word(low) or low in TITLES or low in ORG_WORDS or low in GROUP_WORDS or low in titles:
            return True
        if word.isalpha() and word.islower() and len(word) > 2 and low not in DETERMINERS | NOT_NAMES | BOUNDARY:
            return True
    return False


def _tidy(descriptor: str, titles: set[str]) -> str | None:
    """A descriptor as a role: no article, possessive determiner or honorific at its edges ("Trust
    ecologist Dr" -> "Trust ecologist", "Its secretary" -> "secretary"), a determined possessor after it."""
    descriptor = descriptor.strip(" ,;:")
    words = descriptor.split()
    while words and (words[0].lower().rstrip(".") in _HONORIFICS or words[0].lower() in _OWNERS):
        words = words[1:]
    while (words and words[-1].lower().rstrip(".,") in _HONORIFICS | _LINKS) or (
        len(words) > 1 and words[-1].lower().rstrip(".,") in _ACADEMIC
    ):
        words = words[:-1]  # "Awards judge Professor", "A spokesperson for", "Her teacher, Mr"
    words[-1:] = [w.rstrip(",;:") for w in words[-1:]]
    descriptor = " ".join(words)
    if not descriptor or not _describes(words, titles):
        return None
    owned = _POSSESSIVE.match(descriptor)
    if owned is not None:
        owner = owned.group(1)
        return f"{_ARTICLE.sub('', owned.group(2))} of {owner[0].lower()}{owner[1:]}"
    return _ARTICLE.sub("", descriptor) or None


def role_of(phrase: str, name: str | None, titles: set[str] | frozenset[str] = frozenset()) -> str | None:
    """The role a speaker phrase gives its named speaker: the words before the name ("Finance Minister
    Ana Ruiz", "the group's chair, Gwen Lloyd") or, when there are none, an appositive after it ("Leah
    Grant, a midwife"); None when the phrase says nothing of what the speaker does ("Sam Beale, 54").
    ``titles``: common nouns the text uses as titles ("Angler Bob Tait" beside "another angler")."""
    if not name:
        return None
    phrase = re.sub(r"\s*\([^)]*\)", "", phrase).strip(" ,")
    head = re.split(r"\s+(?:who|which|whose)\b", phrase)[0]
    first = name.split()[0]
    at = re.search(rf"(?<![\w’']){re.escape(first)}\b", head)
    if at is None:
        return None
    before = head[: at.start()].strip(" ,")
    if before:
        return _tidy(before, set(titles))
    after = head[at.end() :].split(",")
    if len(after) > 1:
        return _tidy(after[1], set(titles))
    return None


# What only a body has: "Dunmore's staff", "Harlix, which", "its depots".
_BODY_NOUNS = (
    "staff|workers|workforce|employees|shares|shareholders|stores|shops|branches|sites?|plants?|factory|"
    "factories|depots?|customers|products|profits|sales|headquarters|board|chief executive|spokes(?:man|woman|person)"
)
_BODY_DESCRIPTOR = re.compile(
    r"\b[Tt]he\s+(?:firm|company|business|retailer|chain|supermarket|manufacturer|operator|brand|charity|"
    r"supplier|developer|insurer|lender|carrier|airline|bank|group)\b"
)
# How far after a name a descriptor may take it up ("Dunmore said … The firm blamed …").
DESCRIPTOR_REACH = 200


def named_body(text: str, name: str, start: int, contents: list[tuple[int, int]]) -> bool:
    """Whether a one-word name without title is a body, by what the text says of it: its reported words
    open with "it"/"its" ("Dunmore said it would close"), it owns what only bodies own ("Dunmore's
    depots"), it takes "which", or a body descriptor follows soon after ("The firm blamed …")."""
    for s, e in contents[:1]:
        if re.match(r"(?:that\s+)?(?:it|its)\b", text[s:e].strip('"“ ')):
            return True
    quoted = re.escape(name)
    if re.search(rf"\b{quoted}(?:'s|’s)\s+(?:[a-z]+\s+)?(?:{_BODY_NOUNS})\b", text):
        return True
    if re.search(rf"\b{quoted},\s+which\b", text):
        return True
    return _BODY_DESCRIPTOR.search(text, start, start + DESCRIPTOR_REACH) is not None
