"""CSV with one row per line item, ready for a spreadsheet.

A UTF-8 byte-order mark makes Excel read accented merchant names correctly, and any text cell
that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+``, ``-``, ``@``, tab, CR)
is prefixed with an apostrophe (OWASP "CSV injection"). Numbers are plain decimals.

The receipt's taxes and payment method repeat on each of its rows (a receipt's tax is not
split over its lines); ``category`` is the line's own or else the receipt's, and
``account_code`` that category's code in the chart of accounts.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from receiptflow.books.chart import EMPTY_CHART, Chart

if TYPE_CHECKING:
    from receiptflow.storage.records import ReceiptRecord


COLUMNS = [
    "receipt_id",
    "receipt_number",
    "date",
    "merchant",
    "currency",
    "description",
    "quantity",
    "unit_price",
    "amount",
    "category",
    "account_code",
    "tax_label",
    "tax_rate",
    "tax_amount",
    "payment_method",
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


def line_category(record: ReceiptRecord, item_category: str | None) -> str | None:
    """A line item's category where it has one, else its receipt's (shared by exporters)."""
    return item_category or record.category


class CsvExporter:
    name = "csv"
    media_type = "text/csv"
    suffix = ".csv"

    def is_available(self) -> bool:
        return True

    def export(
        self, receipts: Iterable[ReceiptRecord], out: TextIO, *, chart: Chart | None = None
    ) -> None:
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for record in receipts:
            writer.writerows(self.rows(record, chart or EMPTY_CHART))

    @staticmethod
    def rows(record: ReceiptRecord, chart: Chart = EMPTY_CHART) -> list[list[str]]:
        receipt = record.receipt
        head = [
            str(record.id),
            safe_text(receipt.receipt_number),
            receipt.date.isoformat() if receipt.date else "",
            safe_text(receipt.merchant.name),
            safe_text(receipt.currency),
        ]
        taxes = receipt.taxes
        labelled = any(tax.label for tax in taxes)
        tail = [
            safe_text("; ".join(tax.label or "" for tax in taxes) if labelled else ""),
            "; ".join(number(tax.rate) for tax in taxes if tax.rate is not None),
            number(sum((tax.amount for tax in taxes), Decimal(0))) if taxes else "",
            receipt.payment.method.value if receipt.payment and receipt.payment.method else "",
            number(receipt.total),
        ]

        def coded(category: str | None) -> list[str]:
            return [safe_text(category), safe_text(chart.code(category))]

        if not receipt.line_items:  # still one row, so the receipt's total is not lost
            return [[*head, "", "", "", "", *coded(record.category), *tail]]
        return [
            [
                *head,
                safe_text(item.description),
                number(item.quantity),
                number(item.unit_price),
                number(item.amount),
                *coded(line_category(record, item.category)),
                *tail,
            ]
            for item in receipt.line_items
        ]
