"""The review queue: which receipts a person looks at, in which order, and how many there are.

Read-only queries over the storage tables (the Store's engine, the Store's filters), riskiest
first: the receipt least likely to be right (``receipts.trust``; unknown counts as the
riskiest) first, then the worst flag, then the oldest, so among equals nothing waits forever.
The order is SQL's, so pages of the queue follow it too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from receiptflow.review import search
from receiptflow.storage import ReceiptRecord, Store
from receiptflow.storage.mapping import receipt_record
from receiptflow.storage.models import FlagRow, ReceiptRow
from receiptflow.storage.queries import filtered, receipts_query
from receiptflow.storage.records import RECEIPT_STATUSES

# Tab name -> receipt statuses; "open" is what still needs a person.
VIEWS: dict[str, tuple[str, ...] | None] = {
    "open": ("flagged", "extracted"),
    "flagged": ("flagged",),
    "extracted": ("extracted",),
    "approved": ("approved",),
    "rejected": ("rejected",),
    "all": None,
}
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}
PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    view: str = "open"
    merchant: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    text: str | None = None  # the search box: merchant, items, receipt number, amounts
    amount_min: Decimal | None = None  # range of the total
    amount_max: Decimal | None = None
    category: str | None = None  # receipts in this category, or with a line item in it
    sort: str | None = None  # one of search.SORTS; None: riskiest first
    descending: bool = False

    @classmethod
    def parse(
        cls, view: str | None, merchant: str | None, date_from: str | None, date_to: str | None
    ) -> QueueFilter:
        """From query-string text; anything unreadable is ignored rather than an error page."""
        return cls(
            view=view if view in VIEWS else "open",
            merchant=(merchant or "").strip()[:255] or None,
            date_from=_date(date_from),
            date_to=_date(date_to),
        )

    @classmethod
    def from_params(cls, params: Mapping[str, str], *, view: str | None = None) -> QueueFilter:
        """Every filter of the queue page's URL (``view`` given: that tab instead)."""
        base = cls.parse(
            view or params.get("view"),
            params.get("merchant"),
            params.get("date_from"),
            params.get("date_to"),
        )
        sort = params.get("sort")
        return cls(
            view=base.view,
            merchant=base.merchant,
            date_from=base.date_from,
            date_to=base.date_to,
            text=(params.get("q") or "").strip()[:255] or None,
            amount_min=search.parse_amount(params.get("amount_min")),
            amount_max=search.parse_amount(params.get("amount_max")),
            category=(params.get("category") or "").strip()[:64] or None,
            sort=sort if sort in search.SORTS else None,
            descending=params.get("dir") == "desc",
        )

    @property
    def searching(self) -> bool:
        """Any filter beyond the tab (the page offers "Clear")."""
        wanted = (self.merchant, self.date_from, self.date_to, self.text, self.category)
        return any(value is not None for value in (*wanted, self.amount_min, self.amount_max))

    def narrowed(self, query: Any, dialect: str) -> Any:
        """``query`` with the search box and amount range (beyond ``store_filters``)."""
        return search.narrowed(
            query,
            text=self.text,
            amount_min=self.amount_min,
            amount_max=self.amount_max,
            dialect=dialect,
            category=self.category,
        )

    def sort_link(self, column: str) -> str:
        """The query string that sorts by ``column``: ascending first, then toggles."""
        descending = self.sort == column and not self.descending
        return self.query_string(sort=column, dir="desc" if descending else "")

    def store_filters(self, *, with_status: bool = True) -> dict[str, Any]:
        statuses = VIEWS[self.view] if with_status else None
        return {
            "status": list(statuses) if statuses is not None else None,
            "merchant": self.merchant,
            "date_from": self.date_from,
            "date_to": self.date_to,
        }

    def query_string(self, **overrides: str) -> str:
        """The filter as ``?view=...``, for links that keep the reviewer's place."""
        params = {
            "view": self.view,
            "merchant": self.merchant or "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "q": self.text or "",
            "amount_min": str(self.amount_min) if self.amount_min is not None else "",
            "amount_max": str(self.amount_max) if self.amount_max is not None else "",
            "category": self.category or "",
            "sort": self.sort or "",
            "dir": "desc" if self.descending and self.sort else "",
            **overrides,
        }
        kept = {key: value for key, value in params.items() if value}
        if kept.get("view") == "open":
            del kept["view"]  # the default tab
        return "?" + urlencode(kept) if kept else ""


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _worst_severity() -> Any:
    rank = case(
        *((FlagRow.severity == name, value) for name, value in SEVERITY_RANK.items()), else_=0
    )
    return (
        select(func.coalesce(func.max(rank), 0))
        .where(FlagRow.receipt_id == ReceiptRow.id)
        .scalar_subquery()
    )


