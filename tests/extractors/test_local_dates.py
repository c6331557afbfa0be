"""Receipt date, time and number; currency and decimal style."""

from __future__ import annotations

import datetime as dt

import pytest
from local_receipts_support import Printed, lines_of

from receiptflow.extractors.local.currency import guess_currency
from receiptflow.extractors.local.dates import find_receipt_number, find_when
from receiptflow.extractors.local.layout import Row, group_rows

TODAY = dt.date(2024, 6, 1)


def rows_of(printed: list[Printed]) -> list[Row]:
    return group_rows(lines_of(printed))


def test_labelled_sale_date_beats_other_dates() -> None:
    when = find_when(
        rows_of(
            [
                "POINTS EXPIRY 31/12/2019",
                ("INV NO: 1234", "DATE: 05/01/2018"),
                ("TIME", "11:44:44"),
            ]
        ),
        today=TODAY,
    )
    assert when.date is not None
    assert when.date.value == dt.date(2018, 1, 5)
    assert when.date.text == "05/01/2018"
    assert when.time == dt.time(11, 44, 44)


def test_time_on_the_date_row_and_printed_text_kept() -> None:
    when = find_when(rows_of(["30 DEC 17", "18:40:57"]), today=TODAY)
    assert when.date is not None and when.date.text == "30 DEC 17"
    assert when.time == dt.time(18, 40, 57)
    # asctime prints the time inside the date
    when = find_when(rows_of(["PUMP 04", "Jun 15 12:47:59 2011"]), today=TODAY)
    assert when.date is not None and when.date.value == dt.date(2011, 6, 15)
    assert when.time == dt.time(12, 47, 59)


def test_implausible_dates_lose_and_no_date_gives_nothing() -> None:
    when = find_when(rows_of(["12/05/2099", "DATE 02/01/2018"]), today=TODAY)
    assert when.date is not None and when.date.value == dt.date(2018, 1, 2)
    assert find_when(rows_of(["NO DATE HERE", ("TOTAL", "9.00")]), today=TODAY).date is None


def test_conflicting_unlabelled_dates_are_less_confident() -> None:
    one = find_when(rows_of(["02/01/2018"]), today=TODAY)
    two = find_when(rows_of(["02/01/2018", "03/04/2018"]), today=TODAY)
    assert two.date_confidence < one.date_confidence


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (["INVOICE NO : OR18030502160349"], "OR18030502160349"),
        (["TABLE 5", "BILL#: V031-551345"], "V031-551345"),
        (["RECEIPT #: CSP0393921 DATE: 15/06/2017"], "CSP0393921"),
        (["THANK YOU"], None),
    ],
)
def test_receipt_number(printed: list[Printed], expected: str | None) -> None:
    assert find_receipt_number(rows_of(printed))[0] == expected


@pytest.mark.parametrize(
    ("printed", "code", "comma"),
    [
        ([("TOTAL", "RM 9.00")], "MYR", False),
        (["ABC SDN BHD", ("TOTAL", "$8.20")], "MYR", False),
        (["ABC PTE LTD", "SINGAPORE 018956", ("TOTAL", "$8.20")], "SGD", False),
        ([("SUMME", "5,60 €"), ("BAR", "10,00 €")], "EUR", True),
        (
            ["PT MAJU JAYA", ("TOTAL", "Rp 23.000"), ("TUNAI", "50.000"), ("KEMBALI", "27.000")],
            "IDR",
            True,
        ),
        ([("TOTAL", "4.50")], None, False),
        # a cashier called Jordan says nothing of the country
        (["IT'SUGAR", ("TOTAL", "7.02"), "SALES ASSOCIATE : JORDAN"], None, False),
    ],
)
def test_currency_and_decimal_style(printed: list[Printed], code: str | None, comma: bool) -> None:
    guess = guess_currency(rows_of(printed))
    assert guess.code == code
    assert bool(guess.decimal_comma) is comma


