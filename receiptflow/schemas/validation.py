"""Receipt arithmetic and consistency checks -> Flags (never exceptions).

Every check compares Decimals within an explicit tolerance (``Tolerances``) and, when it
fails, says in words what does not add up: the LLM extractors send these messages back to
the model when they re-ask, and the review UI shows them at their field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from receiptflow.schemas.currency import currency_exponent, is_valid_currency, minor_unit
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.schemas.receipt import Receipt

# Cash rounding steps where coins below them are out of circulation: a total may differ
# from the exact sum by up to half a step even when no rounding line is printed.
CASH_ROUNDING_STEP: dict[str, Decimal] = {
    "MYR": Decimal("0.05"),
    "CHF": Decimal("0.05"),
    "AUD": Decimal("0.05"),
    "CAD": Decimal("0.05"),
    "NZD": Decimal("0.10"),
    "DKK": Decimal("0.50"),
    "SEK": Decimal("1"),
    "NOK": Decimal("1"),
    "CZK": Decimal("1"),
    "HUF": Decimal("5"),
}


@dataclass(frozen=True)
class Tolerances:
    """How far apart two amounts may be and still agree. All explicit, all tested."""

    sum_minor_units: int = 1  # items vs subtotal, and the total equation: 1 cent for USD
    line_minor_units: int = 1  # quantity x unit price vs amount, beyond unit-price rounding
    tax_rate_relative: Decimal = Decimal("0.02")  # tax amount vs rate x base, relative
    max_age_years: int = 10  # older than this: warning; before min_year: error
    min_year: int = 1990
    future_slack_days: int = 1  # time zones: "today" somewhere is tomorrow here
    # No VAT, GST or sales tax is charged above this (Hungary's 27 % VAT and India's 28 % GST
    # are the highest): a higher rate is a misread one, "GST @6%" read "GST96%"
    max_tax_rate: Decimal = Decimal(30)


DEFAULT_TOLERANCES = Tolerances()


def _fmt(value: Decimal) -> str:
    return f"{value:f}"


def _flag(code: str, field: str | None, message: str, severity: Severity = Severity.ERROR) -> Flag:
    return Flag(code=code, field=field, message=message, severity=severity)


def _check_currency(receipt: Receipt) -> list[Flag]:
    if receipt.currency is None:
        return [_flag("missing_currency", "currency", "No currency found.", Severity.WARNING)]
    if not is_valid_currency(receipt.currency):
        return [
            _flag(
                "invalid_currency",
                "currency",
                f"{receipt.currency!r} is not an ISO 4217 currency code.",
            )
        ]
    return []


def _check_precision(receipt: Receipt) -> list[Flag]:
    exponent = currency_exponent(receipt.currency)
    flags = []
    for path, value in receipt.money_fields().items():
        if value != value.quantize(minor_unit(receipt.currency)):
            flags.append(
                _flag(
                    "money_precision",
                    path,
                    f"{_fmt(value)} has more than {exponent} decimals for "
                    f"{receipt.currency or 'the currency'}.",
                    Severity.WARNING,
                )
            )
    return flags


def _check_dates(receipt: Receipt, today: dt.date, tol: Tolerances) -> list[Flag]:
    if receipt.date is None:
        return [_flag("missing_date", "date", "No date found.")]  # an error: books need a date
    if receipt.date > today + dt.timedelta(days=tol.future_slack_days):
        return [
            _flag(
                "future_date", "date", f"Date {receipt.date} is in the future (today is {today})."
            )
        ]
    if receipt.date.year < tol.min_year:
        return [_flag("implausible_date", "date", f"Date {receipt.date} is before {tol.min_year}.")]
    if receipt.date < today.replace(year=today.year - tol.max_age_years):
        return [
            _flag(
                "old_date",
                "date",
                f"Date {receipt.date} is more than {tol.max_age_years} years old.",
                Severity.WARNING,
            )
        ]
    return []


def _check_lines(receipt: Receipt, tol: Tolerances) -> list[Flag]:
    unit = minor_unit(receipt.currency)
    flags = []
    for index, item in enumerate(receipt.line_items):
        field = f"line_items.{index}"
        if item.amount is None:
            flags.append(
                _flag(
                    "line_missing_amount",
                    f"{field}.amount",
                    f"Line {index + 1} ({item.description!r}) has no amount.",
                    Severity.WARNING,
                )
            )
            continue
        if item.quantity is None or item.unit_price is None:
            continue
        expected = item.quantity * item.unit_price
        # A unit price printed to fewer digits than it really has (3 for 10.00 -> 3.33) is
        # off by up to half its last digit per unit.
        price_step = Decimal(1).scaleb(min(0, int(item.unit_price.as_tuple().exponent)))
        allowed = unit * tol.line_minor_units + abs(item.quantity) * price_step / 2
        if abs(expected - item.amount) > allowed:
            flags.append(
                _flag(
                    "line_amount_mismatch",
                    f"{field}.amount",
                    f"Line {index + 1} ({item.description!r}): quantity {_fmt(item.quantity)} "
                    f"x unit price {_fmt(item.unit_price)} = {_fmt(expected)}, "
                    f"but the amount is {_fmt(item.amount)}.",
                )
            )
    return flags


def items_sum(receipt: Receipt) -> Decimal | None:
    """The line items' amounts added up; None when there are none or one has no amount."""
    amounts = [item.amount for item in receipt.line_items]
    if not amounts or any(amount is None for amount in amounts):
        return None
    return sum((amount for amount in amounts if amount is not None), Decimal(0))


