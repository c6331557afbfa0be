"""The bookkeeping formats, read back with the csv module: the CSV's tax, category and account
columns, Xero's bills import template, QuickBooks Online's three-column bank CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest

from receiptflow.books import Chart
from receiptflow.export import get_exporter
from receiptflow.export.xero import COLUMNS as XERO_COLUMNS
from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.receipt import Discount, Payment, PaymentMethod, Receipt, TaxLine
from receiptflow.storage import AccountRecord, ReceiptRecord, Store

CHART = Chart(
    [
        AccountRecord(code="453", name="Office Expenses", tax_type="Tax on Purchases"),
        AccountRecord(code="420", name="Entertainment", tax_type="GST on Expenses"),
    ]
)
# Xero's bills import template, as published (Xero Central, "Import bills"): * = required.
XERO_TEMPLATE = (
    "*ContactName,EmailAddress,POAddressLine1,POAddressLine2,POAddressLine3,POAddressLine4,"
    "POCity,PORegion,POPostalCode,POCountry,*InvoiceNumber,*InvoiceDate,*DueDate,Total,"
    "InventoryItemCode,Description,*Quantity,*UnitAmount,*AccountCode,*TaxType,TaxAmount,"
    "TrackingName1,TrackingOption1,TrackingName2,TrackingOption2,Currency"
)


@pytest.fixture
def records(
    store: Store,
    receipt_factory: Callable[..., Receipt],
    result_factory: Callable[..., ExtractionResult],
) -> list[ReceiptRecord]:
    stationery = receipt_factory(
        merchant="Paper & Co",
        items=[("A4 paper", "10.00", None), ("Coffee", "3.50", "Entertainment")],
        total="12.50",
        currency="AUD",
    ).model_copy(
        update={
            "receipt_number": "INV-77",
            "taxes": [
                TaxLine(label="GST 10%", rate=Decimal(10), amount=Decimal("1.14"), inclusive=True)
            ],
            "discounts": [Discount(description="Member", amount=Decimal("1.00"))],
            "payment": Payment(method=PaymentMethod.CARD, card_last4="4242"),
        }
    )
    taxi = receipt_factory(merchant="=Cab", items=[], total="23.00", currency="AUD")
    made = []
    for index, receipt in enumerate([stationery, taxi]):
        document = store.save_input_bytes(f"f{index}".encode(), f"{index}.jpg", source="cli")
        record = store.record_extraction(document.id, result_factory(receipt))
        assert record is not None
        made.append(record.id)
    store.set_category(made[0], "Office Expenses", user="ana")
    return [r for r in store.iter_receipts() if r.id in made]


def _rows(name: str, records: list[ReceiptRecord]) -> tuple[list[str], list[dict[str, str]]]:
    out = io.StringIO(newline="")
    get_exporter(name).export(records, out, chart=CHART)
    reader = csv.DictReader(io.StringIO(out.getvalue().lstrip("\ufeff"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_has_receipt_number_taxes_category_account_and_payment(
    records: list[ReceiptRecord],
) -> None:
    columns, rows = _rows("csv", records)
    for column in (
        "receipt_number",
        "tax_label",
        "tax_rate",
        "tax_amount",
        "category",
        "account_code",
        "payment_method",
    ):
        assert column in columns
    paper, coffee, taxi = rows
    assert (
        paper["receipt_number"],
        paper["tax_label"],
        paper["tax_rate"],
        paper["tax_amount"],
    ) == (
        "INV-77",
        "GST 10%",
        "10",
        "1.14",
    )
    assert (paper["category"], paper["account_code"], paper["payment_method"]) == (
        "Office Expenses",
        "453",
        "card",
    )
    assert (coffee["category"], coffee["account_code"]) == ("Entertainment", "420")  # its own
    assert (taxi["merchant"], taxi["category"], taxi["account_code"]) == ("'=Cab", "", "")


def test_xero_is_the_bills_template_one_row_per_line(records: list[ReceiptRecord]) -> None:
    columns, rows = _rows("xero", records)
    assert ",".join(columns) == XERO_TEMPLATE == ",".join(XERO_COLUMNS)
    paper = [row for row in rows if row["*ContactName"] == "Paper & Co"]
    assert [row["Description"] for row in paper] == ["A4 paper", "Coffee", "Member"]
    assert {row["*InvoiceNumber"] for row in paper} == {"INV-77"}
    assert {(row["*InvoiceDate"], row["*DueDate"], row["Currency"]) for row in paper} == {
        ("14/03/2024", "14/03/2024", "AUD")
    }
    assert [(row["*AccountCode"], row["*TaxType"]) for row in paper] == [
        ("453", "Tax on Purchases"),
        ("420", "GST on Expenses"),
        ("453", "Tax on Purchases"),
    ]
    bill = sum(Decimal(r["*Quantity"]) * Decimal(r["*UnitAmount"]) for r in paper)
    assert bill == Decimal("12.50")  # the discount line makes the bill add up to the receipt
    (taxi,) = [row for row in rows if row not in paper]
    assert (taxi["*ContactName"], taxi["*InvoiceNumber"], taxi["*UnitAmount"]) == (
        "'=Cab",
        f"RF-{records[1].id}",
        "23.00",
    )
    assert taxi["*Quantity"] == "1" and taxi["*AccountCode"] == ""


def test_qbo_is_date_description_amount_with_spending_negative(
    records: list[ReceiptRecord],
) -> None:
    columns, rows = _rows("qbo", records)
    assert columns == ["Date", "Description", "Amount"]
    assert rows == [
        {
            "Date": "03/14/2024",
            "Description": "Paper & Co #INV-77 Office Expenses",
            "Amount": "-12.50",
        },
        {"Date": "03/14/2024", "Description": "'=Cab", "Amount": "-23.00"},
    ]
