"""What an accountant asks: receipts by merchant, dates and status; totals per month and
category, never adding different currencies together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import StorageError, Store


@pytest.fixture
def filled(
    store: Store,
    receipt_factory: Callable[..., Receipt],
    result_factory: Callable[..., ExtractionResult],
) -> dict[str, int]:
    rows = [
        (
            "Tesco Extra",
            dt.date(2024, 1, 5),
            "GBP",
            [("MILK", "1.10", "groceries"), ("WINE", "8.99", "alcohol")],
        ),
        ("TESCO Metro", dt.date(2024, 1, 28), "GBP", [("BREAD", "1.45", "groceries")]),
        ("Shell", dt.date(2024, 2, 2), "GBP", [("UNLEADED", "60.01", "fuel")]),
        ("Café 50% off_", dt.date(2024, 2, 9), "EUR", [("ESPRESSO", "2.40", None)]),
        ("Undated Deli", None, "GBP", [("SANDWICH", "3.50", "meals")]),
    ]
    ids = {}
    for merchant, date, currency, items in rows:
        total = str(sum(Decimal(amount) for _, amount, _ in items))
        document = store.save_input_bytes(merchant.encode(), f"{merchant}.jpg", source="batch")
        receipt = receipt_factory(
            merchant=merchant, date=date, currency=currency, items=items, total=total
        )
        record = store.record_extraction(document.id, result_factory(receipt))
        assert record is not None
        ids[merchant] = record.id
    store.set_status(ids["Shell"], "approved", user="ana")
    store.set_status(ids["TESCO Metro"], "rejected", user="ana")
    return ids


def test_list_by_merchant_date_and_status(store: Store, filled: dict[str, int]) -> None:
    def names(**filters: object) -> list[str | None]:
        records = store.list_receipts(newest_first=False, **filters)  # type: ignore[arg-type]
        return [record.receipt.merchant.name for record in records]

    assert names(merchant="tesco") == ["Tesco Extra", "TESCO Metro"]
    assert names(merchant="50%") == ["Café 50% off_"]  # % and _ are literal, not wildcards
    assert names(merchant="e%o") == []
    assert names(date_from=dt.date(2024, 1, 28), date_to=dt.date(2024, 2, 2)) == [
        "TESCO Metro",
        "Shell",
    ]
    assert names(status="approved") == ["Shell"]
    assert names(status=["approved", "rejected"]) == ["TESCO Metro", "Shell"]
    assert names(merchant="tesco", status="extracted") == ["Tesco Extra"]
    newest_first = sorted(filled.values(), reverse=True)
    assert [r.id for r in store.list_receipts(limit=2, offset=1)] == newest_first[1:3]
    assert store.count_receipts(status="extracted") == 3
    with pytest.raises(StorageError):
        store.list_receipts(status="paid")


def test_totals_per_month_and_currency(store: Store, filled: dict[str, int]) -> None:
    totals = [(t.month, t.currency, t.receipts, str(t.total)) for t in store.totals_by_month()]
    assert totals == [
        ("2024-01", "GBP", 2, "11.54"),
        ("2024-02", "EUR", 1, "2.40"),
        ("2024-02", "GBP", 1, "60.01"),
        (None, "GBP", 1, "3.50"),
    ]
    approved_or_new = store.totals_by_month(
        status=["extracted", "approved"], date_from=dt.date(2024, 1, 1)
    )
    assert [(t.month, str(t.total)) for t in approved_or_new] == [
        ("2024-01", "10.09"),
        ("2024-02", "2.40"),
        ("2024-02", "60.01"),
    ]


def test_totals_per_category(store: Store, filled: dict[str, int]) -> None:
    totals = [
        (t.category, t.currency, t.line_items, str(t.total))
        for t in store.totals_by_category(status=["extracted", "approved"])
    ]
    assert totals == [
        ("alcohol", "GBP", 1, "8.99"),
        ("fuel", "GBP", 1, "60.01"),
        ("groceries", "GBP", 1, "1.10"),
        ("meals", "GBP", 1, "3.50"),
        (None, "EUR", 1, "2.40"),
    ]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    amounts=st.lists(
        st.decimals(
            min_value=Decimal("-999999999"),
            max_value=Decimal("999999999"),
            places=2,
            allow_nan=False,
            allow_infinity=False,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_sums_are_exact_decimals(
    store: Store,
    receipt_factory: Callable[..., Receipt],
    result_factory: Callable[..., ExtractionResult],
    amounts: list[Decimal],
) -> None:
    # each example gets its own month so earlier examples do not add in
    month = store.count_receipts() + 1
    date = dt.date(2000 + month // 12, month % 12 + 1, 1)
    for index, amount in enumerate(amounts):
        document = store.save_input_bytes(f"{date} {index}".encode(), "r.jpg", source="cli")
        receipt = receipt_factory(
            merchant=f"M{month}-{index}",
            date=date,
            currency="USD",
            items=[("X", str(amount), "misc")],
            total=str(amount),
        )
        store.record_extraction(document.id, result_factory(receipt))
    (total,) = store.totals_by_month(date_from=date, date_to=date)
    assert total.total == sum(amounts) and total.receipts == len(amounts)