def _check_items_vs_subtotal(receipt: Receipt, tol: Tolerances) -> list[Flag]:
    items = items_sum(receipt)
    if items is None or receipt.subtotal is None:
        return []
    allowed = minor_unit(receipt.currency) * tol.sum_minor_units
    discounts = sum((d.amount for d in receipt.discounts), Decimal(0))
    inclusive = sum((t.amount for t in receipt.taxes if t.inclusive), Decimal(0))
    # Item-level discounts may be taken before the subtotal; a net subtotal under gross
    # (tax-inclusive) item prices differs by exactly the inclusive tax.
    candidates = {items, items - discounts, items - inclusive, items - discounts - inclusive}
    if any(abs(candidate - receipt.subtotal) <= allowed for candidate in candidates):
        return []
    return [
        _flag(
            "items_vs_subtotal",
            "subtotal",
            f"The {len(receipt.line_items)} line items add up to {_fmt(items)}, "
            f"but the subtotal is "
            f"{_fmt(receipt.subtotal)} (difference {_fmt(receipt.subtotal - items)}).",
        )
    ]


def _check_discounts(receipt: Receipt) -> list[Flag]:
    # A discount is a positive amount taken off the total. A negative one is most often the
    # sign as printed ("COUPON -2.00"), but the total equation would then add it; stored and
    # exported as it is, it would be read as a surcharge. A person (or the re-asked model)
    # decides, so it is an error.
    return [
        _flag(
            "negative_discount",
            f"discounts.{index}.amount",
            f"Discount {index + 1} ({discount.description or 'no description'!r}) is "
            f"{_fmt(discount.amount)}: discounts are subtracted from the total, so write "
            f"{_fmt(-discount.amount)} as a positive amount.",
        )
        for index, discount in enumerate(receipt.discounts)
        if discount.amount < 0
    ]


def _total_candidates(receipt: Receipt, base: Decimal) -> list[Decimal]:
    exclusive = sum((t.amount for t in receipt.taxes if not t.inclusive), Decimal(0))
    inclusive = sum((t.amount for t in receipt.taxes if t.inclusive), Decimal(0))
    discounts = sum((d.amount for d in receipt.discounts), Decimal(0))
    extras = (receipt.tip or 0) + (receipt.service_charge or 0) + (receipt.rounding or 0)
    exact = base + exclusive + extras - discounts
    # Discounts already inside the subtotal; a subtotal printed net of inclusive tax.
    return [exact, exact + discounts, exact + inclusive, exact + discounts + inclusive]


def _explain_total(receipt: Receipt, base_name: str, base: Decimal, expected: Decimal) -> str:
    parts = [f"{base_name} {_fmt(base)}"]
    parts += [f"+ tax {_fmt(t.amount)}" for t in receipt.taxes if not t.inclusive]
    for name in ("tip", "service_charge", "rounding"):
        value = getattr(receipt, name)
        if value is not None:
            parts.append(f"+ {name.replace('_', ' ')} {_fmt(value)}")
    parts += [f"- discount {_fmt(d.amount)}" for d in receipt.discounts]
    assert receipt.total is not None
    return (
        f"{' '.join(parts)} = {_fmt(expected)}, but the total is {_fmt(receipt.total)} "
        f"(difference {_fmt(receipt.total - expected)})."
    )


