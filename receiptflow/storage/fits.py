"""What the receipt tables can hold, checked before a write reaches the database.

PostgreSQL refuses a name longer than its column, a 4-letter currency, a NUL byte or a number
with more integer digits than ``NUMERIC(20, 6)`` allows, with a database error mid-write;
SQLite stores them all. Checking the Receipt here gives both backends the same answer, and
the review form the same messages beside the right inputs. ``as_stored`` rounds numbers to
the columns' scale first, so the audit trail records what the database keeps (``2.0599999``
is stored as ``2.06`` on PostgreSQL, and says so).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from receiptflow.schemas.receipt import Receipt
from receiptflow.storage.mapping import flatten, trim
from receiptflow.storage.models import MONEY_SCALE, LineItemRow, ReceiptRow

MONEY_PRECISION = 20
_INTEGER_DIGITS = MONEY_PRECISION - MONEY_SCALE
_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_INDEX = re.compile(r"\.\d+\.")


def _length(column: Any) -> int | None:
    return getattr(column.type, "length", None)


# Receipt path (row indexes as *) -> the column's maximum length; Text and JSON have none.
MAX_LENGTHS: dict[str, int | None] = {
    "merchant.name": _length(ReceiptRow.merchant_name),
    "merchant.phone": _length(ReceiptRow.merchant_phone),
    "merchant.tax_id": _length(ReceiptRow.merchant_tax_id),
    "receipt_number": _length(ReceiptRow.receipt_number),
    "line_items.*.sku": _length(LineItemRow.sku),
    "line_items.*.category": _length(LineItemRow.category),
}
# Paths kept in NUMERIC(20, 6) columns (taxes, discounts and payment live in JSON, exactly).
MONEY_COLUMNS = frozenset(
    {
        "subtotal",
        "tip",
        "service_charge",
        "rounding",
        "total",
        "line_items.*.quantity",
        "line_items.*.unit_price",
        "line_items.*.amount",
    }
)


def column_path(path: str) -> str:
    """``line_items.3.sku`` -> ``line_items.*.sku``: the path's column."""
    return _INDEX.sub(".*.", path)


def _fits(value: Decimal) -> bool:
    """Whether NUMERIC(20, 6) holds ``value`` (after rounding to 6 places, as it will)."""
    return value.is_finite() and abs(value) < Decimal(10) ** _INTEGER_DIGITS


def problems(receipt: Receipt) -> dict[str, str]:
    """Dotted path -> why the database cannot hold that value; empty when it all fits."""
    found: dict[str, str] = {}
    for path, value in flatten(receipt).items():
        column = column_path(path)
        if isinstance(value, str):
            limit = MAX_LENGTHS.get(column)
            if "\x00" in value:
                found[path] = "contains a NUL character"
            elif limit is not None and len(value) > limit:
                found[path] = f"at most {limit} characters (this has {len(value)})"
        elif isinstance(value, Decimal) and column in MONEY_COLUMNS and not _fits(value):
            found[path] = f"too large: at most {_INTEGER_DIGITS} digits before the point"
    if receipt.currency is not None and not _CURRENCY.match(receipt.currency):
        found["currency"] = "a 3-letter ISO 4217 code such as USD or EUR"
    return found


def as_stored(receipt: Receipt) -> Receipt:
    """The receipt with every NUMERIC column's value rounded to the column's scale, as the
    database will keep it (the same rounding ``models.Money`` applies on both backends)."""

    def rounded(value: Decimal | None) -> Decimal | None:
        if value is None or not value.is_finite():
            return value
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > MONEY_SCALE:
            return trim(value.quantize(_QUANTUM))  # as read back: 2.0599999 -> 2.06
        return value

    amounts = {
        name: rounded(getattr(receipt, name))
        for name in ("subtotal", "tip", "service_charge", "rounding", "total")
    }
    items = [
        item.model_copy(
            update={
                "quantity": rounded(item.quantity),
                "unit_price": rounded(item.unit_price),
                "amount": rounded(item.amount),
            }
        )
        for item in receipt.line_items
    ]
    return receipt.model_copy(update={**amounts, "line_items": items})
