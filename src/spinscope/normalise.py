"""The one text-normalisation step every reader and :func:`spinscope.analyze` apply.

    normalise_text(text)   a leading BOM dropped, lone surrogates -> U+FFFD, \\r\\n and \\r -> \\n
    has_text(text)         False for text with nothing to analyse (whitespace, zero-width, bidi marks)
    visible_controls(s)    C0/C1 control characters made visible, one character for one (terminal output)

Every offset spinscope reports indexes the *normalised* text (``Analysis.article.text``).
Replacing a lone surrogate keeps the length, so only the line-end rewrite (and a dropped
BOM) moves offsets; the text a caller gets back is the text the offsets index.
"""

from __future__ import annotations

import re
import unicodedata

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls but tab and newline, DEL, and the C1 block: a terminal obeys them (ESC starts
# a sequence that can retitle or clear the window; U+009B is a one-character CSI).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Letters, digits, punctuation and symbols: what the tokenizer keeps. Zero-width and bidi characters (Cf),
# controls (Cc), separators (Z*), lone marks (M*), private use (Co) and U+FFFD are not text.
_TEXT_CATEGORIES = frozenset("LNPS")


def normalise_text(text: str) -> str:
    """``text`` as spinscope analyses it: a leading BOM dropped, each lone surrogate (which no
    encoder accepts) replaced by U+FFFD one for one, and ``\\r\\n`` / lone ``\\r`` turned into ``\\n``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = replace_surrogates(text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def replace_surrogates(text: str) -> str:
    """Each lone surrogate (which no encoder accepts) replaced by U+FFFD, one for one: offsets hold.
    The one rule for them, in the readers (through :func:`normalise_text`) and the server's fields alike."""
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) is not None else text


def has_text(text: str) -> bool:
    """True when ``text`` holds a letter, digit, punctuation mark or symbol (U+FFFD aside).

    Text made only of whitespace, zero-width characters (U+200B), bidi controls (U+202E),
    combining marks or replacement characters has nothing to analyse: the models' tokenizer
    drops all of it and would see no word at all.
    """
    return any(char != REPLACEMENT and unicodedata.category(char)[0] in _TEXT_CATEGORIES for char in text)


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # U+2400..241F: the control pictures, e.g. ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return REPLACEMENT  # C1 has no pictures


def visible_controls(text: str) -> str:
    """``text`` with every C0/C1 control character but tab and newline replaced by a visible
    one (␛ for ESC, ␇ for BEL, U+FFFD for C1), one character for one so offsets still hold."""
    return _CONTROL.sub(_picture, text) if _CONTROL.search(text) else text


__all__ = ["REPLACEMENT", "has_text", "normalise_text", "replace_surrogates", "visible_controls"]
