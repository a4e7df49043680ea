"""Speakers: the name inside a speaker phrase (titles, appositives and party tags left out), its type
(person / anonymous / organisation / group), and what a pronoun or descriptor refers to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spinscope.analyzers.quotes.vocab import (
    AFTER_ANON_HEAD,
    ANON_DETS,
    ANON_HEADS,
    DETERMINERS,
    DOCUMENT_WORDS,
    GROUP_NAME_ENDINGS,
    GROUP_WORDS,
    NAME_PARTICLES,
    NOT_NAMES,
    ORG_WORDS,
    PARTICLE_NAME,
    PERSON_ROLES,
    TITLES,
)
from spinscope.document import SpeakerType
from spinscope.lexicons import words

OFFICE_WORDS = words("office-words")
GROUP_NAME_OPENERS = words("group-name-openers")
PLACE_ENDINGS = words("place-endings")
DATE_WORDS = words("weekdays", "months")


@dataclass
class Entity:
    name: str
    kind: SpeakerType
    position: int
    roles: set[str]


_PARTICLES = "|".join(sorted(NAME_PARTICLES))
_NAME_WORD = rf"(?:[A-Z][\w’'\-]*|(?:{'|'.join(sorted(words('name-prefixes')))})[-’'][A-Z][\w’'\-]*)"
# A full stop inside a name only after an initial or a title ("J. Smith", "Sen. Ruiz"): "Kowal. Kowal" is two.
_NAME_ABBREVIATION = rf"(?:[A-Z]|{'|'.join(w.capitalize() for w in sorted(words('title-abbreviations')))})\."
# Capitalised runs on one line: a name never runs across a line break.
_NAME_RUN = re.compile(rf"(?:(?:{_NAME_ABBREVIATION}|{_NAME_WORD}|of|{_PARTICLES})[ \t]+)*{_NAME_WORD}(?:’s|'s)?")
# "police in Harnov", "a reporter from Reuters": the place or employer after in/at/from is neither the
# speaker's name nor its head word.
_PLACE_AFTER = r"\b(?:in|at|from)\s+(?=[A-Z])"
# A participle that starts a reduced relative clause ends the head noun phrase: "a poll released in late
# August" is a poll (not "August"), "a survey conducted Friday" a survey.
_REDUCED_RELATIVE = r"\s(?:released|conducted|published|issued|taken|commissioned|filed|posted|obtained)\b"
_ANONYMITY = re.compile(
    r"not (?:to )?be (?:named|identified)|condition of anonymity|anonymously|declined to be named|"
    r"familiar with|spoke on background",
    re.I,
)


def _namelike(word: str) -> bool:
    """Capitalised as a name word is ("Ruiz", "al-Rashid")."""
    return word[:1].isupper() or PARTICLE_NAME.match(word) is not None


# A compound of a role noun names a role too ("headteacher", "shopkeeper", "schoolteacher"); the role
# must be long enough not to be a name's ending ("Whitehead" is no "head", "Stagecoach" no "coach").
MIN_COMPOUND_ROLE = 6
_COMPOUND_ROLES = tuple(r for r in PERSON_ROLES if len(r) >= MIN_COMPOUND_ROLE and r.isalpha())


def role_word(word: str) -> bool:
    """An occupational or relational noun ("parent", "headteacher", "caretaker"), in any case."""
    low = word.lower().strip(".,’'")
    if "-" in low and low.split("-")[0] in PERSON_ROLES:
        return True  # "Mum-of-two", "father-of-three"
    return low in PERSON_ROLES or any(low.endswith(r) and len(low) > len(r) + 2 for r in _COMPOUND_ROLES)


def _strip_title(words: list[str]) -> tuple[list[str], set[str]]:
    """Split a capitalised run into its title words and the name ("Finance Minister Ana Ruiz" -> Ana Ruiz)."""
    roles: set[str] = set()
    last_title = -1
    for idx, w in enumerate(words):
        lw = w.lower().rstrip(",")
        if lw in TITLES or lw.rstrip(".") in TITLES:
            last_title = idx
            roles.add(lw.rstrip("."))
    # A capitalised role before a full name is a title too ("Organiser Leah Grant", "Headteacher Rhona
    # Calder", "Parent Deborah Strang").
    while last_title + 3 < len(words) + 1 and role_word(words[last_title + 1]):
        if len(words) - (last_title + 2) < 2:
            break
        last_title += 1
        roles.add(words[last_title].lower().rstrip(","))
    name = words[last_title + 1 :] if last_title + 1 < len(words) else []
    return name, roles


def _office_end(run: list[str], of: int) -> int | None:
    """Where the name starts after a title's office ("Secretary of State John F. Kerry" -> "John"), or
    None when the words before "of" are no title ("Chuck Schumer of New York")."""
    if not all(w.lower().rstrip(".,") in TITLES for w in run[:of]):
        return None
    idx = of + 1
    while idx < len(run) and run[idx].lower().strip(".,") in OFFICE_WORDS:
        idx += 1
    return idx if of + 1 < idx < len(run) else None


def _name_run(words: list[str]) -> list[str] | None:
    """The capitalised run of a speaker phrase's words, cut at "of" + place ("Chuck Schumer of New York")
    and before lower-case words ("Clinton campaign Chairman John Podesta")."""
    caps_from = next((idx for idx, w in enumerate(words) if _namelike(w)), None)
    if caps_from is None:
        return None
    run = words[caps_from:]
    for idx, w in enumerate(run):
        if w == "of" and idx > 0:
            office = _office_end(run, idx)
            run = run[office:] if office is not None else run[:idx]
            break
    if any(not _namelike(w) and w not in NAME_PARTICLES for w in run):
        tail: list[str] = []
        for w in reversed(run):
            if _namelike(w) or (tail and w in NAME_PARTICLES):
                tail.insert(0, w)
            else:
                break
        run = tail
    return run


def _appositive_name(phrase: str) -> tuple[str | None, set[str]]:
    """The name a descriptor is followed by ("the group's chair, Gwen Lloyd," -> Gwen Lloyd), with the
    descriptor's role words; None unless the part after the first comma is a name and nothing else."""
    head, _, rest = phrase.partition(",")
    rest = rest.strip(" ,")
    if not rest or "," in rest or not re.fullmatch(_NAME_RUN.pattern, rest):
        return None, set()
    name, roles = clean_name(rest)
    if name is None or len(name.split()) < 2 or any(w.lower() in NOT_NAMES for w in name.split()):
        return None, set()
    roles |= {w.lower().strip(".,’'s") for w in head.split()} & (PERSON_ROLES | TITLES)
    return name, roles


