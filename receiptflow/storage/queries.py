"""The questions an accountant asks: receipts by merchant, date range and status; totals per
month and per category (per currency: amounts in different currencies are never added up).

Sums are taken with ``Decimal`` in Python so both backends give the exact same answer (SQLite
would sum in floating point).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from receiptflow.schemas.currency import minor_unit
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage.mapping import trim
from receiptflow.storage.models import LineItemRow, ReceiptRow, ReviewEventRow
from receiptflow.storage.records import RECEIPT_STATUSES, CategoryTotal, MonthTotal, StorageError

POSSIBLE_DUPLICATE = "possible_duplicate"

StatusFilter = str | Sequence[str] | None
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def _statuses(status: StatusFilter) -> list[str] | None:
    if status is None:
        return None
    wanted = [status] if isinstance(status, str) else list(status)
    unknown = sorted(set(wanted) - set(RECEIPT_STATUSES))
    if unknown:
        raise StorageError(f"unknown receipt status {unknown}; choose from {RECEIPT_STATUSES}")
    return wanted


def filtered(
    query: _Query,
    *,
    status: StatusFilter = None,
    merchant: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> _Query:
    statuses = _statuses(status)
    if statuses is not None:
        query = query.where(ReceiptRow.status.in_(statuses))
    if merchant:
        query = query.where(ReceiptRow.merchant_name.icontains(merchant, autoescape=True))
    if date_from is not None:
        query = query.where(ReceiptRow.date >= date_from)
    if date_to is not None:
        query = query.where(ReceiptRow.date <= date_to)
    return query


def receipts_query(**filters: Any) -> Select[ReceiptRow]:
    query = select(ReceiptRow).options(
        joinedload(ReceiptRow.document),
        selectinload(ReceiptRow.line_items),
        selectinload(ReceiptRow.flags),
    )
    return filtered(query, **filters)


def edited_by(session: Session, receipt_id: int, user: str) -> bool:
    """Whether ``user`` ever saved an edit of the receipt (the four-eyes rule's question)."""
    query = select(func.count(ReviewEventRow.id)).where(
        ReviewEventRow.receipt_id == receipt_id,
        ReviewEventRow.user == user,
        ReviewEventRow.action == "edit",
    )
    return int(session.execute(query).scalar_one()) > 0


def duplicate_flags(session: Session, receipt: Receipt, *, document_id: int) -> list[Flag]:
    """Receipts of other documents with the same merchant, date and total: probably the same
    purchase photographed and scanned. Flagged for a person, never merged."""
    name = (receipt.merchant.name or "").strip().lower()
    if not name or receipt.date is None or receipt.total is None:
        return []
    candidates = session.execute(
        select(ReceiptRow.id, ReceiptRow.total, ReceiptRow.currency).where(
            ReceiptRow.date == receipt.date,
            func.lower(func.trim(ReceiptRow.merchant_name)) == name,
            ReceiptRow.document_id != document_id,
        )
    ).all()
    flags = []
    for receipt_id, total, currency in candidates:
        if total == receipt.total and (currency or receipt.currency) == (
            receipt.currency or currency
        ):
            flags.append(
                Flag(
                    code=POSSIBLE_DUPLICATE,
                    field=None,
                    message=f"same merchant, date and total as receipt {receipt_id}",
                    severity=Severity.WARNING,
                )
            )
    return flags


_Key = tuple[str | None, str | None]  # (month or category, currency)


def _sums(rows: Iterable[tuple[str | None, str | None, Decimal | None]]) -> list[tuple[Any, ...]]:
    """(key, currency, count, exact sum) per key and currency, ordered; None keys last."""
    sums: dict[_Key, tuple[int, Decimal]] = {}
    for key, currency, amount in rows:
        if amount is not None:
            count, total = sums.get((key, currency), (0, Decimal(0)))
            sums[key, currency] = (count + 1, total + amount)
    ordered = sorted(sums, key=lambda k: (k[0] is None, k[0] or "", k[1] or ""))
    return [(k, c, sums[k, c][0], _money(sums[k, c][1], c)) for k, c in ordered]


def _money(amount: Decimal, currency: str | None) -> Decimal:
    """Drop the NUMERIC padding: 12.300000 -> 12.30 (USD), 1200.000000 -> 1200 (JPY)."""
    quantized = amount.quantize(minor_unit(currency))
    return quantized if quantized == amount else trim(amount) or amount


def totals_by_month(session: Session, **filters: Any) -> list[MonthTotal]:
    query = filtered(select(ReceiptRow.date, ReceiptRow.currency, ReceiptRow.total), **filters)
    rows = ((f"{d:%Y-%m}" if d else None, c, t) for d, c, t in session.execute(query))
    return [
        MonthTotal(month=month, currency=currency, receipts=count, total=total)
        for month, currency, count, total in _sums(rows)
    ]


def totals_by_category(session: Session, **filters: Any) -> list[CategoryTotal]:
    query = filtered(
        select(LineItemRow.category, ReceiptRow.currency, LineItemRow.amount).join(
            ReceiptRow, LineItemRow.receipt_id == ReceiptRow.id
        ),
        **filters,
    )
    return [
        CategoryTotal(category=category, currency=currency, line_items=count, total=total)
        for category, currency, count, total in _sums(session.execute(query))
    ]
