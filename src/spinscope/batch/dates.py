"""Publication dates as written ("March 4, 2024", "4 March 2024", ISO date-times) -> :class:`datetime.date`.

The standard library, not dateparser (installed with trafilatura): dateparser reads relative and partial
dates ("yesterday", "2 hours ago", "March") against today's date, which silently dates an archive to the day
it was analysed, and it is slow on millions of rows. Here only forms that name a year, a month and a day are
read, the same way on every machine; anything else is left without a date and counted, never guessed.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
# ISO dates and date-times (a time or offset after the date is ignored: the date as the outlet wrote it,
# not converted to UTC, is the day it published in its own time zone).
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})(?:$|[T ]\d|[Zz+-])")
_SLASHED = re.compile(r"(?P<year>\d{4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})\b")
_NUMERIC = re.compile(r"(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})\b")
_COMPACT = re.compile(r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})")  # 20240304, whole string only
_MONTH_FIRST = re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b")  # March 4, 2024 / Mar. 4 2024
_DAY_FIRST = re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b")  # 4 March 2024 / Mon, 04 Mar 2024 10:00 GMT


def _make(year: str, month: str, day: str) -> datetime.date | None:
    number = int(month) if month.isdigit() else _MONTHS.get(month.lower())
    if number is None:
        return None
    try:
        return datetime.date(int(year), number, int(day))
    except ValueError:  # 31 February, month 13
        return None


def parse_date(value: object) -> datetime.date | None:
    """The calendar date a written publication date names, or None when it names no full date.

    Read: ISO dates and date-times (``2024-03-04``, ``2024-03-04T10:00:00+01:00``), ``2024/03/04``,
    ``20240304``, "March 4, 2024", "Mar. 4th 2024", "4 March 2024", "Monday, 4 March 2024 10:00 GMT"
    (RFC 2822), ``04.03.2024`` (day first), ``25/03/2024`` and ``03/25/2024`` (only one reading). Not read:
    ``04/03/2024`` (4 March in London, 3 April in New York), a month or year alone, relative dates.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    if (match := _ISO.match(text)) or (match := _SLASHED.match(text)) or (match := _COMPACT.fullmatch(text)):
        return _make(match["year"], match["month"], match["day"])
    if match := _NUMERIC.match(text):
        a, b = int(match["a"]), int(match["b"])
        if match["sep"] == "." or a > 12:  # 04.03.2024 is day-first wherever dots are used; 25/03 can only be
            return _make(match["year"], str(b), str(a))
        if b > 12:  # 03/25/2024: month first
            return _make(match["year"], str(a), str(b))
        return None  # 04/03/2024: 4 March or 3 April, not guessed
    for pattern in (_MONTH_FIRST, _DAY_FIRST):
        for match in pattern.finditer(text):
            found = _make(match["year"], match["month"], match["day"])
            if found is not None:
                return found
    return None


def unread_dates(root: Path) -> tuple[int, list[str]]:
    """How many articles of a batch folder have a date written that names no full date, and a few of them."""
    import pyarrow.parquet as pq

    from spinscope.batch.folder import ARTICLES_DIR, part_files

    count, examples = 0, []
    for path in part_files(root / ARTICLES_DIR).values():
        table = pq.read_table(path, columns=["date", "date_parsed"]).to_pylist()
        for row in table:
            if row["date_parsed"] is None and (row["date"] or "").strip():
                count += 1
                if len(examples) < 3 and row["date"] not in examples:
                    examples.append(row["date"])
    return count, examples


__all__ = ["parse_date", "unread_dates"]
