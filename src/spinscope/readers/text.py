"""Plain text: bytes to ``str`` (encoding detection), normalisation, PTC titles, article ids.

Every offset spinscope reports indexes ``Article.text``, so the text is normalised
(:func:`spinscope.normalise.normalise_text`: newlines to ``\\n``, a leading BOM
dropped, lone surrogates replaced) *before* the Article is made and never changed afterwards.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath
from typing import Any

from spinscope.document import Article
from spinscope.errors import EmptyInputError, InputError
from spinscope.normalise import has_text, normalise_text, visible_controls

MAX_TEXT_BYTES = 5_000_000
"""The largest text (UTF-8 bytes) spinscope analyses; about 800,000 words, far past any news article."""

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
MAX_TITLE_CHARS = 300  # a "title" line longer than this is a paragraph, not a PTC title

BINARY_REASON = "binary or undecodable data, not text"
EMPTY_REASON = "empty: no text to analyse"

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# C0/C1 control characters other than tab, newline, carriage return and form feed:
# real text has (almost) none, a wrongly decoded binary file has many.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SEMEVAL_NAME = re.compile(r"article(\d+)", re.IGNORECASE)
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def one_line(message: object) -> str:
    """``message`` as a single line (error reasons must fit on one line), control characters made visible."""
    return visible_controls(" ".join(str(message).split()))


def _human_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1e6:.1f} MB"
    if size >= 1_000:
        return f"{size / 1e3:.1f} kB"
    return f"{size} bytes"


def human_sizes(size: int, limit: int) -> tuple[str, str]:
    """``size`` and ``limit`` for a message: ``("50.0 MB", "5.0 MB")``, in exact bytes when rounding
    would show the same figure for both (one byte over 6 MB is not "6.0 MB (limit 6.0 MB)")."""
    shown, limit_shown = _human_size(size), _human_size(limit)
    if shown == limit_shown and size != limit:
        return f"{size:,} bytes", f"{limit:,} bytes"
    return shown, limit_shown


def size_reason(size: int, limit: int, *, at_least: bool = False) -> str:
    """``too large: 50.0 MB (limit 5.0 MB)``; ``at_least``: ``too large: more than 5.0 MB (...)``."""
    more = "more than " if at_least else ""
    shown, limit_shown = human_sizes(size, limit)
    return f"too large: {more}{shown} (limit {limit_shown})"


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and lone ``\\r`` become ``\\n``; a leading BOM character is dropped; lone
    surrogates become U+FFFD (the shared step, :func:`~spinscope.normalise.normalise_text`)."""
    return normalise_text(text)


