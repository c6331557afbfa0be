"""Locale-driven receipts: exact truth for every shop in every locale, each locale printing
its own words, numbers and dates, and the features the held-out receipts have."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receiptflow.samples.layouts import PrintLine
from receiptflow.samples.locales import available_locales, load_locale
from receiptflow.samples.printout import Printout
from receiptflow.samples.registry import LOCALE_SCENARIOS, printed, scenario_locales
from receiptflow.schemas.currency import currency_exponent
from receiptflow.schemas.flags import has_errors
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import validate_receipt

LOCALES = ("en-US", "en-GB", "en-AU", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-PT", "ms-MY")
PAIRS = sorted((s, code) for s in LOCALE_SCENARIOS for code in scenario_locales(s))


def _print(scenario: str, locale: str, seed: int, cols: int = 42) -> Printout:
    return printed(scenario, locale, seed, "at", cols, ascii_only=False)


def assert_adds_up(receipt: Receipt) -> None:
    """items = subtotal; subtotal - discounts + exclusive taxes + service + tip + rounding =
    total; every line's quantity x unit price is its amount; money in the currency's places;
    what was paid covers the total."""
    zero = Decimal(0)
    places = currency_exponent(receipt.currency)
    for money in receipt.money_fields().values():
        assert -money.as_tuple().exponent == places, money  # type: ignore[operator]
    half_cent = Decimal(1).scaleb(-places) / 2
    for line in receipt.line_items:
        assert line.quantity is not None and line.unit_price is not None
        assert line.amount is not None
        assert abs(line.quantity * line.unit_price - line.amount) <= half_cent
    items = sum((line.amount or zero for line in receipt.line_items), zero)
    assert items == receipt.subtotal
    exclusive = sum((t.amount for t in receipt.taxes if not t.inclusive), zero)
    discounts = sum((d.amount for d in receipt.discounts), zero)
    extras = (receipt.tip or zero) + (receipt.service_charge or zero) + (receipt.rounding or zero)
    assert items - discounts + exclusive + extras == receipt.total
    assert all(t.inclusive for t in receipt.taxes) or not any(t.inclusive for t in receipt.taxes)
    payment = receipt.payment
    assert payment is not None and payment.tendered is not None
    assert payment.tendered - (payment.change or zero) == receipt.total
    if payment.change is None:
        assert payment.tendered == receipt.total


@settings(max_examples=250, deadline=None)
@given(pair=st.sampled_from(PAIRS), seed=st.integers(0, 10**6), cols=st.sampled_from((32, 42)))
def test_every_locale_shop_adds_up_and_validates(
    pair: tuple[str, str], seed: int, cols: int
) -> None:
    scenario, locale = pair
    receipt = _print(scenario, locale, seed, cols).receipt
    assert_adds_up(receipt)
    assert receipt.currency == load_locale(locale).currency
    assert not has_errors(validate_receipt(receipt)), validate_receipt(receipt)


def test_the_ten_locales_are_there_with_all_four_shops() -> None:
    assert set(LOCALES) <= set(available_locales())
    for locale in LOCALES:
        assert {s for s, code in PAIRS if code == locale} == set(LOCALE_SCENARIOS), locale


def test_same_seed_same_receipt_other_seed_other_receipt() -> None:
    for scenario, locale in PAIRS[::3]:
        first, again = _print(scenario, locale, 7), _print(scenario, locale, 7)
        assert first.receipt == again.receipt and first.lines == again.lines
        assert first.receipt != _print(scenario, locale, 8).receipt


@pytest.mark.parametrize(
    ("locale", "pattern", "expected"),
    [
        ("de-DE", "{dd}.{mm}.{yy}", "06.12.24"),
        ("fr-FR", "{d} {mon} {yyyy}", "6 déc. 2024"),
        ("es-ES", "{d} de {mon} de {yyyy}", "6 de dic. de 2024"),
        ("it-IT", "{dd} {mon} {yyyy}", "06 dic 2024"),
        ("nl-NL", "{d} {mon} {yyyy}", "6 dec. 2024"),
        ("pt-PT", "{d} {mon} {yyyy}", "6 dez 2024"),
        ("ms-MY", "{d} {mon} {yyyy}", "6 Dis 2024"),
        ("en-US", "{mm}/{dd}/{yyyy}", "12/06/2024"),
        ("en-US", "{mon} {d}, {yyyy}", "Dec 6, 2024"),
        ("en-GB", "{dd}/{mm}/{yyyy}", "06/12/2024"),
    ],
)
def test_dates_print_in_the_locales_own_words(locale: str, pattern: str, expected: str) -> None:
    loaded = load_locale(locale)
    assert pattern in loaded.date_formats
    assert loaded.date(dt.date(2024, 12, 6), pattern) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("de-DE", "1.234,50"), ("fr-FR", "1 234,50"), ("en-US", "1,234.50"), ("ms-MY", "1,234.50")],
)
def test_amounts_print_with_the_locales_separators(locale: str, expected: str) -> None:
    assert load_locale(locale).number(Decimal("1234.5")) == expected


def _segments(printout: Printout, field: str) -> list[str]:
    return [
        part.text
        for line in printout.lines
        for cell in line.cells
        for part in cell.parts
        if part.field == field
    ]


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locale_prints_its_own_words_amounts_and_dates(locale: str) -> None:
    loaded = load_locale(locale)
    for scenario in LOCALE_SCENARIOS:
        for seed in range(6):
            printout = _print(scenario, locale, seed)
            receipt = printout.receipt
            assert receipt.date is not None and receipt.total is not None
            dates = {loaded.date(receipt.date, pattern) for pattern in loaded.date_formats}
            assert _segments(printout, "date")[0] in dates | {d.upper() for d in dates}
            number = loaded.number(receipt.total)
            totals = {form.format(a=number) for form in loaded.amount_formats}
            assert _segments(printout, "total")[0] in totals | {t.upper() for t in totals}
            keys = [
                p.text
                for line in printout.lines
                for c in line.cells
                for p in c.parts
                if p.key and p.role == "total"
            ]
            phrases = set(loaded.phrases("total"))
            assert keys[0] in phrases | {p.upper() for p in phrases}


def _roles(printouts: list[Printout]) -> Counter[str]:
    return Counter(line.text_role for p in printouts for line in p.lines)


def test_german_supermarket_has_the_held_out_features() -> None:
    receipts = [_print("supermarket", "de-DE", seed) for seed in range(60)]
    roles = _roles(receipts)
    for role in ("deposit", "discount", "void", "quantity", "tax_table", "payment", "change"):
        assert roles[role] > 0, role
    text = "\n".join(" ".join(c.text for c in line.cells) for p in receipts for line in p.lines)
    assert " kg x " in text.lower() and "pfand" in text.lower() and "storno" in text.lower()
    for printout in receipts:  # every bought item has its line; voided lines belong to none
        linked = {line.item for line in printout.lines if line.text_role in ("item", "deposit")}
        assert linked == set(range(len(printout.receipt.line_items)))
        assert all(line.item is None for line in printout.lines if line.text_role == "void")


def test_us_receipts_tip_suggest_and_name_the_server_apart_from_the_shop() -> None:
    receipts = [_print("restaurant", "en-US", seed) for seed in range(40)]
    assert any(p.receipt.tip for p in receipts)
    assert any(
        "%" in line.cells[0].text and line.role == "other"
        for p in receipts
        for line in p.lines
        if line.cells
    )
    for printout in receipts:
        first = printout.lines[0]
        assert first.text_role == "merchant"
        cashiers = _segments_of_role(printout.lines, "cashier")
        assert printout.receipt.merchant.name not in cashiers


def _segments_of_role(lines: tuple[PrintLine, ...], role: str) -> list[str]:
    return [p.text for line in lines for c in line.cells for p in c.parts if p.role == role]


def test_cash_rounds_where_the_smallest_coin_is_five_cents() -> None:
    seen = 0
    for locale in ("nl-NL", "en-AU", "ms-MY"):
        step = load_locale(locale).cash_step
        assert step is not None
        for seed in range(40):
            receipt = _print("supermarket", locale, seed).receipt
            if receipt.payment and receipt.payment.method == "cash":
                assert receipt.total is not None and receipt.total % step == 0
                seen += receipt.rounding is not None
    assert seen > 0


def test_malaysian_restaurant_adds_service_and_sst_on_top() -> None:
    receipts = [_print("restaurant", "ms-MY", seed).receipt for seed in range(30)]
    assert any(r.service_charge for r in receipts)
    assert all(not t.inclusive for r in receipts for t in r.taxes)
    assert any(t.rate in (6, 8) for r in receipts for t in r.taxes)
