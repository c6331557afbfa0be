"""The one Receipt schema every extractor fills.

Money is ``Decimal`` (serialised as a JSON string so no float ever touches it). After
validation each amount is written with its currency's precision (``9`` -> ``9.00`` for MYR,
``1200`` stays ``1200`` for JPY) when that loses nothing; an amount with more decimals than
its currency allows is kept as printed and flagged by validation (``money_precision``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from receiptflow.schemas.currency import currency_exponent

Money = Annotated[Decimal, Field(max_digits=18, decimal_places=6)]


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Merchant(_Model):
    name: str | None = Field(None, description="Business name as printed at the top")
    address: str | None = Field(
        None, description="Full address as printed, lines joined by a space"
    )
    phone: str | None = None
    tax_id: str | None = Field(None, description="Tax / company registration id (GST, VAT, ABN)")


class LineItem(_Model):
    description: str
    quantity: Decimal | None = Field(None, description="Count or weight; 1 when not printed")
    unit_price: Decimal | None = None
    amount: Money | None = Field(None, description="Line total as printed (quantity x unit price)")
    sku: str | None = None
    category: str | None = None


class TaxLine(_Model):
    label: str | None = Field(None, description="As printed, e.g. 'GST 6%', 'VAT B', 'SST'")
    rate: Decimal | None = Field(None, description="Percent, e.g. 6 for 6 %")
    amount: Money
    inclusive: bool = Field(
        False, description="True when the tax is already inside the item prices (VAT/GST incl.)"
    )


class Discount(_Model):
    description: str | None = None
    amount: Money = Field(description="Positive number that is subtracted from the total")


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"
    MOBILE = "mobile"
    VOUCHER = "voucher"
    OTHER = "other"


class Payment(_Model):
    method: PaymentMethod | None = None
    card_last4: str | None = Field(None, pattern=r"^\d{4}$")
    tendered: Money | None = Field(None, description="Cash or card amount handed over")
    change: Money | None = None


class Receipt(_Model):
    merchant: Merchant = Field(default_factory=Merchant)
    receipt_number: str | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    currency: str | None = Field(None, description="ISO 4217 code, e.g. USD, EUR, MYR, JPY")
    line_items: list[LineItem] = Field(default_factory=list)
    subtotal: Money | None = None
    taxes: list[TaxLine] = Field(default_factory=list)
    tip: Money | None = None
    service_charge: Money | None = None
    discounts: list[Discount] = Field(default_factory=list)
    rounding: Money | None = Field(None, description="Cash rounding adjustment, signed")
    total: Money | None = Field(None, description="Amount due, after tax, tip and rounding")
    payment: Payment | None = None

    @field_validator("currency", mode="before")
    @classmethod
    def _upper_currency(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _apply_currency_precision(self) -> Receipt:
        if self.currency is None:
            return self  # precision unknown: keep amounts as printed (1102 may be yen)
        exponent = currency_exponent(self.currency)
        quantum = Decimal(1).scaleb(-exponent)

        def fix(value: Decimal | None) -> Decimal | None:
            if value is None:
                return None
            quantized = value.quantize(quantum)
            return quantized if quantized == value else value

        for name in ("subtotal", "tip", "service_charge", "rounding", "total"):
            object.__setattr__(self, name, fix(getattr(self, name)))
        for item in self.line_items:
            object.__setattr__(item, "amount", fix(item.amount))
            # A unit price keeps extra digits (fuel at 2.059/l) but gains missing ones.
            if item.unit_price is not None and _decimals(item.unit_price) < exponent:
                object.__setattr__(item, "unit_price", fix(item.unit_price))
        for tax in self.taxes:
            object.__setattr__(tax, "amount", fix(tax.amount))
        for discount in self.discounts:
            object.__setattr__(discount, "amount", fix(discount.amount))
        if self.payment is not None:
            for name in ("tendered", "change"):
                object.__setattr__(self.payment, name, fix(getattr(self.payment, name)))
        return self

    def money_fields(self) -> dict[str, Decimal]:
        """Every amount with its dotted path, for validation and review."""
        found: dict[str, Decimal] = {}
        for name in ("subtotal", "tip", "service_charge", "rounding", "total"):
            value = getattr(self, name)
            if value is not None:
                found[name] = value
        for index, item in enumerate(self.line_items):
            if item.amount is not None:
                found[f"line_items.{index}.amount"] = item.amount
        for index, tax in enumerate(self.taxes):
            found[f"taxes.{index}.amount"] = tax.amount
        for index, discount in enumerate(self.discounts):
            found[f"discounts.{index}.amount"] = discount.amount
        return found
