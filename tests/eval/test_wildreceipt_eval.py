"""WildReceipt scoring: totals as Decimals, dates read in the receipt's order, fuzzy names,
line items as a name box with a price box on its row."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from receiptflow.eval.wildreceipt import (
    WildSample,
    evaluate_wildreceipt,
    label_amount,
    list_samples,
)
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


def _sample(tmp_path: Path, *boxes: tuple[str, int]) -> WildSample:
    """One photo whose boxes are stacked top to bottom in the order given."""
    annotations = [
        _box(text, label, 10, 10 * n, 140, 10 * n + 8) for n, (text, label) in enumerate(boxes)
    ]
    record = {"file_name": "image_files/Image_7/1/ccc.jpeg", "annotations": annotations}
    (tmp_path / "labels.txt").write_text(json.dumps(record) + "\n")
    return list_samples(tmp_path)[0]


def test_us_receipts_are_told_by_a_split_state_and_zip_or_a_us_phone(tmp_path: Path) -> None:
    date = ("12/07/2013", 7)
    # state and ZIP in boxes one after the other, and a ZIP followed by the country
    assert _sample(tmp_path, ("GLENELLYN,IL", 3), ("60137", 3), date).dates() == {
        dt.date(2013, 12, 7)
    }
    assert _sample(tmp_path, ("GLENELLYN,IL60137US", 3), date).month_first()
    # a US phone number with no "$" printed; not when a "GST2" guest count is beside it
    assert _sample(tmp_path, ("(614)7664494", 5), ("CHK7196", 25), ("GST2", 25), date).month_first()
    assert _sample(tmp_path, ("305861-2222", 5), date).month_first()
    # not US: Australia's state and postcode, an ABN, another currency, a non-US number
    assert not _sample(tmp_path, ("STRATHMOREVIC3041", 3), ("$12.00", 23), date).month_first()
    assert not _sample(tmp_path, ("(614)7664494", 5), ("ABN:83600128739", 25), date).month_first()
    assert not _sample(tmp_path, ("305861-2222", 5), ("€9.00", 23), date).month_first()
    assert not _sample(tmp_path, ("0293087346", 5), date).month_first()
    assert not _sample(
        tmp_path, ("BretonischerRing7", 3), ("85630Grasbrunn", 3), date
    ).month_first()
    assert _sample(tmp_path, ("0293087346", 5), date).dates() == {dt.date(2013, 7, 12)}


def test_an_article_number_the_labels_put_in_the_name_matches_the_items_sku(
    tmp_path: Path,
) -> None:
    """Costco labels "990600 CA OIL FEE" as the item's name; the extractor reads the number
    into ``sku``: the item is found, with its number on either side, and not without it."""
    annotations = [_box("990600CAOILFEE", 11, 10, 80, 90, 90), _box("1.50", 15, 120, 80, 140, 90)]
    record = {"file_name": "image_files/Image_7/1/ccc.jpeg", "annotations": annotations}
    (tmp_path / "labels.txt").write_text(json.dumps(record) + "\n")
    sample = list_samples(tmp_path)[0]
    assert [(item.name, item.price) for item in sample.items()] == [
        ("990600CAOILFEE", Decimal("1.50"))
    ]

    def hits(*items: LineItem) -> int:
        receipts = {"ccc": Receipt(line_items=list(items))}

        def load(path: Path) -> Document:
            return Document(path=path, sha256="", media_type="image/jpeg", size_bytes=0, pages=[])

        report = evaluate_wildreceipt(tmp_path, _extract(receipts), load_document=load)  # type: ignore[arg-type]
        return int(report.to_dict()["line_items"]["name_and_amount"]["hits"])

    oil_fee = {"description": "CA OIL FEE", "amount": Decimal("1.50")}
    assert hits(LineItem(**oil_fee, sku="990600")) == 1
    assert hits(LineItem(description="CA OIL FEE 990600", amount=Decimal("1.50"))) == 0
    assert hits(LineItem(**oil_fee)) == 0


def _items_of(tmp_path: Path, annotations: list[dict[str, object]]) -> list[tuple[str, Decimal]]:
    record = {"file_name": "image_files/Image_9/9/ddd.jpeg", "annotations": annotations}
    (tmp_path / "labels.txt").write_text(json.dumps(record) + "\n")
    return [(item.name, item.price) for item in list_samples(tmp_path)[0].items() if item.price]


def test_on_a_tilted_photo_each_name_keeps_the_price_printed_on_its_line(tmp_path: Path) -> None:
    """A photo about 3 degrees off: each price, far right, stands 8 px above its name, more
    than half a row, so by plain overlap every name took the next line's price. The boxes
    are axis-aligned, taller than the text by the tilt times their width, which bounds it."""
    rows = [("Cappuccino", "4,50"), ("Cola", "10,50"), ("SourcyBlauw", "7,00"), ("Tea", "2,80")]
    annotations = []
    for line, (name, price) in enumerate(rows):
        top = 100 + 15 * line
        width = 40 + 10 * len(name)  # the longer the name, the taller its tilted box
        annotations.append(_box(name, 11, 10, top, 10 + width, top + 12 + 0.05 * width))
        annotations.append(_box(price, 15, 170, top - 8, 200, top + 12 - 8 + 1.5))
    assert _items_of(tmp_path, annotations) == [
        ("CAPPUCCINO", Decimal("4.50")),
        ("COLA", Decimal("10.50")),
        ("SOURCYBLAUW", Decimal("7.00")),
        ("TEA", Decimal("2.80")),
    ]


def test_on_a_straight_photo_an_unlabelled_price_does_not_shift_the_items(tmp_path: Path) -> None:
    """ "*** Eat In *** 0.00" above the items: its price is labelled, its name is not. A tilt
    that moved every name onto the price above would price as many rows; a straight photo's
    boxes (as tall for long names as for short) rule it out."""
    rows = [("KidsFish&Chips", "3.20"), ("FishBites7pc", "2.85"), ("Coke", "1.50")]
    annotations = [_box("£0.00", 15, 170, 88, 200, 97)]
    for line, (name, price) in enumerate(rows):
        top = 100 + 11 * line
        annotations.append(_box(name, 11, 10, top, 10 + 8 * len(name), top + 9))
        annotations.append(_box(price, 15, 170, top, 200, top + 9))
    assert _items_of(tmp_path, annotations) == [
        ("KIDSFISHCHIPS", Decimal("3.20")),
        ("FISHBITES7PC", Decimal("2.85")),
        ("COKE", Decimal("1.50")),
    ]
