"""The invented attribution cases of tests/fixtures/quote_regressions.toml, run on the rules alone (no
learned tagger): speaker, name, type, cue, content and kind of each expected quote."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from spinscope.analyzers.quotes import find_quotes
from spinscope.document import Quote
from spinscope.segmentation import sentences

CASES = tomllib.loads((Path(__file__).parent / "fixtures" / "quote_regressions.toml").read_text(encoding="utf-8"))[
    "case"
]


def _text(text: str, span) -> str | None:
    return text[span.start : span.end] if span is not None else None


def _described(text: str, q: Quote) -> dict:
    return {
        "content": _text(text, q.content),
        "speaker": _text(text, q.speaker),
        "name": q.speaker_name or "",
        "type": q.speaker_type,
        "cue": _text(text, q.cue),
        "kind": q.kind,
        "role": q.role or "",
    }


def test_there_are_enough_cases():
    assert len(CASES) >= 80
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict):
    text = case["text"]
    found = [_described(text, q) for q in find_quotes(text, sentences(text), use_tagger=False)]
    for expected in case.get("expect", []):
        match = [q for q in found if q["content"] == expected["content"]] if "content" in expected else found
        assert match, f"no quote with content {expected.get('content')!r} in {found}"
        got = match[0]
        assert {k: got[k] for k in expected} == expected, f"{found}"
    if "quotes" in case:
        assert len([q for q in found if q["kind"] != "scare"]) == case["quotes"], f"{found}"
    for name in case.get("not_names", []):
        assert all(q["name"] != name for q in found), f"{found}"
