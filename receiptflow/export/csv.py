"""CSV with one row per line item, ready for a spreadsheet.

A UTF-8 byte-order mark makes Excel read accented merchant names correctly, and any text cell
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, tab, CR)
is prefixed with an apostrophe (OWASP "CSV injection"). Numbers are plain decimals.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from receiptflow.storage.records import ReceiptRecord


COLUMNS = [
    "receipt_id",
    "date",
    "merchant",
    "currency",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "category",
    "receipt_total",
]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_text(value: str | None) -> str:
    """A text cell no spreadsheet will evaluate."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def number(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")


class CsvExporter:
    name = "csv"
    media_type = "text/csv"
    suffix = ".csv"

    def is_available(self) -> bool:
        return True

    def export(self, receipts: Iterable[ReceiptRecord], out: TextIO) -> None:
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for record in receipts:
            writer.writerows(self.rows(record))

    @staticmethod
    def rows(record: ReceiptRecord) -> list[list[str]]:
        receipt = record.receipt
        head = [
            str(record.id),
            receipt.date.isoformat() if receipt.date else "",
            safe_text(receipt.merchant.name),
            safe_text(receipt.currency),
        ]
        tail = [number(receipt.total)]
        if not receipt.line_items:  # still one row, so the receipt's total is not lost
            return [[*head, "", "", "", "", "", *tail]]
        return [
            [
                *head,
                safe_text(item.description),
                number(item.quantity),
                number(item.unit_price),
                number(item.amount),
                safe_text(item.category),
                *tail,
            ]
            for item in receipt.line_items
        ]
