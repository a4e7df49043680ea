"""``spinscope stories``: the same story told by different outlets, found in a batch output folder.

Method (CPU, numpy only). Each article's words (lower-cased, stop words and one- and two-letter words left
out) become a TF-IDF vector: sublinear term counts × smoothed IDF (1 + log((1 + N) / (1 + document
frequency)), as scikit-learn's default), L2-normalised, so names, places and figures that few articles share
weigh most. The plain log(N / df) gave words shared by most of a small corpus almost no weight, and split
the copies of one story in a corpus of five articles. Two articles are linked when their cosine is at least
``threshold`` and their dates lie within ``window_days`` (an undated article may link to any date); a near
copy (cosine ``COPY_SIMILARITY`` or more: a shortened or lightly edited reprint) links within ``copy_window_days``,
since a reprint can run days after the original. Links are
taken strongest first; two groups merge only when their centroids are themselves that similar, so a chain of
loosely related articles cannot grow into one story. A shortened copy shares most of its words with its
original and links strongly; two reports of one event share its names and numbers; two floods in two towns
share mostly the topic's words, which are common and weigh little.

Similarities are exact, computed with numpy a block of ``BLOCK`` articles (sorted by date) against another,
and only for blocks whose dates lie within the window: the work grows with the articles each window holds.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spinscope.batch.folder import BatchError, committed_parts

DEFAULT_THRESHOLD = 0.3
DEFAULT_WINDOW_DAYS = 3
DEFAULT_COPY_WINDOW_DAYS = 30
COPY_SIMILARITY = 0.6  # shortened copies score 0.77-0.96 against their originals in tests/story_corpus.py
LABEL_WORDS = 5
BLOCK = 256  # articles per block of the similarity product (256 × their words × 4 bytes each)
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*\d|\d")
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have having
    he her here hers herself him himself his how i if in into is it its itself just me more most my myself no
    nor not now of off on once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself yourselves
    said says say told according one two new also would could may might must shall mr mrs ms its it's""".split()
)


@dataclass
class StoryArticle:
    """One article as the grouping sees it."""

    key: str
    outlet: str
    date: datetime.date | None
    title: str
    vector: dict[str, float] = field(default_factory=dict)


def terms(text: str) -> Counter[str]:
    """The words of ``text`` that can tell one story from another (see the module docstring)."""
    words = (w.lower().strip("'’-") for w in _WORD.findall(text))
    return Counter(w for w in words if (len(w) > 2 and w not in STOP_WORDS) or any(c.isdigit() for c in w))


