"""How a shop prints: money, dates and labels. A ``Draft`` is the truth plus its print style."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from receiptflow.schemas.currency import currency_exponent, minor_unit
from receiptflow.schemas.receipt import LineItem, Payment, PaymentMethod, Receipt

DEFAULT_LABELS: Mapping[str, str] = {
    "subtotal": "SUBTOTAL",
    "total": "TOTAL",
    "tip": "TIP",
    "service": "SERVICE CHARGE",
    "rounding": "ROUNDING ADJ",
    "cash": "CASH",
    "change": "CHANGE",
    "card": "CARD",
    "receipt_no": "Receipt No:",
    "date": "Date:",
    "time": "Time:",
    "phone": "Tel:",
    "tax_id": "Tax ID:",
    "tax_incl": "{label} incl.",
    "qty": "QTY",
    "desc": "DESCRIPTION",
    "price": "PRICE",
    "amount": "AMOUNT",
    "savings": "SAVINGS",
}


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Style:
    """Printing conventions of one shop; nothing here is part of the truth."""

    currency_format: str = "{amount}"  # e.g. "${amount}", "RM {amount}", "{amount} EUR"
    decimal_sep: str = "."
    thousands_sep: str = ","
    date_format: str = "%m/%d/%Y"
    time_format: str = "%H:%M"
    labels: Mapping[str, str] = field(default_factory=lambda: DEFAULT_LABELS)
    show_subtotal: bool = True
    card_format: str = "{label} **** {last4}"

    def label(self, key: str) -> str:
        return self.labels.get(key, DEFAULT_LABELS[key])

    def number(self, value: Decimal, places: int) -> str:
        """``1234.5`` -> ``1,234.50`` (or ``1.234,50`` with a decimal comma)."""
        text = f"{abs(value):,.{places}f}"
        text = (
            text.replace(",", "\0").replace(".", self.decimal_sep).replace("\0", self.thousands_sep)
        )
        return f"-{text}" if value < 0 else text

    def money(self, value: Decimal, currency: str, *, symbol: bool = False) -> str:
        text = self.number(value, currency_exponent(currency))
        if not symbol:
            return text
        sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
        return sign + self.currency_format.format(amount=digits)

    def date(self, value: dt.date) -> str:
        """strftime with English names (and AM/PM in ``time``) whatever the process locale."""
        english = self.date_format.replace("%a", _DAYS[value.weekday()])
        return value.strftime(english.replace("%b", _MONTHS[value.month - 1]))

    def time(self, value: dt.time) -> str:
        return value.strftime(self.time_format.replace("%p", "AM" if value.hour < 12 else "PM"))

    def quantity(self, value: Decimal) -> str:
        if value == value.to_integral_value():
            return str(int(value))
        return self.number(value, 3)


@dataclass(frozen=True)
class Draft:
    """A receipt as the shop prints it: the truth plus everything that is only ink."""

    receipt: Receipt
    style: Style
    address_lines: tuple[str, ...]
    item_marks: tuple[str, ...] = ()  # printed after an item's amount ("A", "*"), not truth
    header_extra: tuple[str, ...] = ()  # "Table 12  Server: Ann"
    footer: tuple[str, ...] = ()

    def mark(self, index: int) -> str:
        return self.item_marks[index] if index < len(self.item_marks) else ""

    def to_ascii(self) -> Draft:
        """The same receipt with ASCII spellings, truth included, for a font without accents."""

        def fold(texts: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(text.translate(ASCII_FOLD) for text in texts)

        receipt = Receipt.model_validate_json(self.receipt.model_dump_json().translate(ASCII_FOLD))
        style = replace(
            self.style,
            currency_format=self.style.currency_format.translate(ASCII_FOLD),
            labels={key: value.translate(ASCII_FOLD) for key, value in self.style.labels.items()},
        )
        return replace(
            self,
            receipt=receipt,
            style=style,
            address_lines=fold(self.address_lines),
            header_extra=fold(self.header_extra),
            footer=fold(self.footer),
        )


ASCII_FOLD = str.maketrans(
    {
        "é": "e",
        "ß": "ss",
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "Ä": "Ae",
        "Ö": "Oe",
        "Ü": "Ue",
        "£": "GBP ",
        "€": "EUR ",
        "¥": "JPY ",
    }
)


def to_money(value: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit, as tills do."""
    return value.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def item(
    description: str,
    quantity: Decimal | int,
    unit_price: str,
    currency: str,
    sku: str | None = None,
) -> LineItem:
    qty = Decimal(quantity)
    price = Decimal(unit_price)
    return LineItem(
        description=description,
        quantity=qty,
        unit_price=price,
        amount=to_money(qty * price, currency),
        sku=sku,
    )


def items_sum(items: list[LineItem]) -> Decimal:
    return sum((line.amount or Decimal(0) for line in items), Decimal(0))


def inclusive_tax(gross: Decimal, rate: Decimal, currency: str) -> Decimal:
    """Tax already inside a gross amount: gross * rate / (100 + rate)."""
    return to_money(gross * rate / (Decimal(100) + rate), currency)


def cash_tendered(total: Decimal, notes: tuple[int, ...], rng: random.Random) -> Decimal:
    """What a customer hands over: the exact amount, or notes of one kind that cover it."""
    if rng.random() < 0.15:
        return total
    covering = sorted({(total / note).to_integral_value(ROUND_CEILING) * note for note in notes})
    return rng.choice(covering[:2])


def paid_cash(total: Decimal, notes: tuple[int, ...], rng: random.Random) -> Payment:
    tendered = cash_tendered(total, notes, rng)
    return Payment(method=PaymentMethod.CASH, tendered=tendered, change=tendered - total)


def paid_card(total: Decimal, rng: random.Random) -> Payment:
    last4 = f"{rng.randrange(10000):04d}"
    return Payment(method=PaymentMethod.CARD, card_last4=last4, tendered=total)


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def random_time(rng: random.Random, first_hour: int, last_hour: int, seconds: bool) -> dt.time:
    return dt.time(
        rng.randint(first_hour, last_hour), rng.randrange(60), rng.randrange(60) if seconds else 0
    )


def pick_items(
    rng: random.Random, catalog: tuple[tuple[str, ...], ...], low: int, high: int
) -> list[tuple[str, ...]]:
    count = min(rng.randint(low, high), len(catalog))
    return rng.sample(catalog, count)


def ean13(rng: random.Random, prefix: str = "50") -> str:
    """A 13-digit barcode with a valid check digit (UK prefix 50)."""
    body = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix)))
    weighted = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - weighted % 10) % 10)