def clean_name(phrase: str) -> tuple[str | None, set[str]]:
    """The name inside a speaker phrase, without titles, appositives and party tags, and the role words."""
    phrase = re.sub(r"\s*\([^)]*\)", "", phrase)
    name, roles = _head_name(phrase)
    if name is None and "," in phrase:
        apposed, apposed_roles = _appositive_name(phrase)
        if apposed is not None:
            return apposed, roles | apposed_roles
    return name, roles


def _head_name(phrase: str) -> tuple[str | None, set[str]]:
    """The name in the head of a speaker phrase (before any comma, relative clause or "of" phrase)."""
    head = re.split(r",|\bof\s+(?=[a-z])|\bwho\b|\bwhich\b|" + _PLACE_AFTER + "|" + _REDUCED_RELATIVE, phrase)[0]
    head = head.strip()
    head = re.sub(r"^(?:the|a|an)\s+", "", head, flags=re.I)
    words = head.split()
    # possessive prefix "Kasich’s chief strategist John Weaver" -> after the possessive
    for idx in range(len(words) - 1, -1, -1):
        if words[idx].endswith(("’s", "'s", "s’", "s'")) and idx < len(words) - 1:
            words = words[idx + 1 :]
            break
    roles = {w.lower().rstrip(".,") for w in words if w.lower().rstrip(".,") in PERSON_ROLES | TITLES}
    run = _name_run(words)
    if run is None:
        return None, roles
    lone = run[0].lower().strip(".,") if run else ""
    if len(run) == 1 and (lone in ANON_HEADS | GROUP_WORDS | ORG_WORDS | PERSON_ROLES or role_word(lone.rstrip("s"))):
        return None, roles  # "Officials", "Rebels", "Councillors" at the start of a sentence are not names
    name_words, title_roles = _strip_title(run)
    roles |= title_roles
    if not name_words:
        return None, roles
    name = " ".join(name_words).strip(" ,.;:")
    name = re.sub(r"(’s|'s)$", "", name)
    if name.lower() in NOT_NAMES or not name or name.lower() in DATE_WORDS:
        return None, roles  # "the report Tuesday": a date, not a name
    if all(w.lower() in DETERMINERS | NOT_NAMES for w in name.split()):
        return None, roles  # "Another", "Several", "Each": a determiner or quantifier opening a sentence
    parts = name.split()
    # "D.C. As I": a sentence starts after the full stop; the name is what follows its opening word
    cut = max(
        (k for k in range(1, len(parts)) if parts[k - 1].endswith(".") and parts[k].lower() in NOT_NAMES), default=0
    )
    if cut and cut + 1 < len(parts) + 1:
        parts = parts[cut + 1 :]
        if not parts or parts == ["I"]:
            return None, roles
        name = " ".join(parts)
    first, *rest = parts
    if rest == ["I"] and first.lower() not in TITLES:
        return None, roles  # "Somehow I", "Then I": the pronoun after a sentence-initial word
    return name, roles


