"""Money as printed on receipts -> Decimal; with the date and time parsers of ``parsing_dates``
re-exported, so every printed-value parser is imported from here.

Printed numbers are ambiguous: ``1.234,50`` (EU), ``1,234.50`` (US/MY), ``23.000`` (IDR
thousands, or a Malaysian unit price with three decimals). The shape decides when it can (two
different separators, several equal groups of three); otherwise the ``decimal_comma`` hint does,
and without a hint the English reading wins (``.`` decimal, ``,`` thousands). OCR noise seen on
thermal paper (``9.0O``, ``12 . 50``) is tolerated. Nothing here raises on bad input: a string
that is not an amount gives ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from receiptflow.schemas.parsing_dates import (
    DateMatch,
    TimeMatch,
    find_date,
    find_dates,
    find_time,
    parse_date,
    parse_time,
)

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
# Receipt's Money holds 18 digits, 6 of them decimal places: a longer number is not money.
MAX_WHOLE_DIGITS = 12

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
    if len(integer.lstrip("0")) > MAX_WHOLE_DIGITS:
        return None  # a barcode or an OCR run-on; as money it would not fit a Receipt
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


__all__ = [
    "CURRENCY_MARKS",
    "AmountMatch",
    "DateMatch",
    "TimeMatch",
    "find_amounts",
    "find_date",
    "find_dates",
    "find_time",
    "parse_date",
    "parse_money",
    "parse_time",
]
