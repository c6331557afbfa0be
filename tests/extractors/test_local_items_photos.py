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
