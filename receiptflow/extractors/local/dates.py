"""When and which: the receipt's date, time and number.

A receipt can print several dates (sale, expiry of points, a customer's order date); the one
labelled DATE/TARIKH and printed near the top wins, and the time beside it is the sale time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from receiptflow.extractors.local.layout import Row, ocr_trust
from receiptflow.extractors.local.vocab import misread_month, month_regex, words
from receiptflow.extractors.local.weekdays import check_weekday, mismatch_message
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.parsing import DateMatch, find_dates, find_time
from receiptflow.schemas.parsing_dates import NUMERIC_START

_DATE_LABEL = words("date_label")
_OTHER_DATE = words("other_date_label")  # expiry, validity: not the sale date
_NUMERIC_DATE = re.compile(
    NUMERIC_START + r"(?P<a>\d{1,2})([/.-])(?P<b>\d{1,2})\2(?:19|20)?\d{2}(?![\d/])"
)
_US_PHONE = re.compile(
    r"\(\d{3}\)\s?\d{3}[-.\s]\d{4}(?!\d)|(?<![\d+])\+?1[-\s]\d{3}[-\s]\d{3}-\d{4}"
    r"|(?<![\d+-])[2-9]\d{2}-[2-9]\d{2}-\d{4}(?![\d-])"
)
_NUMBER = re.compile(
    r"(?<![A-Z])(?P<label>INVOICE|INV|RECEIPT|RCPT|BILL|DOC(?:UMENT)?|CHECK|CHK|TRANS(?:ACTION)?|"
    r"TRX|CB|OR|REF|SLIP|TICKET|ORDER|TXN|NOTA|FAKTUR|BON|BELEG)[\s-]*\.?\s*"
    r"(?:(?:NO|NR|NUM|NUMBER)\s*\.\s*[:#]?|(?:NO|NR|NUM|NUMBER|#)?\s*\.?\s*[:#])"
    r"\s*(?P<number>[A-Z0-9][A-Z0-9\-/]{2,24})",
    re.IGNORECASE,
)
_NUMBER_RANK = [
    "INVOICE",
    "INV",
    "RECEIPT",
    "RCPT",
    "BILL",
    "DOC",
    "DOCUMENT",
    "CB",
    "OR",
    "SLIP",
    "TICKET",
    "TRANSACTION",
    "TRANS",
    "TRX",
    "TXN",
    "CHECK",
    "CHK",
    "NOTA",
    "FAKTUR",
    "BON",
    "BELEG",
    "REF",
    "ORDER",
]


@dataclass
class When:
    date: DateMatch | None = None
    time: dt.time | None = None
    date_confidence: float = 0.0
    time_confidence: float = 0.0
    time_text: str | None = None
    repaired: bool = False  # read only after undoing OCR slips ("201o", "02,/22/2014")
    order_certainty: float = 1.0  # how sure the day/month order is, for an ambiguous date
    weekday: int | None = None  # the day of the week printed beside the date (0 is Monday)
    weekday_agrees: bool | None = None  # None: no day printed


def _plausible(value: dt.date, today: dt.date) -> bool:
    return dt.date(1995, 1, 1) <= value <= today + dt.timedelta(days=366)


@dataclass
class DateOrder:
    """How numeric dates are written: month first ("02/08/2024" is February 8th in the US),
    and how sure we are of it (1 when a date on the receipt can only be read one way)."""

    month_first: bool = False
    certainty: float = 0.75


def date_order(rows: list[Row], *, currency: str | None, country: str | None) -> DateOrder:
    """The receipt's own dates decide when one of them can only be read one way
    ("02/15/2024"); else a US receipt (dollars and a US address or phone number, or no currency
    at all and a US phone number) prints month first, and one in any other currency day first."""
    order = 0
    separators: set[str] = set()
    for row in rows:
        for match in _NUMERIC_DATE.finditer(row.text):
            first, second = int(match["a"]), int(match["b"])
            order += (second > 12 >= first) - (first > 12 >= second)
            separators.add(match.group(2))
    if order:
        return DateOrder(order > 0, 1.0)
    if separators == {"."}:
        return DateOrder(False, 0.95)  # "03.08.13": dotted dates are European, day first
    text = "\n".join(row.text for row in rows)
    if currency not in (None, "USD"):
        return DateOrder(False, 0.95 if country not in (None, "USD") else 0.9)
    if country == "USD" or (currency == "USD" and bool(_US_PHONE.search(text))):
        return DateOrder(True, 0.9)
    if currency == "USD":
        return DateOrder(True, 0.8)  # "$" and no other country named: most likely the US
    if _US_PHONE.search(text):
        # no currency printed at all (a diner's check, a candy shop's till), but a phone
        # number written the North American way: "(614) 766 4494"
        return DateOrder(True, 0.8)
    return DateOrder(False, 0.75)  # nothing says: day first is a guess


def _ambiguous(date: DateMatch) -> bool:
    """ "02/08/2024" (and "10- 9-2016") reads two ways; "13/08/2024", "2024-02-08" and
    "02/02/2024" one."""
    match = _NUMERIC_DATE.fullmatch(re.sub(r"\s", "", date.text))
    if match is None or match["a"] == match["b"]:
        return False
    return max(int(match["a"]), int(match["b"])) <= 12


def find_when(
    rows: list[Row],
    *,
    today: dt.date | None = None,
    order: DateOrder | None = None,
    language: str | None = None,
) -> When:
    """The sale date (and time); ``order`` says how numeric dates are written here, unless a
    day of the week printed beside the date says it (``language``: the receipt's, for the
    two-letter day names)."""
    today = today or dt.date.today()
    order = order or DateOrder()
    texts = [row.text for row in rows]
    scored = _scored_dates(texts, today, not order.month_first)
    repaired = False
    if not any(score > 0 for score, _, _ in scored):
        # no plausible date as printed: read the rows again with OCR's slips in numbers undone
        texts = [ocr_repaired(text) for text in texts]
        scored = _scored_dates(texts, today, not order.month_first)
        repaired = True
    if not scored:
        return When()
    score, index, best = max(scored, key=lambda item: (item[0], -item[1]))
    ambiguous = _ambiguous(best)  # of the printed text, so the same for a swapped reading
    weekday = check_weekday(texts[index], best, language=language, swappable=ambiguous)
    best = weekday.date
    certainty = 1.0 if weekday.agrees else order.certainty
    agreeing = sum(1 for other in scored if other[2].value == best.value)
    confidence = 0.75 + 0.07 * min(score, 3.0) + (0.03 if agreeing > 1 else 0.0)
    if len({other[2].value for other in scored}) > 1 and score < 2.5:
        confidence -= 0.15  # several different dates and no label decides between them
    if repaired:
        confidence -= 0.1
    confidence *= ocr_trust(rows[index].confidence, len(best.text))
    if ambiguous:
        confidence = min(confidence, certainty)
    when = When(
        date=best,
        date_confidence=max(0.1, min(confidence, 0.97)),
        repaired=repaired,
        weekday=weekday.printed,
        weekday_agrees=weekday.agrees,
    )
    if ambiguous:
        when.order_certainty = certainty
    _attach_time(rows, index, best, when)
    return when


def weekday_flags(when: When) -> list[Flag]:
    """An error when the day of the week printed beside the date is not the date's."""
    if when.date is None or when.weekday is None or when.weekday_agrees is not False:
        return []
    message = mismatch_message(when.date.value, when.weekday)
    return [Flag(code="weekday_mismatch", field="date", message=message)]


