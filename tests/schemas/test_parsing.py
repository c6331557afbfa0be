"""Money/date/time parsing: examples from real receipts plus Hypothesis round trips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from receiptflow.schemas.parsing import (
    MAX_WHOLE_DIGITS,
    find_amounts,
    find_date,
    find_dates,
    find_time,
    parse_date,
    parse_money,
    parse_time,
)
from receiptflow.schemas.receipt import Receipt


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("RM 1,234.50", None, "1234.50"),
        ("$12", None, "12"),
        ("12.50-", None, "-12.50"),
        ("(3.20)", None, "-3.20"),
        ("RM-5.00", None, "-5.00"),
        ("1.234,50", None, "1234.50"),
        ("23.000", True, "23000"),
        ("16,500", None, "16500"),
        ("16,500", True, "16.500"),
        ("9.000", None, "9.000"),
        ("1.250.000", None, "1250000"),
        ("9.0O", None, "9.00"),
        ("12 . 50", None, "12.50"),
        ("3,20 €", None, "3.20"),
        ("1'234.50", None, "1234.50"),
        ("0,500", None, "0.500"),
    ],
)
def test_parse_money_examples(text: str, hint: bool | None, expected: str) -> None:
    assert parse_money(text, decimal_comma=hint) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["", "abc", "12.5.3", "1,23,4", "15/01/2019", "6%", "(12.50", "TOTAL"]
)
def test_parse_money_rejects_non_amounts(text: str) -> None:
    assert parse_money(text) is None


def test_find_amounts_skips_dates_times_and_percentages() -> None:
    line = "25/12/2018 8:13:39 PM GST 6% 1 PC * 9.000 0.00 9.00"
    values = [(a.value, a.decimals) for a in find_amounts(line)]
    assert values == [
        (Decimal("1"), 0),
        (Decimal("9.000"), 3),
        (Decimal("0.00"), 2),
        (Decimal("9.00"), 2),
    ]


def test_find_amounts_reports_spans_and_currency() -> None:
    line = "TOTAL: RM 9.00"
    (amount,) = find_amounts(line)
    assert line[amount.start : amount.end] == "RM 9.00"
    assert amount.currency == "MYR"
    assert amount.value == Decimal("9.00")


def _english(value: Decimal) -> list[str]:
    plain = f"{value:.2f}"
    grouped = f"{value:,.2f}"
    return [plain, grouped, f"RM {grouped}", f"${plain}", f"{plain} EUR", f"RM{plain}"]


def _european(value: Decimal) -> list[str]:
    grouped = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return [grouped, f"{grouped} €", f"€{grouped}"]


money_values = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)


@given(money_values)
def test_money_round_trip_english(value: Decimal) -> None:
    for text in _english(value):
        assert parse_money(text) == value, text
        if text[-1].isdigit():  # credit lines print the minus after the number
            assert parse_money(text + "-") == -value


@given(money_values)
def test_money_round_trip_european_with_hint(value: Decimal) -> None:
    for text in _european(value):
        assert parse_money(text, decimal_comma=True) == value, text


@given(st.integers(min_value=1000, max_value=99_999_999))
def test_idr_thousands_round_trip(value: int) -> None:
    assert parse_money(f"{value:,}".replace(",", "."), decimal_comma=True) == value
    assert parse_money(f"{value:,}") == value


@given(st.text(max_size=40))
def test_noise_never_raises(text: str) -> None:
    parse_money(text)
    find_amounts(text)
    parse_date(text)
    find_dates(text)
    parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/01/2019", dt.date(2019, 1, 15)),
        ("15-01-19", dt.date(2019, 1, 15)),
        ("2019-01-15", dt.date(2019, 1, 15)),
        ("30 DEC 17", dt.date(2017, 12, 30)),
        ("Dec 30, 2017", dt.date(2017, 12, 30)),
        ("30.12.2017", dt.date(2017, 12, 30)),
        ("01/15/2019", dt.date(2019, 1, 15)),
        ("05/06/2019", dt.date(2019, 6, 5)),
        ("02/JAN/2017", dt.date(2017, 1, 2)),
        ("24-MAR-2018", dt.date(2018, 3, 24)),
        ("20180304", dt.date(2018, 3, 4)),
        ("25032018", dt.date(2018, 3, 25)),
        ("DATE: 25/12/2018 8:13:39 PM", dt.date(2018, 12, 25)),
    ],
)
def test_parse_date_examples(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_find_date_keeps_printed_text() -> None:
    found = find_date("Date : 30 DEC 17  Time: 10:02")
    assert found is not None
    assert found.text == "30 DEC 17"


@pytest.mark.parametrize("text", ["32/01/2019", "12.50", "13/13/2019", "TOTAL 9.00", "29/02/2019"])
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2060, 12, 31))


@given(dates)
def test_date_round_trip(value: dt.date) -> None:
    day_first = [
        value.strftime("%d/%m/%Y"),
        value.strftime("%d-%m-%y"),
        value.strftime("%d.%m.%Y"),
        value.strftime("%Y-%m-%d"),
        value.strftime("%d %b %Y").upper(),
        value.strftime("%d %b %y"),
        value.strftime("%b %d, %Y"),
        value.strftime("%d/%b/%Y").upper(),
        value.strftime("%d %B %Y"),
    ]
    for text in day_first:
        assert parse_date(text) == value, text
    assert parse_date(value.strftime("%m/%d/%Y"), day_first=False) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:13:39 PM", dt.time(20, 13, 39)),
        ("20:13", dt.time(20, 13)),
        ("08.15 AM", dt.time(8, 15)),
        ("12:00 AM", dt.time(0, 0)),
        ("TIME 14:05:33", dt.time(14, 5, 33)),
    ],
)
def test_parse_time_examples(text: str, expected: dt.time) -> None:
    assert parse_time(text) == expected


def test_time_is_not_an_amount_or_out_of_range() -> None:
    assert parse_time("12.50") is None
    assert parse_time("25:61") is None
    assert find_time("13:05 PM") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date:5/3/201822:52:33", dt.date(2018, 3, 5)),
        ("14/03/20185:57:07PM", dt.date(2018, 3, 14)),
        ("[Sales]2018-01-0522:55:25", dt.date(2018, 1, 5)),
    ],
)
def test_dates_with_a_time_glued_on(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("RMI11.90", "111.90"), ("l2.50", "12.50"), ("1O.5O", "10.50")]
)
def test_ocr_letters_for_digits_in_amounts_with_cents(text: str, expected: str) -> None:
    assert parse_money(text) == Decimal(expected)


def test_letters_alone_are_not_amounts() -> None:
    assert find_amounts("Il I1 Bill") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Datum: 14. Dez. 2023 18:32", dt.date(2023, 12, 14)),  # de
        ("18. März 2024", dt.date(2024, 3, 18)),
        ("5 MRZ 2024", dt.date(2024, 3, 5)),
        ("Samedi 3 févr. 2024 12:14", dt.date(2024, 2, 3)),  # fr
        ("1er janvier 2020", dt.date(2020, 1, 1)),
        ("3 DEC. 2019", dt.date(2019, 12, 3)),
        ("VEN 18 AVR 2014", dt.date(2014, 4, 18)),
        ("12 de marzo de 2024", dt.date(2024, 3, 12)),  # es
        ("2 dic 2019", dt.date(2019, 12, 2)),
        ("15 ENE 2018", dt.date(2018, 1, 15)),
        ("15 mar 2024", dt.date(2024, 3, 15)),  # it
        ("21 GIU 2019", dt.date(2019, 6, 21)),
        ("7 mrt. 2024", dt.date(2024, 3, 7)),  # nl
        ("1 mei 2024", dt.date(2024, 5, 1)),
        ("15 de março de 2024", dt.date(2024, 3, 15)),  # pt
        ("15 OUT 2018", dt.date(2018, 10, 15)),
        ("12 OGOS 2023", dt.date(2023, 8, 12)),  # ms
        ("5 MAC 2019", dt.date(2019, 3, 5)),
        ("N0V 9, 2018", dt.date(2018, 11, 9)),  # OCR's zero for O
    ],
)
def test_month_names_in_every_language(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a US restaurant till's "JUL19'14 12:36PM": the year after an apostrophe
        ("DEC23'14 2:52PM", dt.date(2014, 12, 23)),
        ("Jul.30'11(Sat)07:27", dt.date(2011, 7, 30)),
        ("27Dec´16", dt.date(2016, 12, 27)),
        # two digits that open a time are its hour, not the year
        ("CLOSED DEC23 02:52PM", None),
        ("23 DEC 02:52", None),
        # the day before an apostrophe's year is not a year
        ("S#1 JUL.30'11", dt.date(2011, 7, 30)),
        ("Dec 30, 2017 12:30", dt.date(2017, 12, 30)),
        ("15 Jun 18 08:34:31 PM", dt.date(2018, 6, 15)),
        # the weekday glued to the month by OCR or by the printer
        ("Date: TueDec 10, 2024", dt.date(2024, 12, 10)),
        ("ThuAug09,2012", dt.date(2012, 8, 9)),
        ("XDec 10, 2024", None),
        # C's asctime on fuel pumps and card terminals: the time between the day and the year
        ("Wed Jun 15 12:47:59 2011", dt.date(2011, 6, 15)),
        # a dash after a label's colon does not join the date to a number before it
        ("DATE:-27-02-2014", dt.date(2014, 2, 27)),
    ],
)
def test_month_name_dates_beside_times_and_apostrophes(text: str, expected: dt.date | None) -> None:
    assert parse_date(text, day_first=False) == expected


MONTH_NAMES = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "ms": "Januari Februari Mac April Mei Jun Julai Ogos September Oktober November Disember",
}


@given(dates, st.sampled_from(sorted(MONTH_NAMES)), st.booleans())
def test_month_name_dates_round_trip(value: dt.date, language: str, upper: bool) -> None:
    name = MONTH_NAMES[language].split()[value.month - 1]
    text = f"{value.day} {name.upper() if upper else name} {value.year}"
    assert parse_date(text) == value


def test_a_number_too_long_for_a_receipt_is_not_money() -> None:
    largest = "9" * MAX_WHOLE_DIGITS + ".99"
    assert Receipt(total=Decimal(largest)).total == Decimal(largest)  # still fits the schema
    assert parse_money(largest) == Decimal(largest)
    assert parse_money("1" + largest) is None
    assert parse_money("1234567890123456789012.00") is None
    found = find_amounts("TOTAL 1,234,567,890,123,456.00 RM 4.00")
    assert [amount.value for amount in found] == [Decimal("4.00")]
