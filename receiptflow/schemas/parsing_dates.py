"""Dates and times as printed on receipts -> date, time (re-exported by ``parsing``).

Day-first unless the numbers say otherwise ("01/15/2019" can only be US month/day); month names
in every language of the vocabulary files (``extractors/local/data/vocab``: "Dez", "déc.",
"dic", "mrt", "Ogos"), and OCR's zero for the letter O ("N0V"); two-digit years in
1970-2069; a time glued to a date ("5/3/201822:52:33") still leaves the date. Like money
parsing, nothing here raises on bad input: a string that is not a date or a time gives
``None``. A module of its own because it shares nothing with the amount grammar in
``parsing`` but the purpose.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache


def _month() -> str:
    """Month names of every language, from the local extractor's vocabulary files. Imported
    when first needed: the vocabulary is data of ``extractors.local``, whose parser imports
    this module."""
    from receiptflow.extractors.local import vocab

    return r"(?P<mon>" + vocab.month_regex() + r")\.?"


_YEAR = r"(?P<y>(?:19|20)\d{2}|\d{2})"
_DSEP = r"\s?[/\-.]\s?"
# a numeric date does not continue a number ("1-27-02-2014", "3.15.01.2019"); a dash after a
# label's colon ("DATE:-27-02-2014", common on Indian bills) is no part of a number
NUMERIC_START = r"(?:(?<=:-)|(?<![\d/.-]))"
# a month name starts a word, or follows an English weekday that OCR glued to it ("TueDec 10,
# 2024", "ThuAug09,2012"); the pattern it opens ignores case, so one spelling covers all
_AFTER_WEEKDAY = r"(?:(?<![^\W\d_])|(?<=MON|TUE|WED|THU|FRI|SAT|SUN))"
# around a month name, two digits are not the year when they are the hour of a time
# ("DEC23 02:52PM" is December 23rd at 2:52) or the day before an apostrophe's year
# ("S#1 JUL.30'11" is July 30th 2011, not 1 July 2030); "DEC23'14" and "27Dec'16" write the
# year with an apostrophe
_YEAR_END = r"(?!\d|\s?[:.]\d{2}(?!\d)|['’´]\d)"


@cache
def _date_patterns() -> list[re.Pattern[str]]:
    from receiptflow.extractors.local import vocab

    month, connector, suffix = _month(), vocab.date_connectors(), vocab.day_suffixes()
    return [
        # 2019-01-15, 2019/01/15
        re.compile(
            NUMERIC_START
            + r"(?P<y>(?:19|20)\d{2})"
            + _DSEP
            + r"(?P<m>\d{1,2})"
            + _DSEP
            + r"(?P<d>\d{2}(?=\d{1,2}:\d{2})|\d{1,2}(?![\d/]))"
        ),
        # 15/01/2019, 15-01-19, 30.12.2017, 01/15/2019
        re.compile(
            NUMERIC_START
            + r"(?P<a>\d{1,2})(?P<s1>"
            + _DSEP
            + r")(?P<b>\d{1,2})(?P<s2>"
            + _DSEP
            + r")"
            + _YEAR
            + r"(?:(?![\d/])|(?=\d{1,2}:\d{2}))"  # a time glued on: "5/3/201822:52:33"
        ),
        # 30 DEC 17, 02/JAN/2017, 05-JAN-2017, 5th March 2018, 18. Dez. 2023, 15 de enero de 2018
        re.compile(
            r"(?<![\d])(?P<d>\d{1,2})"
            + suffix
            + r"[\s/\-.,]*"
            + connector
            + month
            + r"[\s/\-.,'’´]*"
            + connector
            + _YEAR
            + _YEAR_END,
            re.IGNORECASE,
        ),
        # Dec 30, 2017 / OCT 9, 2018 / TueDec 10, 2024 (the weekday glued on)
        re.compile(
            _AFTER_WEEKDAY
            + month
            + r"[\s/\-.]*(?P<d>\d{1,2})"
            + suffix
            + r"[\s,/\-.'’´]*"
            + _YEAR
            + _YEAR_END,
            re.IGNORECASE,
        ),
        # Jun 15 12:47:59 2011: C's asctime (fuel pumps, card terminals), the time between
        # the day and the year
        re.compile(
            r"(?<![^\W\d_])"
            + month
            + r"\s+(?P<d>\d{1,2})\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?P<y>(?:19|20)\d{2})(?!\d)",
            re.IGNORECASE,
        ),
        # 20180304 / 25032018
        re.compile(r"(?<!\d)(?P<compact>\d{8})(?!\d)"),
    ]


@dataclass(frozen=True)
class DateMatch:
    value: dt.date
    start: int
    end: int
    text: str  # as printed, e.g. "30 DEC 17"


def _full_year(year: str) -> int:
    number = int(year)
    if len(year) == 4:
        return number
    return 2000 + number if number < 70 else 1900 + number


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not 1970 <= year <= 2099:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _compact_date(digits: str) -> dt.date | None:
    as_ymd = _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    if as_ymd is not None and digits[:2] in ("19", "20"):
        return as_ymd
    return _make_date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))


def _date_from(match: re.Match[str], day_first: bool) -> dt.date | None:
    groups = match.groupdict()
    if groups.get("compact"):
        return _compact_date(groups["compact"])
    year = _full_year(groups["y"])
    if groups.get("mon"):
        month = next(number for number in range(1, 13) if groups.get(f"m{number:02d}"))
        return _make_date(year, month, int(groups["d"]))
    if groups.get("m"):
        return _make_date(year, int(groups["m"]), int(groups["d"]))
    if groups["s1"].strip() != groups["s2"].strip():
        return None  # "12/05-2019" is not a date
    first, second = int(groups["a"]), int(groups["b"])
    if first > 12 >= second:
        day, month = first, second
    elif second > 12 >= first:
        day, month = second, first  # US month/day, told apart by the day
    else:
        day, month = (first, second) if day_first else (second, first)
    return _make_date(year, month, day)


def find_dates(text: str, *, day_first: bool = True) -> list[DateMatch]:
    """Every date printed in a line, left to right (day-first unless the numbers say otherwise)."""
    found: list[DateMatch] = []
    for pattern in _date_patterns():
        for match in pattern.finditer(text):
            if any(match.start() < other.end and other.start < match.end() for other in found):
                continue
            value = _date_from(match, day_first)
            if value is not None:
                found.append(DateMatch(value, match.start(), match.end(), match.group(0)))
    return sorted(found, key=lambda item: item.start)


def find_date(text: str, *, day_first: bool = True) -> DateMatch | None:
    dates = find_dates(text, day_first=day_first)
    return dates[0] if dates else None


def parse_date(text: str, *, day_first: bool = True) -> dt.date | None:
    """A printed date ("15/01/2019", "30 DEC 17", "Dec 30, 2017", "2019-01-15") -> date."""
    found = find_date(text, day_first=day_first)
    return None if found is None else found.value


# ---------------------------------------------------------------------------------- times

_TIME = re.compile(
    r"(?<![\d.])(?<!\d:)(?P<h>\d{1,2})\s?(?::|\.(?=\d{2}\s?(?:[AP]\.?M)))\s?(?P<m>\d{2})"
    r"(?:\s?:\s?(?P<s>\d{2}))?(?!\d)(?:\s?(?P<ampm>[AP])\.?M\.?)?(?![A-Za-z])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TimeMatch:
    value: dt.time
    start: int
    end: int
    text: str


def find_time(text: str) -> TimeMatch | None:
    """The first time of day in a line: "20:13", "8:13:39 PM", "08.15 AM"."""
    for match in _TIME.finditer(text):
        hour, minute = int(match["h"]), int(match["m"])
        second = int(match["s"]) if match["s"] else 0
        ampm = (match["ampm"] or "").upper()
        if ampm and not 1 <= hour <= 12:
            continue
        if ampm == "P" and hour < 12:
            hour += 12
        elif ampm == "A" and hour == 12:
            hour = 0
        if hour > 23 or minute > 59 or second > 59:
            continue
        return TimeMatch(dt.time(hour, minute, second), match.start(), match.end(), match.group(0))
    return None


def parse_time(text: str) -> dt.time | None:
    found = find_time(text)
    return None if found is None else found.value
