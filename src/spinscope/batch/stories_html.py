"""The HTML pages of ``spinscope stories``: one page per story with its outlets side by side, and an index.

Self-contained (no script, no network); every text from the corpus is escaped. Per outlet: its headlines and
dates, technique density (the spans the default view shows, per 1,000 words; and the writer's own), opinion %
(the writer's opinion sentences), the top loaded phrases, whom it quotes (marked when no other outlet in the
story quotes them) and its checkable claims (marked "shared" when another outlet makes a claim with mostly
the same words, else "only here").
"""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

from spinscope.batch.stats import technique_name
from spinscope.batch.stories import terms

SHARED_CLAIM_OVERLAP = 0.4  # Jaccard overlap of two claims' words from which they count as the same claim
TOP_PHRASES = 5

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5rem auto; max-width: 1400px; padding: 0 1rem; color: #222; }
.outlets { display: grid; grid-template-columns: repeat(var(--columns), minmax(240px, 1fr)); gap: 1rem;
  overflow-x: auto; align-items: start; }
.outlet { border: 1px solid #ddd; border-radius: 6px; padding: .75rem 1rem; background: #fafafa; }
.outlet h2 { margin: 0 0 .5rem; font-size: 1.1rem; }
.outlet h3 { margin: .9rem 0 .3rem; font-size: .9rem; text-transform: uppercase; letter-spacing: .03em; color: #555; }
.figures { display: grid; grid-template-columns: auto auto; gap: 0 .75rem; margin: 0; }
.figures dt { color: #555; } .figures dd { margin: 0; text-align: right; font-variant-numeric: tabular-nums; }
ul { padding-left: 1.1rem; margin: .2rem 0; } .only { color: #a33; font-size: .85em; }
.shared { color: #276; font-size: .85em; } .headline { font-weight: 600; } .date { color: #666; font-size: .9em; }
table { border-collapse: collapse; } th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; }
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def _claims(outlets: dict[str, list[str]]) -> dict[str, list[tuple[str, bool]]]:
    """Each outlet's claims with whether another outlet makes the same claim (word overlap)."""
    words = {o: [(c, set(terms(c))) for c in claims] for o, claims in outlets.items()}
    result = {}
    for outlet, mine in words.items():
        others = [w for o, items in words.items() if o != outlet for _, w in items]
        result[outlet] = [
            (text, any(w and x and len(w & x) / len(w | x) >= SHARED_CLAIM_OVERLAP for x in others)) for text, w in mine
        ]
    return result


def story_page(
    members: list[dict[str, Any]], articles: dict[str, dict[str, Any]], spans: dict[str, list[dict[str, Any]]]
) -> str:
    """One story: its outlets side by side (earliest first)."""
    by_outlet: dict[str, list[dict[str, Any]]] = {}
    for row in sorted(members, key=lambda r: (r["date_parsed"] is None, r["date_parsed"] or 0, r["outlet"])):
        by_outlet.setdefault(row["outlet"], []).append(articles[row["key"]])
    quoted: dict[str, Counter[str]] = {}
    claims: dict[str, list[str]] = {}
    for outlet, items in by_outlet.items():
        quoted[outlet] = Counter()
        claims[outlet] = []
        for article in items:
            for span in spans.get(article["key"], []):
                if span["layer"] == "quote" and span["label"] in ("direct", "indirect") and span["speaker_name"]:
                    quoted[outlet][" ".join(span["speaker_name"].split())] += 1
                elif span["layer"] == "claim":
                    claims[outlet].append(" ".join(span["text"].split()))
    claim_marks = _claims(claims)
    columns = []
    for outlet, items in by_outlet.items():
        words = sum(a["word_count"] or 0 for a in items)
        writer_words = sum(a["writer_word_count"] or 0 for a in items)
        spans_shown = sum(a["technique_spans"] or 0 for a in items)
        writer_spans = sum(a["writer_technique_spans"] or 0 for a in items)
        writer_sentences = sum(a["writer_sentences"] or 0 for a in items)
        opinion = sum((a["opinion_share"] or 0) * (a["writer_sentences"] or 0) for a in items)
        phrases: Counter[tuple[str, str, bool]] = Counter()
        for article in items:
            for span in spans.get(article["key"], []):
                if span["layer"] == "technique" and span["shown"]:
                    phrases[(" ".join(span["text"].split()), span["label"], span["voice_of"] == "quoted")] += 1
        others = Counter()
        for o, names in quoted.items():
            if o != outlet:
                others.update({n.lower() for n in names})
        headlines = "".join(
            f'<li><span class="headline">{_e(a["title"] or "(no headline)")}</span> '
            f'<span class="date">{_e(a["date"] or "undated")}</span></li>'
            for a in items
        )
        figures = [
            ("articles", str(len(items))),
            ("words", str(words)),
            ("techniques / 1,000 words", f"{1000 * spans_shown / words:.1f}" if words else "–"),
            ("the writer's own, / 1,000", f"{1000 * writer_spans / writer_words:.1f}" if writer_words else "–"),
            ("opinion %", f"{100 * opinion / writer_sentences:.0f}" if writer_sentences else "–"),
        ]
        phrase_items = "".join(
            f"<li>“{_e(text)}” <small>{_e(technique_name(label))}{f' ×{n}' if n > 1 else ''}"
            f"{' · in a quote' if quoted else ''}</small></li>"
            for (text, label, quoted), n in phrases.most_common(TOP_PHRASES)
        )
        quote_items = "".join(
            f"<li>{_e(name)}{f' ×{n}' if n > 1 else ''}"
            + ("" if name.lower() in others else ' <span class="only">only this outlet</span>')
            + "</li>"
            for name, n in quoted[outlet].most_common()
        )
        claim_items = "".join(
            f"<li>{_e(text)} "
            + ('<span class="shared">shared</span>' if shared else '<span class="only">only here</span>')
            + "</li>"
            for text, shared in claim_marks[outlet]
        )
        columns.append(
            f'<section class="outlet"><h2>{_e(outlet)}</h2><ul>{headlines}</ul>'
            '<dl class="figures">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in figures) + "</dl>"
            f"<h3>Loaded phrases</h3><ul>{phrase_items or '<li>none shown</li>'}</ul>"
            f"<h3>Quotes</h3><ul>{quote_items or '<li>no named speaker</li>'}</ul>"
            f"<h3>Claims</h3><ul>{claim_items or '<li>none found</li>'}</ul></section>"
        )
    label = members[0]["story_label"]
    headline = members[0].get("story_headline")
    dates = sorted(r["date_parsed"] for r in members if r["date_parsed"])
    span = f"{dates[0]} to {dates[-1]}" if dates and dates[0] != dates[-1] else (str(dates[0]) if dates else "undated")
    body = (
        f'<p><a href="index.html">All stories</a></p><h1>{_e(label)}</h1>'
        + (
            f'<p>Headline nearest the story\'s centre: <span class="headline">{_e(headline)}</span></p>'
            if headline
            else ""
        )
        + f"<p>{len(members)} articles from {len(by_outlet)} outlets, {_e(span)}. Techniques count the passages "
        "spinscope's default view shows; the writer's own leave out words inside direct quotes. Grouped by shared "
        "wording (TF-IDF cosine) within a time window: check that the articles do tell the same story.</p>"
        f'<div class="outlets" style="--columns: {len(by_outlet)}">{"".join(columns)}</div>'
    )
    return _page(label, body)


def index_page(by_story: dict[str, list[dict[str, Any]]], min_outlets: int) -> str:
    """The stories told by ``min_outlets`` outlets or more, most outlets first."""
    told = [(sid, rows) for sid, rows in by_story.items() if rows[0]["story_outlets"] >= min_outlets]
    told.sort(key=lambda item: (-item[1][0]["story_outlets"], -len(item[1]), item[0]))
    lines = "".join(
        f'<tr><td><a href="{_e(sid)}.html">{_e(rows[0]["story_label"])}</a><br><small>'
        f"{_e(rows[0].get('story_headline'))}</small></td><td>{rows[0]['story_outlets']}</td>"
        f"<td>{len(rows)}</td><td>{_e(', '.join(sorted({r['outlet'] for r in rows})))}</td></tr>"
        for sid, rows in told
    )
    alone = sum(1 for rows in by_story.values() if rows[0]["story_outlets"] < min_outlets)
    body = (
        f"<h1>Stories across outlets</h1><p>{len(told)} stories told by {min_outlets} or more outlets; "
        f"{alone} more told by fewer (in stories.parquet).</p>"
        "<table><thead><tr><th>story</th><th>outlets</th><th>articles</th><th>who</th></tr></thead>"
        f"<tbody>{lines}</tbody></table>"
    )
    return _page("Stories across outlets", body)


__all__ = ["index_page", "story_page"]