def _ordered(query: Select[Any], wanted: QueueFilter, dialect: str) -> Select[Any]:
    if wanted.sort is not None:
        return search.sorted_by(query, wanted.sort, wanted.descending, dialect)
    riskiest_first = ReceiptRow.trust.asc().nulls_first()
    return query.order_by(
        riskiest_first, _worst_severity().desc(), ReceiptRow.created_at, ReceiptRow.id
    )


def _session(store: Store) -> Session:
    return Session(store.engine)


def _dialect(store: Store) -> str:
    return store.engine.dialect.name


def queue_page(store: Store, wanted: QueueFilter, *, page: int = 0) -> list[ReceiptRecord]:
    dialect = _dialect(store)
    query = wanted.narrowed(receipts_query(**wanted.store_filters()), dialect)
    query = _ordered(query, wanted, dialect)
    query = query.offset(max(page, 0) * PAGE_SIZE).limit(PAGE_SIZE)
    with _session(store) as session:
        return [receipt_record(row) for row in session.execute(query).unique().scalars()]


def matching(store: Store, wanted: QueueFilter) -> list[ReceiptRecord]:
    """Every receipt under all the queue's filters (the download), oldest first as the CLI's
    export writes them."""
    query = wanted.narrowed(receipts_query(**wanted.store_filters()), _dialect(store))
    with _session(store) as session:
        rows = session.execute(query.order_by(ReceiptRow.id)).unique().scalars()
        return [receipt_record(row) for row in rows]


def queue_ids(store: Store, wanted: QueueFilter) -> list[int]:
    """Every id in queue order: what next and previous walk along."""
    dialect = _dialect(store)
    query = filtered(select(ReceiptRow.id), **wanted.store_filters())
    query = _ordered(wanted.narrowed(query, dialect), wanted, dialect)
    with _session(store) as session:
        return list(session.execute(query).scalars())


def neighbours(ids: Sequence[int], receipt_id: int) -> tuple[int | None, int | None]:
    """(previous, next) of ``receipt_id`` in ``ids``; a receipt no longer in the view (just
    approved, say) has no place there, so next is then the first one still waiting."""
    if receipt_id not in ids:
        return None, (ids[0] if ids else None)
    position = ids.index(receipt_id)
    previous = ids[position - 1] if position > 0 else None
    following = ids[position + 1] if position + 1 < len(ids) else None
    return previous, following


def counts(store: Store, wanted: QueueFilter) -> dict[str, int]:
    """Receipts per tab under the other filters (tabs show these numbers)."""
    query = filtered(
        select(ReceiptRow.status, func.count(ReceiptRow.id)).group_by(ReceiptRow.status),
        **wanted.store_filters(with_status=False),
    )
    query = wanted.narrowed(query, _dialect(store))
    with _session(store) as session:
        per_status = {status: 0 for status in RECEIPT_STATUSES}
        per_status.update({status: int(n) for status, n in session.execute(query).all()})
    return {
        view: sum(per_status.get(s, 0) for s in (statuses or per_status))
        for view, statuses in VIEWS.items()
    }


def worst_severity(record: ReceiptRecord) -> str | None:
    ranked = sorted(record.flags, key=lambda flag: SEVERITY_RANK.get(flag.severity.value, 0))
    return ranked[-1].severity.value if ranked else None


def next_to_review(store: Store, wanted: QueueFilter, receipt_id: int) -> int | None:
    """After a decision on ``receipt_id``: the next receipt that still needs a person (flagged
    or extracted; only flagged in the flagged tab), in queue order under the reviewer's
    filters (search, merchant, dates, amounts) and sort, the ones after this receipt first,
    then the ones before it that were passed over. Never an approved or rejected one, never
    skipping flagged work because the tab showed something else."""
    waiting = {"flagged"} if wanted.view == "flagged" else {"flagged", "extracted"}
    rows_query: Select[*tuple[Any, ...]] = select(ReceiptRow.id, ReceiptRow.status)
    dialect = _dialect(store)
    query = filtered(rows_query, **wanted.store_filters(with_status=False))
    query = _ordered(wanted.narrowed(query, dialect), wanted, dialect)
    with _session(store) as session:
        rows = [(row_id, status) for row_id, status in session.execute(query)]
    ids = [row_id for row_id, _ in rows]
    position = ids.index(receipt_id) if receipt_id in ids else len(rows)
    candidates = [*rows[position + 1 :], *rows[:position]]
    return next((row_id for row_id, status in candidates if status in waiting), None)
