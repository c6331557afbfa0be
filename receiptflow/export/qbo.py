"""QuickBooks Online bank upload: the three-column CSV (``Date,Description,Amount``).

Intuit's "Format CSV files in Excel to get bank transactions into QuickBooks" lists the
3-column format as Date, Description, Amount, in that order and no other columns, with
spending as a negative amount (example: ``1/1/2018,Example of a payment,-100.00``); no
currency symbols or thousands separators. One row per receipt: its total, as money out.
Dates are MM/DD/YYYY (QuickBooks asks which format the file uses when it is uploaded).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from receiptflow.books.chart import Chart
from receiptflow.export.csv import number, safe_text

if TYPE_CHECKING:
    from receiptflow.storage.records import ReceiptRecord

COLUMNS = ["Date", "Description", "Amount"]
_MAX_DESCRIPTION = 250


def description(record: ReceiptRecord) -> str:
    """Merchant, receipt number and category: what a bookkeeper matches the line by."""
    receipt = record.receipt
    parts = [receipt.merchant.name or f"Receipt {record.id}"]
    if receipt.receipt_number:
        parts.append(f"#{receipt.receipt_number}")
    if record.category:
        parts.append(record.category)
    return " ".join(parts)[:_MAX_DESCRIPTION]


class QboBankExporter:
    name = "qbo"
    media_type = "text/csv"
    suffix = ".csv"

    def is_available(self) -> bool:
        return True

    def export(
        self, receipts: Iterable[ReceiptRecord], out: TextIO, *, chart: Chart | None = None
    ) -> None:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for record in receipts:
            receipt = record.receipt
            day = f"{receipt.date:%m/%d/%Y}" if receipt.date else ""
            total = receipt.total
            amount = number(-total if total else total)  # spending is negative; never "-0"
            writer.writerow([day, safe_text(description(record)), amount])