def _check_total(receipt: Receipt, tol: Tolerances) -> list[Flag]:
    if receipt.total is None:
        return [_flag("missing_total", "total", "No total found.")]
    if receipt.subtotal is not None:
        base_name, base = "subtotal", receipt.subtotal
    else:
        items = items_sum(receipt)
        if items is None:
            return []  # nothing to check the total against
        base_name, base = "line items", items
    allowed = minor_unit(receipt.currency) * tol.sum_minor_units
    candidates = _total_candidates(receipt, base)
    if any(abs(candidate - receipt.total) <= allowed for candidate in candidates):
        return []
    step = CASH_ROUNDING_STEP.get(receipt.currency or "")
    if (
        step is not None
        and receipt.rounding is None
        and any(abs(candidate - receipt.total) <= step / 2 for candidate in candidates)
    ):
        return [
            _flag(
                "cash_rounding",
                "total",
                f"Total differs from the sum by less than half the {step} cash-rounding step.",
                Severity.INFO,
            )
        ]
    code = "total_mismatch" if base_name == "subtotal" else "items_vs_total"
    return [_flag(code, "total", _explain_total(receipt, base_name, base, candidates[0]))]


def _check_taxes(receipt: Receipt, tol: Tolerances) -> list[Flag]:
    if len(receipt.taxes) != 1 or receipt.taxes[0].rate is None:
        return []  # several rates apply to different items: no single base to check
    tax = receipt.taxes[0]
    assert tax.rate is not None
    if tax.inclusive:
        if receipt.total is None:
            return []
        expected = (receipt.total - (receipt.tip or 0)) * tax.rate / (100 + tax.rate)
    else:
        if receipt.subtotal is None:
            return []
        expected = receipt.subtotal * tax.rate / 100
    allowed = max(abs(expected) * tol.tax_rate_relative, minor_unit(receipt.currency) * 2)
    # Less tax than the rate on the whole base is normal: zero-rated or exempt items
    # (UK food, untaxed groceries) sit in the same total. Only more tax than that is wrong.
    if tax.amount - expected <= allowed:
        return []
    return [
        _flag(
            "tax_rate_mismatch",
            "taxes.0.amount",
            f"Tax at {_fmt(tax.rate)} % should be about "
            f"{_fmt(expected.quantize(minor_unit(receipt.currency)))}, "
            f"but it is {_fmt(tax.amount)}.",
            Severity.WARNING,
        )
    ]


def _check_tax_rates(receipt: Receipt, tol: Tolerances) -> list[Flag]:
    return [
        _flag(
            "implausible_tax_rate",
            f"taxes.{index}.rate",
            f"A tax rate of {_fmt(tax.rate)} % is charged nowhere (at most "
            f"{_fmt(tol.max_tax_rate)} %): the rate is misread, and so may be the row.",
        )
        for index, tax in enumerate(receipt.taxes)
        if tax.rate is not None and tax.rate > tol.max_tax_rate
    ]


def _check_payment(receipt: Receipt, tol: Tolerances) -> list[Flag]:
    payment = receipt.payment
    if (
        payment is None
        or payment.tendered is None
        or payment.change is None
        or receipt.total is None
    ):
        return []
    allowed = minor_unit(receipt.currency) * tol.sum_minor_units
    if abs(payment.tendered - payment.change - receipt.total) <= allowed:
        return []
    return [
        _flag(
            "change_mismatch",
            "payment.change",
            f"Tendered {_fmt(payment.tendered)} - change {_fmt(payment.change)} = "
            f"{_fmt(payment.tendered - payment.change)}, but the total is {_fmt(receipt.total)}.",
            Severity.WARNING,
        )
    ]


def _check_items_present(receipt: Receipt, source_lists_items: bool | None) -> list[Flag]:
    if receipt.line_items:
        return []
    if source_lists_items:
        return [
            _flag(
                "missing_line_items",
                "line_items",
                "The receipt lists items but none were extracted.",
            )
        ]
    if receipt.subtotal is not None:
        return [
            _flag(
                "missing_line_items",
                "line_items",
                "A subtotal is printed but no line items were extracted.",
                Severity.WARNING,
            )
        ]
    return []


def validate_receipt(
    receipt: Receipt,
    *,
    today: dt.date | None = None,
    tolerances: Tolerances = DEFAULT_TOLERANCES,
    source_lists_items: bool | None = None,
) -> list[Flag]:
    """All checks, in field order. ``source_lists_items``: the extractor saw item lines."""
    today = today or dt.date.today()
    return [
        *_check_currency(receipt),
        *_check_dates(receipt, today, tolerances),
        *_check_items_present(receipt, source_lists_items),
        *_check_lines(receipt, tolerances),
        *_check_items_vs_subtotal(receipt, tolerances),
        *_check_discounts(receipt),
        *_check_total(receipt, tolerances),
        *_check_taxes(receipt, tolerances),
        *_check_tax_rates(receipt, tolerances),
        *_check_payment(receipt, tolerances),
        *_check_precision(receipt),
    ]


def error_messages(flags: list[Flag]) -> list[str]:
    """The error-severity findings as sentences: what a re-ask tells the model."""
    return [
        f"{flag.field or 'receipt'}: {flag.message}"
        for flag in flags
        if flag.severity is Severity.ERROR
    ]
