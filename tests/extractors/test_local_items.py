"""Line items from rows: typed receipts for each layout the local extractor meets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receiptflow.extractors.local.items import find_line_items
from receiptflow.extractors.local.items_tokens import money_value
from receiptflow.extractors.local.layout import Row, group_rows
from receiptflow.ingest.document import TextLine

CHAR = 10.0  # pixels per character of the synthetic monospaced printer
LINE = 30.0


def receipt(*printed: str | list[tuple[int, str]]) -> list[Row]:
    """Rows from printed lines: a string starts at column 0; a list gives (column, text) cells."""
    rows = []
    for number, line in enumerate(printed):
        cells = [(0, line)] if isinstance(line, str) else line
        top = number * LINE
        rows.append(
            Row(
                cells=[
                    TextLine(text, (column * CHAR, top, (column + len(text)) * CHAR, top + 20))
                    for column, text in cells
                ]
            )
        )
    return rows


def right(column: int, text: str) -> tuple[int, str]:
    """A cell right-aligned so it ends at ``column``."""
    return (column - len(text), text)


def test_sroie_code_and_name_above_the_count_row() -> None:
    rows = receipt(
        "BOOK TA .K (TAMAN DAYA) SDN BHD",
        "DATE: 25/12/2018 8:13:39 PM",
        [(0, "CODE/DESC"), (20, "PRICE"), (28, "DISC"), (36, "AMOUNT")],
        [(6, "QTY"), (22, "RM"), (40, "RM")],
        [(0, "9556939040116"), (15, "KF MODELLING CLAY KIDDY FISH")],
        [(4, "1 PC"), (12, "*"), (20, "9.000"), (28, "0.00"), right(42, "9.00")],
        [(22, "TOTAL:"), right(42, "9.00")],
        [(20, "CASH"), right(42, "10.00")],
        [(20, "CHANGE"), right(42, "1.00")],
    )
    result = find_line_items(rows, currency="MYR")
    assert [item.description for item in result.items] == ["KF MODELLING CLAY KIDDY FISH"]
    item = result.items[0]
    assert (item.sku, item.quantity, item.unit_price, item.amount) == (
        "9556939040116",
        Decimal(1),
        Decimal("9.000"),
        Decimal("9.00"),
    )
    assert (result.first_row, result.last_row) == (4, 5)
    assert result.confidence >= 0.9  # the item adds up to the printed total


def test_columns_with_code_row_first_and_name_below() -> None:
    rows = receipt(
        [(0, "ITEM"), (12, "QTY"), (18, "S/PRICE"), (28, "AMOUNT"), (38, "TAX")],
        [(0, "1072"), (13, "1"), right(25, "80.00"), right(35, "80.00"), (38, "SR")],
        "REPAIR ENGINE POWER SPRAYER",
        [(0, "70561"), (13, "2"), right(25, "18.00"), right(35, "36.00"), (38, "SR")],
        "EY20 STARTER HANDLE",
        [(10, "TOTAL SALES :"), right(35, "116.00")],
    )
    items = find_line_items(rows, currency="MYR").items
    assert [(i.sku, i.description, i.quantity, i.unit_price, i.amount) for i in items] == [
        ("1072", "REPAIR ENGINE POWER SPRAYER", 1, Decimal("80.00"), Decimal("80.00")),
        ("70561", "EY20 STARTER HANDLE", 2, Decimal("18.00"), Decimal("36.00")),
    ]


def test_us_counts_units_weights_and_discounts() -> None:
    rows = receipt(
        "JOE'S DINER",
        "Tel 555-123-4567",
        "2 x Latte                  4.50    9.00",  # one OCR cell for the whole line
        [(0, "Croissant"), (20, "3"), (24, "@2.50"), right(40, "7.50")],
        [(0, "1 Burger"), right(40, "12.00")],
        [(0, "Bananas 0.456 kg @ 2.99/kg"), right(40, "1.36")],
        [(0, "Coupon Burger"), right(40, "-2.00")],
        [(0, "SUBTOTAL"), right(40, "27.86")],
        [(0, "TAX 8%"), right(40, "2.23")],
        [(0, "TOTAL"), right(40, "30.09")],
        [(0, "Thank you!")],
    )
    result = find_line_items(rows, currency="USD")
    got = [(i.description, i.quantity, i.unit_price, i.amount) for i in result.items]
    assert got == [
        ("Latte", 2, Decimal("4.50"), Decimal("9.00")),
        ("Croissant", 3, Decimal("2.50"), Decimal("7.50")),
        ("Burger", 1, Decimal("12.00"), Decimal("12.00")),
        ("Bananas", Decimal("0.456"), Decimal("2.99"), Decimal("1.36")),
    ]
    assert result.confidence >= 0.9  # items less the coupon (not an item) = the subtotal


def test_items_that_add_up_are_more_certain_than_items_that_do_not() -> None:
    def confidence(total: str) -> float:
        rows = receipt(
            [(0, "Tea"), right(30, "3.00")],
            [(0, "Cake"), right(30, "4.50")],
            [(0, "TOTAL"), right(30, total)],
        )
        return find_line_items(rows, currency="EUR").confidence

    assert confidence("7.50") >= 0.9
    assert confidence("9.50") < 0.7


def test_cord_name_row_above_count_row_with_grouped_thousands() -> None:
    rows = receipt(
        [(0, "Arem Arem")],
        [(0, "2 x @ 12.000"), right(30, "24.000")],
        [(0, "Kroket")],
        [(0, "1 x @ 12.000"), right(30, "12.000")],
        [(0, "Subtotal"), (20, "Rp"), right(30, "36.000")],
        [(0, "Tax (10.0%)"), (20, "Rp"), right(30, "3.600")],
        [(0, "Total"), (20, "Rp"), right(30, "39.600")],
    )
    result = find_line_items(rows, currency="IDR")
    got = [(i.description, i.quantity, i.unit_price, i.amount) for i in result.items]
    assert got == [("Arem Arem", 2, 12000, 24000), ("Kroket", 1, 12000, 12000)]
    assert result.confidence >= 0.9


def test_cord_qty_column_options_and_wrapped_names() -> None:
    rows = receipt(
        [(0, "1"), (3, "Viet Milk Coffee"), right(40, "25,000")],
        [(5, "+Hot")],
        [(3, "Gojek Chicken"), (28, "1"), right(40, "95,000")],
        [(3, "Chilli Sauce H")],
        [(0, "1"), (6, "*Plastik kcl"), right(44, "0")],
        [(0, "Nasi Putih"), (28, "2"), right(40, "10,000")],
        [(0, "TOTAL"), right(40, "130,000")],
    )
    items = find_line_items(rows, currency="IDR").items
    got = [(i.description, i.quantity, i.amount) for i in items]
    assert got == [
        ("Viet Milk Coffee", 1, 25000),
        ("Gojek Chicken Chilli Sauce H", 1, 95000),
        ("Nasi Putih", 2, 10000),
    ]


def test_count_rows_join_the_item_they_multiply_to() -> None:
    above = receipt(
        [(8, "2 X"), right(30, "13,000")],
        [(0, "Honey Mandarin"), right(40, "26,000")],
        [(0, "TOTAL"), right(40, "26,000")],
    )
    got = [(i.description, i.quantity, i.unit_price) for i in find_line_items(above).items]
    assert got == [("Honey Mandarin", 2, 13000)]
    below = receipt(
        [(0, "154 AJINOMOTO 1KG"), right(40, "RM20.80"), (41, "S")],
        [(2, "@2 X RM 10.40")],
        [(0, "TOTAL SALES (INCLUSIVE GST) RM"), right(40, "20.80")],
    )
    items = find_line_items(below, currency="MYR").items
    got = [(i.description, i.quantity, i.unit_price, i.amount) for i in items]
    assert got == [("154 AJINOMOTO 1KG", 2, Decimal("10.40"), Decimal("20.80"))]


def test_article_numbers_that_do_not_divide_the_amount_are_not_counts() -> None:
    rows = receipt(
        [(0, "489 TIGER BEER CAN 4*6*320M"), right(40, "RM108.50"), (41, "S")],
        [(0, "TOTAL SALES (INCLUSIVE GST)"), right(40, "108.50")],
    )
    item = find_line_items(rows, currency="MYR").items[0]
    assert (item.description, item.quantity) == ("489 TIGER BEER CAN 4*6*320M", 1)


def test_gst_codes_and_unit_price_rows_under_the_item() -> None:
    rows = receipt(
        [(0, "ITEM"), (12, "QTY"), (18, "RSP"), (28, "AMOUNT")],
        [(0, "8239"), (13, "1"), right(25, "15.00"), right(35, "15.00")],
        [(0, 'SR: 11" PROWESS SILICONE GUN')],
        [(0, "F/CASTELL TACK-IT"), (28, "2"), (30, "SR"), right(35, "12.00")],
        [(0, "75G- WHITE (NEW) @ 5.6600")],
        [(0, "TOT QTY:"), (13, "3"), right(35, "27.00")],
    )
    items = find_line_items(rows, currency="MYR").items
    got = [(i.sku, i.description, i.quantity, i.unit_price, i.amount) for i in items]
    assert got == [
        ("8239", '11" PROWESS SILICONE GUN', 1, Decimal("15.00"), Decimal("15.00")),
        (None, "F/CASTELL TACK-IT 75G- WHITE (NEW)", 2, Decimal("5.6600"), Decimal("12.00")),
    ]


def test_tax_summary_after_the_total_is_not_items() -> None:
    rows = receipt(
        "KEDAI MAKAN",
        [(0, "TOTAL"), right(40, "41.45")],
        "GST SUMMARY",
        [(0, "RATE"), (10, "NET(RM)"), (20, "GST(RM)"), (30, "TOTAL(RM)")],
        [(0, "S"), (5, "6.00%"), right(18, "39.09"), right(28, "2.34"), right(40, "41.43")],
    )
    assert find_line_items(rows, currency="MYR").items == []


def tilted(lines: list[list[tuple[int, str]]], slope: float) -> list[TextLine]:
    """A photo taken at an angle: each box drops by ``slope`` per pixel to the right."""
    boxes = []
    for number, cells in enumerate(lines):
        for column, text in cells:
            x0, x1 = column * CHAR, (column + len(text)) * CHAR
            top = number * 24.0 + slope * (x0 + x1) / 2
            boxes.append(TextLine(text, (x0, top, x1, top + 22)))
    return boxes


def test_rows_fused_on_a_tilted_photo_are_straightened() -> None:
    lines = [
        [(0, "1 Pain au Chocolat"), right(40, "11,000")],
        [(0, "1 Choco Custard"), right(40, "12,000")],
        [(0, "2 Milk Pastry Roll"), right(40, "18,000")],
        [(0, "TOTAL"), right(40, "41,000")],
    ]
    boxes = tilted(lines, slope=0.06)
    # what grouping by overlapping extents makes of it: the three item lines in one row
    fused = [Row(sorted(boxes[:6], key=lambda b: b.box[0])), Row(boxes[6:])]
    result = find_line_items(fused, currency="IDR")
    got = [(i.description, i.quantity, i.amount) for i in result.items]
    assert got == [
        ("Pain au Chocolat", 1, 11000),
        ("Choco Custard", 1, 12000),
        ("Milk Pastry Roll", 2, 18000),
    ]
    assert (result.first_row, result.last_row, result.confidence) == (0, 0, 0.95)
    straight = group_rows(tilted(lines, slope=0.0))
    assert find_line_items(straight, currency="IDR").items == result.items


def test_supermarket_barcodes_weights_and_unit_words() -> None:
    rows = receipt(
        "WALMART",
        [(0, "BANANAS"), (18, "000000004011 F"), right(40, "1.36 N")],
        [(2, "2.72 lb @ 0.50 /lb")],
        [(0, "CUP 14 OZ"), (18, "007874235186"), right(40, "3.48 N")],
        [(20, "SUBTOTAL"), right(40, "4.84")],
    )
    items = find_line_items(rows, currency="USD").items
    got = [(i.sku, i.description, i.quantity, i.unit_price, i.amount) for i in items]
    assert got == [
        ("000000004011", "BANANAS", Decimal("2.72"), Decimal("0.50"), Decimal("1.36")),
        ("007874235186", "CUP 14 OZ", 1, Decimal("3.48"), Decimal("3.48")),
    ]


def test_idr_spaced_thousands_and_counts_after_the_name() -> None:
    rows = receipt(
        [(0, "2 Mineral Water"), right(40, "18 000")],
        [(0, "Cha Keaw L... x2"), right(40, "60.000")],
        [(0, "Total"), right(40, "78 000")],
    )
    items = find_line_items(rows, currency="IDR").items
    got = [(i.description, i.quantity, i.amount) for i in items]
    assert got == [("Mineral Water", 2, 18000), ("Cha Keaw L...", 2, 60000)]


def test_currency_is_guessed_from_the_amounts_when_not_given() -> None:
    rows = receipt(
        [(0, "1 Kopi Susu"), right(30, "23.000")],
        [(0, "1 Roti Bakar"), right(30, "15.000")],
        [(0, "Total"), right(30, "38.000")],
    )
    amounts = [item.amount for item in find_line_items(rows).items]
    assert amounts == [Decimal(23000), Decimal(15000)]


def test_receipt_without_items_region() -> None:
    rows = receipt("SHELL STATION", "Tel 03-40212008", "THANK YOU", "25/12/2018 20:13")
    result = find_line_items(rows, currency="MYR")
    assert result.items == [] and result.first_row is None and result.confidence < 0.5
    assert find_line_items([], currency="MYR").items == []


names = st.sampled_from(
    [
        "LATTE",
        "BAGEL",
        "SALMON",
        "RICE",
        "NOODLE",
        "TEA",
        "COFFEE",
        "CAKE",
        "APPLE",
        "BREAD",
        "SOUP",
        "BURGER",
        "FRIES",
        "JUICE",
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(names, min_size=1, max_size=3).map(" ".join),
            st.integers(min_value=1, max_value=9),
            st.integers(min_value=1, max_value=99_999).map(lambda cents: Decimal(cents) / 100),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_printed_items_are_read_back(lines: list[tuple[str, int, Decimal]]) -> None:
    printed: list[str | list[tuple[int, str]]] = [
        [(0, "QTY"), (4, "ITEM"), (40, "AMOUNT")],
    ]
    for name, count, unit in lines:
        printed.append(
            [(0, str(count)), (4, name), (30, f"@{unit:.2f}"), right(46, f"{count * unit:,.2f}")]
        )
    total = sum((count * unit for _, count, unit in lines), Decimal(0))
    printed.append([(4, "TOTAL"), right(46, f"{total:,.2f}")])
    result = find_line_items(receipt(*printed), currency="USD")
    expected = [(name, count, unit, count * unit) for name, count, unit in lines]
    got = [(i.description, i.quantity, i.unit_price, i.amount) for i in result.items]
    assert got == expected
    assert result.confidence >= 0.9


@given(st.integers(min_value=0, max_value=10**9))
def test_money_value_reads_grouped_thousands_and_cents(value: int) -> None:
    assert money_value(f"{value:,}".replace(",", "."), whole=True) == value
    assert money_value(f"Rp {value:,}", whole=True) == value
    cents = Decimal(value) / 100
    assert money_value(f"{cents:,.2f}", whole=False) == cents
    assert money_value(f"-{cents:.2f}", whole=False) == -cents


@pytest.mark.parametrize("printed", ["6,50T1", "6,50 ", "6.50SR", "6,50*", "6.50A"])
def test_money_value_drops_a_tax_code_glued_to_the_amount(printed: str) -> None:
    assert money_value(printed, whole=False) == Decimal("6.50")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(names, min_size=1, max_size=3).map(" ".join),
            st.integers(min_value=1, max_value=20),
            st.integers(min_value=1, max_value=500).map(lambda hundreds: hundreds * 500),
        ),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([".", ","]),
)
def test_rupiah_names_above_count_rows_are_read_back(
    lines: list[tuple[str, int, int]], separator: str
) -> None:
    def rupiah(value: int) -> str:
        return f"{value:,}".replace(",", separator)

    printed: list[str | list[tuple[int, str]]] = []
    for name, count, unit in lines:
        printed.append(name)
        printed.append([(0, f"{count} x @ {rupiah(unit)}"), right(36, rupiah(count * unit))])
    total = sum(count * unit for _, count, unit in lines)
    printed.append([(0, "Total"), (24, "Rp"), right(36, rupiah(total))])
    result = find_line_items(receipt(*printed), currency="IDR")
    got = [(i.description, i.quantity, i.unit_price, i.amount) for i in result.items]
    assert got == [(name, count, unit, count * unit) for name, count, unit in lines]
    assert result.confidence >= 0.9