# OCR slips inside printed dates: a letter O for a zero ("201o"), l or I for a one, a stray
# comma beside a slash ("02,/22/2014"), the time glued to an ISO date ("2017-02-12144838") or
# to the year after a month name ("11-Dec-20147:50:45P"), dot leaders run into the date
# ("OR.....07/25/2014"); in the "JUL19'14 12:36PM" of US restaurant tills, a one for the l of
# July ("Ju119'14", "Ju1.30'11") and a colon for the year's apostrophe ("APR11:17 4:03PM")
_REPAIRS = (
    (re.compile(r"(?<![A-Za-z])(J[uU])[1I|](?=[\s.]?\d)"), r"\1L"),
    (
        re.compile(r"(?<![A-Za-z])([A-Za-z]{3}\.?\s?\d{1,2})[:;](\d{2})(?=\s+\d{1,2}:\d{2})"),
        r"\1'\2",
    ),
    (re.compile(r"(?<=\d)[oO]|[oO](?=\d)"), "0"),
    (re.compile(r"(?<=\d)[lI|](?=\d)|(?<=\d[/.-])[lI](?=\d)"), "1"),
    (re.compile(r"(?<=\d),(?=/)|(?<=/),(?=\d)"), ""),
    (re.compile(r"(?<=\b\d{4}-\d{2}-\d{2})(?=\d)"), " "),
    (re.compile(r"(?<=[A-Za-z][-/. ](?:19|20)\d{2})(?=\d{1,2}:\d{2})"), " "),
    (re.compile(r"(?<=\.\.)(?=\d{1,2}[/-]\d{1,2}[/-]\d)"), " "),
)


