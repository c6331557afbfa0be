"""Finding receipts in the queue: full-text search, amount ranges and sortable columns.

Text search is ``LIKE`` on lower-cased text (the same on SQLite and PostgreSQL) over the
merchant, the receipt number and every line item's description. A query that reads as a
number also matches a total, subtotal or line amount exactly: money is text on SQLite
(``Money``), so the number is matched as each of its written forms (``12.3``, ``12.30``, ...,
``12.300000``), which is exact on both backends. Ranges and sorting by amount need the
number itself: on SQLite the text is cast to REAL for them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, cast, exists, func, or_, select

from receiptflow.storage.models import MONEY_SCALE, LineItemRow, ReceiptRow

# Column name in the URL -> what it sorts by; anything else keeps the riskiest-first order.
SORTS = ("date", "merchant", "total", "status")
_AMOUNT = re.compile(r"^[^\d.,-]{0,4}\s*(-?\d+(?:[.,]\d{1,6})?)\s*[^\d.,]{0,4}$")


def parse_amount(text: str | None) -> Decimal | None:
    """``12.30``, ``12,30``, ``$12.30`` or ``12.30 EUR`` -> Decimal; anything else None."""
    match = _AMOUNT.match((text or "").strip())
    if match is None:
        return None
    try:
        return Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None


def written_forms(amount: Decimal) -> list[Decimal]:
    """The amount with 0 to MONEY_SCALE decimals, those equal to it: 12.3 -> 12.3 ... 12.300000."""
    forms = []
    for places in range(MONEY_SCALE + 1):
        written = amount.quantize(Decimal(1).scaleb(-places))
        if written == amount:
            forms.append(written)
    return forms


def money_value(column: Any, dialect: str) -> Any:
    """``column`` as a number SQL can compare and sort (SQLite keeps money as text)."""
    return cast(column, Float) if dialect == "sqlite" else column


def _bound(amount: Decimal, dialect: str) -> float | Decimal:
    return float(amount) if dialect == "sqlite" else amount


def text_match(query: str) -> ColumnElement[bool]:
    """Merchant, receipt number or a line item's description contains ``query`` (any case);
    or, for a number, a total, subtotal or line amount equals it."""
    items = select(LineItemRow.id).where(LineItemRow.receipt_id == ReceiptRow.id)
    found: list[ColumnElement[bool]] = [
        ReceiptRow.merchant_name.icontains(query, autoescape=True),
        ReceiptRow.receipt_number.icontains(query, autoescape=True),
        exists(items.where(LineItemRow.description.icontains(query, autoescape=True))),
    ]
    amount = parse_amount(query)
    if amount is not None:
        forms = written_forms(amount)
        found += [
            ReceiptRow.total.in_(forms),
            ReceiptRow.subtotal.in_(forms),
            exists(items.where(LineItemRow.amount.in_(forms))),
        ]
    return or_(*found)


def in_category(category: str) -> ColumnElement[bool]:
    """The receipt or one of its line items is in ``category`` (whole name, any case): an
    export books a line without its own category under the receipt's."""
    wanted = category.lower()
    items = select(LineItemRow.id).where(LineItemRow.receipt_id == ReceiptRow.id)
    return or_(
        func.lower(ReceiptRow.category) == wanted,
        exists(items.where(func.lower(LineItemRow.category) == wanted)),
    )


def narrowed(
    query: Any,
    *,
    text: str | None,
    amount_min: Decimal | None,
    amount_max: Decimal | None,
    dialect: str,
    category: str | None = None,
) -> Any:
    """``query`` with the search box, the category and the total's range applied."""
    if text:
        query = query.where(text_match(text))
    if category:
        query = query.where(in_category(category))
    total = money_value(ReceiptRow.total, dialect)
    if amount_min is not None:
        query = query.where(total >= _bound(amount_min, dialect))
    if amount_max is not None:
        query = query.where(total <= _bound(amount_max, dialect))
    return query


def sorted_by(query: Select[Any], column: str, descending: bool, dialect: str) -> Select[Any]:
    """Order by one of ``SORTS`` (empty values last either way), then by id for stable pages."""
    key: Any = {
        "date": ReceiptRow.date,
        "merchant": func.lower(ReceiptRow.merchant_name),
        "total": money_value(ReceiptRow.total, dialect),
        "status": ReceiptRow.status,
    }[column]
    ordered = key.desc() if descending else key.asc()
    tie = ReceiptRow.id.desc() if descending else ReceiptRow.id.asc()
    return query.order_by(ordered.nulls_last(), tie)