def test_ocr_slips_in_a_date_are_undone_when_nothing_else_reads() -> None:
    for printed, expected in [
        ("Date: O7-03-2016 Time: 6:04PM", dt.date(2016, 3, 7)),
        ("Server: Marcos 02,/22/2014", dt.date(2014, 2, 22)),
        ("2017-02-12144838GST:1 Ling", dt.date(2017, 2, 12)),
        ("11-Dec-20147:50:45P", dt.date(2014, 12, 11)),
        ("OR.....25/07/2014 20:40", dt.date(2014, 7, 25)),
        # a month name with one letter misread, between its day and year
        ("20Nar'17 21:05", dt.date(2017, 3, 20)),
        ("14/dun/2017 08:34:22", dt.date(2017, 6, 14)),
        # a one for the l of July, a colon for the year's apostrophe
        ("Tbl 31/1 Ju119'14 12:36PM", dt.date(2014, 7, 19)),
        ("APR11:17 4:03PM", dt.date(2017, 4, 11)),
    ]:
        when = find_when(rows_of(["SHOP", printed, ("TOTAL", "9.00")]), today=TODAY)
        assert when.date is not None and when.date.value == expected, printed
    # three letters one slip away from two different months are left alone ("OET": OCT or SET)
    assert find_when(rows_of(["SHOP", "20Oet'17"]), today=TODAY).date is None
    # nor three letters between two counts that do not look like a day and a year
    assert find_when(rows_of(["CAFE", "TABLE 0006 KOTS 01 CVR 01"]), today=TODAY).date is None
    # a date that reads as printed is not second-guessed
    when = find_when(rows_of(["05/01/2018", "REF 2017-02-12144838"]), today=TODAY)
    assert when.date is not None and when.date.value == dt.date(2018, 1, 5)


def test_dollars_without_another_country_read_month_first_and_dots_day_first() -> None:
    from receiptflow.extractors.local.dates import date_order

    dollars = rows_of(["DINER", "02/08/2024", ("TOTAL", "$9.00")])
    assert date_order(dollars, currency="USD", country=None).month_first
    us_phone = rows_of(["DINER 704-885-5558", "02/08/2024"])
    assert date_order(us_phone, currency="USD", country=None).certainty >= 0.9
    dotted = rows_of(["BAR", "03.08.13", ("TOTAL", "$9.00")])
    assert not date_order(dotted, currency="USD", country=None).month_first
    australia = rows_of(["SHOP", "10-11-2013", ("TOTAL", "$19.95")])
    assert not date_order(australia, currency="AUD", country="AUD").month_first


@pytest.mark.parametrize(
    "deadline",
    [
        "RETURNS WITH RECEIPT THRU 05/31/2016",
        "VALID UNTIL 05/31/2016",
        "RETURN BY DATE 05/31/2016 10:00",  # labelled DATE, a time beside it: still a deadline
        "BEST BEFORE 31.05.2016",
        "UMTAUSCH BIS 31.05.2016",
        "CAMBIOS HASTA 31/05/2016",
    ],
)
def test_a_deadline_loses_to_any_other_date(deadline: str) -> None:
    # the sale date unlabelled and printed below the deadline
    when = find_when(rows_of(["STORE", deadline, "ITEM 9.00", "2016-04-01"]), today=TODAY)
    assert when.date is not None and when.date.value == dt.date(2016, 4, 1), deadline


def test_a_month_on_its_own_line_joins_the_day_and_year_below() -> None:
    when = find_when(
        rows_of(["STORE", "APRIL", "1,2016 12:30PM", "RETURNS WITH RECEIPT THRU 05/31/2016"]),
        today=TODAY,
    )
    assert when.date is not None and when.date.value == dt.date(2016, 4, 1)
    assert when.time == dt.time(12, 30)
    # a month word over an unrelated number is no date
    assert find_when(rows_of(["MAY", "12 ITEMS"]), today=TODAY).date is None


def test_a_date_glued_to_a_barcode_is_read_when_nothing_else_is() -> None:
    when = find_when(rows_of(["STORE", "890327006300548122111/09/07"]), today=TODAY)
    assert when.date is not None and when.date.value == dt.date(2007, 9, 11)
    # a date standing free wins over one glued to a number
    when = find_when(rows_of(["890327006300548122111/09/07", "12/09/07"]), today=TODAY)
    assert when.date is not None and when.date.value == dt.date(2007, 9, 12)


def test_a_us_phone_number_reads_month_first_when_no_currency_is_printed() -> None:
    from receiptflow.extractors.local.dates import date_order

    check = rows_of(["ASIA BAY", "(614) 766 4494", "07/11/12", ("CHECK TOTAL", "65.66")])
    assert date_order(check, currency=None, country=None).month_first
    assert not date_order(
        rows_of(["CAFE", "0293087346", "07/11/12"]), currency=None, country=None
    ).month_first
    # another currency still decides
    assert not date_order(check, currency="EUR", country=None).month_first