def _anonymous(head: str, head_words: list[str]) -> bool:
    """An unnamed source by its head: "a senior official", "sources", "officials with knowledge of …"."""
    return (head in ANON_HEADS or head.endswith("sources")) and (
        not head_words
        or head_words[0] in ANON_DETS
        or len(head_words) == 1
        or head in ("sources", "source")
        or head_words[0] not in ("the", "this", "that")
    )


def classify(phrase: str, name: str | None, roles: set[str]) -> SpeakerType:
    """The speaker type of a phrase from its head noun, its name and role words."""
    words = [w.lower().strip(".,’'") for w in re.findall(r"[\w’'\-.]+", phrase)]
    # "a report by the Users' Group": the head comes before its author
    head_part = re.split(r",|\bwho\b|\bwhich\b|\bthat\b|\bby\s|" + _PLACE_AFTER + "|" + _REDUCED_RELATIVE, phrase)[0]
    head_words = [w.lower().strip(".,’'") for w in re.findall(r"[\w’'\-.]+", head_part)]
    head = head_words[-1] if head_words else ""
    if _ANONYMITY.search(phrase) and name is None:
        return "anonymous"
    # "officials with knowledge of the meeting", "two people present": the head comes before its modifier.
    anon_at = next(
        (
            k
            for k, w in enumerate(head_words)
            if w in ANON_HEADS and (k == len(head_words) - 1 or head_words[k + 1] in AFTER_ANON_HEAD)
        ),
        None,
    )
    if anon_at is not None:
        head, head_words = head_words[anon_at], head_words[: anon_at + 1]
    if name is None and _anonymous(head, head_words):
        return "anonymous"
    if head in ("he", "she", "i", "you"):
        return "person"
    if head in DOCUMENT_WORDS and (name is None or re.search(rf"\b{re.escape(head)}\b", head_part)):
        return "document"  # "the suit says", "a poll showed", "the Mueller report found"
    if name is not None:
        name_words = [w.lower() for w in name.split()]
        if name_words and name_words[-1] in GROUP_NAME_ENDINGS:
            return "group"
        if len(name_words) >= 2 and name_words[0] in GROUP_NAME_OPENERS:
            return "group"  # a campaign named for its aim: "Save Our Seafront"
        described = _described_body(head_part, name)
        if described is not None:
            return described
        if any(w in ORG_WORDS for w in name_words) or (name.isupper() and len(name) <= 6):
            return "organisation"
        if roles & PERSON_ROLES or len(name.split()) >= 2:
            return "person"
    if head in GROUP_WORDS or head in ("they", "we"):
        return "group"
    if head in ORG_WORDS or (any(w in ("white", "house") for w in head_words[-2:]) and "white" in head_words):
        return "organisation"
    if head in PERSON_ROLES or head.rstrip("s") in PERSON_ROLES:
        return "person" if not head.endswith("s") or head in ("boss",) else "group"
    if name is not None:
        return "person"
    if words and words[-1] in ORG_WORDS:
        return "organisation"
    return _common_noun_type(head)


