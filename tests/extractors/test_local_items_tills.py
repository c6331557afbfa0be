"""What tills and OCR do to item rows: fuel volumes whose "l" reads as I or |, words printed
without spaces, products named like a payment, dates and times above the items, the count
rows of the item list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from items_support import amounts, items_of, money, read

from receiptflow.extractors.local.items_tokens import Word, is_count_line, split_glued


@pytest.mark.parametrize(
    ("printed", "split"),
    [
        ("65,37|*1,929", ["65,37", "l", "*", "1,929"]),
        ("19.81I@", ["19.81", "l", "@"]),
        ("LX", ["l", "X"]),
        ("4x0,69", ["4x", "0,69"]),
        ("6313426185217LECHE", ["6313426185217", "LECHE"]),
        ("519639LIPT", ["519639", "LIPT"]),  # an article number run into the name
        ("1.00.110.00", ["1.00", "110.00"]),  # a quantity and a rate, the space read as "."
        ("12.05.2014", ["12.05.2014"]),  # a date stays whole
        ("0,5l", ["0,5l"]),
        ("x2", ["x2"]),
    ],
)
def test_words_printed_without_spaces_are_split(printed: str, split: list[str]) -> None:
    assert [word.text for word in split_glued([Word(printed, 0.0, 100.0)])] == split


def test_fuel_litres_read_as_lx_and_a_price_per_litre_with_three_decimals() -> None:
    result = items_of(
        "STAR TANKSTELLE",
        "SAULE 12",
        "SUPER PLUS",
        ("  14,32 LX 1,929 EUR/L", "27,62", "A"),
        ("BREZEL", "2,98", "B"),
        "  2 STK X 1,49",
        ("ENDBETRAG", "30,60"),
    )
    assert read(result) == [
        ("SUPER PLUS", Decimal("14.32"), Decimal("1.929"), Decimal("27.62")),
        ("BREZEL", 2, Decimal("1.49"), Decimal("2.98")),
    ]
    pump = items_of(
        "Unleaded",
        ("  19.81I@ GBP1.429/l", "28.31", "A"),
        ("Screenwash 5L", "4.99", "A"),
        ("TOTAL", "33.30"),
        currency="GBP",
    )
    assert read(pump)[0] == ("Unleaded", Decimal("19.81"), Decimal("1.429"), Decimal("28.31"))


def test_products_named_like_payments_are_items_payments_are_not() -> None:
    result = items_of(
        ("RICOTTA", "6,36", "4%"),
        "  N.4 X 1,59",
        ("CARTA IGIENICA X8", "20,94", "22%"),
        ("1 Verse jus", "4,50"),
        ("DA PAGARE", "31,80"),
        ("CARTA DI CREDITO", "31,80"),
    )
    assert amounts(result) == money("6.36", "20.94", "4.50")


def test_dates_times_and_till_rows_above_the_items_are_not_items() -> None:
    result = items_of(
        "COFFEE COMPANY",
        "DATUM 16 NOV. 2023 16.27",
        "TRANSACTIE 7539/533",
        ("CHOCOMEL", "3,20"),
        ("TOSTI HAM KAAS", "5,50"),
        ("TOTAAL", "8,70"),
    )
    assert [name for name, *_ in read(result)] == ["CHOCOMEL", "TOSTI HAM KAAS"]


def test_a_name_cut_short_before_its_pack_size_keeps_its_amount() -> None:
    result = items_of(
        ("0319998063706 CROISSANTS X", "7,47"),
        "  3 X 2,49",
        ("BEURRE DOUX", "4,70"),
        ("TOTAL", "12,17"),
    )
    assert amounts(result) == money("7.47", "4.70")
    assert result.items[0].quantity == 3


@pytest.mark.parametrize(
    ("printed", "counts"),
    [
        ("Posten: 15", True),
        ("4 ARTICOLI", True),
        ("Nº artículos: 14", True),
        ("# ITEMS SOLD 20", True),
        ("Total artigos 4", True),
        ("2 Stk Brot", False),
        ("Gewicht 1,028 kg", False),
        ("TOTAL NUMBER OF ITEMS SOLD = 12", False),
    ],
)
def test_the_item_count_row(printed: str, counts: bool) -> None:
    assert is_count_line(printed) is counts


def test_dollar_signs_read_as_s_or_with_a_space_for_the_point() -> None:
    result = items_of(
        ("1: UT WISI ENIM", "S2.99"),
        ("2: NIBH EUISMOD", "$1.30"),
        ("Comed Beef $3.69", "$8 39"),
        ("TOTAL", "$12.68"),
        currency="USD",
    )
    assert amounts(result) == money("2.99", "1.30", "8.39")


def test_a_saving_printed_after_the_amount_and_a_tax_class_before_it() -> None:
    saved = items_of(
        ("1 HNDE LNG GRN 28OZ", "2.19F", "SAVED .30"),
        ("1 CRYSTAL BUTTE 16Z", "3.49F"),
        ("SUBTOTAL", "5.68"),
        currency="USD",
    )
    assert amounts(saved) == money("2.19", "3.49")
    coats = items_of(
        ("COATS", "T2$2.00"),
        ("COATS", "T2$10.00"),
        ("COATS", "T2$4.00"),
        ("MDSE ST", "$16.00"),
        ("TAX2", "$1.53"),
        ("CR.CARD", "$17.53"),
        currency="USD",
    )
    assert amounts(coats) == money("2.00", "10.00", "4.00")


def test_subtotals_named_by_their_last_word_and_a_savings_total_above_the_items() -> None:
    result = items_of(
        "****SAVINGS TODAY****",
        ("TOTAL NON-COUPON SAVINGS", "3.00 *"),
        ("1 Pernil Lunch", "8.59"),
        ("1 Parcha", "3.99"),
        ("Bar Subtotal:", "3.99"),
        ("Food Subtotal:", "8.59"),
        ("STATE TAX", "0.80"),
        ("TOTAL:", "$13.38"),
        currency="USD",
    )
    assert [name for name, *_ in read(result)] == ["Pernil Lunch", "Parcha"]


def test_whole_rupees_are_amounts_when_they_add_up_to_the_total() -> None:
    result = items_of(
        "Particulars Qty Rate Amount",
        ("TOMATO BASIL SOUP 199", "199"),
        ("B10 SEV PURI TACOS 225", "225"),
        ("CRISPY ALOO CUP 250", "250"),
        ("Sub Total", "674.00"),
        currency="INR",
    )
    assert amounts(result) == money("199", "225", "250")


def test_a_french_vat_class_glued_to_the_amount() -> None:
    result = items_of(
        ("EMMENTAL RAPE 200G", "2,291"),
        ("CROISSANTS X6", "7,47", "1"),
        ("BAGUETTE TRADITION", "1,201"),
        ("LESSIVE LIQUIDE", "8,99", "2"),
        ("SOUS TOTAL", "19,95"),
    )
    assert amounts(result) == money("2.29", "7.47", "1.20", "8.99")


def test_a_product_with_total_in_its_name_is_bought() -> None:
    result = items_of(
        ("1 CONAIR LFT&TSE CMB EACH", "4.29T"),
        ("1 CVS ALOE SANITIZER 2Z", "1.99T"),
        ("1 LIST TOTAL CARE 3.2Z", "2.77T"),
        ("1 PMPR SNSTV POUCH 18CT", "1.57T"),
        "4 ITEMS",
        ("SUBTOTAL", "10.62"),
        ("TOTAL", "11.48"),
        currency="USD",
    )
    assert amounts(result) == money("4.29", "1.99", "2.77", "1.57")


def test_summary_rows_misread_by_ocr_and_amount_rows_are_not_items() -> None:
    result = items_of(
        ("Beef Osso Bucco", "$10.05"),
        ("Eggs- White", "$2.25"),
        ("Subtotw", "$12.30"),
        ("TOITAL", "$12.95"),
        currency="USD",
    )
    assert amounts(result) == money("10.05", "2.25")
    tipped = items_of(
        ("Crostini", "5.50"),
        ("Tiger Prawn", "7.50"),
        ("AMOUNT", "13.00"),
        ("Tip:", "2.00"),
        currency="EUR",
    )
    assert amounts(tipped) == money("5.50", "7.50")


def test_a_discount_line_with_its_amount_below_keeps_the_next_item() -> None:
    result = items_of(
        "3X @6500",
        ("TALAM UNGU", "19,500"),
        "DISC ITEM -40.000%",
        ("AMOUNT", "-7,800"),
        "1X @0",
        ("MIKA KECIL", "0"),
        ("SUBTOTAL", "11,700"),
        currency="IDR",
    )
    assert [name for name, *_ in read(result)] == ["TALAM UNGU", "MIKA KECIL"]


def test_headings_above_the_first_item_and_notes_under_an_item_are_not_names() -> None:
    result = items_of(
        "WED JULY 20,2011",
        "MODE 2",
        ("1 16oz NUT BROWN", "$2.00"),
        "Appetizer",
        ("1 CRAB CAKE APPTZER", "$12.00"),
        ("Signature MC x3", "$24.00"),
        "($8.00 each)",
        ("SUBTOTAL", "$38.00"),
        currency="USD",
    )
    assert read(result) == [
        ("16oz NUT BROWN", 1, Decimal("2.00"), Decimal("2.00")),
        ("CRAB CAKE APPTZER", 1, Decimal("12.00"), Decimal("12.00")),
        ("Signature MC", 3, Decimal("8.00"), Decimal("24.00")),
    ]


def test_a_vat_row_ends_the_items_a_percent_in_a_name_does_not() -> None:
    result = items_of(
        ("1,00 Solomillo Parrilla", "31,00 €"),
        ("1x DIVERS 20% 30.00", "30,00"),
        ("10,00 %: Base: 55,45 Cuota:", "5,55 €"),
        ("Total (Impuestos Incl.)", "61,00 €"),
    )
    assert amounts(result) == money("31.00", "30.00")


def test_a_tax_row_under_each_item_is_neither_an_item_nor_the_end_of_the_items() -> None:
    """Indian tills print each item's GST under it; the summary comes after the last."""
    result = items_of(
        "Item Qty Price Amount",
        ("G.FISH 320.00", "320.00"),
        ("TAX 18.00%", "57.60"),
        ("CHAPATI 25.00", "25.00"),
        ("TAX 18.00%", "4.50"),
        ("VANILA", "75.00"),
        ("TAX 18.00%", "13.50"),
        ("Subtotal", "495.60"),
        ("TAX(18.0%) Amount:", "75.60"),
        ("TOTAL", "495.60"),
        currency="INR",
    )
    assert [(item.description, item.amount) for item in result.items] == [
        ("G.FISH", Decimal("320.00")),
        ("CHAPATI", Decimal("25.00")),
        ("VANILA", Decimal("75.00")),
    ]
