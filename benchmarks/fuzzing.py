"""Hypothesis strategies and checks shared by tests/test_fuzz.py (CI, under a minute) and
benchmarks/fuzz.py (a longer run): odd text, bytes and HTML, and what spinscope may do with them.

The rule checked: an input either gives a result whose offsets index its returned text
exactly, or raises one of spinscope's own :class:`~spinscope.errors.InputError` s. Any
other exception (a ModelError, a UnicodeEncodeError, a TypeError from the tokenizer...) is
a bug.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from spinscope.errors import InputError
from spinscope.normalise import has_text, normalise_text

WORDS = (
    "The minister said on Tuesday that the talks would resume .".split()
    + 'Critics called the plan a " shameful surrender " , and the senator : "It is a betrayal !"'.split()
    + "According to officials , 1,200 people were moved ; the so-called experts were wrong ?".split()
    + ["Valdoria", "first!", "(", ")", "'", "—", "–", "…", "“", "”", "‘", "’", "Dr.", "U.S.", "e.g.", "\n", "\n\n"]
)
ODD = (
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width
    + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"  # bidi
    + "\r\t\x0b\x0c\x1b\x07\x00\x7f\x85\x9b\u2028\u2029\xa0\u3000"  # controls and odd spaces
    + "\ufffd\u0301\u0308\u20e3\ufe0f\U0001f600\U0001f1fa\U000e0001\uf8ff"  # marks, emoji, tags, private use
    + "\ud800\udbff\udc00\udfff"  # lone surrogates
)
ANY_CHAR = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())


def article_texts(max_pieces: int = 40) -> st.SearchStrategy[str]:
    """Mostly English words (so the analysis runs past the language check) mixed with odd characters."""
    piece = st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(WORDS),
        st.sampled_from(tuple(ODD)),
        st.text(ANY_CHAR, max_size=3),
    )
    return st.lists(piece, max_size=max_pieces).flatmap(
        lambda pieces: st.sampled_from((" ", "", "\r\n")).map(lambda sep: sep.join(pieces))
    )


def odd_bytes() -> st.SearchStrategy[bytes]:
    """Encoded odd text (several encodings, BOMs) or raw bytes."""
    encoded = st.tuples(article_texts(20), st.sampled_from(("utf-8", "utf-16", "utf-32", "cp1252", "latin-1"))).map(
        lambda pair: pair[0].encode(pair[1], errors="surrogatepass" if pair[1].startswith("utf") else "replace")
    )
    return st.one_of(
        encoded,
        st.binary(max_size=200),
        st.tuples(st.sampled_from((b"\xef\xbb\xbf", b"")), st.binary(max_size=50)).map(b"".join),
    )


_TAGS = ("p", "div", "article", "h1", "span", "script", "style", "b", "blockquote", "li", "title", "br", "meta")


@st.composite
def html_pages(draw: Any) -> str:
    """Loosely nested HTML made of random tags around article text (unclosed tags and entities too)."""
    parts = ["<!doctype html><html><head><title>", draw(article_texts(5)), "</title></head><body>"]
    for _ in range(draw(st.integers(0, 8))):
        tag = draw(st.sampled_from(_TAGS))
        attribute = draw(st.sampled_from(("", ' class="x"', " style='a:b'", ' data-x="\u202e"')))
        closed = draw(st.booleans())
        body = draw(
            st.one_of(article_texts(15), st.sampled_from(("&amp;", "&#0;", "&#xd800;", "&nbsp;", "<!-- c -->")))
        )
        parts.append(f"<{tag}{attribute}>{body}" + (f"</{tag}>" if closed else ""))
    parts.append("</body></html>")
    return "".join(parts)


def check_article_text(text: str) -> None:
    """What every reader promises about ``Article.text``: normalised, and something to analyse."""
    assert text == normalise_text(text), "the reader left text the shared normalisation would change"
    assert has_text(text)
    text.encode("utf-8")  # no lone surrogate left


def check_analysis(data: dict[str, Any], given: str | None = None) -> None:
    """The ``spinscope/1`` dict's offsets index its ``text`` exactly."""
    text = data["text"]
    if given is not None:
        assert text == normalise_text(given)
    for span in data["techniques"] + data["claims"]:
        assert 0 <= span["start"] < span["end"] <= len(text)
        assert text[span["start"] : span["end"]] == span["text"]
    for quote in data["quotes"]:
        for part in ("content", "cue", "speaker"):
            if quote[part] is not None:
                assert 0 <= quote[part]["start"] <= quote[part]["end"] <= len(text)
                assert text[quote[part]["start"] : quote[part]["end"]] == quote[part]["text"]
    for span in data["sentences"] + data["paragraphs"]:
        assert 0 <= span["start"] <= span["end"] <= len(text)


def only_input_errors(call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)``, or None when it raised an InputError; anything else propagates."""
    try:
        return call(*args, **kwargs)
    except InputError as error:
        assert str(error) and "\n" not in str(error)
        return None
