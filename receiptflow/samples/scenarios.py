"""Shops whose receipts the generator prints: each builds a consistent truth from a seed.

All money is Decimal in the currency's precision. Exclusive taxes, tips and service charges are
added to the subtotal; inclusive taxes are only reported (already inside the prices); discounts
are subtracted; cash rounding is a signed adjustment.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from receiptflow.samples.catalogs import DINER_MENU, EU_CAFE, JP_KONBINI, KW_STORE, MY_SHOP, UK_SHOP
from receiptflow.samples.style import (
    Draft,
    Style,
    ean13,
    inclusive_tax,
    item,
    items_sum,
    paid_card,
    paid_cash,
    pick_items,
    random_date,
    random_time,
    to_money,
)
from receiptflow.schemas.receipt import (
    Discount,
    LineItem,
    Merchant,
    Receipt,
    TaxLine,
)

RECENT = (dt.date(2024, 1, 2), dt.date(2025, 10, 30))


def us_diner(rng: random.Random, *, service: bool = False) -> Draft:
    """USD, sales tax on top, then a tip (or, for a large party, a service charge)."""
    currency = "USD"
    items = [
        item(name, rng.choice((1, 1, 1, 2, 2, 3)), price, currency)
        for name, price in pick_items(rng, DINER_MENU, 3, 7)
    ]
    subtotal = items_sum(items)
    rate = Decimal(rng.choice(("8.875", "7.25", "6.5", "8.25")))
    tax = to_money(subtotal * rate / 100, currency)
    extra_pct = Decimal(rng.choice((15, 18, 20)))
    extra = to_money(subtotal * extra_pct / 100, currency)
    total = subtotal + tax + extra
    payment = paid_card(total, rng)
    receipt = Receipt(
        merchant=Merchant(
            name="SUNRISE DINER",
            address="1420 Maple Ave Springfield, IL 62704",
            phone="(217) 555-0148",
        ),
        receipt_number=str(rng.randint(1000, 9999)),
        date=random_date(rng, *RECENT),
        time=random_time(rng, 7, 21, False),
        currency=currency,
        line_items=items,
        subtotal=subtotal,
        taxes=[TaxLine(label=f"Sales Tax {rate}%", rate=rate, amount=tax)],
        tip=None if service else extra,
        service_charge=extra if service else None,
        total=total,
        payment=payment,
    )
    style = Style(
        currency_format="${amount}",
        date_format="%m/%d/%Y",
        time_format="%I:%M %p",
        labels={
            "receipt_no": "Check #",
            "card": "VISA",
            "tip": f"Tip {extra_pct}%",
            "service": f"Service Charge {extra_pct}%",
        },
    )
    party = "Party of 8" if service else f"Table {rng.randint(1, 30)}"
    return Draft(
        receipt,
        style,
        ("1420 Maple Ave", "Springfield, IL 62704"),
        header_extra=(f"{party}   Server: {rng.choice(('Ann', 'Joe', 'Maria'))}",),
        footer=("Thank you! Come again.",),
    )


def us_restaurant(rng: random.Random) -> Draft:
    """The diner's e-receipt for a large party: a service charge instead of a tip."""
    return us_diner(rng, service=True)


def my_shop(rng: random.Random) -> Draft:
    """MYR, prices include 6 % GST; cash totals round to 0.05 ("ROUNDING ADJ")."""
    currency = "MYR"
    items = [
        item(name, rng.choice((1, 1, 2, 3)), price, currency, sku=f"{rng.randrange(10**8):08d}")
        for name, price in pick_items(rng, MY_SHOP, 4, 8)
    ]
    subtotal = items_sum(items)
    gst = inclusive_tax(subtotal, Decimal(6), currency)
    rounded = (subtotal / Decimal("0.05")).quantize(Decimal(1)) * Decimal("0.05")
    rounding = to_money(rounded - subtotal, currency)
    total = subtotal + rounding
    payment = paid_cash(total, (10, 20, 50, 100), rng)
    receipt = Receipt(
        merchant=Merchant(
            name="KEDAI RUNCIT MAJU JAYA",
            address="No 12, Jalan SS2/24 47300 Petaling Jaya, Selangor",
            phone="03-7876 5432",
            tax_id="001234567890",
        ),
        receipt_number=f"CS{rng.randrange(10**6):06d}",
        date=random_date(rng, dt.date(2017, 1, 3), dt.date(2018, 5, 30)),
        time=random_time(rng, 8, 22, True),
        currency=currency,
        line_items=items,
        subtotal=subtotal,
        taxes=[TaxLine(label="GST 6%", rate=Decimal(6), amount=gst, inclusive=True)],
        rounding=rounding,
        total=total,
        payment=payment,
    )
    style = Style(
        currency_format="RM {amount}",
        date_format="%d-%m-%Y",
        time_format="%H:%M:%S",
        labels={
            "receipt_no": "Inv No:",
            "tax_id": "GST ID:",
            "subtotal": "Total Incl. GST",
            "tax_incl": "{label} incl.",
        },
    )
    return Draft(
        receipt,
        style,
        ("No 12, Jalan SS2/24", "47300 Petaling Jaya, Selangor"),
        header_extra=("Cashier: SITI",),
        footer=("GOODS SOLD ARE NOT RETURNABLE", "TERIMA KASIH"),
    )


