"""Xero bills import: the CSV Xero offers under Business > Bills to pay > Import.

The header is Xero's bill import template exactly (column names, order, and the ``*`` that
marks the columns Xero requires), as published in Xero Central's "Import bills" article and
its downloadable template (https://central.xero.com/s/article/Import-bills):

    *ContactName,EmailAddress,POAddressLine1,...,POCountry,*InvoiceNumber,*InvoiceDate,
    *DueDate,Total,InventoryItemCode,Description,*Quantity,*UnitAmount,*AccountCode,
    *TaxType,TaxAmount,TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency

One row per line item; Xero joins rows with the same contact and invoice number into one
bill. A receipt is already paid, so its due date is its date. Dates are DD/MM/YYYY as the
template's guide asks. Amounts are as printed: when a receipt's prices include tax, choose
"tax inclusive" when Xero asks. Discounts, tip, service charge and rounding become their own
lines so the bill adds up to the receipt. ``Total`` and ``TaxAmount`` are left for Xero to
calculate; ``AccountCode`` and ``TaxType`` come from the category's account in the chart
(left empty when there is none, so Xero's import names the line rather than this guessing).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, TextIO

from receiptflow.books.chart import EMPTY_CHART, Chart
from receiptflow.export.csv import line_category, number, safe_text

if TYPE_CHECKING:
    from receiptflow.storage.records import ReceiptRecord

COLUMNS = [
    "*ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "*InvoiceNumber",
    "*InvoiceDate",
    "*DueDate",
    "Total",
    "InventoryItemCode",
    "Description",
    "*Quantity",
    "*UnitAmount",
    "*AccountCode",
    "*TaxType",
    "TaxAmount",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
]
_ONE = Decimal(1)


def xero_date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _lines(record: ReceiptRecord) -> list[tuple[str, Decimal, Decimal | None, str | None]]:
    """(description, quantity, unit amount, category) for each line of the bill."""
    receipt = record.receipt
    lines = []
    for item in receipt.line_items:
        quantity, unit = item.quantity or _ONE, item.unit_price
        if unit is None or (item.amount is not None and quantity * unit != item.amount):
            # keep the printed line total exact rather than a rounded unit price
            quantity, unit = _ONE, item.amount if item.amount is not None else unit
        lines.append((item.description, quantity, unit, line_category(record, item.category)))
    if not receipt.line_items:
        lines.append((receipt.merchant.name or "Receipt", _ONE, receipt.total, record.category))
        return lines
    for discount in receipt.discounts:
        lines.append((discount.description or "Discount", _ONE, -discount.amount, record.category))
    for label, amount in (
        ("Tip", receipt.tip),
        ("Service charge", receipt.service_charge),
        ("Rounding", receipt.rounding),
    ):
        if amount:
            lines.append((label, _ONE, amount, record.category))
    return lines


class XeroBillsExporter:
    name = "xero"
    media_type = "text/csv"
    suffix = ".csv"

    def is_available(self) -> bool:
        return True

    def export(
        self, receipts: Iterable[ReceiptRecord], out: TextIO, *, chart: Chart | None = None
    ) -> None:
        chart = chart or EMPTY_CHART
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        numbers: set[tuple[str, str]] = set()
        for record in receipts:
            receipt = record.receipt
            contact = safe_text(receipt.merchant.name) or "Unknown supplier"
            invoice = receipt.receipt_number or f"RF-{record.id}"
            if (contact, invoice) in numbers:  # same number twice would merge two bills
                invoice = f"{invoice}-RF-{record.id}"
            numbers.add((contact, invoice))
            day = xero_date(receipt.date)
            for description, quantity, unit, category in _lines(record):
                row = dict.fromkeys(COLUMNS, "")
                row |= {
                    "*ContactName": contact,
                    "*InvoiceNumber": safe_text(invoice),
                    "*InvoiceDate": day,
                    "*DueDate": day,
                    "Description": safe_text(description),
                    "*Quantity": number(quantity),
                    "*UnitAmount": number(unit),
                    "*AccountCode": safe_text(chart.code(category)),
                    "*TaxType": safe_text(chart.tax_type(category)),
                    "Currency": receipt.currency or "",
                }
                writer.writerow(row.values())
