"""Receipt arithmetic and consistency checks, with their tolerances."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from receiptflow.schemas import Receipt, Severity
from receiptflow.schemas.validation import Tolerances, error_messages, validate_receipt

TODAY = dt.date(2026, 11, 29)
D = Decimal


def codes(receipt: Receipt, **kwargs: object) -> set[str]:
    return {flag.code for flag in validate_receipt(receipt, today=TODAY, **kwargs)}  # type: ignore[arg-type]


def errors(receipt: Receipt, **kwargs: object) -> set[str]:
    return {
        flag.code
        for flag in validate_receipt(receipt, today=TODAY, **kwargs)  # type: ignore[arg-type]
        if flag.severity is Severity.ERROR
    }


def us_diner(**changes: object) -> Receipt:
    data: dict[str, object] = {
        "merchant": {"name": "Blue Plate Diner"},
        "date": "2026-11-20",
        "currency": "USD",
        "line_items": [
            {"description": "Burger", "quantity": 2, "unit_price": "8.50", "amount": "17.00"},
            {"description": "Coffee", "quantity": 1, "unit_price": "2.25", "amount": "2.25"},
        ],
        "subtotal": "19.25",
        "taxes": [{"label": "Sales tax 8%", "rate": 8, "amount": "1.54", "inclusive": False}],
        "tip": "3.00",
        "total": "23.79",
        "payment": {"method": "cash", "tendered": "30.00", "change": "6.21"},
    }
    data.update(changes)
    return Receipt.model_validate(data)


def test_consistent_tax_exclusive_receipt_has_no_flags() -> None:
    assert codes(us_diner()) == set()


def test_total_mismatch_says_what_does_not_add_up() -> None:
    flags = validate_receipt(us_diner(total="24.79"), today=TODAY)
    (flag,) = [f for f in flags if f.code == "total_mismatch"]
    assert flag.field == "total" and flag.severity is Severity.ERROR
    assert "23.79" in flag.message and "24.79" in flag.message and "1.00" in flag.message
    assert error_messages(flags)[0].startswith("total: subtotal 19.25")


def test_one_cent_off_is_within_tolerance_two_cents_is_not() -> None:
    assert "total_mismatch" not in codes(us_diner(total="23.80", payment=None))
    assert "total_mismatch" in codes(us_diner(total="23.81", payment=None))
    loose = Tolerances(sum_minor_units=2)
    assert "total_mismatch" not in codes(us_diner(total="23.81", payment=None), tolerances=loose)


def test_items_vs_subtotal() -> None:
    assert "items_vs_subtotal" in codes(us_diner(subtotal="20.25", total="24.79"))


def test_line_quantity_times_unit_price() -> None:
    items = [{"description": "Burger", "quantity": 2, "unit_price": "8.50", "amount": "18.00"}]
    taxes = [{"label": "Sales tax 8%", "rate": 8, "amount": "1.44", "inclusive": False}]
    found = codes(
        us_diner(line_items=items, subtotal="18.00", taxes=taxes, total="22.44", payment=None)
    )
    assert found == {"line_amount_mismatch"}


def test_unit_price_rounded_when_printed_passes() -> None:
    # 3 for 10.00 prints the unit price 3.33; 3 x 3.33 = 9.99 is not an error.
    items = [
        {"description": "Limes 3 for 10", "quantity": 3, "unit_price": "3.33", "amount": "10.00"}
    ]
    receipt = Receipt.model_validate(
        {"currency": "USD", "date": "2026-11-01", "line_items": items, "total": "10.00"}
    )
    assert errors(receipt) == set()


def test_malaysian_gst_inclusive_with_cash_rounding_line() -> None:
    receipt = Receipt.model_validate(
        {
            "currency": "MYR",
            "date": "2018-12-25",
            "line_items": [
                {"description": "CLAY", "quantity": 1, "unit_price": "9.03", "amount": "9.03"}
            ],
            "subtotal": "9.03",
            "taxes": [{"label": "GST 6%", "rate": 6, "amount": "0.51", "inclusive": True}],
            "rounding": "-0.03",
            "total": "9.00",
        }
    )
    assert errors(receipt) == set()


def test_cash_rounding_without_printed_line_is_info_only() -> None:
    receipt = Receipt.model_validate(
        {"currency": "MYR", "date": "2026-01-02", "subtotal": "9.03", "total": "9.05"}
    )
    flags = validate_receipt(receipt, today=TODAY)
    assert ("cash_rounding", Severity.INFO) in [(f.code, f.severity) for f in flags]
    assert not [f for f in flags if f.severity is Severity.ERROR]
    usd = receipt.model_copy(update={"currency": "USD"})
    assert "total_mismatch" in codes(usd)


def test_eu_vat_inclusive_net_subtotal() -> None:
    # Items priced gross; "Netto 10.00, MwSt 19% 1.90, Summe 11.90".
    receipt = Receipt.model_validate(
        {
            "currency": "EUR",
            "date": "2026-11-28",
            "line_items": [
                {"description": "Kaffee", "quantity": 1, "unit_price": "11.90", "amount": "11.90"}
            ],
            "subtotal": "10.00",
            "taxes": [{"label": "MwSt 19%", "rate": 19, "amount": "1.90", "inclusive": True}],
            "total": "11.90",
        }
    )
    assert errors(receipt) == set()


def test_discount_and_service_charge() -> None:
    receipt = us_diner(
        discounts=[{"description": "Happy hour", "amount": "2.00"}],
        service_charge="1.00",
        total="22.79",
        payment=None,
    )
    assert errors(receipt) == set()


@pytest.mark.parametrize("total", ["23.79", "25.79"])  # sign ignored, or taken as a surcharge
def test_a_negative_discount_is_an_error_whatever_the_total(total: str) -> None:
    receipt = us_diner(discounts=[{"description": "Coupon", "amount": "-2.00"}], total=total)
    flags = validate_receipt(receipt, today=TODAY)
    [flag] = [flag for flag in flags if (flag.field or "").startswith("discounts")]
    assert (flag.code, flag.field, flag.severity) == (
        "negative_discount",
        "discounts.0.amount",
        Severity.ERROR,
    )
    assert "-2.00" in flag.message and "2.00 as a positive amount" in flag.message
    assert "negative_discount" not in codes(us_diner(discounts=[{"amount": "0.00"}]))


def test_dates() -> None:
    assert "future_date" in codes(us_diner(date="2026-12-05"))
    assert "future_date" not in codes(us_diner(date="2026-11-30"))  # one day of time-zone slack
    assert "implausible_date" in codes(us_diner(date="1970-01-01"))
    assert "old_date" in codes(us_diner(date="2012-01-01"))
    assert "missing_date" in errors(us_diner(date=None))  # a receipt without a date is not ok


def test_currency_codes() -> None:
    assert "invalid_currency" in codes(us_diner(currency="XYZ"))
    assert "missing_currency" in codes(us_diner(currency=None))


def test_missing_total_is_an_error() -> None:
    assert "missing_total" in errors(us_diner(total=None))


def test_no_line_items_where_the_receipt_lists_some() -> None:
    bare = Receipt.model_validate({"currency": "USD", "date": "2026-11-01", "total": "5.00"})
    assert "missing_line_items" not in codes(bare)
    assert "missing_line_items" in errors(bare, source_lists_items=True)


def test_change_mismatch_is_a_warning() -> None:
    flags = validate_receipt(us_diner(payment={"tendered": "30.00", "change": "7.21"}), today=TODAY)
    assert [(f.code, f.severity) for f in flags] == [("change_mismatch", Severity.WARNING)]


def test_tax_rate_mismatch() -> None:
    taxes = [{"label": "Tax 8%", "rate": 8, "amount": "3.00", "inclusive": False}]
    assert "tax_rate_mismatch" in codes(us_diner(taxes=taxes, total="25.25", payment=None))


def test_a_tax_rate_no_country_charges_is_an_error() -> None:
    # "Total Incl. GST @6%" read "Total Inel. GST96%": the row is suspect, not only the rate
    misread = [{"label": "GST96%", "rate": 96, "amount": "1.54", "inclusive": False}]
    flags = validate_receipt(us_diner(taxes=misread), today=TODAY)
    (flag,) = [f for f in flags if f.code == "implausible_tax_rate"]
    assert flag.field == "taxes.0.rate" and flag.severity is Severity.ERROR
    assert "96 %" in flag.message
    hungary = [{"label": "AFA 27%", "rate": 27, "amount": "1.54", "inclusive": False}]
    assert "implausible_tax_rate" not in codes(us_diner(taxes=hungary))
    loose = Tolerances(max_tax_rate=D(100))
    assert "implausible_tax_rate" not in codes(us_diner(taxes=misread), tolerances=loose)


def test_tax_on_part_of_the_basket_passes_more_than_the_rate_allows_does_not() -> None:
    # UK: VAT 20 % on the soap only, the food is zero-rated; VAT is inside the prices
    items = [
        {"description": "Bread", "quantity": 1, "unit_price": "1.20", "amount": "1.20"},
        {"description": "Soap", "quantity": 1, "unit_price": "6.00", "amount": "6.00"},
    ]
    vat = {"label": "VAT 20%", "rate": 20, "amount": "1.00", "inclusive": True}
    partial = {
        "currency": "GBP",
        "line_items": items,
        "subtotal": "7.20",
        "tip": None,
        "payment": None,
    }
    assert codes(us_diner(**partial, taxes=[vat], total="7.20")) == set()
    too_much = [{**vat, "amount": "1.50"}]  # the whole 7.20 at 20 % holds only 1.20
    assert "tax_rate_mismatch" in codes(us_diner(**partial, taxes=too_much, total="7.20"))


@pytest.mark.parametrize(
    ("currency", "total", "expected"), [("JPY", "1200", "1200"), ("KWD", "1.5", "1.500")]
)
def test_currency_precision(currency: str, total: str, expected: str) -> None:
    receipt = Receipt.model_validate({"currency": currency, "total": total})
    assert str(receipt.total) == expected


def test_more_decimals_than_the_currency_has_is_kept_and_flagged() -> None:
    receipt = Receipt.model_validate({"currency": "JPY", "date": "2026-11-01", "total": "1200.5"})
    assert receipt.total == D("1200.5")
    assert "money_precision" in codes(receipt)


cents = st.integers(min_value=1, max_value=500_000).map(lambda n: D(n).scaleb(-2))


@given(
    amounts=st.lists(cents, min_size=1, max_size=12),
    tax_rate=st.sampled_from([D(0), D(5), D(6), D("8.875"), D(20)]),
    tip=st.one_of(st.none(), cents),
    discount=st.one_of(st.none(), st.integers(1, 100).map(lambda n: D(n).scaleb(-2))),
)
def test_any_consistent_receipt_has_no_arithmetic_errors(
    amounts: list[Decimal], tax_rate: Decimal, tip: Decimal | None, discount: Decimal | None
) -> None:
    subtotal = sum(amounts, D(0))
    tax = (subtotal * tax_rate / 100).quantize(D("0.01"))
    total = subtotal + tax + (tip or 0) - (discount or 0)
    receipt = Receipt.model_validate(
        {
            "currency": "USD",
            "date": "2026-11-01",
            "line_items": [
                {"description": f"item {i}", "amount": a} for i, a in enumerate(amounts)
            ],
            "subtotal": subtotal,
            "taxes": [{"rate": tax_rate, "amount": tax}],
            "tip": tip,
            "discounts": [{"amount": discount}] if discount else [],
            "total": total,
        }
    )
    assert errors(receipt) == set()
    # Off by more than the discount too: a discount may already sit inside the subtotal.
    off = receipt.model_copy(update={"total": total + (discount or 0) + D("0.02")})
    assert "total_mismatch" in errors(off)


def test_unknown_currency_keeps_amounts_as_printed() -> None:
    receipt = Receipt.model_validate({"total": "1102", "subtotal": "9.5"})
    assert str(receipt.total) == "1102" and str(receipt.subtotal) == "9.5"
