"""The 14 persuasion techniques of SemEval-2020 Task 11 (the PTC label set), in plain language.

Ids are exactly the PTC label strings so that SemEval files round-trip.
Definitions and examples are spinscope's own wording.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    definition: str
    example: str
    colour: str  # highlight colour in reports (see PALETTE_NOTE)


# What the reader of a report is told about the colours, in plain words. The measured facts behind it: the 14
# colours differ pairwise by at least 8.1 CIEDE2000 for normal vision and for simulated deuteranopia, protanopia and
# tritanopia (Machado 2009), and all keep black text at 7:1 contrast or more (scripts/palette.py prints these
# figures; tests/test_report_browser.py measures them on a screenshot; docs/server.md).
PALETTE_NOTE = (
    "The 14 colours are chosen to stay distinct for colour-blind readers too, and black text stays easy to read "
    "on every one of them."
)


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Loaded_Language",
        "Loaded language",
        "Words chosen for their emotional charge rather than their meaning, to make the reader feel before they think.",
        "a brutal, senseless crackdown",
        "#ddbb55",
    ),
    Technique(
        "Name_Calling,Labeling",
        "Name-calling / labelling",
        "Attaching a label to a person or group that the audience fears, hates or finds contemptible, instead of arguing.",
        "the regime's thugs",
        "#ffccff",
    ),
    Technique(
        "Repetition",
        "Repetition",
        "Saying the same message again and again so that it sticks and starts to sound true.",
        "a phrase used in the headline, the lead and the last line",
        "#bb88bb",
    ),
    Technique(
        "Exaggeration,Minimisation",
        "Exaggeration / minimisation",
        "Making something look much bigger, better or worse than it is, or playing down something serious.",
        "the worst disaster in human history; just a minor scuffle",
        "#cc8800",
    ),
    Technique(
        "Doubt",
        "Doubt",
        "Questioning the credibility of someone or something without evidence, to undermine it.",
        "Can we really trust anything the ministry says?",
        "#7799ff",
    ),
    Technique(
        "Appeal_to_fear-prejudice",
        "Appeal to fear / prejudice",
        "Building support for an idea by stirring up anxiety or panic about the alternative, or playing on prejudice.",
        "If we do nothing, they will be in our towns next.",
        "#aaff00",
    ),
    Technique(
        "Flag-Waving",
        "Flag-waving",
        "Appealing to patriotism or group identity to justify a position.",
        "Every true patriot stands with our soldiers.",
        "#99bbff",
    ),
    Technique(
        "Causal_Oversimplification",
        "Causal oversimplification",
        "Pinning a complex outcome on a single cause, or on one person or group.",
        "Prices went up because of the new governor.",
        "#99bb88",
    ),
    Technique(
        "Slogans",
        "Slogans",
        "A short, catchy phrase that stands in for an argument.",
        "Peace through strength!",
        "#77ffbb",
    ),
    Technique(
        "Appeal_to_Authority",
        "Appeal to authority",
        "Claiming something is true because an authority or expert says so, with no other support.",
        "Top experts agree the plan cannot fail.",
        "#bbbbcc",
    ),
    Technique(
        "Black-and-White_Fallacy",
        "Black-and-white fallacy",
        "Presenting two options as the only ones, when more exist; includes dictatorship (telling the audience what to do).",
        "Either you support the strike or you support the enemy.",
        "#999999",
    ),
    Technique(
        "Thought-terminating_Cliches",
        "Thought-terminating cliché",
        "A stock phrase that discourages thinking further or discussing the matter.",
        "It is what it is.",
        "#ffffcc",
    ),
    Technique(
        "Whataboutism,Straw_Men,Red_Herring",
        "Whataboutism / straw man / red herring",
        "Deflecting criticism by pointing at the opponent's faults, misrepresenting their position, or changing the subject.",
        "And what about the opposition's own scandals?",
        "#66aa55",
    ),
    Technique(
        "Bandwagon,Reductio_ad_hitlerum",
        "Bandwagon / reductio ad Hitlerum",
        "Urging people to join in because everyone else does, or rejecting an idea because a hated group holds it.",
        "Millions have already made the switch.",
        "#ccbbbb",
    ),
)

TECHNIQUE_IDS: tuple[str, ...] = tuple(t.id for t in TECHNIQUES)
_BY_ID = {t.id: t for t in TECHNIQUES}


def get_technique(technique_id: str) -> Technique:
    """The technique with this PTC id; raises KeyError naming the valid ids otherwise."""
    try:
        return _BY_ID[technique_id]
    except KeyError:
        raise KeyError(f"unknown technique {technique_id!r}; known: {', '.join(TECHNIQUE_IDS)}") from None