def _described_body(head_part: str, name: str) -> SpeakerType | None:
    """The type a descriptor right before the name gives ("the union Unite", "campaign group Generation
    Rent"): its last word must be a body's, not a person's role ("Fox News host Sean Hannity")."""
    at = head_part.find(name.split()[0])
    before = [w.lower().strip(".,’'") for w in head_part[: max(at, 0)].split()]
    if not before or set(before) & (PERSON_ROLES | TITLES):
        return None  # "Secretary of State Ana Lindqvist": a title, not a body
    last = before[-1]
    if last in GROUP_WORDS or last == "group":
        return "group"
    return "organisation" if last in ORG_WORDS else None


_AGENT = re.compile(r"(?:er|or|ist|ian|ant|ent|ee|man|woman|person)s?$")


def _common_noun_type(head: str) -> SpeakerType:
    """A lower-case head in no word list: a person (or people) when it names an agent ("the announcer",
    "one questioner", "the narrator"), else a group of things speaking as one ("far fewer publications",
    "the endorsements") or a document ("the ad")."""
    if head in ("his", "her", "him", "one", "someone", "somebody", "anyone", "everyone", "nobody"):
        return "person"
    if _AGENT.search(head):
        return "group" if head.endswith("s") and not head.endswith("ss") else "person"
    return "group" if head.endswith("s") and not head.endswith("ss") else "document"


# Where a capitalised run is a place ("lived on Mill Lane", "the Port Elwin quayside", "in Harlow").
_LOCATIVE = re.compile(rf"\b(?:in|near|across|outside|around|through|on the|at the)\s+({_NAME_RUN.pattern})(?![’'])")


def places(text: str) -> set[str]:
    """Names the text puts after a locative preposition: places, never a pronoun's referent."""
    return {m.group(1) for m in _LOCATIVE.finditer(text)}


def _opener(word: str) -> bool:
    """A function word or a pronoun's contraction that opens a sentence ("The", "We're", "It's")."""
    low = (
        re.split(r"['’]", word.lower().rstrip("."))[0] if re.search(r"['’](?:re|s|m|ll|ve|d)$", word) else word.lower()
    )
    low = low.rstrip(".")
    return low in NOT_NAMES and low not in TITLES


def entities(text: str) -> list[Entity]:
    """Capitalised name runs in the text, with a guessed kind (for resolving pronouns and descriptors)."""
    found: list[Entity] = []
    place_names = places(text)
    for m in _NAME_RUN.finditer(text):
        phrase = m.group()
        words = phrase.split()
        # Skip sentence-initial function words ("The", "In", "We're") at the start of a run.
        while words and _opener(words[0]):
            words = words[1:]
        if not words:
            continue
        start_of_run = m.start() + phrase.find(words[0])
        name, roles = clean_name(" ".join(words))
        if name is None:
            continue
        # the two words before the run, for roles like "the minister, Ana Ruiz"
        before = text[max(0, start_of_run - 40) : start_of_run].lower()
        for role in PERSON_ROLES:
            if re.search(rf"\b{re.escape(role)}\b[\s,]*$", before):
                roles.add(role)
        kind = classify(" ".join(words), name, roles)
        if kind == "person" and len(name.split()) == 1 and not roles:
            continue  # a lone capitalised word: not reliably a person (place, month, sentence start)
        place = any(name in p for p in place_names) or name.split()[-1].lower() in PLACE_ENDINGS
        if kind == "person" and not roles and place:
            continue  # "Port Elwin", "Mill Lane": a place
        found.append(Entity(name, kind, start_of_run, roles))
    return found
