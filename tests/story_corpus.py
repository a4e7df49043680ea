"""An invented corpus for ``spinscope stories``: seven events in made-up places, each told by two outlets in
their own words, two of them floods in the same week (one topic, two stories), and shortened copies of five
articles re-dated and re-attributed to a third outlet (what the issue's check does to real news)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

EVENTS: dict[str, list[tuple[str, str, str, str]]] = {
    "bridge": [
        ("Northern Ledger", "March 4, 2024", "Council votes to shut the Tallis bridge",
         "The Brennmoor council voted on Tuesday to close the Tallis bridge for repairs. This reckless, shameful "
         "decision will cut the town in two. \"They are thieves in suits,\" said union leader Mara Kell. Mayor "
         "Ilse Brandt said the repairs would cost 4 million euros and take eight months. Traders on Quay Street "
         "fear they will lose their customers."),
        ("Daily Beacon", "4 March 2024", "Tallis bridge to close for eight months",
         "The Tallis bridge in Brennmoor will close after a council vote on Tuesday, officials said. Repairs will "
         "cost 4 million euros, according to mayor Ilse Brandt. \"We had no choice,\" Brandt said. Engineers "
         "found cracks in two of the bridge's piers last autumn. A ferry will run every twenty minutes."),
    ],
    "strike": [
        ("Northern Ledger", "2024-03-11", "Dockers walk out at Port Veyra",
         "About 1,200 dockworkers at Port Veyra began a 48-hour strike on Monday over pay. Tomas Reyne, who leads "
         "the Dockers' Guild, said wages had fallen behind prices for three years. Ships queued outside the "
         "harbour mouth. The port authority called the walkout unlawful."),
        ("Daily Beacon", "March 11, 2024", "Port Veyra paralysed as greedy union strikes",
         "Port Veyra ground to a halt on Monday as the Dockers' Guild called 1,200 workers out on a 48-hour "
         "strike. Guild boss Tomas Reyne wants a pay rise the port cannot afford. Container ships waited at "
         "anchor. The port authority said the strike was unlawful and would go to court."),
    ],
    "ostfeld_flood": [
        ("Northern Ledger", "2024-03-18T09:30:00+01:00", "Aller floods Ostfeld; 300 homes evacuated",
         "The river Aller burst its banks at Ostfeld overnight and 300 homes were evacuated. Fire chief Lena "
         "Duarte said the water rose by two metres in six hours. The Ostfeld sports hall is open to families. "
         "Rain is forecast until Thursday."),
        ("Daily Beacon", "18 March 2024", "Ostfeld under water after the Aller rises",
         "Residents of Ostfeld fled their homes as the Aller rose two metres overnight. Some 300 households were "
         "moved to the sports hall, fire chief Lena Duarte said. Duarte warned that more rain would come before "
         "Thursday. The town's mayor asked for army help."),
    ],
    "marrow_flood": [
        ("Northern Ledger", "March 19, 2024", "Senn breaks banks in Marrow",
         "In Marrow the river Senn broke its banks on Tuesday and forty families left their homes. Volunteer Piet "
         "Hollis filled sandbags at the old mill with neighbours. The Marrow school will stay closed. Rain is "
         "forecast until Thursday."),
        ("Daily Beacon", "19 March 2024", "Forty families leave Marrow as the Senn rises",
         "Forty families in Marrow were forced out as the Senn rose on Tuesday. \"We worked all night,\" said "
         "Piet Hollis, a volunteer at the old mill. The school in Marrow is closed until further notice. More "
         "rain is expected."),
    ],
    "schools": [
        ("Northern Ledger", "2024-04-02", "Carvel schools face 12% budget cut",
         "Schools in Carvel will lose 12% of their budget next year, education minister Oskar Feld announced. "
         "Head teachers warned that classes of thirty-five pupils would follow. Feld said the cut would be "
         "shared fairly. The teachers' union will meet on Friday."),
        ("Daily Beacon", "April 2, 2024", "Feld's savage cuts gut Carvel classrooms",
         "Oskar Feld, the education minister, slashed Carvel's school budget by 12% on Tuesday. Teachers say "
         "this disgraceful attack on children will pack classes with thirty-five pupils. Feld insisted the "
         "savings were fair. Union leaders meet on Friday to plan a response."),
    ],
    "debate": [
        ("Northern Ledger", "2024-04-09", "Vos and Sall clash over housing in Lindmark debate",
         "Hana Vos and Erik Sall clashed over housing in the first televised debate of the Lindmark election. "
         "Vos promised 5,000 new homes by 2027. Sall said rents must be frozen for two years. Polls show the "
         "two candidates level."),
        ("Daily Beacon", "9 April 2024", "Sall wins the Lindmark housing debate",
         "Erik Sall won Tuesday's televised Lindmark debate with a plan to freeze rents for two years. Hana Vos "
         "offered 5,000 new homes by 2027, a promise Sall called a fantasy. The candidates are level in the "
         "polls."),
    ],
    "hospital": [
        ("Northern Ledger", "2024-04-15", "Serrat opens 240-bed hospital",
         "A new 240-bed hospital opened in Serrat on Monday, two years late. Health minister Ada Morrow cut the "
         "ribbon. The building cost 310 million euros. Nurses said the wards were still short of staff."),
        ("Daily Beacon", "15 April 2024", "Serrat hospital finally opens its doors",
         "Serrat's long-delayed hospital opened on Monday with 240 beds. Ada Morrow, the health minister, "
         "called it a new start for the region. The project cost 310 million euros. Staff shortages remain, "
         "nurses warned."),
    ],
}  # fmt: skip
# (event, report, days later): a reprint can run a week after the original
COPIED = [("bridge", 0, 1), ("strike", 1, 6), ("ostfeld_flood", 0, 1), ("schools", 1, 9), ("hospital", 0, 2)]
COPY_OUTLET = "Wire Echo"


def shortened(text: str) -> str:
    """The first three sentences: a shortened copy."""
    sentences = [s.strip() for s in text.replace(". ", ".\n").splitlines() if s.strip()]
    return " ".join(sentences[:3])


def story_articles() -> list[dict[str, str]]:
    """Every article with its id (``EVENT-N``; copies ``copy-EVENT-N``) and the event it belongs to."""
    from spinscope.batch.dates import parse_date

    rows = []
    for event, reports in EVENTS.items():
        for n, (outlet, date, title, text) in enumerate(reports):
            rows.append(
                {"id": f"{event}-{n}", "event": event, "outlet": outlet, "date": date, "title": title, "text": text}
            )
    for event, n, days in COPIED:
        outlet, date, title, text = EVENTS[event][n]
        day = parse_date(date)
        assert day is not None
        later = (day + datetime.timedelta(days=days)).strftime("%B %-d, %Y")  # re-dated, written out
        rows.append(
            {"id": f"copy-{event}-{n}", "event": event, "outlet": COPY_OUTLET, "date": later, "title": title,
             "text": shortened(text)}
        )  # fmt: skip
    return rows


def write_story_corpus(path: Path) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in story_articles()), encoding="utf-8")
    return path