def tfidf(documents: list[Counter[str]]) -> list[dict[str, float]]:
    """Sublinear TF × smoothed IDF, L2-normalised."""
    frequency: Counter[str] = Counter()
    for counts in documents:
        frequency.update(counts.keys())
    n = len(documents)
    vectors = []
    for counts in documents:
        weights = {t: (1 + math.log(c)) * (1 + math.log((1 + n) / (1 + frequency[t]))) for t, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({t: w / norm for t, w in weights.items()})
    return vectors


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def _edges(
    articles: list[StoryArticle], threshold: float, window_days: int, copy_window_days: int
) -> list[tuple[float, int, int]]:
    """Every linked pair (similarity, i, j), i < j: exact cosines, computed a block of articles against a block
    at a time as a dense product over the two blocks' words, for blocks whose dates lie close enough."""
    import numpy as np

    vocabulary: dict[str, int] = {}
    docs = []
    for article in articles:
        ids = np.array([vocabulary.setdefault(t, len(vocabulary)) for t in article.vector], dtype=np.int64)
        docs.append((ids, np.array(list(article.vector.values()), dtype=np.float32)))
    undated = -(10**9)  # an undated article may join any date
    day = np.array([a.date.toordinal() if a.date else undated for a in articles], dtype=np.int64)
    widest = max(window_days, copy_window_days)
    order = sorted(range(len(articles)), key=lambda i: (day[i] == undated, day[i]))
    blocks = [np.array(order[k : k + BLOCK], dtype=np.int64) for k in range(0, len(order), BLOCK)]

    def matrix(block: Any, columns: Any) -> Any:
        dense = np.zeros((len(block), len(columns)), dtype=np.float32)
        for row, i in enumerate(block):
            ids, weights = docs[i]
            dense[row, np.searchsorted(columns, ids)] = weights
        return dense

    edges = []
    for x, left in enumerate(blocks):
        for right in blocks[x:]:
            dated_left, dated_right = day[left][day[left] != undated], day[right][day[right] != undated]
            all_dated = len(dated_left) == len(left) and len(dated_right) == len(right)
            if all_dated and dated_right.min() - dated_left.max() > widest:
                continue  # sorted by date: no pair of these two blocks is close enough
            columns = np.unique(np.concatenate([docs[i][0] for i in (*left, *right)]))
            similarity = matrix(left, columns) @ matrix(right, columns).T
            rows, cols = np.nonzero(similarity >= threshold - 1e-6)
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                if right is left and r >= c:
                    continue  # a block against itself: each pair once, no article with itself
                i, j = int(left[r]), int(right[c])
                value = float(similarity[r, c])
                gap = abs(day[i] - day[j]) if undated not in (day[i], day[j]) else 0
                if gap <= (copy_window_days if value >= COPY_SIMILARITY else window_days):
                    edges.append((round(value, 6), min(i, j), max(i, j)))
    return edges


def group_stories(
    articles: list[StoryArticle],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: int = DEFAULT_WINDOW_DAYS,
    copy_window_days: int = DEFAULT_COPY_WINDOW_DAYS,
) -> list[list[int]]:
    """Groups of article indices, one per story (singletons included), largest first."""
    edges = _edges(articles, threshold, window_days, copy_window_days)
    parent = list(range(len(articles)))
    centroid = [dict(a.vector) for a in articles]  # the sum of the members' vectors
    norm = [1.0] * len(articles)  # of each centroid (the vectors are unit length)
    version = [0] * len(articles)
    apart: set[tuple[int, int, int, int]] = set()  # two groups found too different, as they were then

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for _similarity, i, j in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        a, b = find(i), find(j)
        if a == b or (a, b, version[a], version[b]) in apart:
            continue
        if cosine(centroid[a], centroid[b]) / (norm[a] * norm[b]) < threshold:
            apart.add((a, b, version[a], version[b]))
            continue  # two stories that only touch at one pair
        parent[b] = a
        for t, w in centroid[b].items():
            centroid[a][t] = centroid[a].get(t, 0.0) + w
        centroid[b] = {}
        norm[a] = math.sqrt(sum(w * w for w in centroid[a].values())) or 1.0
        version[a] += 1
    groups: dict[int, list[int]] = {}
    for i in range(len(articles)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


# ---- the batch folder ----------------------------------------------------------------------


def _read(root: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise BatchError("spinscope stories needs pyarrow: pip install 'spinscope[corpus]'") from None
    parts, span_parts = committed_parts(root)
    columns = ["key", "id", "outlet", "date", "date_parsed", "title", "url", "word_count", "technique_spans"]
    columns += ["writer_word_count", "writer_technique_spans", "opinion_share", "writer_sentences", "analysis"]
    rows: list[dict[str, Any]] = []
    for path in parts.values():
        rows += pq.read_table(path, columns=columns).to_pylist()
    spans: list[dict[str, Any]] = []
    wanted = ["article_key", "layer", "label", "text", "speaker_name", "speaker_type", "shown", "voice_of"]
    for path in span_parts.values():
        table = pq.read_table(path, columns=wanted)
        spans += [s for s in table.to_pylist() if s["layer"] in ("technique", "quote", "claim")]
    return rows, spans


def story_words(
    members: list[StoryArticle], centre: dict[str, float], texts: dict[str, str], count: int = LABEL_WORDS
) -> str:
    """The story's label: its heaviest words weighted by the share of its outlets that use them, each as most
    often written ("Port Veyra · Dockers' Guild" rather than "veyra · guild")."""
    outlets: dict[str, set[str]] = {}
    for a in members:
        for t in a.vector:
            outlets.setdefault(t, set()).add(a.outlet)
    share = len({a.outlet for a in members})
    ranked = sorted(centre, key=lambda t: (-centre[t] * len(outlets.get(t, ())) / share, t))
    words = ranked[:count]
    forms: dict[str, Counter[str]] = {w: Counter() for w in words}
    for a in members:
        for raw in _WORD.findall(f"{a.title}\n{texts.get(a.key, '')}"):
            word = raw.strip("'’-")
            if word.lower() in forms:
                forms[word.lower()][word] += 1
    return " · ".join(forms[w].most_common(1)[0][0] if forms[w] else w for w in words)


def find_stories(
    outdir: str | Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: int = DEFAULT_WINDOW_DAYS,
    copy_window_days: int = DEFAULT_COPY_WINDOW_DAYS,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The story of every article of a batch folder: (one row per article for stories.parquet, the article
    rows by key with their text, the technique/quote/claim span rows by article key)."""
    rows, spans = _read(Path(outdir))
    texts = {}
    for row in rows:
        analysis = json.loads(row.pop("analysis") or "{}")
        texts[row["key"]] = str(analysis.get("text") or "")
        row["text"] = texts[row["key"]]
    vectors = tfidf([terms(f"{row['title'] or ''}\n{texts[row['key']]}") for row in rows])
    articles = [
        StoryArticle(
            key=row["key"],
            outlet=(row["outlet"] or "").strip() or "(unknown)",
            date=row["date_parsed"],
            title=row["title"] or texts[row["key"]][:80],
            vector=vector,
        )
        for row, vector in zip(rows, vectors, strict=True)
    ]
    groups = group_stories(articles, threshold=threshold, window_days=window_days, copy_window_days=copy_window_days)
    result = []
    for number, group in enumerate(groups, start=1):
        members = [articles[i] for i in group]
        centre: dict[str, float] = {}
        for a in members:
            for t, w in a.vector.items():
                centre[t] = centre.get(t, 0.0) + w / len(members)
        # the headline nearest the story's centre; the label: the words most of its outlets share (one
        # outlet's loaded headline would label the story in that outlet's words)
        nearest = max(members, key=lambda a: (cosine(a.vector, centre), -len(a.title)))
        label = story_words(members, centre, {a.key: texts[a.key] for a in members})
        dates = sorted(a.date for a in members if a.date)
        for a in members:
            result.append(
                {
                    "key": a.key,
                    "story_id": f"story-{number:05d}",
                    "story_label": label,
                    "story_headline": nearest.title,
                    "story_articles": len(members),
                    "story_outlets": len({m.outlet for m in members}),
                    "outlet": a.outlet,
                    "date_parsed": a.date,
                    "first_date": dates[0] if dates else None,
                    "last_date": dates[-1] if dates else None,
                    "title": a.title,
                    "similarity_to_story": round(
                        cosine(a.vector, centre) / (math.sqrt(cosine(centre, centre)) or 1), 4
                    ),
                }
            )
    by_key = {row["key"]: row for row in rows}
    by_article: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        by_article.setdefault(span["article_key"], []).append(span)
    return result, by_key, by_article


def write_stories(
    outdir: str | Path,
    folder: str | Path,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window_days: int = DEFAULT_WINDOW_DAYS,
    copy_window_days: int = DEFAULT_COPY_WINDOW_DAYS,
    min_outlets: int = 2,
) -> dict[str, Any]:
    """Write ``stories.parquet`` (every article's story) and, for each story told by ``min_outlets`` outlets
    or more, ``story-NNNNN.html`` with the outlets side by side, and an ``index.html`` listing them."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from spinscope.batch.stories_html import index_page, story_page

    rows, articles, spans = find_stories(
        outdir, threshold=threshold, window_days=window_days, copy_window_days=copy_window_days
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "stories.parquet")
    by_story: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_story.setdefault(row["story_id"], []).append(row)
    pages = []
    for story_id, members in by_story.items():
        if members[0]["story_outlets"] < min_outlets:
            continue
        path = folder / f"{story_id}.html"
        path.write_text(story_page(members, articles, spans), encoding="utf-8")
        pages.append(path)
    (folder / "index.html").write_text(index_page(by_story, min_outlets), encoding="utf-8")
    return {
        "articles": len(rows),
        "stories": len(by_story),
        "across_outlets": len(pages),
        "pages": pages,
        "parquet": folder / "stories.parquet",
    }


__all__ = ["StoryArticle", "cosine", "find_stories", "group_stories", "terms", "tfidf", "write_stories"]
