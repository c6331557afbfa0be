"""Line items in layouts mixed on one receipt: some items priced on their name row, others on
a count row below the name; register/till rows above the items; OCR noise in names."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from receiptflow.extractors.local.items import find_line_items
from receiptflow.extractors.local.layout import Row
from receiptflow.ingest.document import TextLine

CHAR = 10.0
LINE = 30.0


def _rows(*printed: tuple[str, str] | str) -> list[Row]:
    """Each printed row: a name alone, or (left text, amount right-aligned at column 60)."""
    rows = []
    for number, line in enumerate(printed):
        left, amount = (line, "") if isinstance(line, str) else line
        top = number * LINE
        cells = [TextLine(left, (0.0, top, len(left) * CHAR, top + 20))]
        if amount:
            cells.append(TextLine(amount, ((60 - len(amount)) * CHAR, top, 600.0, top + 20)))
        rows.append(Row(cells=cells))
    return rows


def _pairs(rows: list[Row], currency: str = "USD") -> list[tuple[str, Decimal | None]]:
    return [
        (item.description, item.amount) for item in find_line_items(rows, currency=currency).items
    ]


def test_names_over_count_rows_after_items_priced_on_their_name_row() -> None:
    rows = _rows(
        ("Cheeseburger", "12.25"),
        ("BLT", "9.25"),
        "Caesar Salad",
        ("  2 @ 9.50", "19.00"),
        "Coffee",
        ("  3 @ 2.50", "7.50"),
        ("SUBTOTAL", "48.00"),
    )
    assert _pairs(rows) == [
        ("Cheeseburger", Decimal("12.25")),
        ("BLT", Decimal("9.25")),
        ("Caesar Salad", Decimal("19.00")),
        ("Coffee", Decimal("7.50")),
    ]


@given(st.lists(st.booleans(), min_size=1, max_size=8))
def test_any_mix_of_one_row_and_two_row_items(two_rows: list[bool]) -> None:
    printed: list[tuple[str, str] | str] = []
    expected = []
    for number, split in enumerate(two_rows):
        name, amount = f"Dish {chr(65 + number)}", Decimal(number + 1) * 2
        if split:
            printed += [name, (f"  2 @ {amount / 2:.2f}", f"{amount:.2f}")]
        else:
            printed.append((name, f"{amount:.2f}"))
        expected.append((name, amount))
    printed.append(("TOTAL", f"{sum(amount for _, amount in expected):.2f}"))
    assert _pairs(_rows(*printed)) == expected


def test_register_and_till_rows_are_not_item_names() -> None:
    yen = _rows("REG No. 2383", ("MELON PAN", "330"), ("TOTAL", "330"))
    assert _pairs(yen, "JPY") == [("MELON PAN", Decimal(330))]
    pounds = _rows("Till 04 Op 2291", "Carrots Loose", ("  2 @ 0.45", "0.90"), ("TOTAL", "0.90"))
    assert _pairs(pounds, "GBP") == [("Carrots Loose", Decimal("0.90"))]


def test_ocr_zeros_in_names_and_a_speck_after_the_amount() -> None:
    rows = _rows(("MIL0 1KG", "53.70"), ("Porridge 0ats 1kg", "2.20 大"), ("TOTAL", "55.90"))
    assert _pairs(rows, "MYR") == [
        ("MILO 1KG", Decimal("53.70")),
        ("Porridge Oats 1kg", Decimal("2.20")),
    ]


def test_a_pack_size_in_the_name_is_not_the_count() -> None:
    rows = _rows(("1 DATES KHALAS 1KG 1.500", "1.500"), ("TOTAL", "1.500"))
    (item,) = find_line_items(rows, currency="KWD").items
    assert (item.description, item.quantity, item.amount) == (
        "DATES KHALAS 1KG",
        Decimal(1),
        Decimal("1.500"),
    )


def test_a_number_inside_the_name_and_a_labelled_number_above() -> None:
    rows = _rows(
        "Beleg-Nr. 89811",
        "Croissant",
        ("  2 @ 2,40", "4,80 B"),
        ("1 Tea Bags 80 2,60", "2,60"),
        ("SUMME", "7,40"),
    )
    items = find_line_items(rows, currency="EUR").items
    assert [(item.description, item.quantity, item.amount) for item in items] == [
        ("Croissant", Decimal(2), Decimal("4.80")),
        ("Tea Bags 80", Decimal(1), Decimal("2.60")),
    ]
