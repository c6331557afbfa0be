"""Supermarket receipts typed out as rows, for the line-item tests.

A printed line is a string (one cell from the left margin, or indented with spaces) or a
tuple: (text, amount) with the amount right-aligned at column ``AMOUNT_AT``, and optionally a
tax code printed after it, (text, amount, code). Characters are ``CHAR`` pixels wide, lines
``LINE`` pixels apart: a monospaced till printer.
"""

from __future__ import annotations

from decimal import Decimal

from receiptflow.extractors.local.items import ItemsResult, find_line_items
from receiptflow.extractors.local.layout import Row
from receiptflow.ingest.document import TextLine

CHAR = 10.0
LINE = 30.0
AMOUNT_AT = 38  # the column the amounts end at

Printed = str | tuple[str, str] | tuple[str, str, str]


def till_rows(*printed: Printed) -> list[Row]:
    rows = []
    for number, line in enumerate(printed):
        text, amount, code = (line, "", "") if isinstance(line, str) else (*line, "")[:3]
        top = number * LINE
        cells = []
        if text.strip():
            indent = len(text) - len(text.lstrip())
            left = text.strip()
            cells.append(
                TextLine(left, (indent * CHAR, top, (indent + len(left)) * CHAR, top + 20))
            )
        if amount:
            x0 = (AMOUNT_AT - len(amount)) * CHAR
            cells.append(TextLine(amount, (x0, top, AMOUNT_AT * CHAR, top + 20)))
        if code:
            x0 = (AMOUNT_AT + 1) * CHAR
            cells.append(TextLine(code, (x0, top, x0 + len(code) * CHAR, top + 20)))
        rows.append(Row(cells=cells))
    return rows


def items_of(*printed: Printed, currency: str = "EUR") -> ItemsResult:
    return find_line_items(till_rows(*printed), currency=currency)


def read(result: ItemsResult) -> list[tuple[str, Decimal | None, Decimal | None, Decimal | None]]:
    """(description, quantity, unit price, amount) of each item."""
    return [(i.description, i.quantity, i.unit_price, i.amount) for i in result.items]


def amounts(result: ItemsResult) -> list[Decimal | None]:
    return [item.amount for item in result.items]


def money(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]
