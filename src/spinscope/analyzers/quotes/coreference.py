"""What a speaker phrase refers to: a surname to the full name seen before it, a pronoun or a descriptor
("the minister", "the group") to the most recent compatible speaker or named entity before it."""

from __future__ import annotations

import re

from spinscope.analyzers.quotes.attribution import Attr
from spinscope.analyzers.quotes.speakers import Entity, classify, clean_name, entities
from spinscope.analyzers.quotes.vocab import GROUP_WORDS, PERSON_ROLES, TITLES
from spinscope.document import SpeakerType

Resolved = tuple[str, SpeakerType]


def _find_entity(found: list[Entity], before: int, want: set[str], role: str | None = None) -> Entity | None:
    best = None
    for entity in found:
        if entity.position >= before:
            break
        if entity.kind in want and (role is None or role in entity.roles):
            best = entity
    return best


class Resolver:
    """Speaker names and types in text order; each named speaker becomes a referent for later ones."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entities = entities(text)
        self.speakers: list[tuple[int, str, SpeakerType, set[str]]] = []  # (position, name, type, roles)
        self.by_surname: dict[str, str] = {}
        for entity in self.entities:
            if entity.kind == "person" and len(entity.name.split()) >= 2:
                self.by_surname.setdefault(entity.name.split()[-1], entity.name)

    def recent_speaker(self, pos: int, want: set[str], role: str | None = None) -> Resolved | None:
        for p, name, kind, roles in reversed(self.speakers):
            if p < pos and kind in want and (role is None or role in roles):
                return name, kind
        return None

    def _entity(self, pos: int, want: set[str], role: str | None = None) -> Resolved | None:
        entity = _find_entity(self.entities, pos, want, role)
        return (entity.name, entity.kind) if entity else None

    def _full_name(self, name: str | None, kind: SpeakerType, s: int) -> str | None:
        """A surname seen earlier in full ("Ruiz" after "Ana Ruiz")."""
        if name is not None and len(name.split()) == 1 and name in self.by_surname:
            name = self.by_surname[name]
        if name is not None and kind == "person" and len(name.split()) == 1:
            for entity in reversed(self.entities):
                if entity.position < s and entity.name.split()[-1] == name:
                    return entity.name
        return name

    def _pronoun(self, low: str, s: int) -> tuple[Resolved | None, SpeakerType]:
        if low in ("he", "she", "i", "who", "you", "him", "her"):
            resolved = self.recent_speaker(s, {"person"}) or self._entity(s, {"person"})
            return resolved, "person"
        resolved = self.recent_speaker(s, {"organisation", "group", "anonymous"})
        if resolved is None and low == "it":
            resolved = self._entity(s, {"organisation"})
        return resolved, resolved[1] if resolved else ("organisation" if low == "it" else "group")

    def _body(self, head: list[str], head_word: str, s: int) -> Resolved | None:
        """'the ministry', 'the group', 'the rebels': the nearest organisation or group before."""
        want: set[str] = {"group"} if head_word in GROUP_WORDS else {"organisation"}
        if head_word == "group":
            want = {"group", "organisation"}
        for entity in reversed(self.entities):
            if (
                entity.position < s
                and entity.kind in want
                and (
                    head_word in entity.name.lower()
                    or head_word in ("group", "organisation", "organization")
                    or head_word in GROUP_WORDS
                )
            ):
                return entity.name, entity.kind
        # Only a bare descriptor ("the ministry", "the group") points back to the last speaker;
        # one with its own modifiers ("the regional health office") names a new body.
        return self.recent_speaker(s, want) if len(head) <= 2 else None

    def _descriptor(self, low: str, kind: SpeakerType, s: int) -> tuple[Resolved | None, SpeakerType]:
        """A definite descriptor: "the minister", "the spokesman", "the group", "the ministry"."""
        head = re.split(r",|\bwho\b", low)[0].split()
        head_word = head[-1].strip(".,’'") if head else ""
        if head_word in PERSON_ROLES or head_word in TITLES:
            resolved = self.recent_speaker(s, {"person"}, head_word) or self._entity(s, {"person"}, head_word)
            return resolved, "person"
        resolved = self._body(head, head_word, s)
        return resolved, resolved[1] if resolved else kind

    def resolve(self, attr: Attr) -> tuple[str | None, SpeakerType | None]:
        """speaker_name and speaker_type of one attribution (call in text order)."""
        if attr.speaker is None:
            return None, None
        s, e = attr.speaker
        phrase = self.text[s:e]
        low = phrase.lower().strip()
        name, roles = clean_name(phrase)
        kind = classify(phrase, name, roles)
        name = self._full_name(name, kind, s)
        resolved: Resolved | None = None
        if name is None:
            words = low.split()
            if low in ("he", "she", "i", "who", "you", "him", "her", "they", "we", "it"):
                resolved, kind = self._pronoun(low, s)
            elif words and words[0] in ("the", "this") and kind != "anonymous":
                resolved, kind = self._descriptor(low, kind, s)
        if resolved is not None:
            name = resolved[0]
            if kind not in ("anonymous",):
                kind = resolved[1] if resolved[1] != "anonymous" else kind
        if kind == "anonymous":
            name = None
        elif name is None and kind in ("organisation", "group") and low not in ("they", "we", "it", "who"):
            # An unresolved descriptor names the speaker as well as anything: "the ministry", "the rebels".
            name = re.split(r",| who\b| which\b", phrase)[0].strip()
        if name is not None:
            self.speakers.append((s, name, kind, roles))
        return name, kind
