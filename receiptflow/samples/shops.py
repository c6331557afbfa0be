"""Locale-driven shops that sell goods: a supermarket and a gas station.

The same code prints a German discounter (``Bio Vollmilch 1,19 A``, weighed bananas, Pfand,
``Rabatt -0,50``, STORNO, a MwSt table, ``SUMME EUR``), a US grocery (item codes, T/F flags,
sales tax on top, ``BALANCE DUE``), a UK, Australian, French, Spanish, Italian, Dutch,
Portuguese or Malaysian shop: what differs is read from the locale file.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from receiptflow.samples.basket import (
    MEASURE_PLACES,
    Basket,
    Till,
    counted,
    deposit,
    discount_after,
    measured,
    voided,
)
from receiptflow.samples.blocks import Stamp, draw_stamp, foot, head, numbers, when
from receiptflow.samples.compose import Sheet, Voice, plain
from receiptflow.samples.locales import Locale, Product, Shop
from receiptflow.samples.printout import Printout
from receiptflow.samples.settle import Plan, Settlement, settle
from receiptflow.samples.totals import choose_rates
from receiptflow.schemas.receipt import Merchant, Receipt

RECENT = (dt.date(2023, 1, 2), dt.date(2025, 10, 30))


@dataclass(frozen=True)
class Opening:
    """A receipt's voice, sheet and printed head, and where its stamp and tax id go."""

    voice: Voice
    sheet: Sheet
    shop: Shop
    merchant: Merchant
    stamp: Stamp
    stamp_below: bool
    tax_id_below: bool


def open_receipt(
    rng: random.Random, locale: Locale, cols: int, kind: str, hours: tuple[int, int]
) -> Opening:
    voice, sheet = Voice(locale, rng), Sheet(cols)
    shop = rng.choice(locale.shops_of(kind))
    where = rng.random() / locale.tax_id_share if locale.tax_id_share else 1.0
    tax_id_top, tax_id_below = where < 0.5, 0.5 <= where < 1.0
    merchant = head(sheet, voice, shop, tax_id_here=tax_id_top)
    stamp = draw_stamp(voice, RECENT, hours)
    stamp_below = rng.random() < 0.3
    if not stamp_below:
        sheet.blank()
        when(sheet, voice, stamp)
        numbers(sheet, voice, stamp, kind)
    return Opening(voice, sheet, shop, merchant, stamp, stamp_below, tax_id_below)


def close_receipt(opening: Opening, basket: Basket, settlement: Settlement) -> Printout:
    voice, sheet, stamp = opening.voice, opening.sheet, opening.stamp
    tax_id = foot(
        sheet,
        voice,
        opening.shop,
        tax_id_here=opening.tax_id_below,
        stamp=stamp if opening.stamp_below else None,
    )
    merchant = opening.merchant
    if tax_id is not None:
        merchant = merchant.model_copy(update={"tax_id": tax_id})
    receipt = Receipt(
        merchant=merchant,
        receipt_number=stamp.receipt_number,
        date=stamp.date,
        time=stamp.time,
        currency=voice.locale.currency,
        line_items=basket.items,
        subtotal=basket.subtotal,
        taxes=settlement.taxes,
        tip=settlement.tip,
        service_charge=settlement.service,
        discounts=basket.discounts,
        rounding=settlement.rounding,
        total=settlement.total,
        payment=settlement.payment,
    )
    return Printout(receipt, tuple(sheet.lines), voice.locale.code)


def _till(voice: Voice) -> Till:
    rng = voice.rng
    return Till(
        marks=rng.random() < voice.locale.marks_share,
        item_codes=voice.has("item_code") and rng.random() < 0.5,
        multi_below=rng.random() < 0.7,
    )


def _measure(rng: random.Random, product: Product) -> Decimal:
    places = MEASURE_PLACES[product.unit]
    low, high = {"kg": (0.12, 2.6), "lb": (0.3, 5.5), "l": (8.0, 68.0), "gal": (3.0, 19.0)}[
        product.unit
    ]
    return Decimal(str(round(rng.uniform(low, high), places)))


def _shelf(voice: Voice, sheet: Sheet, basket: Basket, products: list[Product]) -> None:
    """Items as a supermarket till lists them, with deposits, discounts and a void."""
    rng, locale = voice.rng, voice.locale
    till = _till(voice)
    void_at = rng.randrange(len(products)) if rng.random() < 0.2 else -1
    bottles = 0
    for position, product in enumerate(products):
        if product.unit in MEASURE_PLACES:
            measured(sheet, voice, basket, till, product, _measure(rng, product))
        else:
            quantity = rng.choice((1, 1, 1, 1, 2, 2, 3, 4, 6))
            index = counted(sheet, voice, basket, till, product, quantity)
            if product.unit == "deposit" and locale.deposit is not None:
                deposit(sheet, voice, basket, till, quantity)
                bottles += quantity
            elif rng.random() < 0.12:
                discount_after(sheet, voice, basket, till, index)
        if position == void_at:
            voided(sheet, voice, till, rng.choice(products))
    if bottles and rng.random() < 0.2:
        deposit(sheet, voice, basket, till, rng.randint(1, bottles), back=True)


def shop_plan(voice: Voice) -> Plan:
    rng = voice.rng
    return Plan(
        show_subtotal=rng.random() < voice.locale.subtotal_share,
        cash=rng.random() < 0.45,
        table=rng.random() < 0.6,
        taxes_first=rng.random() < 0.4,
    )


def supermarket(rng: random.Random, locale: Locale, cols: int) -> Printout:
    opening = open_receipt(rng, locale, cols, "supermarket", (7, 21))
    voice, sheet = opening.voice, opening.sheet
    sheet.rule(rng.choice("-=-"))
    basket = Basket(locale.currency, choose_rates(locale, rng))
    catalog = locale.products("supermarket")
    products = rng.sample(catalog, min(len(catalog), rng.randint(3, 16)))
    _shelf(voice, sheet, basket, products)
    sheet.rule()
    if rng.random() < 0.4:
        count = voice.word("items_count").format(n=len(basket.items))
        sheet.left(plain(voice.text(count)), role="other")
    settlement = settle(sheet, voice, basket, shop_plan(voice))
    return close_receipt(opening, basket, settlement)


def gas_station(rng: random.Random, locale: Locale, cols: int) -> Printout:
    opening = open_receipt(rng, locale, cols, "gas_station", (0, 23))
    voice, sheet = opening.voice, opening.sheet
    sheet.left(plain(voice.text(voice.word("pump").format(n=rng.randint(1, 16)))))
    sheet.rule()
    basket = Basket(locale.currency, choose_rates(locale, rng))
    till = _till(voice)
    fuel = rng.choice(locale.products("fuel"))
    measured(sheet, voice, basket, till, fuel, _measure(rng, fuel))
    snacks = locale.products("kiosk")
    for product in rng.sample(snacks, min(len(snacks), rng.choice((0, 0, 1, 2, 3)))):
        counted(sheet, voice, basket, till, product, rng.choice((1, 1, 2)))
    sheet.rule()
    settlement = settle(sheet, voice, basket, shop_plan(voice))
    return close_receipt(opening, basket, settlement)
