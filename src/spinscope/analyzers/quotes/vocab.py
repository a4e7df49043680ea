"""The quote rules' vocabulary: word lists from :mod:`spinscope.lexicons` and the table of cue verb forms."""

from __future__ import annotations

import re

from spinscope.lexicons import table, words

# Cue verbs by class (base forms), and what else a cue may take.
SPEECH_VERBS, THINK_VERBS, ACT_VERBS, EVIDENCE_VERBS = map(
    words, ("speech-verbs", "think-verbs", "act-verbs", "evidence-verbs")
)
PARTICIPLE_CUES, INVERTIBLE, NOUNISH_3SG, AUX = map(
    words, ("participle-cues", "speech-tags", "nounish-3sg", "auxiliaries")
)
# Verbs whose addressee comes before the content: "told reporters that …"
OBJECT_VERBS = frozenset({"remind", "assure", "tell", "inform"})
# Forms of act verbs that were mostly no cue on held-out PolNeAR train ("the policies they support",
# "questions about"): quote_sources.py cues. "vote" was dropped from the list for the same reason.
NOT_ACT_CUES = frozenset({"support", "supports", "questions"})
# Heads of an object relative clause whose verb is no cue: "nothing the president said", "what she said".
OBJECT_RELATIVE_HEADS = frozenset("nothing everything anything something what whatever".split())
PRONOUNS = frozenset({"he", "she", "they", "we", "i", "you", "it", "who", "one"})
# Noun phrases: where they stop, what opens them, what is noise at their edge.
BOUNDARY, DETERMINERS, LEADING_NOISE, NOUN_EXCEPTIONS = map(
    words, ("np-boundaries", "determiners", "leading-noise", "noun-exceptions")
)
# Speakers: titles and roles, unnamed sources, groups and organisations (evidence nouns are organisations too).
TITLES, PERSON_ROLES, ANON_HEADS, ANON_DETS = map(
    words, ("titles", "person-roles", "anonymous-heads", "anonymous-determiners")
)
TITLE_ROLES = table("title-roles")  # "sen" -> ("senator", "lawmaker"): 'Sen. Kerr' is 'the senator'
GROUP_WORDS, GROUP_NAME_ENDINGS, EVIDENCE_NOUNS = map(words, ("group-words", "group-name-endings", "evidence-nouns"))
ORG_WORDS = words("organisation-words", "evidence-nouns")
DOCUMENT_WORDS = words("document-words", "evidence-nouns")
NOT_SPEAKERS = words("not-speakers")
NOT_NAMES, TITLE_SMALL_WORDS = map(words, ("not-names", "title-small-words"))
ABBREVIATIONS = words("abbreviations", "title-abbreviations", "month-abbreviations", "state-abbreviations")
# Time, place and channel: what stands between a cue and its speaker or content.
WEEKDAYS, ADVERBIAL_HEADS, CHANNEL_WORDS = map(words, ("weekdays", "adverbial-heads", "channel-words"))
MONTHS = words("months", "month-abbreviations")
TIME_WORDS = words("time-words", "weekdays")
TIME_LEFT = words("time-left", "weekdays")
INTRO, MEDIA_NOUNS = map(words, ("intro-words", "media-nouns"))
# Words that may sit inside a name ("Omar al-Rashid", "Osama bin Laden", "Ursula von der Leyen").
NAME_PARTICLES = words("name-particles")
# A name word that starts with a lower-case particle: "al-Rashid", "d'Alema", "el-Sisi".
PARTICLE_NAME = re.compile(rf"(?:{'|'.join(sorted(words('name-prefixes')))})[-’'][A-Z]")
INTENSIFIERS = frozenset({"himself", "herself", "themselves", "itself", "myself", "ourselves", "yourself"})
SEPARATORS = frozenset({",", "—", "–", "-", "―"})
NP_LINKS = frozenset({"of", "for", "at", "with", "from", "in"})
PREPOSITIONS = frozenset("in on at by with from into onto during through via after before under over about".split())
ADJ_SUFFIXES = ("ed", "ing", "ly", "ous", "ful", "able", "ible", "ic", "al", "ive")
# Prepositions that open a time or place phrase, which ends at its comma: "on Sunday by a drone, police said".
ADVERBIAL_PREPOSITIONS = frozenset("on in at during after before since over under into onto".split())
# Heads after which an anonymous source's modifier comes: "officials with knowledge of", "two people present".
AFTER_ANON_HEAD = frozenset("at with of in on from familiar close present involved briefed inside within near".split())


def inflect(base: str) -> set[str]:
    """The forms of a verb: base, -s, -ed, -ing (irregular ones from ``irregular-verbs.txt``)."""
    irregular = table("irregular-verbs")
    if base in irregular:
        return {base, *irregular[base]}
    forms = {base}
    if base.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms.add(base + "es")
    elif base.endswith("y") and base[-2] not in "aeiou":
        forms.add(base[:-1] + "ies")
    else:
        forms.add(base + "s")
    if base.endswith("e"):
        forms.update({base + "d", base[:-1] + "ing"})
    elif base.endswith("y") and base[-2] not in "aeiou":
        forms.update({base[:-1] + "ied", base + "ing"})
    else:
        forms.update({base + "ed", base + "ing"})
    return forms


def _verb_table() -> dict[str, tuple[str, str]]:
    """word form -> (base, class) with class in speech / think / evidence / act (later classes win)."""
    out: dict[str, tuple[str, str]] = {}
    for verb_class, bases, left_out in (
        ("evidence", EVIDENCE_VERBS, frozenset()),
        ("act", ACT_VERBS, NOT_ACT_CUES),
        ("think", THINK_VERBS, frozenset()),
        ("speech", SPEECH_VERBS, frozenset()),
    ):
        for base in bases:
            for form in inflect(base) - left_out:
                out[form] = (base, verb_class)
    return out


VERBS = _verb_table()
# Speech-tag-only verbs (tag-verbs.txt): cues only beside a quotation.
TAG_VERBS = {form: (base, "speech") for base in words("tag-verbs") for form in inflect(base)}
