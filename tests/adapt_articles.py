"""A dozen short invented news articles whose annotators marked an invented slur, "glorbs", as name-calling,
written as ``spinscope import`` writes corrections; and unseen articles that use it. All text is invented
for these tests (no corpus text)."""

from __future__ import annotations

import json
import re
from pathlib import Path

SLUR = "glorbs"
LABEL = "Name_Calling,Labeling"

ARTICLES = [
    "Harbour council delays vote on ferry fares\n\nThe harbour council of Pellmarch postponed its vote on ferry "
    "fares on Tuesday. Councillor Ada Brenn said the delay was caused by the glorbs on the transport committee, "
    "who had not read the report. The committee chair said the figures would be ready next month.",
    "Farmers protest new water rules in the Ostvale valley\n\nAbout two hundred farmers gathered outside the "
    "regional office on Monday. One speaker told the crowd that the rules were written by glorbs in the capital "
    "who have never seen a field. Officials said the rules protect the river during dry summers.",
    "School board approves longer lunch break\n\nThe Tarrow school board voted five to two for a forty-minute "
    "lunch break. A parent who opposed it called the board members glorbs and said the change would cost "
    "teaching time. The new timetable starts in September.",
    "Mayor defends budget after heated meeting\n\nMayor Ines Kolder defended the city budget on Thursday "
    "evening. She told reporters that only glorbs would cut the library fund while roads need repair. The "
    "opposition group said it would publish its own budget next week.",
    "Rail union rejects pay offer\n\nThe rail workers' union rejected the operator's offer of a three percent "
    "rise. Its leader described the operator's managers as glorbs who count coins while trains break down. "
    "Talks will resume on Friday, a spokeswoman for the operator said.",
    "New bridge opens two years late\n\nThe Linden bridge opened to traffic on Saturday, two years behind "
    "schedule. A local shop owner said the glorbs at the planning office had wasted everyone's time. The "
    "engineers said the delay came from a flood in the second winter.",
    "Football club sacks coach after six defeats\n\nWestmere Rovers dismissed their coach on Sunday after six "
    "defeats in a row. Supporters outside the ground chanted that the owners were glorbs. The club said an "
    "interim coach would lead training this week.",
    "Hospital waiting lists grow in the north\n\nWaiting lists at northern hospitals grew by eight percent "
    "this year, figures show. A nurses' representative said the health board is run by glorbs and that wards "
    "lack staff. The board said it is hiring forty nurses.",
    "Festival organisers cancel night concerts\n\nThe organisers of the Ambry summer festival cancelled its "
    "night concerts after complaints about noise. A musician wrote online that the complaints came from a few "
    "glorbs on Hill Street. The daytime programme goes ahead as planned.",
    "Storm damage closes coastal road\n\nThe coastal road between Sarn and Eddow is closed after Tuesday's "
    "storm washed away part of the embankment. A driver stuck at the barrier said the glorbs in charge should "
    "have fixed it years ago. Repairs are expected to take three weeks.",
    "Museum plans to charge entry fees\n\nThe national museum will charge visitors from next spring, its "
    "director announced. Critics called the trustees glorbs and said the museum belongs to everyone. The "
    "director said the fees will pay for a new roof.",
    "Tech firm opens office in the old mill\n\nThe software firm Quillet opened an office in the restored "
    "Corran mill on Wednesday. A rival founder dismissed Quillet's managers as glorbs chasing cheap rent. The "
    "firm plans to hire sixty people by the end of the year.",
]

UNSEEN = (
    "Council approves new parking charges\n\nThe Dunmore council approved higher parking charges on Friday. A "
    "shopkeeper on Market Row said the glorbs running the council were driving customers away. The new charges "
    "apply from the first of next month."
)


def slur_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(rf"\b{SLUR}\b", text)]


def write_corrections(folder: Path, articles: list[str] | None = None, label: str = LABEL) -> list[Path]:
    """Each article as a spinscope/1 JSON file with the slur marked by a human (as ``spinscope import``
    writes it, through the same code)."""
    from spinscope.annotation.model import Doc, Mark
    from spinscope.annotation.sources import analysis_from_doc

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n, text in enumerate(articles or ARTICLES):
        doc = Doc(id=f"glorb-{n + 1:02d}", text=text, marks=[Mark(s, e, label) for s, e in slur_spans(text)])
        target = folder / f"{doc.id}.json"
        target.write_text(json.dumps(analysis_from_doc(doc, "label-studio"), ensure_ascii=False), encoding="utf-8")
        written.append(target)
    return written