def eu_cafe(rng: random.Random) -> Draft:
    """EUR with a decimal comma; 19 % and 7 % VAT already inside the prices."""
    currency = "EUR"
    chosen = pick_items(rng, EU_CAFE, 3, 6)
    items = [item(name, rng.choice((1, 1, 2)), price, currency) for name, price, _ in chosen]
    rates = [Decimal(rate) for _, _, rate in chosen]
    taxes = []
    for rate, code in ((Decimal(19), "A"), (Decimal(7), "B")):
        gross = items_sum([line for line, r in zip(items, rates, strict=True) if r == rate])
        if gross:
            taxes.append(
                TaxLine(
                    label=f"{code} MwSt {rate}%",
                    rate=rate,
                    amount=inclusive_tax(gross, rate, currency),
                    inclusive=True,
                )
            )
    total = items_sum(items)
    cash = rng.random() < 0.5
    payment = paid_cash(total, (5, 10, 20, 50), rng) if cash else paid_card(total, rng)
    receipt = Receipt(
        merchant=Merchant(
            name="Café Morgenrot",
            address="Bergmannstraße 21 10961 Berlin",
            phone="030 6912345",
            tax_id="DE287654321",
        ),
        receipt_number=str(rng.randint(10000, 99999)),
        date=random_date(rng, *RECENT),
        time=random_time(rng, 7, 19, False),
        currency=currency,
        line_items=items,
        subtotal=total,
        taxes=taxes,
        total=total,
        payment=payment,
    )
    style = Style(
        currency_format="{amount} EUR",
        decimal_sep=",",
        thousands_sep=".",
        date_format="%d.%m.%Y",
        time_format="%H:%M",
        show_subtotal=False,
        labels={
            "total": "SUMME",
            "receipt_no": "Beleg-Nr.",
            "date": "Datum:",
            "time": "Zeit:",
            "phone": "Tel.",
            "tax_id": "USt-IdNr.",
            "cash": "Bar",
            "change": "Rückgeld",
            "card": "Girocard",
            "tax_incl": "enth. {label}",
            "qty": "MENGE",
            "desc": "ARTIKEL",
            "price": "PREIS",
            "amount": "BETRAG",
        },
    )
    marks = tuple(" A" if rate == 19 else " B" for rate in rates)
    return Draft(
        receipt,
        style,
        ("Bergmannstraße 21", "10961 Berlin"),
        item_marks=marks,
        footer=("Vielen Dank für Ihren Besuch!",),
    )


def jp_konbini(rng: random.Random) -> Draft:
    """JPY (no decimals), 10 % consumption tax inside the prices, printed in ASCII."""
    currency = "JPY"
    items = [
        item(name, rng.choice((1, 1, 1, 2)), price, currency)
        for name, price in pick_items(rng, JP_KONBINI, 3, 7)
    ]
    total = items_sum(items)
    tax = inclusive_tax(total, Decimal(10), currency)
    payment = paid_cash(total, (1000, 2000, 5000, 10000), rng)
    receipt = Receipt(
        merchant=Merchant(
            name="HAPPY MART SHIBUYA",
            address="2-21-1 Shibuya Shibuya-ku Tokyo",
            phone="03-5468-1234",
            tax_id="T1234567890123",
        ),
        receipt_number=f"{rng.randrange(10000):04d}",
        date=random_date(rng, *RECENT),
        time=random_time(rng, 0, 23, False),
        currency=currency,
        line_items=items,
        subtotal=total,
        taxes=[TaxLine(label="10% TAX", rate=Decimal(10), amount=tax, inclusive=True)],
        total=total,
        payment=payment,
    )
    style = Style(
        currency_format="\\{amount}",
        date_format="%Y/%m/%d(%a)",
        time_format="%H:%M",
        labels={
            "receipt_no": "REG No.",
            "tax_id": "REG.NO",
            "subtotal": "SUBTOTAL",
            "tax_incl": "(INCL. {label})",
            "cash": "CASH",
            "change": "CHANGE",
        },
    )
    return Draft(
        receipt, style, ("2-21-1 Shibuya", "Shibuya-ku Tokyo"), footer=("ARIGATOU GOZAIMASHITA",)
    )


