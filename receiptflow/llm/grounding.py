"""Is a model's value printed on the receipt? The source text (OCR lines or a PDF's text
layer) read once into the amounts, dates and name lines it prints.

A value counts as printed when the text shows it in any form that reads to the same thing:
amounts are compared as Decimals ("1.234,50", "1,234.50" and "RM 9.00" all read as the
amounts they are, whichever decimal mark), dates by the date they read to (day-first or
month-first, any printed shape), the merchant name fuzzily against each line and each pair
of neighbouring lines. A model that reads OCR text and answers with a total the text does
not contain has, almost always, misread or invented it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher

from receiptflow.schemas.currency import currency_exponent
from receiptflow.schemas.parsing import AmountMatch, find_amounts, find_dates

# a letter or label mark glued to a number ("TOTAL:9.00", "Date:03/01"): split before parsing
_GLUED = re.compile(r"(?<=[A-Za-z:=#*])(?=\d)")
_NOT_ALNUM = re.compile(r"[\W_]+")
# a name shorter than this is not grounded by being part of a longer line ("A" in "A&W")
MIN_CONTAINED_NAME = 4


def name_key(text: str | None) -> str:
    """Letters and digits only, upper-cased: how names are compared."""
    return _NOT_ALNUM.sub("", text or "").upper()


@dataclass
class SourceText:
    """The receipt text a value may be grounded in, read once."""

    lines: list[str]
    prices: dict[Decimal, str] = field(default_factory=dict)  # printed as money
    whole_numbers: dict[Decimal, str] = field(default_factory=dict)  # bare: "12", "2019"
    dates: dict[dt.date, str] = field(default_factory=dict)
    name_rows: list[tuple[str, str]] = field(default_factory=list)  # (name_key, as printed)

    @classmethod
    def from_lines(cls, texts: Iterable[str]) -> SourceText:
        source = cls([text.strip() for text in texts if text.strip()])
        for line in source.lines:
            source._read_line(line)
        for first, second in zip(source.lines, source.lines[1:], strict=False):
            source.name_rows.append((name_key(f"{first} {second}"), f"{first} / {second}"))
        return source

    def _read_line(self, line: str) -> None:
        self.name_rows.append((name_key(line), line))
        for text in dict.fromkeys((line, _GLUED.sub(" ", line))):
            for decimal_comma in (None, True, False):
                for amount in find_amounts(text, decimal_comma=decimal_comma):
                    table = self.prices if _money_shaped(amount) else self.whole_numbers
                    table.setdefault(abs(amount.value), amount.text.strip())
            for day_first in (True, False):
                for match in find_dates(text, day_first=day_first):
                    self.dates.setdefault(match.value, match.text)

    def amount(self, value: Decimal, currency: str | None = None) -> str | None:
        """How ``value`` is printed, or None. A bare whole number ("12") grounds an amount
        only in a currency without minor units (JPY): elsewhere it is a quantity, a count or
        an id. Money-shaped numbers ("9.00", "23.000", "RM 9") ground any amount."""
        printed = self.prices.get(abs(value))
        if printed is None and currency is not None and currency_exponent(currency) == 0:
            printed = self.whole_numbers.get(abs(value))
        return printed

    def date(self, value: dt.date) -> str | None:
        return self.dates.get(value)

    def name(self, name: str | None) -> tuple[float, str | None]:
        """Similarity (0..1) of ``name`` to the closest line or pair of lines, and that text."""
        key = name_key(name)
        if not key:
            return 0.0, None
        best, where = 0.0, None
        for row_key, printed in self.name_rows:
            if not row_key:
                continue
            if len(key) >= MIN_CONTAINED_NAME and key in row_key:
                return 1.0, printed
            score = SequenceMatcher(None, key, row_key, autojunk=False).ratio()
            if score > best:
                best, where = score, printed
        return best, where


def _money_shaped(amount: AmountMatch) -> bool:
    """Printed the way money is: with decimals, a currency mark, or thousands grouping
    ("23.000" rupiah); a bare "12" may as well be a quantity."""
    number = amount.text.strip().lstrip("-−(")
    return amount.decimals > 0 or amount.mark is not None or any(c in number for c in ".,'’ ")