def sniff_encoding(head: bytes) -> str | None:
    """The encoding the first bytes of a file declare or show: a BOM (UTF-8, UTF-16, UTF-32), or
    without one the NUL pattern of UTF-16/32 text (``"a\\0b\\0"`` is UTF-16-LE); ``None``: no sign
    (UTF-8 or a legacy encoding). Every reader asks this first: a UTF-16 CSV is not "not UTF-8"."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    sample = head[: len(head) // 4 * 4][:64]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    for encoding, width, nul_at in (("utf-32-le", 4, (1, 2, 3)), ("utf-32-be", 4, (0, 1, 2))):
        units = [sample[i : i + width] for i in range(0, len(sample), width)]
        if all(all(unit[k] == 0 for k in nul_at) and any(unit) for unit in units):
            return encoding
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) * 4 >= len(odd) * 3 and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) * 4 >= len(even) * 3 and odd.count(0) == 0:
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    if "\x00" in text:
        return True
    controls = len(_CONTROL.findall(text))
    return controls > max(2, len(text) // 200)


def decode_bytes(data: bytes, source: str) -> str:
    """Decode ``data`` to text, or raise ``InputError(source, "binary or undecodable data, not text")``.

    Order: a BOM (UTF-8, UTF-16, UTF-32) or the NUL pattern of UTF-16/32 decides
    (:func:`sniff_encoding`); else strict UTF-8; else cp1252 when
    at most a third of the bytes are non-ASCII (English text with curly quotes, accented
    names and dashes saved by Windows: charset_normalizer guesses wrongly on short
    samples, e.g. cp1006 for "café"); else charset_normalizer's best guess.
    """
    encoding = sniff_encoding(data[:64])
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise InputError(source, BINARY_REASON, code="binary_input") from None
        if _looks_binary(text.lstrip("\ufeff")):
            raise InputError(source, BINARY_REASON, code="binary_input")
        return text
    if b"\x00" in data:
        raise InputError(source, BINARY_REASON, code="binary_input")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode_legacy(data, source)
    if _looks_binary(text):
        raise InputError(source, BINARY_REASON, code="binary_input")
    return text


def _decode_legacy(data: bytes, source: str) -> str:
    high = sum(1 for byte in data if byte >= 0x80)
    if high * 3 <= len(data):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:  # cp1252 leaves 5 bytes undefined
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(source, BINARY_REASON, code="binary_input")
    return str(best)


def article_id_for(source: str, suffixes: frozenset[str] | None = None) -> str:
    """The Article id a file name gives: ``article123.txt`` -> ``123`` (SemEval), else the stem.

    Sources that are not file paths (``<stdin>``, ``-``, URLs, strings) give ``""``,
    so that :class:`Article` makes a content hash id. With ``suffixes``, only a
    name ending in one of them counts as a file path.
    """
    if not source or source == "-" or source.startswith("<") or _URL.match(source):
        return ""
    path = PurePath(source)
    if suffixes is not None and path.suffix.lower() not in suffixes:
        return ""
    match = _SEMEVAL_NAME.fullmatch(path.stem)
    return match.group(1) if match else path.stem


def ptc_title(text: str) -> str | None:
    """Line 1 when it is followed by a blank line (the PTC/SemEval layout); a headline set on two lines
    ("Senate passes budget" / "after all-night session", then a blank line), joined; else ``None``.

    Two lines count as a headline only when neither ends like a sentence (. ! ? : ; ,) and text follows."""
    lines = text.split("\n", 3)
    first = lines[0].strip()
    if len(lines) < 2 or not first or len(first) > MAX_TITLE_CHARS:
        return None
    if not lines[1].strip():
        return first
    second = lines[1].strip()
    joined = f"{first} {second}"
    blank_then_text = len(lines) > 3 and not lines[2].strip() and lines[3].strip()
    sentence_like = any(line[-1] in ".!?:;," for line in (first, second))
    return joined if blank_then_text and not sentence_like and len(joined) <= MAX_TITLE_CHARS // 2 else None


def check_size(text: str, source: str, limit: int = MAX_TEXT_BYTES) -> None:
    """Raise ``InputError(source, "too large: ...")`` when ``text`` is over ``limit`` UTF-8 bytes."""
    if len(text) * 4 <= limit:  # cannot be over: one character is at most 4 bytes
        return
    size = len(text.encode("utf-8", errors="surrogatepass"))
    if size > limit:
        raise InputError(source, size_reason(size, limit), code="text_too_large")


def article_from_text(
    text: str,
    source: str,
    *,
    id: str | None = None,
    title: str | None = None,
    detect_title: bool = True,
    **metadata: Any,
) -> Article:
    """Normalise, check (empty, size) and wrap ``text`` in an :class:`Article`.

    ``id=None`` derives the id from ``source`` (:func:`article_id_for`); ``detect_title``
    takes a PTC title from line 1 when ``title`` is not given.
    """
    text = normalise_text(text)
    if not has_text(text):
        raise EmptyInputError(source, EMPTY_REASON)
    check_size(text, source)
    if title is None and detect_title:
        title = ptc_title(text)
    return Article(
        text=text,
        id=article_id_for(source) if id is None else id,
        title=title,
        source=source,
        **metadata,
    )


def read_text(
    data: bytes | str,
    source: str,
    *,
    id: str | None = None,
) -> Article:
    """Turn plain text (a file's bytes, stdin, a string) into an :class:`Article`.

    Bytes are decoded (:func:`decode_bytes`); newlines are normalised; a PTC title
    (line 1, then a blank line) becomes ``Article.title`` and stays in the text, so
    PTC offsets, which count from the file start, still index ``Article.text``.

    Raises :class:`InputError` (binary data, too large) or :class:`EmptyInputError`.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_TEXT_BYTES:
            raise InputError(source, size_reason(len(data), MAX_TEXT_BYTES), code="text_too_large")
        if not data.strip():
            raise EmptyInputError(source, EMPTY_REASON)
        text = decode_bytes(data, source)
    else:
        text = data
        if _looks_binary(text):
            raise InputError(source, BINARY_REASON, code="binary_input")
    return article_from_text(text, source, id=article_id_for(source, TEXT_SUFFIXES) if id is None else id)
