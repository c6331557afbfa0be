"""Money, date and time as printed on receipts -> Decimal, date, time.

Printed numbers are ambiguous: ``1.234,50`` (EU), ``1,234.50`` (US/MY), ``23.000`` (IDR
thousands, or a Malaysian unit price with three decimals). The shape decides when it can (two
different separators, several equal groups of three); otherwise the ``decimal_comma`` hint does,
and without a hint the English reading wins (``.`` decimal, ``,`` thousands). OCR noise seen on
thermal paper (``9.0O``, ``12 . 50``) is tolerated. Nothing here raises on bad input: a string
that is not an amount/date gives ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Printed currency marks -> ISO 4217 (None when the mark alone is ambiguous, like "$").
CURRENCY_MARKS: dict[str, str | None] = {
    "RM": "MYR",
    "MYR": "MYR",
    "US$": "USD",
    "USD": "USD",
    "S$": "SGD",
    "SGD": "SGD",
    "A$": "AUD",
    "AUD": "AUD",
    "C$": "CAD",
    "CAD": "CAD",
    "HK$": "HKD",
    "HKD": "HKD",
    "NZ$": "NZD",
    "NZD": "NZD",
    "$": None,
    "€": "EUR",
    "EUR": "EUR",
    "£": "GBP",
    "GBP": "GBP",
    "¥": "JPY",
    "JPY": "JPY",
    "円": "JPY",
    "RP": "IDR",
    "RP.": "IDR",
    "IDR": "IDR",
    "₹": "INR",
    "INR": "INR",
    "₩": "KRW",
    "KRW": "KRW",
    "฿": "THB",
    "THB": "THB",
    "₱": "PHP",
    "PHP": "PHP",
    "CHF": "CHF",
    "₫": "VND",
    "VND": "VND",
}

_MARK = (
    r"(?:US\$|S\$|A\$|C\$|HK\$|NZ\$|RM|MYR|USD|SGD|AUD|CAD|HKD|NZD|EUR|GBP|JPY|IDR|INR|KRW"
    r"|THB|PHP|CHF|VND|Rp\.?|RP\.?|[$€£¥円₹₩฿₱₫])"
)
_SEP = r"[.,'’]"
# A number: a digit, then digits (or the O that OCR reads for a zero), then separator groups,
# each separator allowed one space on either side ("12 . 50").
# OCR reads 0 as O and 1 as I or l: tolerated inside a number, and first only in a number
# with cents ("RMI11.90"); ".01" too
_NUMBER = (
    r"(?:(?:\d|[Il](?=[\dOoIl]*[.,]\d\d))[\dOoIl]*(?:\s?" + _SEP + r"\s?[\dOoIl]+)*"
    r"|[.,]\d{2}(?!\d))"
)

_AMOUNT = re.compile(
    r"(?<![\w/.,:])"
    r"(?P<open>[-−(])?"
    r"(?:(?P<mark>" + _MARK + r")\s?(?P<open2>[-−])?\s?)?"
    r"(?P<number>" + _NUMBER + r")"
    r"(?P<close>-(?!\d)|\))?"
    r"(?:\s?(?P<mark2>" + _MARK + r")(?![A-Za-z]))?"
    r"(?![\w/%]|:\d|[.,]\d)"
)


@dataclass(frozen=True)
class AmountMatch:
    """An amount found in a line: value, where it was, and how it was printed."""

    value: Decimal
    start: int
    end: int
    text: str
    decimals: int  # digits printed after the decimal separator (0 for "12" and "23.000" IDR)
    currency: str | None = None  # ISO code from a printed mark, when unambiguous
    mark: str | None = None  # the printed currency mark itself ("RM", "$")


def _clean_number(number: str) -> str:
    cleaned = re.sub(r"\s", "", number).replace("O", "0").replace("o", "0")
    return cleaned.replace("I", "1").replace("l", "1")


def _thousands_ok(groups: list[str]) -> bool:
    head = groups[0]
    return (
        1 <= len(head) <= 3
        and not (head.startswith("0"))
        and all(len(group) == 3 for group in groups[1:])
    )


def _split_decimal(groups: list[str], seps: list[str]) -> tuple[str, str] | None:
    """Integer and fraction digits, given that the last separator is the decimal one."""
    integer_groups, fraction = groups[:-1], groups[-1]
    if not 1 <= len(fraction) <= 4:
        return None
    if len(integer_groups) > 1 and not _thousands_ok(integer_groups):
        return None
    if len(set(seps[:-1])) > 1 or (seps[:-1] and seps[-2] == seps[-1]):
        return None
    return "".join(integer_groups), fraction


def _number_parts(number: str, decimal_comma: bool | None) -> tuple[str, str] | None:
    """(integer digits, fraction digits) of a printed number, or None when the shape is odd."""
    text = _clean_number(number).replace("’", "'")
    if text[0] in ".,":
        text = "0" + text
    if "'" in text:  # Swiss 1'234.50: apostrophes only ever group thousands
        head, _, tail = text.partition(next((c for c in text if c in ".,"), "\0"))
        if not _thousands_ok(head.split("'")):
            return None
        text = head.replace("'", "") + (text[len(head)] + tail if tail else "")
    seps = re.findall(r"[.,]", text)
    groups = re.split(r"[.,]", text)
    if not seps:
        return text, ""
    if any(not group for group in groups):
        return None
    last = seps[-1]
    if len(set(seps)) > 1:  # "1.234,50": the last separator is the decimal one
        return _split_decimal(groups, seps)
    if len(seps) > 1:  # "1.234.567" thousands, or "1,234.5" handled above
        return ("".join(groups), "") if _thousands_ok(groups) else None
    fraction = groups[-1]
    if len(fraction) == 3 and _thousands_ok(groups):
        comma_is_decimal = bool(decimal_comma)
        is_thousands = (last == ",") != comma_is_decimal
        if is_thousands:
            return "".join(groups), ""
    if last == "," and decimal_comma is False:
        return None  # "55,57" on a receipt that writes 12.50: a list, not an amount
    return _split_decimal(groups, seps)


def _to_decimal(parts: tuple[str, str], negative: bool) -> Decimal | None:
    integer, fraction = parts
    try:
        value = Decimal(f"{integer or '0'}.{fraction}" if fraction else integer)
    except InvalidOperation:
        return None
    return -value if negative else value


def _mark_currency(mark: str | None) -> str | None:
    if not mark:
        return None
    return CURRENCY_MARKS.get(mark.upper(), CURRENCY_MARKS.get(mark))


def _amount_from(match: re.Match[str], decimal_comma: bool | None) -> AmountMatch | None:
    parts = _number_parts(match["number"], decimal_comma)
    if parts is None:
        return None
    opened = match["open"]
    closed = match["close"]
    if (opened == "(") != (closed == ")"):
        return None
    negative = bool(opened in ("-", "−", "(") or match["open2"] or closed in ("-", ")"))
    value = _to_decimal(parts, negative)
    if value is None:
        return None
    mark = match["mark"] or match["mark2"]
    return AmountMatch(
        value=value,
        start=match.start(),
        end=match.end(),
        text=match.group(0),
        decimals=len(parts[1]),
        currency=_mark_currency(mark),
        mark=mark,
    )


def find_amounts(text: str, *, decimal_comma: bool | None = None) -> list[AmountMatch]:
    """Every amount-shaped number in a line, left to right (integers included: see
    ``AmountMatch.decimals`` to tell "12.50" from a quantity "2"). Dates, times, percentages
    and numbers glued to letters are not amounts."""
    found: list[AmountMatch] = []
    for match in _AMOUNT.finditer(text):
        amount = _amount_from(match, decimal_comma)
        if amount is not None:
            found.append(amount)
    return found


def parse_money(text: str, *, decimal_comma: bool | None = None) -> Decimal | None:
    """One printed amount ("RM 1,234.50", "$12", "12.50-", "1.234,50") -> Decimal, else None."""
    stripped = text.strip()
    match = _AMOUNT.fullmatch(stripped)
    if match is None:
        return None
    amount = _amount_from(match, decimal_comma)
    return None if amount is None else amount.value


# ---------------------------------------------------------------------------------- dates

MONTHS: dict[str, int] = {
    "JAN": 1,
    "FEB": 2,
    "MAR": 3,
    "APR": 4,
    "MAY": 5,
    "JUN": 6,
    "JUL": 7,
    "AUG": 8,
    "SEP": 9,
    "SEPT": 9,
    "OCT": 10,
    "NOV": 11,
    "DEC": 12,
    "JANUARY": 1,
    "FEBRUARY": 2,
    "MARCH": 3,
    "APRIL": 4,
    "JUNE": 6,
    "JULY": 7,
    "AUGUST": 8,
    "SEPTEMBER": 9,
    "OCTOBER": 10,
    "NOVEMBER": 11,
    "DECEMBER": 12,
    "MEI": 5,
    "AGO": 8,
    "OGOS": 8,
    "OKT": 10,
    "DIS": 12,  # Malay / Indonesian spellings
    "0CT": 10,
    "N0V": 11,  # OCR's zero for the letter O
}
_MONTH = r"(?P<mon>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<y>(?:19|20)\d{2}|\d{2})"
_DSEP = r"\s?[/\-.]\s?"
_DATE_PATTERNS: list[re.Pattern[str]] = [
    # 2019-01-15, 2019/01/15
    re.compile(
        r"(?<![\d/.-])(?P<y>(?:19|20)\d{2})"
        + _DSEP
        + r"(?P<m>\d{1,2})"
        + _DSEP
        + r"(?P<d>\d{2}(?=\d{1,2}:\d{2})|\d{1,2}(?![\d/]))"
    ),
    # 15/01/2019, 15-01-19, 30.12.2017, 01/15/2019
    re.compile(
        r"(?<![\d/.-])(?P<a>\d{1,2})(?P<s1>"
        + _DSEP
        + r")(?P<b>\d{1,2})(?P<s2>"
        + _DSEP
        + r")"
        + _YEAR
        + r"(?:(?![\d/])|(?=\d{1,2}:\d{2}))"  # a time glued on: "5/3/201822:52:33"
    ),
    # 30 DEC 17, 02/JAN/2017, 05-JAN-2017, 5th March 2018
    re.compile(
        r"(?<![\d])(?P<d>\d{1,2})(?:ST|ND|RD|TH)?[\s/\-.,]*"
        + _MONTH
        + r"[\s/\-.,']*"
        + _YEAR
        + r"(?!\d)",
        re.IGNORECASE,
    ),
    # Dec 30, 2017 / OCT 9, 2018
    re.compile(
        r"(?<![A-Za-z])"
        + _MONTH
        + r"[\s/\-.]*(?P<d>\d{1,2})(?:ST|ND|RD|TH)?[\s,/\-.]*"
        + _YEAR
        + r"(?!\d)",
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
        return _make_date(year, MONTHS[groups["mon"].upper()], int(groups["d"]))
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
    for pattern in _DATE_PATTERNS:
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
