"""The edit form's parsing: numbers as people type them, and Receipt -> form -> Receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receiptflow.review.forms import ReceiptForm, parse_decimal
from receiptflow.schemas.receipt import Discount, LineItem, Merchant, Payment, Receipt, TaxLine


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12.30", "12.30"),
        (" 12,30 ", "12.30"),
        ("1,234.50", "1234.50"),
        ("-0.02", "-0.02"),
        ("+3", "3"),
        (".5", "0.5"),
        ("1 234.50", "1234.50"),
    ],
)
def test_numbers_as_typed(typed: str, value: str) -> None:
    assert parse_decimal(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["12.3x", "1,234", "1.2.3", "NaN", "Infinity", "1e5", "", "--1"])
def test_not_numbers(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_decimal(typed)


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False))
def test_any_plain_decimal_parses_back(value: Decimal) -> None:
    assert parse_decimal(format(value, "f")) == value


_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=20,
)
_money = st.decimals(min_value=-9999, max_value=9999, places=2, allow_nan=False)
_optional_money = st.none() | _money


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    return Receipt(
        merchant=Merchant(name=draw(st.none() | _text), tax_id=draw(st.none() | _text)),
        receipt_number=draw(st.none() | _text),
        date=draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))),
        time=draw(st.none() | st.times().map(lambda t: t.replace(microsecond=0))),
        currency=draw(st.sampled_from([None, "USD", "EUR", "JPY", "KWD"])),
        line_items=draw(
            st.lists(
                st.builds(
                    LineItem,
                    description=_text,
                    quantity=st.none() | st.decimals(0, 100, places=3, allow_nan=False),
                    unit_price=_optional_money,
                    amount=_optional_money,
                    category=st.none() | _text,
                ),
                max_size=4,
            )
        ),
        taxes=draw(
            st.lists(
                st.builds(TaxLine, label=st.none() | _text, amount=_money, inclusive=st.booleans()),
                max_size=2,
            )
        ),
        discounts=draw(st.lists(st.builds(Discount, amount=_money), max_size=2)),
        total=draw(_optional_money),
        rounding=draw(_optional_money),
        payment=draw(st.none() | st.builds(Payment, tendered=_money)),
    )


@settings(max_examples=60, deadline=None)
@given(receipts())
def test_receipt_survives_the_form(receipt: Receipt) -> None:
    form = ReceiptForm.from_receipt(receipt)
    submitted = {**form.values}
    for table, rows in form.rows.items():
        for index, row in enumerate(rows):
            submitted.update({f"{table}.{index}.{k}": v for k, v in row.items() if v})
    again = ReceiptForm.from_submitted(submitted)
    assert again.to_receipt() == receipt, again.errors


def test_blank_rows_are_dropped_and_missing_description_is_an_error() -> None:
    form = ReceiptForm.from_submitted(
        {
            "line_items.0.description": "Tea",
            "line_items.0.amount": "2.00",
            "line_items.1.description": "",  # an added row left empty
            "line_items.2.amount": "3.00",  # an amount without a description
        }
    )
    assert form.to_receipt() is None
    assert form.errors == {"line_items.1.description": "a line item needs a description"}
