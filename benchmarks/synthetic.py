"""Synthetic news articles for the batch tests and ``benchmarks.batch_scaling``: templates about an invented
crisis (the Tallis river flood in the made-up province of Brennmoor), three invented outlets and dates."""

from __future__ import annotations

import json
import random
from pathlib import Path

OUTLETS = ("Northern Ledger", "Daily Beacon", "Valley Courier")

_REPORTING = (
    "The Brennmoor Relief Agency said {n} residents had been moved to shelters by {day}.",
    "Water levels on the Tallis river rose by {m} metres overnight, according to the provincial weather office.",
    "Schools in {town} will stay closed until at least {day}, the district council announced.",
    "The regional assembly approved an emergency fund of {n} million crowns on {day}.",
    "Engineers inspected the Halvern embankment on {day} and found {m} new cracks.",
    "Rail services between {town} and Ostrel were suspended for {m} days.",
    "About {n} homes in {town} lost power after the substation flooded.",
)
_OPINION = (
    "The government's response has been a disgraceful fiasco from the start.",
    "Frankly, the minister's excuses are absurd and nobody should believe them.",
    "This shameful neglect of the embankment was entirely predictable.",
    "The so-called recovery plan is a cynical stunt dressed up as policy.",
    "Residents of {town} deserve far better than this pathetic charade.",
    "Only a reckless administration could have ignored so many warnings.",
)
_QUOTES = (
    '"We are doing everything we can to keep people safe," said Minister Oda Varga.',
    '"Nobody listened to us for years," said Teodor Haske, a councillor in {town}.',
    "A senior official, speaking on condition of anonymity, said the repairs would take months.",
    "The Brennmoor Relief Agency said it needed {n} more volunteers.",
    'Local farmers said the compensation offer was "an insult".',
    "Protesters called the provincial cabinet a gang of incompetent cronies.",
)
_FLAG = (
    "Our nation has always stood together in hard times, and our people will rebuild {town}.",
    "Every patriot in Brennmoor should defend our way of life against this disaster.",
)
_TOWNS = ("Kessel", "Marrowgate", "Lindqvist Ford", "Upper Saltby", "Orrin")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "the weekend")


def make_articles(count: int, seed: int = 7) -> list[dict[str, str]]:
    """``count`` short synthetic news articles: id, title, outlet, date (2024-03..05) and text."""
    rng = random.Random(seed)
    articles = []
    for i in range(count):
        fill = {
            "n": rng.randint(20, 4000),
            "m": rng.randint(2, 9),
            "town": rng.choice(_TOWNS),
            "day": rng.choice(_DAYS),
        }
        outlet = OUTLETS[i % len(OUTLETS)]
        pools = [_REPORTING] * 4 + [_QUOTES] * 2 + [_OPINION] * (1 + (outlet == "Daily Beacon") * 2) + [_FLAG]
        sentences = [rng.choice(rng.choice(pools)).format(**fill) for _ in range(rng.randint(6, 10))]
        # A unique first sentence, so that no two articles share a text.
        sentences.insert(
            0, f"Flood report {i + 1}: {fill['town']} is on day {fill['m'] + i} of the Tallis river crisis."
        )
        paragraphs = [" ".join(sentences[j : j + 3]) for j in range(0, len(sentences), 3)]
        title = f"Tallis flood: {fill['town']} waits for help ({i + 1})"
        articles.append(
            {
                "id": f"art{i + 1:04d}",
                "title": title,
                "outlet": outlet,
                "date": f"2024-{3 + (i // 3) % 3:02d}-{1 + (i * 7) % 28:02d}",
                "text": title + "\n\n" + "\n\n".join(paragraphs) + "\n",
            }
        )
    return articles


def write_jsonl(path: Path, articles: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(a) + "\n" for a in articles), encoding="utf-8")
    return path
