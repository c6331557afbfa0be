"""The day of the week a receipt prints beside its date ("Saturday 10- 9-2016", "30/04/2017
(Sun)", "DATE 06/29/2014 SUN").

It is a second reading of the date that OCR cannot get wrong in the same way: a misread digit
("09/03/12" for 09/08/12, 2008 for 2005) lands on another day six times in seven, and of
the two readings of "10-9-2016" only one falls on a Saturday. The names are the vocabulary
files' ``[weekdays]``; two-letter ones ("Sa", "Do", "za") count only on a receipt in their
language, where they cannot be a word of another.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from receiptflow.extractors.local.vocab import fold, languages
from receiptflow.schemas.parsing import DateMatch

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_WORD = r"[^\W\d_]+(?:-[^\W\d_]+)?"  # "SEGUNDA-FEIRA"
# only spaces and punctuation between the day and the date: "Tue 09/20/16", "Thursday, 14
# December", "30/04/2017(Sun)", "10 OCT 2017 TUE"
_BEFORE = re.compile(rf"(?<![^\W\d_])({_WORD})[\s.,()]*$")
_AFTER = re.compile(rf"^[\s.,()]*({_WORD})(?![^\W\d_])")


@cache
def _names(language: str | None) -> dict[str, int]:
    """Folded day name -> 0 (Monday) .. 6, of every language (two-letter ones of
    ``language`` only)."""
    return {
        fold(name): day
        for lang in languages().values()
        for name, day in lang.weekdays.items()
        if len(fold(name)) >= 3 or lang.code == language
    }


def printed_weekday(text: str, start: int, end: int, language: str | None = None) -> int | None:
    """The day of the week printed right before or right after ``text[start:end]`` (0 is
    Monday), or None when no day name stands there."""
    names = _names(language)
    for pattern, part in ((_BEFORE, text[:start]), (_AFTER, text[end:])):
        match = pattern.search(part)
        if match is not None and (day := names.get(fold(match.group(1)))) is not None:
            return day
    return None


@dataclass(frozen=True)
class WeekdayCheck:
    date: DateMatch  # as read, or with day and month swapped when only that falls on the day
    printed: int | None = None  # the day printed beside it; None: no day printed
    agrees: bool | None = None  # None when no day is printed


def check_weekday(
    text: str, date: DateMatch, *, language: str | None = None, swappable: bool = False
) -> WeekdayCheck:
    """Does the day printed beside ``date`` on its row (``text``) fall on it? ``swappable``:
    the date reads both ways ("10-9-2016"), and the reading the day falls on wins."""
    printed = printed_weekday(text, date.start, date.end, language)
    if printed is None:
        return WeekdayCheck(date)
    if date.value.weekday() == printed:
        return WeekdayCheck(date, printed, agrees=True)
    if swappable:
        value = date.value
        try:
            other = dt.date(value.year, value.day, value.month)
        except ValueError:
            other = None
        if other is not None and other.weekday() == printed:
            swapped = DateMatch(other, date.start, date.end, date.text)
            return WeekdayCheck(swapped, printed, agrees=True)
    return WeekdayCheck(date, printed, agrees=False)


def mismatch_message(date: dt.date, printed: int) -> str:
    return (
        f"The receipt prints {DAY_NAMES[printed]} beside the date, but {date.isoformat()} "
        f"was a {DAY_NAMES[date.weekday()]}: a digit of the date may be misread."
    )