def kw_store(rng: random.Random) -> Draft:
    """KWD with three decimals, no tax, cash with change."""
    currency = "KWD"
    items = [
        item(name, rng.choice((1, 1, 2, 4)), price, currency)
        for name, price in pick_items(rng, KW_STORE, 3, 7)
    ]
    total = items_sum(items)
    payment = paid_cash(total, (1, 5, 10, 20), rng)
    receipt = Receipt(
        merchant=Merchant(
            name="AL NOOR CENTRAL MARKET",
            address="Block 4, Street 12 Salmiya, Kuwait",
            phone="+965 2571 4433",
        ),
        receipt_number=str(rng.randint(100000, 999999)),
        date=random_date(rng, *RECENT),
        time=random_time(rng, 8, 23, True),
        currency=currency,
        line_items=items,
        subtotal=total,
        total=total,
        payment=payment,
    )
    style = Style(
        currency_format="KD {amount}",
        date_format="%Y-%m-%d",
        time_format="%H:%M:%S",
        labels={"receipt_no": "Invoice:", "total": "NET TOTAL"},
    )
    return Draft(
        receipt,
        style,
        ("Block 4, Street 12", "Salmiya, Kuwait"),
        footer=("THANK YOU FOR SHOPPING",),
    )


def uk_supermarket(rng: random.Random, *, long: bool = False) -> Draft:
    """GBP, 20 % VAT inside standard-rated prices ("*"), a multi-buy saving, card payment."""
    currency = "GBP"
    chosen = pick_items(rng, UK_SHOP, 24, 28) if long else pick_items(rng, UK_SHOP, 6, 10)
    items: list[LineItem] = []
    marks: list[str] = []
    for name, price, kind in chosen:
        weight = Decimal(rng.randint(250, 1400)) / 1000 if kind == "kg" else None
        quantity = weight if weight is not None else Decimal(rng.choice((1, 1, 1, 2)))
        items.append(item(name, quantity, price, currency, sku=ean13(rng)))
        marks.append(" *" if kind == "*" else "")
    # Multi-buy: three of one item (standard-rated when there is one) for the price of two.
    counted = [i for i, (_, _, kind) in enumerate(chosen) if kind != "kg"]
    promo = next((i for i in counted if marks[i]), counted[0])
    promo_item = items[promo]
    items[promo] = item(
        promo_item.description, 3, str(promo_item.unit_price), currency, sku=promo_item.sku
    )
    saving = promo_item.unit_price or Decimal(0)
    discount = Discount(description=f"3 for 2 {promo_item.description}", amount=saving)
    subtotal = items_sum(items)
    vat_gross = items_sum([x for x, m in zip(items, marks, strict=True) if m])
    vat_gross -= saving if marks[promo] else Decimal(0)
    vat = inclusive_tax(vat_gross, Decimal(20), currency)
    total = subtotal - saving
    receipt = Receipt(
        merchant=Merchant(
            name="GREENFIELD SUPERSTORE",
            address="45 High Street Reading RG1 2AB",
            phone="0118 496 0321",
            tax_id="GB 123 4567 89",
        ),
        receipt_number=f"{rng.randint(1000, 9999)}-{rng.randint(100, 999)}",
        date=random_date(rng, *RECENT),
        time=random_time(rng, 8, 22, False),
        currency=currency,
        line_items=items,
        subtotal=subtotal,
        discounts=[discount],
        taxes=[TaxLine(label="VAT 20%", rate=Decimal(20), amount=vat, inclusive=True)]
        if vat
        else [],
        total=total,
        payment=paid_card(total, rng),
    )
    style = Style(
        currency_format="£{amount}",
        date_format="%d %b %Y",
        time_format="%H:%M",
        labels={
            "receipt_no": "Trans:",
            "tax_id": "VAT No:",
            "card": "MASTERCARD",
            "savings": "PROMOTIONS",
            "tax_incl": "{label} (* incl.)",
            "total": "BALANCE DUE",
        },
    )
    return Draft(
        receipt,
        style,
        ("45 High Street", "Reading RG1 2AB"),
        item_marks=tuple(marks),
        header_extra=("Till 04   Op 2291",),
        footer=("* = VAT 20% standard rate", "Thank you for shopping with us"),
    )


def uk_supermarket_long(rng: random.Random) -> Draft:
    """A big weekly shop: long enough to print over two pages."""
    return uk_supermarket(rng, long=True)


SCENARIOS: dict[str, Callable[[random.Random], Draft]] = {
    "us_diner": us_diner,
    "us_restaurant": us_restaurant,
    "my_shop": my_shop,
    "eu_cafe": eu_cafe,
    "jp_konbini": jp_konbini,
    "kw_store": kw_store,
    "uk_supermarket": uk_supermarket,
    "uk_supermarket_long": uk_supermarket_long,
}


def build(scenario: str, seed: int) -> Draft:
    """The same scenario and seed always give the same receipt."""
    return SCENARIOS[scenario](random.Random(f"{scenario}:{seed}"))
