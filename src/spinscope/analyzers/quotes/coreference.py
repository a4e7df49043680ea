"""What a speaker phrase refers to: a surname to the full name seen before it, a pronoun or a descriptor
("the minister", "the group") to the nearest compatible earlier speaker or named entity, preferring the
speaker of the previous attribution (number, gender where the text gives it, role words)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from spinscope.analyzers.quotes.attribution import Attr
from spinscope.analyzers.quotes.naming import named_body, role_of
from spinscope.analyzers.quotes.speakers import Entity, classify, clean_name, entities, places
from spinscope.analyzers.quotes.vocab import GROUP_WORDS, NAME_PARTICLES, NOT_NAMES, PERSON_ROLES, TITLE_ROLES, TITLES
from spinscope.document import Span, SpeakerType
from spinscope.lexicons import table
from spinscope.segmentation import sentence_of

Resolved = tuple[str | None, SpeakerType]
_GENDER = {word: gender for gender, words in table("gendered-words").items() for word in words}
_PERSON_PRONOUNS = frozenset({"he", "she", "i", "who", "you", "him", "her"})
_PLURAL_PRONOUNS = frozenset({"they", "we", "it", "which"})
# Descriptors that fit any body of their kind ("the group", "the company"); others must share its name
# ("the ministry" -> "the Interior Ministry").
_ANTECEDENT = re.compile(r"([A-Z][\w’'\-.]*(?:[ \t]+[A-Z][\w’'\-.]*)*),\s*$")
# How far into the sentence before a pronoun's a name may start to be that sentence's subject, and the
# words that make what comes before it more than a descriptor ("The woman's enthusiasm for Trump").
SUBJECT_REACH = 40
_NOT_SUBJECT_LEAD = frozenset("the a an for of to in on at with by from and but as that this to,".split())
_GENERIC_BODIES = frozenset({"group", "organisation", "organization", "company", "firm", "body"})


def gender_of(words: list[str] | set[str]) -> str | None:
    """male / female when a title, pronoun or role word says so (and the words do not disagree)."""
    found = {_GENDER[w] for w in words if w in _GENDER}
    return found.pop() if len(found) == 1 else None


@dataclass
class Referent:
    """A speaker or named entity a later pronoun or descriptor may refer to."""

    position: int
    name: str | None
    kind: SpeakerType
    roles: set[str] = field(default_factory=set)
    gender: str | None = None
    role: str | None = None

    def fits(self, want: set[str], role: str | None, gender: str | None) -> bool:
        return (
            self.kind in want
            and (role is None or role in self.roles or any(role in TITLE_ROLES.get(r, ()) for r in self.roles))
            and (gender is None or self.gender is None or self.gender == gender)
        )


def _entity_referent(entity: Entity, text: str) -> Referent:
    before = text[max(0, entity.position - 12) : entity.position].lower().split()
    return Referent(entity.position, entity.name, entity.kind, entity.roles, gender_of(entity.roles | set(before)))


class Resolver:
    """Speaker names and types in text order; each speaker becomes a referent for later ones."""

    def __init__(self, text: str, sentences: list[Span] | None = None) -> None:
        self.text = text
        self.sentences = sentences or []
        # The contents of the attribution being resolved: a person named in what was said is not who said it
        # ('"Obama had will.i.am," he said').
        self.contents: list[tuple[int, int]] = []
        self.entities = entities(text)
        self.places = places(text)
        self.named = [_entity_referent(e, text) for e in self.entities]
        self.speakers: list[Referent] = []
        # Common nouns the text uses as titles before names ("Steward Nadia Okafor"): person roles here.
        self.titles: set[str] = set()
        self.by_surname: dict[str, str] = {}
        for entity in self.entities:
            if entity.kind == "person" and len(entity.name.split()) >= 2:
                self.by_surname.setdefault(entity.name.split()[-1], entity.name)
        self.named += self._surname_mentions()
        self.named.sort(key=lambda r: r.position)

    def _surname_mentions(self) -> list[Referent]:
        """Later mentions of a person by surname alone ("… believe Marsh when she says"): referents too,
        with the full name and what the first mention said of them."""
        full = {e.name: e for e in self.entities if e.kind == "person"}
        taken = {(e.position, e.position + len(e.name)) for e in self.entities}
        found = []
        for surname, name in self.by_surname.items():
            first = full[name]
            gender = _entity_referent(first, self.text).gender
            for m in re.finditer(rf"\b{re.escape(surname)}\b", self.text):
                if m.start() > first.position and not any(s <= m.start() < e for s, e in taken):
                    found.append(Referent(m.start(), name, "person", first.roles, gender))
        return found

    def _nearest(self, pos: int, want: set[str], role: str | None = None, gender: str | None = None) -> Referent | None:
        """The previous attribution's speaker when it fits, else the nearest fitting speaker or named entity."""
        # a person is never a place ("Damascus said …; he added" is not Damascus)
        earlier = [r for r in self.speakers if r.position < pos and not ("person" in want and r.name in self.places)]
        # A person named earlier in the pronoun's own sentence comes first ("Can anyone believe Marsh when
        # she says …"), then the previous attribution's speaker.
        home = sentence_of(self.sentences, pos)
        sentence_start = (
            home.start if home is not None else max(self.text.rfind(". ", 0, pos), self.text.rfind("\n", 0, pos), 0)
        )
        here = [
            n
            for n in self.named
            if sentence_start <= n.position < pos
            and n.fits(want, role, gender)
            and not any(c0 <= n.position < c1 for c0, c1 in self.contents)
        ]
        if here and "person" in want and not (earlier and earlier[-1].position >= here[-1].position):
            return here[-1]
        opener = self._previous_subject(home, want, role, gender)
        if opener is not None and not (earlier and earlier[-1].position >= opener.position):
            return opener  # 'Retired postman Derek Hill disagreed. "Nobody uses them," he said.'
        if earlier and earlier[-1].fits(want, role, gender):
            return earlier[-1]
        candidates = [r for r in earlier + [n for n in self.named if n.position < pos] if r.fits(want, role, gender)]
        return max(candidates, key=lambda r: (r.position, r.name is not None), default=None)

    def _previous_subject(
        self, home: Span | None, want: set[str], role: str | None, gender: str | None
    ) -> Referent | None:
        """A person named in full at the start of the sentence before the pronoun's (its subject), when the
        pronoun is in a quotation's speech tag and no attribution came since."""
        if home is None or "person" not in want:
            return None
        before = [s for s in self.sentences if s.end <= home.start]
        if not before or self.text[home.start : home.start + 1] not in "\"“‘'":
            return None
        prev = before[-1]
        for n in self.named:
            if prev.start <= n.position < min(prev.end, prev.start + SUBJECT_REACH) and n.name and " " in n.name:
                # only a descriptor before it ("Retired postman Derek Hill"), no quotation, phrase or possessive
                lead = self.text[prev.start : n.position].split()
                plain = not any(w.lower() in _NOT_SUBJECT_LEAD or re.search(r"['’\"“”]", w) for w in lead)
                return n if plain and n.kind == "person" and n.fits(want, role, gender) else None
        return None

    def _full_name(self, name: str | None, kind: SpeakerType, s: int) -> str | None:
        """A surname seen earlier in full ("Ruiz" after "Ana Ruiz")."""
        if name is not None and len(name.split()) == 1 and name in self.by_surname:
            name = self.by_surname[name]
        if (
            name is not None
            and kind == "person"
            and (len(name.split()) == 1 or name.split()[0].lower() in NAME_PARTICLES)
        ):
            # "Ruiz" after "Ana Ruiz"; "Van der Linden" after "Pieter van der Linden"
            tail = " " + name.lower()
            for entity in reversed(self.entities):
                if entity.position < s and (" " + entity.name.lower()).endswith(tail) and entity.name != name:
                    return entity.name
        return name

    def _antecedent(self, s: int) -> tuple[int, str] | None:
        """The capitalised phrase a relative pronoun at ``s`` follows ("Ruiz, who said", "The Ledger, which
        said"): its start and text."""
        before = _ANTECEDENT.search(self.text, max(0, s - 80), s)
        return (before.start(1), before.group(1)) if before is not None else None

    def _common_antecedent(self, s: int) -> Referent | None:
        """The common noun a restrictive "who" follows ("villagers who say", "the ideologues who told us"):
        unnamed people, never a person named in another clause."""
        before = re.search(r"([\w’'\-]+)\s+$", self.text[max(0, s - 40) : s])
        if before is None:
            return None
        word = before.group(1)
        low = word.lower()
        at = s - len(before.group(0))
        sentence_start = not self.text[max(0, at - 3) : at].strip() or self.text[at - 2 : at].strip() in ".!?\n"
        if word[:1].isupper() and not (sentence_start and (low in GROUP_WORDS or low.endswith("s"))):
            return None  # "… said Ruiz who …": a name
        if low in _PERSON_PRONOUNS | _PLURAL_PRONOUNS | NOT_NAMES or not low.isalpha():
            return None
        return Referent(at, None, "group" if low.endswith("s") and not low.endswith("ss") else "person")

    def _pronoun(self, low: str, s: int) -> tuple[Referent | None, SpeakerType]:
        antecedent = self._antecedent(s) if low in ("who", "which") else None
        if low == "which" and antecedent is not None:  # "The Daily Ledger, which said": the body named before
            name, roles = clean_name(antecedent[1])
            kind = classify(antecedent[1], name, roles)
            if name is not None and kind not in ("anonymous", "document"):
                kind = kind if kind == "group" else "organisation"  # "which" is never a person
                return Referent(antecedent[0], name, kind), kind
        if low in _PERSON_PRONOUNS:
            if low == "who":  # the relative pronoun's antecedent comes right before it: "Ruiz, who said"
                name = clean_name(antecedent[1])[0] if antecedent else None
                if antecedent is not None and name is not None:
                    return Referent(antecedent[0], self._full_name(name, "person", s), "person"), "person"
                common = self._common_antecedent(s)
                if common is not None:
                    return common, common.kind
                found = [r for r in self.named + self.speakers if r.position < s and r.kind == "person"]
                return max(found, key=lambda r: r.position, default=None), "person"
            return self._nearest(s, {"person", "anonymous"}, gender=gender_of([low])), "person"
        resolved = self._nearest(s, {"organisation", "group", "anonymous"})
        if resolved is None and low == "it":
            resolved = self._nearest(s, {"organisation"})
        return resolved, resolved.kind if resolved else ("organisation" if low == "it" else "group")

    def _body(self, head: list[str], head_word: str, s: int) -> Referent | None:
        """'the ministry', 'the group', 'the rebels': the nearest organisation or group before that fits."""
        want: set[str] = {"group"} if head_word in GROUP_WORDS else {"organisation"}
        if head_word == "group":
            want = {"group", "organisation"}
        generic = head_word in _GENERIC_BODIES or head_word in GROUP_WORDS
        for entity in reversed(self.entities):
            if entity.position < s and entity.kind in want and (generic or head_word in entity.name.lower()):
                return Referent(entity.position, entity.name, entity.kind)
        # Only a bare descriptor ("the ministry", "the group") points back to an earlier speaker;
        # one with its own modifiers ("the regional health office") names a new body.
        if len(head) > 2:
            return None
        for speaker in reversed(self.speakers):
            fits = speaker.name is not None and (generic or head_word in speaker.name.lower())
            if speaker.position < s and speaker.kind in want and fits:
                return speaker
        return None

    def _descriptor(self, low: str, kind: SpeakerType, s: int) -> tuple[Referent | None, SpeakerType]:
        """A definite descriptor: "the minister", "the spokesman", "the group", "the ministry"."""
        head = re.split(r",|\bwho\b", low)[0].split()
        head_word = head[-1].strip(".,’'") if head else ""
        if head_word in PERSON_ROLES or head_word in TITLES:
            gender = gender_of([head_word])
            role = head_word if head_word not in ("man", "woman") else None
            return self._nearest(s, {"person"}, role, gender), "person"
        if kind == "document":
            return None, kind
        resolved = self._body(head, head_word, s)
        return resolved, resolved.kind if resolved else kind

    def _common_title(self, name: str | None, roles: set[str]) -> str | None:
        """A name less a capitalised first word the text also writes in lower case ("Volunteer Kath Deans"
        where "another volunteer" is in the text): a common noun used as a title."""
        if name is None or len(name.split()) < 3:
            return name
        first, rest = name.split(" ", 1)
        if first[:1].isupper() and re.search(rf"\b{re.escape(first.lower())}\b", self.text):
            roles.add(first.lower())
            self.titles.add(first.lower())
            return rest
        return name

    def resolve(self, attr: Attr) -> tuple[str | None, SpeakerType | None, str | None]:
        """speaker_name, speaker_type and role of one attribution (call in text order)."""
        if attr.speaker is None:
            return None, None, None
        self.contents = attr.contents
        s, e = attr.speaker
        phrase = self.text[s:e]
        low = phrase.lower().strip()
        name, roles = clean_name(phrase)
        name = self._common_title(name, roles)
        kind = classify(phrase, name, roles)
        head_word = re.split(r",| who\b", low)[0].split()[-1:]
        if name is None and head_word and head_word[0].rstrip("s") in self.titles:
            kind = "group" if head_word[0].endswith("s") else "person"  # "another steward" after "Steward X"
        full = self._full_name(name, kind, s)
        lone = kind == "person" and name is not None and full == name and " " not in name and not roles
        if lone and name not in self.by_surname and named_body(self.text, name, e, attr.contents):
            kind = "organisation"  # "Dunmore said it would close two depots"
        name = full
        role = role_of(phrase, name, self.titles)
        resolved: Referent | None = None
        gender = gender_of(low.replace(",", " ").split()[:4])
        if low == "which":
            name = None  # "The Ledger, which said": the body named before it
        if name is None:
            words = low.split()
            if low in _PERSON_PRONOUNS or low in _PLURAL_PRONOUNS:
                resolved, kind = self._pronoun(low, s)
            elif words and words[0] in ("the", "this") and kind != "anonymous":
                resolved, kind = self._descriptor(low, kind, s)
        if resolved is not None:
            name = resolved.name
            roles |= resolved.roles
            gender = gender or resolved.gender
            kind = resolved.kind
            role = role or resolved.role
        if role is None and name is not None:  # "Lloyd" after "the group's chair, Gwen Lloyd"
            role = next((r.role for r in reversed(self.speakers) if r.name == name and r.role), None)
        if kind in ("anonymous", "document"):
            name = role = None
        # An unresolved descriptor ("the health trust", "Marchers") is no name: speaker_name stays None.
        self.speakers.append(Referent(s, name, kind, roles, gender, role))
        return name, kind, role
