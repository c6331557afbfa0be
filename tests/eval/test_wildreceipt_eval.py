"""WildReceipt scoring: totals as Decimals, dates read in the receipt's order, fuzzy names,
line items as a name box with a price box on its row."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from receiptflow.eval.wildreceipt import evaluate_wildreceipt, label_amount, list_samples
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest.document import Document
from receiptflow.schemas.receipt import LineItem, Merchant, Receipt


def _box(text: str, label: int, x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {"box": [x0, y1, x1, y1, x1, y0, x0, y0], "text": text, "label": label}


def _dataset(tmp_path: Path) -> Path:
    records = [
        {
            "file_name": "image_files/Image_1/0/aaa.jpeg",
            "annotations": [
                _box("SUNRISE", 1, 10, 10, 80, 20),
                _box("DINER", 1, 90, 10, 140, 20),
                _box("1420MapleAve", 3, 10, 30, 140, 40),
                _box("Springfield,IL62704", 3, 10, 42, 140, 52),
                _box("02/08/2024", 7, 10, 60, 80, 70),
                _box("Apple", 11, 10, 80, 40, 90),
                _box("Pie", 11, 45, 80, 60, 90),
                _box("4.75", 15, 120, 80, 140, 90),
                _box("Coffee", 11, 10, 95, 50, 105),
                _box("2.50", 15, 120, 95, 140, 105),
                _box("TOTAL", 24, 10, 110, 50, 120),
                _box("$7.25", 23, 120, 110, 140, 120),
            ],
        },
        {
            "file_name": "image_files/Image_2/3/bbb.jpeg",
            "annotations": [
                _box("Netto", 1, 10, 10, 80, 20),
                _box("05.11.13", 7, 10, 60, 80, 70),
                _box("EUR11,50", 23, 100, 110, 140, 120),
            ],
        },
    ]
    (tmp_path / "labels.txt").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return tmp_path


def test_labels_are_read_with_the_receipts_own_conventions(tmp_path: Path) -> None:
    us, de = list_samples(_dataset(tmp_path))
    assert us.receipt_id == "1-0-aaa"
    assert us.totals() == {Decimal("7.25")}
    assert us.dates() == {dt.date(2024, 2, 8)}  # a US address: month first
    assert de.dates() == {dt.date(2013, 11, 5)}
    assert de.totals() == {Decimal("11.50")}
    assert "SUNRISEDINER" in us.merchant_names()
    assert [(item.name, item.price) for item in us.items()] == [
        ("APPLEPIE", Decimal("4.75")),
        ("COFFEE", Decimal("2.50")),
    ]
    assert label_amount("AMOUNT:$58.92") == Decimal("58.92")


def _extract(receipts: dict[str, Receipt]) -> object:
    def extract(document: Document) -> ExtractionResult:
        receipt = receipts[document.path.stem]
        return ExtractionResult(status=ExtractionStatus.OK, receipt=receipt, method="fake")

    return extract


def test_scores_count_right_wrong_and_missing_fields(tmp_path: Path) -> None:
    directory = _dataset(tmp_path)
    receipts = {
        "aaa": Receipt(
            merchant=Merchant(name="Sunrise Diner"),
            date=dt.date(2024, 8, 2),  # read day first: wrong
            total=Decimal("7.25"),
            line_items=[
                LineItem(description="APPLE PIE", amount=Decimal("4.75")),
                LineItem(description="Coffee", amount=Decimal("2.05")),
                LineItem(description="TAX", amount=Decimal("0.40")),
            ],
        ),
        "bbb": Receipt(merchant=Merchant(name="SB"), date=dt.date(2013, 11, 5)),
    }

    def load(path: Path) -> Document:
        return Document(path=path, sha256="", media_type="image/jpeg", size_bytes=0, pages=[])

    report = evaluate_wildreceipt(directory, _extract(receipts), load_document=load)  # type: ignore[arg-type]
    data = report.to_dict()
    assert data["fields"]["total"]["accuracy"] == 0.5  # the second receipt gave no total
    assert data["fields"]["date"]["accuracy"] == 0.5
    assert data["fields"]["merchant"]["accuracy"] == 0.5
    names, amounts = data["line_items"]["name"], data["line_items"]["name_and_amount"]
    assert (names["expected"], names["given"], names["hits"]) == (2, 3, 2)
    assert amounts["hits"] == 1
    assert {miss["field"] for miss in data["misses"]} == {"total", "date", "merchant"}
    trust = data["trust"]
    # both ok; the first has a wrong date, the second no total: neither was flagged
    assert trust["passed_unflagged"] == {"receipts": 2, "share": 1.0}
    assert trust["wrong_among_unflagged"]["wrong"] == trust["wrong_among_unflagged"]["judged"] == 2
    assert trust["wrong_caught"] == {**trust["wrong_caught"], "wrong": 2, "caught": 0}
    assert trust["fields"]["merchant.name"]["right"] == 1
