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


@dataclass(frozen=True)
class PrintLine:
    cells: tuple[Cell, ...] = ()
    kind: LineKind = "normal"


def left_right(left: str, right: str, cols: int, kind: LineKind = "normal") -> PrintLine:
    return PrintLine((Cell(left, 0), Cell(right, cols, "r")), kind)


def centered(text: str, cols: int, kind: LineKind = "normal") -> PrintLine:
    return PrintLine((Cell(text, cols / 2, "c"),), kind)


def rule(cols: int, char: str = "-") -> PrintLine:
    return PrintLine((Cell(char * cols, 0),))


def layout_receipt(draft: Draft, layout: str, cols: int) -> list[PrintLine]:
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; choose from {LAYOUTS}")
    lines = [*_header(draft, cols), rule(cols)]
    if layout == "columns":
        lines += _columns_items(draft, cols)
    else:
        for index, line_item in enumerate(draft.receipt.line_items):
            amount = draft.style.money(line_item.amount or Decimal(0), _currency(draft))
            amount += draft.mark(index)
            item_lines = _at_item if layout == "at" else _sku_item
            lines += item_lines(draft, line_item, amount, cols)
    lines += [rule(cols), *_totals(draft, cols), rule(cols), *_payment(draft, cols)]
    lines += [PrintLine(), *(centered(text, cols) for text in draft.footer)]
    return lines


def _currency(draft: Draft) -> str:
    return draft.receipt.currency or "USD"


def _header(draft: Draft, cols: int) -> Iterator[PrintLine]:
    receipt, style = draft.receipt, draft.style
    merchant = receipt.merchant
    yield centered(merchant.name or "", cols, "title")
    yield from (centered(text, cols) for text in draft.address_lines)
    if merchant.phone:
        yield centered(f"{style.label('phone')} {merchant.phone}", cols)
    if merchant.tax_id:
        yield centered(f"{style.label('tax_id')} {merchant.tax_id}", cols)
    yield PrintLine()
    if receipt.date is not None and receipt.time is not None:
        date = style.date(receipt.date)
        time = style.time(receipt.time)
        yield left_right(f"{style.label('date')} {date}", f"{style.label('time')} {time}", cols)
    if receipt.receipt_number:
        yield PrintLine((Cell(f"{style.label('receipt_no')} {receipt.receipt_number}", 0),))
    yield from (PrintLine((Cell(text, 0),)) for text in draft.header_extra)


def _unit(line_item: LineItem, draft: Draft) -> tuple[str, str, bool]:
    """(quantity text, unit price text, weighed?) as printed."""
    quantity = line_item.quantity or Decimal(1)
    weighed = quantity != quantity.to_integral_value()
    price = draft.style.money(line_item.unit_price or Decimal(0), _currency(draft))
    return draft.style.quantity(quantity), price, weighed


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
    )
    desc_room = price_col - 9 - desc_col
    for index, line_item in enumerate(draft.receipt.line_items):
        quantity, price, _ = _unit(line_item, draft)
        amount = style.money(line_item.amount or Decimal(0), _currency(draft)) + draft.mark(index)
        numbers = (Cell(quantity, 0), Cell(price, price_col, "r"), Cell(amount, amount_col, "r"))
        if len(line_item.description) <= desc_room:
            yield PrintLine((*numbers, Cell(line_item.description, desc_col)))
        else:  # narrow paper: the name gets its own line, the numbers go under it
            yield PrintLine((Cell(line_item.description, 0),))
            yield PrintLine(numbers)


def _at_item(draft: Draft, line_item: LineItem, amount: str, cols: int) -> Iterator[PrintLine]:
    quantity, price, weighed = _unit(line_item, draft)
    if weighed:
        yield PrintLine((Cell(line_item.description, 0),))
        yield left_right(f"  {quantity} kg @ {price}/kg", amount, cols)
        return
    if quantity == "1":
        yield left_right(line_item.description, amount, cols)
        return
    text = f"{quantity} x {line_item.description} @ {price}"
    if len(text) + len(amount) + 2 <= cols:
        yield left_right(text, amount, cols)
    else:
        yield PrintLine((Cell(line_item.description, 0),))
        yield left_right(f"  {quantity} x @ {price}", amount, cols)


def _sku_item(draft: Draft, line_item: LineItem, amount: str, cols: int) -> Iterator[PrintLine]:
    quantity, price, weighed = _unit(line_item, draft)
    if line_item.sku:
        yield PrintLine((Cell(line_item.sku, 0),), "small")
    if quantity == "1":
        yield left_right(line_item.description, amount, cols)
        return
    yield PrintLine((Cell(line_item.description, 0),))
    detail = f"  {quantity} kg @ {price}/kg" if weighed else f"  {quantity} @ {price}"
    yield left_right(detail, amount, cols)


def _totals(draft: Draft, cols: int) -> Iterator[PrintLine]:
    receipt, style = draft.receipt, draft.style
    currency = _currency(draft)

    def money(value: Decimal, symbol: bool = False) -> str:
        return style.money(value, currency, symbol=symbol)

    if style.show_subtotal and receipt.subtotal is not None:
        yield left_right(style.label("subtotal"), money(receipt.subtotal), cols)
    if receipt.discounts:
        yield PrintLine((Cell(style.label("savings"), 0),))
        for discount in receipt.discounts:
            yield left_right(f"  {discount.description or ''}", money(-discount.amount), cols)
    for tax in receipt.taxes:
        if not tax.inclusive:
            yield left_right(tax.label or "TAX", money(tax.amount), cols)
    if receipt.service_charge is not None:
        yield left_right(style.label("service"), money(receipt.service_charge), cols)
    if receipt.tip is not None:
        yield left_right(style.label("tip"), money(receipt.tip), cols)
    if receipt.rounding is not None:
        yield left_right(style.label("rounding"), money(receipt.rounding), cols)
    if receipt.total is not None:
        yield left_right(style.label("total"), money(receipt.total, symbol=True), cols, "bold")
    for tax in receipt.taxes:
        if tax.inclusive:
            label = style.label("tax_incl").format(label=tax.label or "TAX")
            yield left_right(label, money(tax.amount), cols)


def _payment(draft: Draft, cols: int) -> Iterator[PrintLine]:
    payment, style = draft.receipt.payment, draft.style
    if payment is None:
        return
    currency = _currency(draft)
    if payment.method is PaymentMethod.CARD:
        label = style.card_format.format(label=style.label("card"), last4=payment.card_last4)
        yield left_right(label, style.money(payment.tendered or Decimal(0), currency), cols)
        return
    if payment.tendered is not None:
        yield left_right(
            style.label("cash"), style.money(payment.tendered, currency, symbol=True), cols
        )
    if payment.change is not None:
        yield left_right(
            style.label("change"), style.money(payment.change, currency, symbol=True), cols
        )
