"""A transparent lexicon-and-pattern technique detector (``--engine rules``).

Every hit comes from a phrase list or a pattern below, so a reader can see
exactly why a span was marked. Scores are fixed per rule: they say how often
such a cue is propaganda in our judgement, not a calibrated probability; the
learned model (``--engine model``) is the accurate default. The rules also
serve as a fallback when the shipped model files are missing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from spinscope.document import Span, TechniqueSpan
from spinscope.lexicons import alternation


@dataclass(frozen=True)
class Rule:
    technique: str
    pattern: re.Pattern[str]
    score: float
    why: str
    accept: Callable[[re.Match[str]], bool] | None = None  # a second look at a match the pattern alone can't take


def _not_an_acronym(match: re.Match[str]) -> bool:
    return match.group().split()[0] not in _ACRONYMS


def _short_unpunctuated_quote(match: re.Match[str]) -> bool:
    """A quoted sentence is speech, not a scare quote."""
    inner = match.group("inner")
    return len(inner.split()) <= 4 and inner.rstrip()[-1:] not in ".,!?"


def _words(*phrases: str) -> str:
    """An alternation of phrases matching whole words, longest first."""
    ordered = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    return r"\b(?:" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered) + r")\b"


LOADED = """
brutal brutally savage savagely barbaric barbarity vile heinous sinister evil wicked monstrous despicable disgraceful
disgusting shameful shameless outrageous appalling horrific horrendous atrocious abhorrent deplorable reckless ruthless
treacherous cowardly pathetic ridiculous absurd insane crazy lunatic hysterical sickening nauseating grotesque
catastrophic disastrous devastating shocking stunning scandalous nefarious diabolical draconian tyrannical oppressive
bloodthirsty murderous genocidal slaughter massacre butchered rampage onslaught carnage bloodbath annihilate obliterate
crush crushing cower cowering grovel grovelling meddling scheming plotting propaganda lies lying liar deceitful sham
hoax farce charade fiasco debacle travesty betrayal betrayed humiliating humiliation arrogant arrogance smug sneering
vicious venomous toxic poisonous rabid fanatical fanatic zealots hateful hate-filled war-mongering warmongering
stunt ploy meltdown slammed blasted lashed ranted tirade screeched
""".split()

LABELS = """
thugs thug terrorists terrorist puppets puppet traitors traitor regime cronies crony lackeys lackey stooges stooge
henchmen warmongers warmonger extremists extremist radicals radical fanatics jihadists militants mercenaries invaders
occupiers aggressors dictator tyrant despot strongman demagogue propagandists propagandist mob rabble goons gang gangs
bandits criminals criminal crooks crook clowns clown idiots idiot morons moron fools fool elites globalists snowflakes
junta cabal clique deep-state apologists collaborators quislings hacks shills shill
""".split()

FLAG = [
    "our nation",
    "our country",
    "our homeland",
    "the homeland",
    "our flag",
    "our soldiers",
    "our troops",
    "our brave",
    "our heroes",
    "true patriots",
    "true patriot",
    "every patriot",
    "patriotic duty",
    "national pride",
    "our people",
    "our great nation",
    "our sovereignty",
    "our borders",
    "the motherland",
    "the fatherland",
    "our sacred",
    "our way of life",
    "our values",
    "our children's future",
    "love of country",
    "defend our",
]

FEAR = [
    "before it is too late",
    "before it's too late",
    "will be next",
    "could be next",
    "threat to our",
    "threatens our",
    "existential threat",
    "mortal danger",
    "grave danger",
    "on our doorstep",
    "at our door",
    "wipe us out",
    "invasion",
    "flood of",
    "overrun",
    "destroy our",
    "end of our",
    "will stop at nothing",
    "nobody is safe",
    "no one is safe",
    "ticking time bomb",
    "catastrophe awaits",
    "plunge the region into",
    "pay a heavy price",
    "pay dearly",
]

DOUBT = [
    "so-called",
    "self-styled",
    "self-proclaimed",
    "supposedly",
    "allegedly",
    "purported",
    "purportedly",
    "dubious",
    "questionable",
    "claims to be",
    "can we really trust",
    "can anyone believe",
    "who really believes",
    "hardly credible",
    "if you believe",
    "we are told",
    "we're told",
    "official story",
    "official narrative",
]

EXAGGERATION = [
    "the worst",
    "the greatest",
    "the biggest",
    "never before",
    "never in history",
    "unprecedented",
    "of all time",
    "in human history",
    "in living memory",
    "the most dangerous",
    "the most corrupt",
    "totally",
    "utterly",
    "completely destroyed",
    "entirely",
    "absolutely",
    "millions of",
    "countless",
    "endless",
    "always",
    "nothing but",
    "mere",
    "merely",
    "just a few",
    "a handful of",
    "minor incident",
    "nothing more than",
]

CLICHES = [
    "it is what it is",
    "enough is enough",
    "end of story",
    "period.",
    "the rest is history",
    "time will tell",
    "that's just how it is",
    "let's be clear",
    "make no mistake",
    "at the end of the day",
    "it goes without saying",
    "the writing is on the wall",
    "you know what they say",
]

BLACK_WHITE = [
    "either with us or against us",
    "with us or against us",
    "there is no alternative",
    "the only option",
    "the only choice",
    "the only way",
    "no other choice",
    "no middle ground",
    "one side or the other",
]

BANDWAGON = [
    "everyone knows",
    "everybody knows",
    "everyone agrees",
    "everybody agrees",
    "all americans",
    "the whole world knows",
    "the whole world",
    "millions of people have",
    "join the millions",
    "nobody believes",
    "no one believes",
]

AUTHORITY = [
    "experts agree",
    "experts say",
    "scientists agree",
    "top experts",
    "leading experts",
    "according to experts",
    "studies show",
    "doctors agree",
    "the science is settled",
]

WHATABOUT = ["what about", "but what about", "and what about", "look at", "compare that to", "where was the outrage"]

CAUSAL = [
    "is to blame for",
    "are to blame for",
    "the sole reason",
    "the only reason",
    "all because of",
    "the root of all",
    "is responsible for everything",
    "because of one man",
    "thanks to the",
]

_CI = re.IGNORECASE
RULES: tuple[Rule, ...] = (
    Rule("Loaded_Language", re.compile(_words(*LOADED), _CI), 0.6, "emotionally charged word"),
    Rule("Name_Calling,Labeling", re.compile(_words(*LABELS), _CI), 0.6, "derogatory label"),
    Rule("Flag-Waving", re.compile(_words(*FLAG), _CI), 0.55, "appeal to national or group identity"),
    Rule("Appeal_to_fear-prejudice", re.compile(_words(*FEAR), _CI), 0.5, "stirs up fear"),
    Rule("Doubt", re.compile(_words(*DOUBT), _CI), 0.5, "casts doubt without evidence"),
    Rule("Exaggeration,Minimisation", re.compile(_words(*EXAGGERATION), _CI), 0.35, "superlative or minimiser"),
    Rule("Thought-terminating_Cliches", re.compile(_words(*CLICHES), _CI), 0.5, "stock phrase that ends discussion"),
    Rule("Black-and-White_Fallacy", re.compile(_words(*BLACK_WHITE), _CI), 0.55, "presents only two options"),
    Rule("Bandwagon,Reductio_ad_hitlerum", re.compile(_words(*BANDWAGON), _CI), 0.45, "everyone-does-it appeal"),
    Rule("Appeal_to_Authority", re.compile(_words(*AUTHORITY), _CI), 0.45, "unnamed authority as proof"),
    Rule("Whataboutism,Straw_Men,Red_Herring", re.compile(_words(*WHATABOUT), _CI), 0.35, "deflection"),
    Rule("Causal_Oversimplification", re.compile(_words(*CAUSAL), _CI), 0.4, "single cause for a complex outcome"),
    # ALL-CAPS emphasis: two or more capital letters words of 4+ letters, not a lone acronym.
    Rule("Loaded_Language", re.compile(r"\b[A-Z]{4,}(?:\s+[A-Z]{2,})*\b"), 0.45, "ALL-CAPS emphasis", _not_an_acronym),
    # "So-called peacekeepers", scare quotes: a short quoted phrase not followed or preceded by a speech verb.
    Rule(
        "Doubt",
        re.compile(
            r"(?<![\w,:])[\"“](?P<inner>[^\"“”\n]{2,40}?)[\"”](?!\s*(?:,|\.)?\s*(?:he|she|they|it|the|a|an|[A-Z]\w+)?\s*"
            rf"(?:{alternation('speech-tags')}))"
        ),
        0.5,
        "scare quotes",
        _short_unpunctuated_quote,
    ),
)

# Short exclamations ("Peace through strength!") are the shape of slogans.
_EXCLAMATION = re.compile(r"[^.!?\n]{3,60}!")
_ACRONYMS = {"NATO", "UNICEF", "OPEC", "NASA", "USSR", "ASEAN", "IMF", "UNESCO", "COVID", "FIFA", "EU", "USA"}
_STOP = set("the a an of to in on and or for with by at from is are was were be it that this as".split())


SLOGAN_SCORE = 0.5


def slogan_spans(text: str) -> list[tuple[int, int]]:
    """Short exclamations (six words at most, "!" left out): the shape of a slogan ("Valdoria first!")."""
    spans = []
    for match in _EXCLAMATION.finditer(text):
        phrase = match.group().strip()
        start = match.start() + match.group().index(phrase)
        if len(phrase.split()) <= 6:
            spans.append((start, start + len(phrase) - 1))
    return spans


class RuleEngine:
    """Finds technique spans by phrase lists and patterns; see the module docstring."""

    name = "rules"
    version = "1.0"

    def describe(self) -> dict[str, object]:
        return {"name": "rules", "version": self.version, "rules": len(RULES) + 2}

    def find(self, text: str, sentences: list[Span] | None = None) -> list[TechniqueSpan]:
        found: dict[tuple[int, int, str], TechniqueSpan] = {}

        def add(start: int, end: int, technique: str, score: float) -> None:
            key = (start, end, technique)
            if end > start and key not in found:
                found[key] = TechniqueSpan(start, end, technique, score, engine="rules")

        for rule in RULES:
            for match in rule.pattern.finditer(text):
                if rule.accept is None or rule.accept(match):
                    add(match.start(), match.end(), rule.technique, rule.score)
        for start, end in slogan_spans(text):
            add(start, end, "Slogans", SLOGAN_SCORE)
        for start, end in _repeated_phrases(text):
            add(start, end, "Repetition", 0.4)
        return sorted(found.values(), key=lambda t: (t.start, t.end, t.technique))


def _repeated_phrases(text: str, n: int = 3, min_count: int = 3) -> list[tuple[int, int]]:
    """Later occurrences of any 2-3 word phrase (with a content word) used ``min_count`` times or more."""
    tokens = [(m.start(), m.end(), m.group().lower()) for m in re.finditer(r"[A-Za-z][A-Za-z'-]+", text)]
    spans: list[tuple[int, int]] = []
    for size in range(n, 1, -1):
        grams: Counter[tuple[str, ...]] = Counter()
        first_at: dict[tuple[str, ...], int] = {}
        for i in range(len(tokens) - size + 1):
            gram = tuple(t[2] for t in tokens[i : i + size])
            first_at.setdefault(gram, i)
            if any(word not in _STOP for word in gram):
                grams[gram] += 1
        for i in range(len(tokens) - size + 1):
            gram = tuple(t[2] for t in tokens[i : i + size])
            later = grams[gram] >= min_count and first_at[gram] != i
            edges_are_content = all(t[2] not in _STOP for t in (tokens[i], tokens[i + size - 1]))
            if later and edges_are_content and not any(s <= tokens[i][0] < e for s, e in spans):
                spans.append((tokens[i][0], tokens[i + size - 1][1]))
    return spans
