"""Receipt layouts: a Draft becomes print lines on a grid of character columns.

Three item layouts, as real tills print them:
- ``columns``: a QTY DESCRIPTION PRICE AMOUNT table;
- ``at``: ``2 x Latte @ 4.50      9.00`` (quantity 1 prints just the name and amount);
- ``sku``: the barcode on its own line above the description, quantity/weight below.
Paper is 58 mm (32 columns) or 80 mm (42 columns).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from receiptflow.samples.roles import SPACE, Part, keyed, line_role
from receiptflow.samples.style import Draft
from receiptflow.schemas.receipt import LineItem, PaymentMethod

Align = Literal["l", "r", "c"]
LineKind = Literal["normal", "title", "bold", "small"]
LAYOUTS = ("columns", "at", "sku")
PAPER_COLUMNS = {"58mm": 32, "80mm": 42}


@dataclass(frozen=True)
class Cell:
    text: str
    col: float  # character column: left edge ("l"), right edge ("r") or centre ("c")
    align: Align = "l"
    parts: tuple[Part, ...] = ()  # what each piece of ``text`` is (line truth); joined = text

    def __post_init__(self) -> None:
        if self.parts and "".join(part.text for part in self.parts) != self.text:
            raise ValueError(f"parts do not spell the cell text {self.text!r}")

    @classmethod
    def of(cls, parts: tuple[Part, ...], col: float, align: Align = "l") -> Cell:
        return cls("".join(part.text for part in parts), col, align, parts)

    def segments(self) -> tuple[Part, ...]:
        return self.parts or (Part(self.text),)


@dataclass(frozen=True)
class PrintLine:
    cells: tuple[Cell, ...] = ()
    kind: LineKind = "normal"
    role: str = ""  # the line's role; "" = the role of its first value part
    item: int | None = None  # the line item (index into line_items) this line belongs to

    @property
    def text_role(self) -> str:
        return self.role or line_role(tuple(p for cell in self.cells for p in cell.segments()))


Side = str | tuple[Part, ...]


def _cell(side: Side, col: float, align: Align) -> Cell:
    return Cell(side, col, align) if isinstance(side, str) else Cell.of(side, col, align)


def left_right(
    left: Side, right: Side, cols: int, kind: LineKind = "normal", item: int | None = None
) -> PrintLine:
    return PrintLine((_cell(left, 0, "l"), _cell(right, cols, "r")), kind, item=item)


def centered(text: Side, cols: int, kind: LineKind = "normal") -> PrintLine:
    return PrintLine((_cell(text, cols / 2, "c"),), kind)


def lone(text: Side, item: int | None = None, kind: LineKind = "normal") -> PrintLine:
    """One left-aligned cell."""
    return PrintLine((_cell(text, 0, "l"),), kind, item=item)


def rule(cols: int, char: str = "-") -> PrintLine:
    return PrintLine((Cell(char * cols, 0),))


def layout_receipt(draft: Draft, layout: str, cols: int) -> list[PrintLine]:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {LAYOUTS}")
    lines = [*_header(draft, cols), rule(cols)]
    if layout == "columns":
        lines += _columns_items(draft, cols)
    else:
        for index in range(len(draft.receipt.line_items)):
            amount = _amount_parts(draft, index)
            item_lines = _at_item if layout == "at" else _sku_item
            lines += item_lines(draft, index, amount, cols)
    lines += [rule(cols), *_totals(draft, cols), rule(cols), *_payment(draft, cols)]
    lines += [PrintLine(), *(centered(text, cols) for text in draft.footer)]
    return lines


def _currency(draft: Draft) -> str:
    return draft.receipt.currency or "USD"


def _header(draft: Draft, cols: int) -> Iterator[PrintLine]:
    receipt, style = draft.receipt, draft.style
    merchant = receipt.merchant
    yield centered((Part(merchant.name or "", "merchant", field="merchant.name"),), cols, "title")
    for text in draft.address_lines:
        yield centered((Part(text, "address", field="merchant.address"),), cols)
    if merchant.phone:
        yield centered(keyed(style.label("phone"), merchant.phone, "phone", "merchant.phone"), cols)
    if merchant.tax_id:
        tax_id = keyed(style.label("tax_id"), merchant.tax_id, "tax_id", "merchant.tax_id")
        yield centered(tax_id, cols)
    yield PrintLine()
    if receipt.date is not None and receipt.time is not None:
        date = keyed(style.label("date"), style.date(receipt.date), "date", "date")
        time = keyed(style.label("time"), style.time(receipt.time), "time", "time")
        yield left_right(date, time, cols)
    if receipt.receipt_number:
        number = keyed(
            style.label("receipt_no"), receipt.receipt_number, "receipt_number", "receipt_number"
        )
        yield lone(number)
    yield from (lone(_extra_parts(text)) for text in draft.header_extra)


_PERSON_LABELS = ("Server:", "Cashier:")


def _extra_parts(text: str) -> tuple[Part, ...]:
    """ "Table 12   Server: Ann": the person who served is a cashier, the rest is other."""
    for label in _PERSON_LABELS:
        if label in text:
            before, after = text.split(label, 1)
            return (Part(before), Part(label, "cashier", key=True), Part(after, "cashier"))
    return (Part(text),)


def _unit(line_item: LineItem, draft: Draft) -> tuple[str, str, bool]:
    """(quantity text, unit price text, weighed?) as printed."""
    quantity = line_item.quantity or Decimal(1)
    weighed = quantity != quantity.to_integral_value()
    price = draft.style.money(line_item.unit_price or Decimal(0), _currency(draft))
    return draft.style.quantity(quantity), price, weighed


def _amount_parts(draft: Draft, index: int) -> tuple[Part, ...]:
    """The line amount and the tax mark printed after it ("9,00 A")."""
    line_item = draft.receipt.line_items[index]
    amount = draft.style.money(line_item.amount or Decimal(0), _currency(draft))
    parts = (Part(amount, "item_price", field=f"line_items.{index}.amount"),)
    mark = draft.mark(index)
    return parts + ((SPACE, Part(mark.strip())) if mark else ())


def _field(index: int, name: str) -> str:
    return f"line_items.{index}.{name}"


def _columns_items(draft: Draft, cols: int) -> Iterator[PrintLine]:
    style = draft.style
    amount_col, price_col, desc_col = cols, cols - 11, 6
    yield PrintLine(
        (
            Cell(style.label("qty"), 0),
            Cell(style.label("desc"), desc_col),
            Cell(style.label("price"), price_col, "r"),
            Cell(style.label("amount"), amount_col, "r"),
        ),
        "bold",
        role="header",
    )
    desc_room = price_col - 9 - desc_col
    for index, line_item in enumerate(draft.receipt.line_items):
        quantity, price, _ = _unit(line_item, draft)
        numbers = (
            Cell.of((Part(quantity, "quantity", field=_field(index, "quantity")),), 0),
            Cell.of(
                (Part(price, "unit_price", field=_field(index, "unit_price")),), price_col, "r"
            ),
            Cell.of(_amount_parts(draft, index), amount_col, "r"),
        )
        name = (Part(line_item.description, "item", field=_field(index, "description")),)
        if len(line_item.description) <= desc_room:
            yield PrintLine((*numbers, Cell.of(name, desc_col)), role="item", item=index)
        else:  # narrow paper: the name gets its own line, the numbers go under it
            yield lone(name, index)
            yield PrintLine(numbers, role="quantity", item=index)


def _item_parts(
    draft: Draft, index: int
) -> tuple[tuple[Part, ...], tuple[Part, ...], tuple[Part, ...], bool]:
    """(name, quantity, unit price) parts and whether the item was weighed."""
    line_item = draft.receipt.line_items[index]
    quantity, price, weighed = _unit(line_item, draft)
    name = (Part(line_item.description, "item", field=_field(index, "description")),)
    unit = " kg" if weighed else ""
    count = (Part(quantity + unit, "quantity", field=_field(index, "quantity")),)
    each = (
        Part(price + ("/kg" if weighed else ""), "unit_price", field=_field(index, "unit_price")),
    )
    return name, count, each, weighed


def _at_item(draft: Draft, index: int, amount: tuple[Part, ...], cols: int) -> Iterator[PrintLine]:
    name, count, each, weighed = _item_parts(draft, index)
    at = (Part(" @ "),)
    if weighed:
        yield lone(name, index)
        yield left_right((Part("  "), *count, *at, *each), amount, cols, item=index)
        return
    if count[0].text == "1":
        yield left_right(name, amount, cols, item=index)
        return
    parts = (*count, Part(" x "), *name, *at, *each)
    text = "".join(part.text for part in parts)
    amount_text = "".join(part.text for part in amount)
    if len(text) + len(amount_text) + 2 <= cols:
        yield left_right(parts, amount, cols, item=index)
    else:
        yield lone(name, index)
        yield left_right((Part("  "), *count, Part(" x"), *at, *each), amount, cols, item=index)


def _sku_item(draft: Draft, index: int, amount: tuple[Part, ...], cols: int) -> Iterator[PrintLine]:
    line_item = draft.receipt.line_items[index]
    name, count, each, weighed = _item_parts(draft, index)
    if line_item.sku:
        sku = (Part(line_item.sku, field=_field(index, "sku")),)
        yield PrintLine((Cell.of(sku, 0),), "small", item=index)
    if count[0].text == "1":
        yield left_right(name, amount, cols, item=index)
        return
    yield lone(name, index)
    yield left_right((Part("  "), *count, Part(" @ "), *each), amount, cols, item=index)


def _totals(draft: Draft, cols: int) -> Iterator[PrintLine]:
    receipt, style = draft.receipt, draft.style
    currency = _currency(draft)

    def money(value: Decimal, role: str, field: str, symbol: bool = False) -> tuple[Part, ...]:
        return (Part(style.money(value, currency, symbol=symbol), role, field=field),)

    def key(label: str, role: str) -> tuple[Part, ...]:
        return (Part(label, role, key=True),)

    if style.show_subtotal and receipt.subtotal is not None:
        subtotal = money(receipt.subtotal, "subtotal", "subtotal")
        yield left_right(key(style.label("subtotal"), "subtotal"), subtotal, cols)
    if receipt.discounts:
        yield lone(key(style.label("savings"), "discount"))
        for index, discount in enumerate(receipt.discounts):
            what = (Part("  "), Part(discount.description or "", "discount", key=True))
            value = money(-discount.amount, "discount", f"discounts.{index}.amount")
            yield left_right(what, value, cols)
    for index, tax in enumerate(receipt.taxes):
        if not tax.inclusive:
            value = money(tax.amount, "tax", f"taxes.{index}.amount")
            yield left_right(key(tax.label or "TAX", "tax"), value, cols)
    extras = (
        ("service", "service", "service_charge"),
        ("tip", "tip", "tip"),
        ("rounding", "rounding", "rounding"),
    )
    for label_key, role, name in extras:
        amount = getattr(receipt, name)
        if amount is not None:
            yield left_right(key(style.label(label_key), role), money(amount, role, name), cols)
    if receipt.total is not None:
        total = money(receipt.total, "total", "total", symbol=True)
        yield left_right(key(style.label("total"), "total"), total, cols, "bold")
    for index, tax in enumerate(receipt.taxes):
        if tax.inclusive:
            label = style.label("tax_incl").format(label=tax.label or "TAX")
            value = money(tax.amount, "tax", f"taxes.{index}.amount")
            yield left_right(key(label, "tax"), value, cols)


def _payment(draft: Draft, cols: int) -> Iterator[PrintLine]:
    payment, style = draft.receipt.payment, draft.style
    if payment is None:
        return
    currency = _currency(draft)

    def money(value: Decimal, role: str, field: str, symbol: bool = False) -> tuple[Part, ...]:
        return (Part(style.money(value, currency, symbol=symbol), role, field=field),)

    if payment.method is PaymentMethod.CARD:
        label = style.card_format.format(label=style.label("card"), last4=payment.card_last4)
        brand, _, number = label.partition(" ")
        card = (
            Part(brand, "payment", key=True, field="payment.method"),
            SPACE,
            Part(number, "card", field="payment.card_last4"),
        )
        paid = money(payment.tendered or Decimal(0), "payment", "payment.tendered")
        yield PrintLine(left_right(card, paid, cols).cells, role="payment")
        return
    if payment.tendered is not None:
        cash = (Part(style.label("cash"), "payment", key=True, field="payment.method"),)
        paid = money(payment.tendered, "payment", "payment.tendered", symbol=True)
        yield left_right(cash, paid, cols)
    if payment.change is not None:
        change = money(payment.change, "change", "payment.change", symbol=True)
        yield left_right((Part(style.label("change"), "change", key=True),), change, cols)