# three letters between a day and a year ("20Nar'17", "14/dun/2017"): a month name with a
# letter misread, mended when only one month is one letter away. The year must look like one:
# after the same separator as the day's, or an apostrophe's two digits, or 19xx/20xx; "KOTS
# 01 CVR 01" (covers) is no date
_MONTH_SLOT = re.compile(
    r"(?<![\dA-Za-z])(?P<day>\d{1,2})"
    r"(?:(?P<sep>[/.-])(?P<a>[A-Za-z]{3})(?=(?P=sep)(?:19|20)?\d{2}(?!\d))"
    r"|(?P<space>\s?)(?P<b>[A-Za-z]{3})(?=\s?(?:['’]\d{2}|(?:19|20)\d{2})(?!\d)))"
)


def _mended_month(match: re.Match[str]) -> str:
    word = match["a"] or match["b"]
    return match["day"] + (match["sep"] or match["space"]) + (misread_month(word) or word)


def ocr_repaired(text: str) -> str:
    for pattern, replacement in _REPAIRS:
        text = pattern.sub(replacement, text)
    return _MONTH_SLOT.sub(_mended_month, text)


def _scored_dates(
    texts: list[str], today: dt.date, day_first: bool
) -> list[tuple[float, int, DateMatch]]:
    """Every date printed on the rows, scored: plausible, labelled DATE, a time beside it,
    high on the page; a deadline (expiry, return-by, valid-until) loses to any other date."""
    scored: list[tuple[float, int, DateMatch]] = []
    for index, raw in enumerate(texts):
        text = raw.upper()
        found_here = find_dates(raw, day_first=day_first)
        for found in found_here:
            scored.append((_score(found, text, today, index), index, found))
        if not found_here:
            for found in _glued_dates(raw, day_first):
                score = _score(found, text, today, index) - _GLUED_DOUBT
                scored.append((score, index, found))
        if index + 1 < len(texts) and _MONTH_ONLY.fullmatch(raw):
            # "APRIL" then "1,2016 12:30": the month printed on a line of its own
            joined = f"{raw.strip()} {texts[index + 1]}"
            for found in find_dates(joined, day_first=day_first):
                if found.start == 0 and found.end > len(raw.strip()) + 1:
                    scored.append((_score(found, joined.upper(), today, index), index, found))
    return scored


_MONTH_ONLY = re.compile(r"\W*" + month_regex() + r"\W*", re.IGNORECASE)
# a date glued to the end of a long number (a barcode or transaction number printed against
# it: "890327006300548122111/09/07"); printers pad day and month to two digits, so the date
# is the last dd/dd/yy(yy) of the run, and it is trusted a little less than a date standing free
_GLUED = re.compile(r"(?<=\d{6})(?=\d{2}([/.-])\d{2}\1(?:19|20)?\d{2}(?![\d/]))")
_GLUED_DOUBT = 0.5


def _glued_dates(raw: str, day_first: bool) -> list[DateMatch]:
    split = _GLUED.search(raw)
    if split is None:
        return []
    cut = split.start()
    found = find_dates(raw[cut:], day_first=day_first)
    return [
        DateMatch(date.value, date.start + cut, date.end + cut, date.text)
        for date in found[:1]
        if date.start == 0
    ]


def _score(found: DateMatch, text: str, today: dt.date, index: int) -> float:
    score = 1.0 if _plausible(found.value, today) else -2.0
    before = text[: found.start]
    if _DATE_LABEL.search(before) or _DATE_LABEL.search(text):
        score += 2.0
    if _OTHER_DATE.search(before):
        score -= _DEADLINE
    if find_time(text[found.end :]):
        score += 0.5
    return score - 0.01 * index


# a labelled deadline with a time beside it (1 + 2 + 0.5 - 5 < 0) still scores below an
# unlabelled date far down the page
_DEADLINE = 5.0


def _attach_time(rows: list[Row], index: int, date: DateMatch, when: When) -> None:
    """The time printed after the date on its row, else the nearest row with a time."""
    text = rows[index].text
    # "Jun 15 12:47:59 2011" (asctime) holds its time inside the date
    same_row = find_time(text[date.end :]) or find_time(text[: date.start]) or find_time(date.text)
    if same_row is not None:
        when.time, when.time_text, when.time_confidence = same_row.value, same_row.text, 0.9
        return
    for distance in (1, -1, 2, -2, 3):
        near = index + distance
        if 0 <= near < len(rows) and (found := find_time(rows[near].text)):
            when.time, when.time_text, when.time_confidence = found.value, found.text, 0.7
            return


def find_receipt_number(rows: list[Row]) -> tuple[str | None, float]:
    best: tuple[int, str] | None = None
    for row in rows:
        for match in _NUMBER.finditer(row.text):
            number = match["number"]
            if not re.search(r"\d", number):
                continue
            label = match["label"].upper()
            rank = _NUMBER_RANK.index(label) if label in _NUMBER_RANK else len(_NUMBER_RANK)
            if best is None or rank < best[0]:
                best = (rank, number)
    if best is None:
        return None, 0.0
    return best[1], 0.8 if best[0] < 8 else 0.5
