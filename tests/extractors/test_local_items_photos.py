"""Receipts photographed on a table: what the camera saw beside the paper, and lines that
the photo's tilt puts at odds with the rows."""

from __future__ import annotations

from decimal import Decimal

from items_support import amounts, items_of, money


def test_a_lower_case_scrap_after_the_amount_is_not_the_rows_end() -> None:
    """The edge of a menu beside the bill ends each row with "plu", "bou": the amounts are
    still the lines' amounts (a till's tax codes are capitals, "T1")."""
    result = items_of(
        ("Martin Ray PN Glass (3 @10.00)", "30.00", "plu"),
        ("woodford (2 @12.00)", "24.00", "bou"),
        ("Hot Tea", "3.00", "T1"),
        ("Subtotal", "57.00"),
        currency="USD",
    )
    assert [item.description for item in result.items] == [
        "Martin Ray PN Glass",
        "woodford",
        "Hot Tea",
    ]
    assert amounts(result) == money("30.00", "24.00", "3.00")
    assert result.items[0].quantity == Decimal(3)


def test_article_numbers_behind_a_flag_glued_to_the_name_or_after_a_dash_are_skus() -> None:
    """A warehouse club prints a flag ("E", smeared "EE") before the article number, and OCR
    runs a number into the name; a stationer prints the barcode after a dash."""
    result = items_of(
        ("EE 325112 ICE TEA 10OZ", "5.29"),
        ("461070 CAFE STEAMER", "8.89"),
        ("519639LIPT ICE TEA", "9.99"),
        ("RECIPE CRDS 4X6 F -400100960608", "0.50"),
        ("SUBTOTAL", "24.67"),
        currency="USD",
    )
    assert [(item.sku, item.description) for item in result.items] == [
        ("325112", "ICE TEA 10OZ"),
        ("461070", "CAFE STEAMER"),
        ("519639", "LIPT ICE TEA"),
        ("400100960608", "RECIPE CRDS 4X6"),  # "F": the food-stamp flag
    ]
    assert result.adds_up


def test_a_dollar_sign_read_as_a_five_is_put_back_when_the_items_then_add_up() -> None:
    """OCR reads "$4.75" as "54.75"; the subtotal says which item's 5 was the dollar sign."""
    rows = (
        ("Signature MC x3", "$24.00"),
        ("Cafe Latte", "54.75"),
        ("Fresh Squeezed Orange Juice", "$5.50"),
        ("Subtotal", "$34.25"),
    )
    result = items_of(*rows, currency="USD")
    assert amounts(result) == money("24.00", "4.75", "5.50")
    assert result.adds_up
    # in euros no 5 is a dollar sign; nor where no total says so
    assert amounts(items_of(*rows, currency="EUR"))[1] == Decimal("54.75")
    assert amounts(items_of(*rows[:3], currency="USD"))[1] == Decimal("54.75")


def test_a_card_slip_printed_above_the_items_is_passed_over() -> None:
    """The terminal's slip comes first ("Purchase $ 1.48" / "VISA"): a region with no item
    in it; the items follow."""
    result = items_of(
        ("Purchase $", "1.48"),
        "VISA #XXXXXXXXXXX3009",
        "Auth # 01336C",
        "GROCERY",
        ("PAPER BAG", "0.10", "F"),
        ("BANANAS", "1.38", "F"),
        ("BALANCE DUE", "1.48"),
        currency="USD",
    )
    assert [item.description for item in result.items] == ["PAPER BAG", "BANANAS"]
    assert result.adds_up


def test_items_priced_mid_page_left_of_the_summarys_amounts() -> None:
    """A restaurant prints the items' prices mid-page and the summary's at the edge: the
    items' own column, not the page's, says which numbers are their amounts."""
    result = items_of(
        "TABLE: 34 DINE-IN",
        "Ramen Special           15.90",
        "Ramen / Egg             13.90",
        "Ramen /Seaweed          12.90",
        ("SUBTOTAL", "42.70"),
        ("SC", "4.27"),
        ("GST", "3.29"),
        ("PAY THIS AMOUNT:", "$50.26"),
        currency="SGD",
    )
    assert amounts(result) == money("15.90", "13.90", "12.90")
    assert result.adds_up
