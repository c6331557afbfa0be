"""The day of the week printed beside the date: it picks the day/month order and catches a
misread digit."""

from __future__ import annotations

import datetime as dt

import pytest
from local_receipts_support import lines_of

from receiptflow.extractors.local.dates import DateOrder, When, find_when, weekday_flags
from receiptflow.extractors.local.layout import group_rows
from receiptflow.extractors.local.weekdays import printed_weekday

TODAY = dt.date(2024, 6, 1)
US = DateOrder(month_first=True, certainty=0.8)


def when_of(row: str, order: DateOrder | None = None, language: str | None = None) -> When:
    return find_when(group_rows(lines_of([row])), today=TODAY, order=order, language=language)


@pytest.mark.parametrize(
    ("printed", "day"),
    [
        ("Saturday 10- 9-2016 20:49:26", 5),
        ("DATE 06/29/2014 SUN", 6),
        ("30/04/2017(Sun)20:22", 6),
        ("Thursday, 14 December, 2017 12:48:02", 3),
        (": 10 OCT 2017 TUE", 1),
        ("DIMANCHE 30-11-2014 17:35:59", 6),
        ("sáb. 12/03/2022", 5),
        ("Segunda-feira 14/03/2022", 0),
        ("Tue 09/20/16 8:52 AM", 1),
    ],
)
def test_a_day_name_beside_the_date_in_any_language(printed: str, day: int) -> None:
    when = when_of(printed)
    assert when.date is not None and when.weekday == day


def test_words_that_are_no_day_beside_it_are_ignored() -> None:
    assert when_of("INV NO: CS-SA-0073011Date: 21/03/2017").weekday is None
    # "MAR" is March, so Tuesday's French, Spanish and Italian "mar." is not read as a day
    assert printed_weekday("MAR 12/03/2024", 4, 14) is None
    # part of a word: "SUNNY" is no Sunday
    assert printed_weekday("SUNNY 30/04/2017", 6, 16) is None


def test_two_letter_day_names_count_only_on_a_receipt_in_their_language() -> None:
    row = "Sa. 12.03.2022 10:15"
    assert when_of(row, language="de").weekday == 5
    assert when_of(row).weekday is None  # "SA" could be anything on an English receipt
    assert when_of("za 12-03-2022", language="nl").weekday == 5


def test_the_day_decides_which_of_day_and_month_comes_first() -> None:
    # a US receipt reads 10-9-2016 as October 9th, a Sunday; only September 10th is a Saturday
    when = when_of("Saturday 10- 9-2016 20:49:26", order=US)
    assert when.date is not None and when.date.value == dt.date(2016, 9, 10)
    assert when.order_certainty == 1.0 and when.weekday_agrees is True
    assert weekday_flags(when) == []
    # the same date with no day printed follows the receipt's order, unsure of it
    plain = when_of("10- 9-2016 20:49:26", order=US)
    assert plain.date is not None and plain.date.value == dt.date(2016, 10, 9)
    assert plain.order_certainty == 0.8 and plain.weekday_agrees is None


def test_a_date_its_printed_day_does_not_fall_on_is_an_error() -> None:
    # "09/08/12" read "09/03/12": September 3rd 2012 was a Monday, March 9th a Friday
    when = when_of("Thu 09/03/12", order=US)
    assert when.date is not None and when.date.value == dt.date(2012, 9, 3)
    assert when.weekday_agrees is False
    (flag,) = weekday_flags(when)
    assert (flag.code, flag.field, flag.severity) == ("weekday_mismatch", "date", "error")
    assert "Thursday" in flag.message and "2012-09-03" in flag.message and "Monday" in flag.message
