"""The money below the items: subtotal, taxes (a line per rate or a VAT table), service,
tip, cash rounding and the total, each printed with its truth field."""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from receiptflow.samples.basket import Basket
from receiptflow.samples.compose import Sheet, Voice, fill, key, value
from receiptflow.samples.layouts import LineKind
from receiptflow.samples.locales import Locale
from receiptflow.samples.roles import Part
from receiptflow.samples.style import inclusive_tax, to_money
from receiptflow.schemas.receipt import TaxLine


def choose_rates(locale: Locale, rng: random.Random) -> dict[str, Decimal]:
    """The rate each tax code charges on this receipt (US sales tax differs by place)."""
    return {code: rng.choice(rates) for code, rates in sorted(locale.tax_rates.items())}


def rate_text(voice: Voice, rate: Decimal) -> str:
    """``19%``, ``19,0 %``, ``5,5%``: decimals as this receipt prints rates, never fewer
    than the rate has."""
    places = max(voice.rate_places, -int(rate.normalize().as_tuple().exponent))
    return voice.locale.number(rate, places) + voice.word("percent")


def money_line(
    sheet: Sheet,
    voice: Voice,
    label: str,
    role: str,
    amount: Decimal,
    field: str | None,
    *,
    currency: bool = False,
    kind: LineKind = "normal",
) -> None:
    """``LABEL          12,34``: the label a key of ``role``, the amount its value."""
    text = voice.money(amount) if currency else voice.amount(amount)
    sheet.pair((key(voice.text(label), role),), (value(text, role, field),), kind, role=role)


def _tax_key(voice: Voice, template: str, code: str, rate: Decimal, index: int) -> tuple[Part, ...]:
    name = voice.text(voice.word("tax_name"))
    filled = template.replace("{name}", name).replace("{code}", code)
    return fill(
        filled, "tax", voice, rate=value(rate_text(voice, rate), "tax", f"taxes.{index}.rate")
    )


def taxes_due(basket: Basket, *, inclusive: bool) -> list[tuple[str, Decimal, Decimal]]:
    """(code, rate, tax) for each code with something taxed."""
    due = []
    for code in basket.taxed_codes():
        rate, gross = basket.rates[code], basket.gross(code)
        tax = (
            inclusive_tax(gross, rate, basket.currency)
            if inclusive
            else to_money(gross * rate / 100, basket.currency)
        )
        if tax > 0:
            due.append((code, rate, tax))
    return due


def tax_lines(
    sheet: Sheet, voice: Voice, basket: Basket, *, inclusive: bool, first: int = 0
) -> list[TaxLine]:
    """A line per rate: ``enth. MwSt 19% 0,67`` or ``Sales Tax 7.25%  1.23``."""
    word = "tax_included" if inclusive else "tax_added"
    taxes = []
    for offset, (code, rate, tax) in enumerate(taxes_due(basket, inclusive=inclusive)):
        index = first + offset
        label = _tax_key(voice, voice.word(word), code, rate, index)
        amount = (value(voice.amount(tax), "tax", f"taxes.{index}.amount"),)
        sheet.pair(label, amount, role="tax")
        printed = "".join(part.text for part in label)
        taxes.append(TaxLine(label=printed, rate=rate, amount=tax, inclusive=inclusive))
    return taxes


def tax_table(sheet: Sheet, voice: Voice, basket: Basket) -> list[TaxLine]:
    """The VAT summary: ``MwSt Netto Steuer Brutto`` / ``A 19% 3,50 0,67 4,17`` / a sum row."""
    cols = sheet.cols
    net_col, tax_col = round(cols * 0.58), round(cols * 0.79)
    heads = voice.word("tax_table").replace("{name}", voice.text(voice.word("tax_name")))
    first, *rest = [voice.text(head) for head in heads.split("|")]
    header = [((key(first, "header"),), 0.0, "l")]
    header += [
        ((key(text, "header"),), col, "r")
        for text, col in zip(rest, (net_col, tax_col, cols), strict=True)
    ]
    sheet.columns(header, role="tax_table")
    taxes, nets, grosses = [], Decimal(0), Decimal(0)
    for index, (code, rate, tax) in enumerate(taxes_due(basket, inclusive=True)):
        gross = basket.gross(code)
        row = _tax_key(voice, voice.word("tax_row"), code, rate, index)
        row = tuple(Part(p.text, "tax_table", p.key, p.field) for p in row)
        cells = [
            (row, 0.0, "l"),
            ((value(voice.amount(gross - tax), "tax_table"),), net_col, "r"),
            ((value(voice.amount(tax), "tax_table", f"taxes.{index}.amount"),), tax_col, "r"),
            ((value(voice.amount(gross), "tax_table"),), cols, "r"),
        ]
        sheet.columns(cells, role="tax_table")
        label = "".join(part.text for part in row)
        taxes.append(TaxLine(label=label, rate=rate, amount=tax, inclusive=True))
        nets, grosses = nets + gross - tax, grosses + gross
    if len(taxes) > 1 and voice.rng.random() < 0.6:
        summed = sum((t.amount for t in taxes), Decimal(0))
        cells = [
            ((key(voice.text(voice.word("tax_table_sum")), "tax_table"),), 0.0, "l"),
            ((value(voice.amount(nets), "tax_table"),), net_col, "r"),
            ((value(voice.amount(summed), "tax_table"),), tax_col, "r"),
            ((value(voice.amount(grosses), "tax_table"),), cols, "r"),
        ]
        sheet.columns(cells, role="tax_table")
    return taxes


def cash_rounding(amount: Decimal, step: Decimal, currency: str) -> Decimal:
    """The signed adjustment that rounds a cash total to the smallest coin in use."""
    rounded = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return to_money(rounded - amount, currency)
