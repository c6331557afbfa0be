"""Locale-driven places that serve: a café and a restaurant.

Items print as ``2 Cappuccino  7,00``, ``2 x Cappuccino à 3,50``, the name with ``2 x 3,50``
below, or a QTY/ITEM/PRICE/AMOUNT table. Restaurants add a table and a server (a cashier
line, never the merchant), a service charge where the locale has one, and in tipping
countries a printed tip, a blank tip line or suggested-gratuity lines.
"""

from __future__ import annotations

import random
from decimal import Decimal

from receiptflow.samples.basket import Basket, Till, counted, unit_price_text
from receiptflow.samples.compose import Sheet, Voice, amount_parts, clip, key, plain, value
from receiptflow.samples.locales import Locale, Product
from receiptflow.samples.printout import Printout
from receiptflow.samples.roles import SPACE
from receiptflow.samples.settle import Plan, TipStyle, settle
from receiptflow.samples.shops import close_receipt, open_receipt
from receiptflow.samples.style import to_money
from receiptflow.samples.totals import choose_rates
from receiptflow.schemas.receipt import LineItem

MENU_STYLES = ("qty_first", "inline", "below", "columns")


def _qty_first(sheet: Sheet, voice: Voice, basket: Basket, product: Product, quantity: int) -> None:
    """``2 Cappuccino        7,00``: the unit price is not printed."""
    index = len(basket.items)
    field = f"line_items.{index}"
    amount = to_money(product.price * quantity, basket.currency)
    right = amount_parts(voice, amount, "item_price", f"{field}.amount")
    count = value(str(quantity), "quantity", f"{field}.quantity")
    room = sheet.cols - len(right[0].text) - len(count.text) - 3
    name = clip(voice.text(product.name), room)
    sheet.pair(
        (count, SPACE, value(name, "item", f"{field}.description")), right, item=index, role="item"
    )
    basket.add(
        LineItem(
            description=name, quantity=Decimal(quantity), unit_price=product.price, amount=amount
        ),
        product.tax,
    )


def _columns_header(sheet: Sheet, voice: Voice) -> tuple[int, int, int]:
    cols = sheet.cols
    price_col, name_col = cols - 10, 4
    heads = [voice.text(text) for text in voice.word("menu_header").split("|")]
    cells = [
        ((key(heads[0], "header"),), 0.0, "l"),
        ((key(heads[1], "header"),), float(name_col), "l"),
        ((key(heads[2], "header"),), float(price_col), "r"),
        ((key(heads[3], "header"),), float(cols), "r"),
    ]
    sheet.columns(cells, role="header")
    return name_col, price_col, cols


def _columns_row(
    sheet: Sheet,
    voice: Voice,
    basket: Basket,
    product: Product,
    quantity: int,
    where: tuple[int, int, int],
) -> None:
    """``2  Cappuccino   3,50   7,00`` under the header."""
    name_col, price_col, amount_col = where
    index = len(basket.items)
    field = f"line_items.{index}"
    amount = to_money(product.price * quantity, basket.currency)
    price_text = unit_price_text(voice, product.price)
    room = price_col - len(price_text) - name_col - 2
    name = clip(voice.text(product.name), room)
    cells = [
        ((value(str(quantity), "quantity", f"{field}.quantity"),), 0.0, "l"),
        ((value(name, "item", f"{field}.description"),), float(name_col), "l"),
        ((value(price_text, "unit_price", f"{field}.unit_price"),), float(price_col), "r"),
        (amount_parts(voice, amount, "item_price", f"{field}.amount"), float(amount_col), "r"),
    ]
    sheet.columns(cells, role="item", item=index)
    basket.add(
        LineItem(
            description=name, quantity=Decimal(quantity), unit_price=product.price, amount=amount
        ),
        product.tax,
    )


def _menu(voice: Voice, sheet: Sheet, basket: Basket, products: list[Product]) -> None:
    rng = voice.rng
    style = rng.choice(MENU_STYLES)
    till = Till(marks=False, item_codes=False, multi_below=style == "below")
    where = _columns_header(sheet, voice) if style == "columns" else None
    for product in products:
        quantity = rng.choice((1, 1, 1, 2, 2, 3))
        if where is not None:
            _columns_row(sheet, voice, basket, product, quantity, where)
        elif style == "qty_first":
            _qty_first(sheet, voice, basket, product, quantity)
        else:
            counted(sheet, voice, basket, till, product, quantity)


def _tipping(voice: Voice, kind: str) -> tuple[TipStyle, bool]:
    """(tip style, print suggested tips) for this receipt."""
    rng, share = voice.rng, voice.locale.tip_share
    if kind == "cafe":
        share /= 3
    if rng.random() >= share:
        return "none", False
    style: TipStyle = rng.choice(("printed", "printed", "blank"))
    return style, kind == "restaurant" and rng.random() < 0.6


def _dining(rng: random.Random, locale: Locale, cols: int, kind: str) -> Printout:
    opening = open_receipt(rng, locale, cols, kind, (7, 23))
    voice, sheet = opening.voice, opening.sheet
    if kind == "restaurant":
        table = voice.word("table").format(n=rng.randint(1, 40))
        guests = voice.word("guests").format(n=rng.randint(1, 8))
        sheet.pair(plain(voice.text(table)), plain(voice.text(guests)), role="other")
    sheet.rule(rng.choice("-=-"))
    basket = Basket(locale.currency, choose_rates(locale, rng))
    menu = locale.products(kind)
    low, high = (1, 5) if kind == "cafe" else (2, 10)
    _menu(voice, sheet, basket, rng.sample(menu, min(len(menu), rng.randint(low, high))))
    sheet.rule()
    tip, suggest = _tipping(voice, kind)
    serves = kind == "restaurant" and rng.random() < locale.service_share
    service = locale.service_rate if serves else None
    plan = Plan(
        show_subtotal=tip != "none"
        or service is not None
        or not locale.tax_inclusive
        or rng.random() < locale.subtotal_share,
        service_rate=service,
        tip=tip,
        tip_pct=Decimal(rng.choice((15, 18, 20, 22))),
        suggest_tips=suggest,
        cash=tip == "none" and rng.random() < 0.45,
        table=rng.random() < 0.3,
        taxes_first=rng.random() < 0.6,
    )
    return close_receipt(opening, basket, settle(sheet, voice, basket, plan))


def cafe(rng: random.Random, locale: Locale, cols: int) -> Printout:
    return _dining(rng, locale, cols, "cafe")


def restaurant(rng: random.Random, locale: Locale, cols: int) -> Printout:
    return _dining(rng, locale, cols, "restaurant")
