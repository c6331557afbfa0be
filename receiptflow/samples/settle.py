"""From the items to the money paid: the totals block, tip, payment and taxes, in the order
this receipt prints them, with exact truth:

``total = subtotal - discounts + exclusive taxes + service + tip + rounding``; inclusive
taxes are only reported; a tip left blank on the slip is no tip.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from receiptflow.samples.basket import Basket
from receiptflow.samples.blocks import pay
from receiptflow.samples.compose import Sheet, Voice, key, plain
from receiptflow.samples.roles import Part
from receiptflow.samples.style import to_money
from receiptflow.samples.totals import (
    cash_rounding,
    money_line,
    rate_text,
    tax_lines,
    tax_table,
)
from receiptflow.schemas.receipt import Payment, TaxLine

TipStyle = Literal["none", "printed", "blank"]


@dataclass(frozen=True)
class Plan:
    """What this receipt charges and prints below the items."""

    show_subtotal: bool
    service_rate: Decimal | None = None
    tip: TipStyle = "none"
    tip_pct: Decimal = Decimal(18)
    suggest_tips: bool = False
    cash: bool = False
    table: bool = False  # inclusive taxes as a VAT table, else a line per rate
    taxes_first: bool = False  # inclusive taxes before the payment lines


@dataclass(frozen=True)
class Settlement:
    taxes: list[TaxLine]
    service: Decimal | None
    tip: Decimal | None
    rounding: Decimal | None
    total: Decimal
    payment: Payment


def settle(sheet: Sheet, voice: Voice, basket: Basket, plan: Plan) -> Settlement:
    locale, currency = voice.locale, basket.currency
    subtotal = basket.subtotal
    if plan.show_subtotal:
        money_line(sheet, voice, voice.word("subtotal"), "subtotal", subtotal, "subtotal")
    service = None
    if plan.service_rate is not None:
        service = to_money(subtotal * plan.service_rate / 100, currency)
        label = voice.word("service").replace("{rate}", rate_text(voice, plan.service_rate))
        money_line(sheet, voice, label, "service", service, "service_charge")
    taxes: list[TaxLine] = []
    if not locale.tax_inclusive:
        taxes = tax_lines(sheet, voice, basket, inclusive=False)
    due = subtotal - basket.discounted + sum((t.amount for t in taxes), Decimal(0))
    due += service or Decimal(0)
    tip = _tip(sheet, voice, plan, subtotal, due)
    due += tip or Decimal(0)
    rounding = None
    if plan.cash and locale.cash_step is not None:
        rounding = cash_rounding(due, locale.cash_step, currency) or None
        if rounding is not None:
            money_line(sheet, voice, voice.word("rounding"), "rounding", rounding, "rounding")
    total = due + (rounding or Decimal(0))
    total_word = voice.word("total")
    money_line(sheet, voice, total_word, "total", total, "total", currency=True, kind="bold")
    if plan.tip == "blank":
        _blank_tip(sheet, voice)
    if plan.suggest_tips:
        _suggestions(sheet, voice, subtotal)
    if locale.tax_inclusive and plan.taxes_first:
        taxes = _inclusive(sheet, voice, basket, plan)
    sheet.blank()
    payment = pay(sheet, voice, total, cash=plan.cash)
    if locale.tax_inclusive and not plan.taxes_first:
        sheet.blank()
        taxes = _inclusive(sheet, voice, basket, plan)
    return Settlement(taxes, service, tip, rounding, total, payment)


def _inclusive(sheet: Sheet, voice: Voice, basket: Basket, plan: Plan) -> list[TaxLine]:
    if plan.table and voice.has("tax_table"):
        return tax_table(sheet, voice, basket)
    return tax_lines(sheet, voice, basket, inclusive=True)


def _tip(sheet: Sheet, voice: Voice, plan: Plan, subtotal: Decimal, due: Decimal) -> Decimal | None:
    """A printed tip (after the amount before it, which is *not* the total)."""
    if plan.tip != "printed":
        return None
    rng = voice.rng
    if rng.random() < 0.7:
        tip = to_money(subtotal * plan.tip_pct / 100, voice.locale.currency)
    else:
        tip = Decimal(rng.choice((2, 3, 5, 8, 10, 15)))
    if rng.random() < 0.5:  # the check before the tip, as a card slip prints it
        label = (key(voice.text(voice.word("before_tip")), "other"),)
        sheet.pair(label, (Part(voice.amount(due)),), role="other")
    money_line(sheet, voice, voice.word("tip"), "tip", to_money(tip, voice.locale.currency), "tip")
    return to_money(tip, voice.locale.currency)


def _blank_tip(sheet: Sheet, voice: Voice) -> None:
    """``Tip: ________`` and ``Total: ________`` for the guest to fill in: keys, no values."""
    sheet.blank()
    for word, role in (("tip", "tip"), ("total", "total")):
        sheet.pair((key(voice.text(voice.word(word)), role),), plain("_" * 10), role=role)


def _suggestions(sheet: Sheet, voice: Voice, subtotal: Decimal) -> None:
    """Printed tip suggestions: amounts nobody paid, so they are ``other``."""
    sheet.blank()
    sheet.center(plain(voice.text(voice.word("tip_suggest"))))
    for pct in voice.rng.choice(((15, 18, 20), (18, 20, 22), (18, 20, 25))):
        amount = to_money(subtotal * pct / 100, voice.locale.currency)
        line = voice.word("tip_line").format(pct=pct, amount=voice.money(amount))
        sheet.left(plain(line), role="other")
