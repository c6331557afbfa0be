"""Restaurant and shop receipts from the US: a side, a choice or a note printed on a line of
its own under the item, names wrapped because the line was full, counts in brackets."""

from __future__ import annotations

from decimal import Decimal

from items_support import items_of, read


def test_a_line_that_would_have_fitted_beside_the_name_is_not_part_of_it() -> None:
    result = items_of(
        ("1 Pernil Lunch", "8.59"),
        "  Trifongo",
        ("DOUBLE COMBO", "7.69"),
        "ROOT BEER",
        ("Ja Jiang Noodles with Chicken", "12.00"),
        "Sauce",
        ("Dumplings with", "6.00"),
        "Pork",
        ("TOTAL", "34.28"),
        currency="USD",
    )
    assert [item.description for item in result.items] == [
        "Pernil Lunch",
        "DOUBLE COMBO",
        "Ja Jiang Noodles with Chicken Sauce",  # "Sauce" did not fit before the amount
        "Dumplings with Pork",  # the name breaks off after "with"
    ]
    assert result.confidence >= 0.9


def test_a_count_and_unit_price_in_brackets_after_the_name() -> None:
    result = items_of(
        ("P. Montrachet (4 @114.00)", "456.00"),
        ("coffee (10 @3.00)", "30.00"),
        ("Hot Tea", "3.00"),
        ("TOTAL", "489.00"),
        currency="USD",
    )
    assert read(result) == [
        ("P. Montrachet", 4, Decimal("114.00"), Decimal("456.00")),
        ("coffee", 10, Decimal("3.00"), Decimal("30.00")),
        ("Hot Tea", 1, Decimal("3.00"), Decimal("3.00")),
    ]


def test_a_price_at_the_end_of_the_name_is_not_part_of_it_a_size_is() -> None:
    result = items_of(
        ("HOT TURK SAND/MP $9.19", "9.19"),
        ("Coke 1.50", "3.00"),  # a unit price whose count the photo lost
        ("Cola 0.33", "2.50"),  # a third of a litre
        ("TOTAL", "14.69"),
        currency="USD",
    )
    assert [item.description for item in result.items] == ["HOT TURK SAND/MP", "Coke", "Cola 0.33"]


def test_banners_framed_by_asterisks_are_not_items() -> None:
    result = items_of(
        ("*** Eat In ***", "0.00"),
        ("Kids Fish & Chips", "3.20"),
        ("*LARGE COMBO*", "1.09"),  # one asterisk: an upgrade that costs
        ("TOTAL", "4.29"),
        currency="GBP",
    )
    assert [item.description for item in result.items] == ["Kids Fish & Chips", "*LARGE COMBO*"]


def test_cents_printed_without_the_leading_zero_and_with_a_tax_code_glued_on() -> None:
    result = items_of(
        ("1 ZAPPS CAJUN C 2Z", ".99B"),
        ("1 M&M PRETZEL", ".50F"),
        "2 ITEMS",
        ("SUBTOTAL", "1.49"),
        currency="USD",
    )
    assert [(item.description, item.amount) for item in result.items] == [
        ("ZAPPS CAJUN C 2Z", Decimal("0.99")),
        ("M&M PRETZEL", Decimal("0.50")),
    ]
