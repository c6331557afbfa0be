"""What was bought, as a shop's till lists it: counted, multi-buy, weighed and measured items,
bottle deposits, a discount on the line after an item, and voided lines.

The ``Basket`` keeps the truth (line items with their tax codes, discounts) while the item
printers put the same numbers on the sheet. A voided pair prints but is not bought: it is
in no truth field and both its lines have the role ``void``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from receiptflow.samples.compose import (
    Sheet,
    Voice,
    amount_parts,
    clip,
    fill,
    key,
    value,
    width,
)
from receiptflow.samples.locales import Product
from receiptflow.samples.roles import SPACE, Part
from receiptflow.samples.style import to_money
from receiptflow.schemas.receipt import Discount, LineItem

# decimals a measured quantity prints with, by unit
MEASURE_PLACES = {"kg": 3, "lb": 2, "l": 2, "gal": 3}


@dataclass
class Basket:
    currency: str
    rates: dict[str, Decimal]  # tax code -> the rate this receipt charges
    items: list[LineItem] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    discounts: list[Discount] = field(default_factory=list)
    discount_codes: list[str] = field(default_factory=list)

    def add(self, line: LineItem, code: str) -> int:
        self.items.append(line)
        self.codes.append(code)
        return len(self.items) - 1

    def take_off(self, discount: Discount, code: str) -> int:
        self.discounts.append(discount)
        self.discount_codes.append(code)
        return len(self.discounts) - 1

    @property
    def subtotal(self) -> Decimal:
        return sum((line.amount or Decimal(0) for line in self.items), Decimal(0))

    @property
    def discounted(self) -> Decimal:
        return sum((d.amount for d in self.discounts), Decimal(0))

    def gross(self, code: str) -> Decimal:
        """What items of one tax code cost after their discounts."""
        bought = sum(
            (
                line.amount or Decimal(0)
                for line, c in zip(self.items, self.codes, strict=True)
                if c == code
            ),
            Decimal(0),
        )
        taken = sum(
            (
                d.amount
                for d, c in zip(self.discounts, self.discount_codes, strict=True)
                if c == code
            ),
            Decimal(0),
        )
        return bought - taken

    def taxed_codes(self) -> list[str]:
        return [code for code in sorted(self.rates) if self.rates[code] and self.gross(code) > 0]


@dataclass(frozen=True)
class Till:
    """How this till lists items."""

    marks: bool  # tax code after each amount ("1,19 A")
    item_codes: bool  # a product code in front of the name
    multi_below: bool  # "2 x 0,35" under the name, else "2 x Name" on one line


def _mark(till: Till, code: str) -> str:
    return code if till.marks else ""


def _name_room(sheet: Sheet, amount: tuple[Part, ...], prefix: int) -> int:
    return max(8, sheet.cols - width(amount) - 2 - prefix)


def unit_price_text(voice: Voice, price: Decimal) -> str:
    places = max(voice.locale.places_of_money, -int(price.as_tuple().exponent))
    return voice.locale.number(price, places)


def counted(
    sheet: Sheet,
    voice: Voice,
    basket: Basket,
    till: Till,
    product: Product,
    quantity: int,
) -> int:
    """One counted line: ``Name  1,19 A``, with ``2 x 0,35`` under it when several."""
    rng, index = voice.rng, len(basket.items)
    amount = to_money(product.price * quantity, basket.currency)
    field = f"line_items.{index}"
    right = amount_parts(voice, amount, "item_price", f"{field}.amount", _mark(till, product.tax))
    sku = voice.locale.pattern(voice.word("item_code"), rng) if till.item_codes else None
    prefix = (Part(sku, field=f"{field}.sku"), SPACE) if sku else ()
    each = value(unit_price_text(voice, product.price), "unit_price", f"{field}.unit_price")
    count = value(str(quantity), "quantity", f"{field}.quantity")
    if quantity > 1 and not till.multi_below:
        head = fill(voice.word("multi_inline"), "quantity", voice, q=count, p=each)
        room = _name_room(sheet, right, width(prefix) + width(head) + 1)
        name = clip(voice.text(product.name), room)
        left = (*prefix, *head, SPACE, value(name, "item", f"{field}.description"))
        sheet.pair(left, right, item=index, role="item")
    else:
        name = clip(voice.text(product.name), _name_room(sheet, right, width(prefix)))
        sheet.pair(
            (*prefix, value(name, "item", f"{field}.description")), right, item=index, role="item"
        )
        if quantity > 1:
            detail = fill(voice.word("multi"), "quantity", voice, q=count, p=each)
            sheet.left((Part("  "), *detail), item=index, role="quantity")
    line = LineItem(
        description=name,
        quantity=Decimal(quantity),
        unit_price=product.price,
        amount=amount,
        sku=sku,
    )
    return basket.add(line, product.tax)


def measured(
    sheet: Sheet, voice: Voice, basket: Basket, till: Till, product: Product, quantity: Decimal
) -> int:
    """A weighed or pumped item: the name, then ``0,872 kg x 1,99 EUR/kg  1,74 A``."""
    index = len(basket.items)
    field = f"line_items.{index}"
    amount = to_money(quantity * product.price, basket.currency)
    name = clip(voice.text(product.name), sheet.cols)
    sheet.left((value(name, "item", f"{field}.description"),), item=index, role="item")
    places = MEASURE_PLACES[product.unit]
    weight = value(voice.locale.number(quantity, places), "quantity", f"{field}.quantity")
    each = value(unit_price_text(voice, product.price), "unit_price", f"{field}.unit_price")
    unit = voice.text(product.unit)
    template = voice.word("measured").replace("{u}", unit)
    detail = (Part("  "), *fill(template, "quantity", voice, w=weight, p=each))
    right = amount_parts(voice, amount, "item_price", f"{field}.amount", _mark(till, product.tax))
    sheet.pair(detail, right, item=index, role="quantity")
    line = LineItem(description=name, quantity=quantity, unit_price=product.price, amount=amount)
    return basket.add(line, product.tax)


def deposit(
    sheet: Sheet, voice: Voice, basket: Basket, till: Till, bottles: int, *, back: bool = False
) -> int:
    """``Pfand 0,25 A`` after a bottle (a line item), or ``Leergut -1,50`` for returns."""
    locale = voice.locale
    assert locale.deposit is not None
    index = len(basket.items)
    field = f"line_items.{index}"
    each = -locale.deposit if back else locale.deposit
    amount = to_money(each * bottles, basket.currency)
    label = voice.word("deposit_return" if back else "deposit")
    name = voice.text(label.format(p=unit_price_text(voice, locale.deposit)))
    mark = _mark(till, locale.deposit_tax)
    right = amount_parts(voice, amount, "deposit", f"{field}.amount", mark)
    sheet.pair((value(name, "deposit", f"{field}.description"),), right, item=index, role="deposit")
    if bottles > 1:
        count = value(str(bottles), "quantity", f"{field}.quantity")
        price = value(unit_price_text(voice, each), "unit_price", f"{field}.unit_price")
        detail = fill(voice.word("multi"), "quantity", voice, q=count, p=price)
        sheet.left((Part("  "), *detail), item=index, role="quantity")
    line = LineItem(description=name, quantity=Decimal(bottles), unit_price=each, amount=amount)
    return basket.add(line, locale.deposit_tax)


def discount_after(sheet: Sheet, voice: Voice, basket: Basket, till: Till, index: int) -> None:
    """A discount on the line after item ``index``: ``Rabatt  -0,50``."""
    rng = voice.rng
    bought = basket.items[index].amount or Decimal(0)
    share = Decimal(rng.choice(("0.1", "0.2", "0.25", "0.3", "0.5")))
    amount = min(to_money(bought * share, basket.currency), bought - Decimal("0.01"))
    if amount <= 0:
        return
    label = voice.text(voice.fresh("discount"))
    code = basket.codes[index]
    number = basket.take_off(Discount(description=label, amount=amount), code)
    right = amount_parts(
        voice, -amount, "discount", f"discounts.{number}.amount", _mark(till, code)
    )
    sheet.pair((Part("  "), key(label, "discount")), right, item=index, role="discount")


def voided(sheet: Sheet, voice: Voice, till: Till, product: Product) -> None:
    """An item rung up and cancelled: its line, then ``STORNO`` with the negative amount."""
    rng = voice.rng
    mark = _mark(till, product.tax)
    amount = voice.amount(product.price)
    name = clip(voice.text(product.name), sheet.cols - len(amount) - 4)
    sheet.pair((Part(name, "void"),), (Part(amount, "void"), *_mark_parts(mark)), role="void")
    word = voice.text(voice.word("void"))
    minus = (Part(voice.amount(-product.price), "void"), *_mark_parts(mark))
    style = rng.random()
    if style < 0.4:
        sheet.pair((key(word, "void"),), minus, role="void")
    elif style < 0.7:
        sheet.left((key(word, "void"),), role="void")
        sheet.pair((Part(name, "void"),), minus, role="void")
    else:
        room = sheet.cols - len(word) - len(minus[0].text) - 5
        sheet.pair((key(word, "void"), SPACE, Part(clip(name, room), "void")), minus, role="void")


def _mark_parts(mark: str) -> tuple[Part, ...]:
    return (SPACE, Part(mark)) if mark else ()
