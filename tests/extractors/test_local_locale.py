"""Receipts from outside Malaysia/Indonesia: US month-first dates, three-decimal dinars, the
yen sign of ASCII fonts, weighed items, promotions under the subtotal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.parser import parse_lines


def _us_diner(date: str) -> list[Printed]:
    return [
        "SUNRISE DINER",
        "1420 Maple Ave",
        "Springfield, IL 62704",
        "Tel:(217) 555-0148",
        ("Date: " + date, "Time: 10:58 AM"),
        ("1", "Apple Pie", "4.75", "4.75"),
        ("Subtotal", "$4.75"),
        ("TOTAL", "$4.75"),
    ]


def _my_shop(date: str) -> list[Printed]:
    return [
        "KEDAI RUNCIT MAJU JAYA",
        "No 12, Jalan SS2/24",
        "47300 Petaling Jaya, Selangor",
        ("Date: " + date, "Time:16:53:09"),
        ("MILO 1KG", "17.90"),
        ("TOTAL", "RM 17.90"),
    ]


def test_us_receipt_reads_numeric_dates_month_first() -> None:
    parsed = parse_lines(lines_of(_us_diner("02/08/2024")))
    assert parsed.receipt.date == dt.date(2024, 2, 8)
    assert parsed.receipt.currency == "USD"


def test_malaysian_receipt_reads_numeric_dates_day_first() -> None:
    assert parse_lines(lines_of(_my_shop("02/08/2024"))).receipt.date == dt.date(2024, 8, 2)


def test_a_date_that_reads_one_way_decides_the_order() -> None:
    rows = _us_diner("02/08/2024") + ["Valid until 25/08/2024"]
    assert parse_lines(lines_of(rows)).receipt.date == dt.date(2024, 8, 2)


def test_an_ambiguous_date_without_locale_evidence_is_not_confident() -> None:
    rows: list[Printed] = ["CORNER KIOSK", ("DATE", "02/08/2024"), ("TOTAL", "4.50")]
    parsed = parse_lines(lines_of(rows))
    assert parsed.receipt.date == dt.date(2024, 8, 2)
    assert parsed.confidence["date"] < 0.8
    rows[1] = ("DATE", "22/08/2024")
    assert parse_lines(lines_of(rows)).confidence["date"] >= 0.8


@given(st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)))
def test_dates_round_trip_in_each_locale(date: dt.date) -> None:
    us = parse_lines(lines_of(_us_diner(date.strftime("%m/%d/%Y")))).receipt
    my = parse_lines(lines_of(_my_shop(date.strftime("%d/%m/%Y")))).receipt
    assert (us.date, my.date) == (date, date)


def test_kuwaiti_dinars_have_three_decimals() -> None:
    rows: list[Printed] = [
        "AL NOOR CENTRAL MARKET",
        "Salmiya, Kuwait",
        ("QTY", "DESCRIPTION", "PRICE", "AMOUNT"),
        ("2", "AMERICANA CHICKEN", "1.875", "3.750"),
        ("4", "DATES KHALAS 1KG", "1.500", "6.000"),
        ("SUBTOTAL", "9.750"),
        ("NET TOTAL", "KD 9.750"),
    ]
    receipt = parse_lines(lines_of(rows)).receipt
    assert receipt.currency == "KWD"
    assert (receipt.total, receipt.subtotal) == (Decimal("9.750"), Decimal("9.750"))
    items = [(item.description, item.quantity, item.amount) for item in receipt.line_items]
    assert items == [
        ("AMERICANA CHICKEN", Decimal(2), Decimal("3.750")),
        ("DATES KHALAS 1KG", Decimal(4), Decimal("6.000")),
    ]


def test_unmarked_mils_are_not_read_as_thousands() -> None:
    rows: list[Printed] = [
        "CORNER STORE",
        ("PUCK CREAM", "0.725"),
        ("ARABIC BREAD", "0.150"),
        ("TOTAL", "0.875"),
    ]
    receipt = parse_lines(lines_of(rows)).receipt
    assert receipt.total == Decimal("0.875")
    assert [item.amount for item in receipt.line_items] == [Decimal("0.725"), Decimal("0.150")]


def test_yen_sign_printed_as_backslash() -> None:
    rows: list[Printed] = [
        "HAPPY MART SHIBUYA",
        "Shibuya-ku Tokyo",
        ("CUP NOODLE", "214"),
        ("TOTAL", "\\214"),
        ("CASH", "\\1,000"),
    ]
    receipt = parse_lines(lines_of(rows)).receipt
    assert (receipt.currency, receipt.total) == ("JPY", Decimal(214))


def test_weighed_items_and_a_promotion_under_the_subtotal() -> None:
    rows: list[Printed] = [
        "GREENFIELD SUPERSTORE",
        "5088877306512",
        "Loose Bananas",
        ("0.385 kg @ 0.94/kg", "0.36"),
        "5029553910579",
        "Coca-Cola 1.75L",
        ("3 @ 2.29", "6.87 *"),
        ("SUBTOTAL", "7.23"),
        ("3 for 2 Coca-Cola 1.75L", "-2.29"),
        ("BALANCE DUE", "£4.94"),
    ]
    receipt = parse_lines(lines_of(rows)).receipt
    items = [(item.description, item.quantity, item.amount) for item in receipt.line_items]
    assert items == [
        ("Loose Bananas", Decimal("0.385"), Decimal("0.36")),
        ("Coca-Cola 1.75L", Decimal(3), Decimal("6.87")),
    ]
    assert [discount.amount for discount in receipt.discounts] == [Decimal("2.29")]
    assert receipt.total == Decimal("4.94")


def test_inclusive_vat_only_gives_the_items_sum_as_subtotal() -> None:
    rows: list[Printed] = [
        "Café Morgenrot",
        "Bergmannstraße 21",
        "10961 Berlin",
        ("Espresso", "2,20 A"),
        ("Croissant", "2,40 B"),
        ("SUMME", "4,60 EUR"),
        ("enth. A MwSt 19%", "0,35"),
        ("BAR", "5,00"),
        ("Rückgeld", "0,40"),
    ]
    receipt = parse_lines(lines_of(rows)).receipt
    assert [item.description for item in receipt.line_items] == ["Espresso", "Croissant"]
    assert (receipt.subtotal, receipt.total) == (Decimal("4.60"), Decimal("4.60"))
    assert all(tax.inclusive for tax in receipt.taxes)


def test_printed_labels_time_tax_id_and_receipt_number() -> None:
    rows: list[Printed] = [
        "GREENFIELD SUPERSTORE",
        "45 High Street",
        "Reading RG1 2AB",
        "VAT No: GB 123 4567 89",
        ("Date: 16 Feb 2024", "Time:12:42:05"),
        "Beleg-Nr. 83169",
        ("Red Wine 75cl", "7.50 *"),
        ("BALANCE DUE", "£7.50"),
        ("VAT 20% (* incl.)", "1.25"),
        ("MASTERCARD**** 9446", "7.50"),
    ]
    receipt = parse_lines(lines_of(rows)).receipt
    assert receipt.time == dt.time(12, 42, 5)
    assert receipt.merchant.tax_id == "GB 123 4567 89"
    assert receipt.receipt_number == "83169"
    assert [(tax.label, tax.inclusive) for tax in receipt.taxes] == [("VAT 20%", True)]
