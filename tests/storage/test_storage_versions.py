"""Compare-and-set on a receipt's version, inside the writing transaction, and values checked
against the columns before they reach the database (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from storage_support import make_receipt, make_result

from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import (
    NotFoundError,
    ReceiptRecord,
    StaleVersionError,
    Store,
    UnstorableError,
)

ROUNDS = 4


def _seeded(store: Store) -> ReceiptRecord:
    document = store.save_input_bytes(b"receipt bytes", "r.jpg", source="cli")
    record = store.record_extraction(document.id, make_result())
    assert record is not None
    return record


def _race(*writers: Callable[[], object]) -> list[object]:
    """Run the writers at once (a barrier lines them up); each one's result or exception."""
    barrier = threading.Barrier(len(writers))
    outcomes: list[object] = [None] * len(writers)

    def run(index: int) -> None:
        barrier.wait(timeout=10)
        try:
            outcomes[index] = writers[index]()
        except Exception as exc:  # noqa: BLE001 - the test looks at which one lost
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(writers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_saves_from_one_version_one_wins_and_the_audit_is_right(store: Store) -> None:
    record = _seeded(store)
    for round_ in range(ROUNDS):
        seen = store.get_receipt(record.id)
        assert seen is not None
        totals = {"alice": f"{20 + round_}.10", "bob": f"{20 + round_}.20"}
        outcomes = _race(
            *(
                lambda user=user, total=total, version=seen.updated_at: store.update_receipt(
                    record.id, make_receipt(total=total), user=user, version=version
                )
                for user, total in totals.items()
            )
        )
        won = [o for o in outcomes if isinstance(o, ReceiptRecord)]
        lost = [o for o in outcomes if isinstance(o, StaleVersionError)]
        assert (len(won), len(lost)) == (1, 1), outcomes
        assert lost[0].expected == seen.updated_at and lost[0].current == won[0].updated_at
        winner = next(u for u, t in totals.items() if Decimal(t) == won[0].receipt.total)
        last = store.history(record.id)[-1]
        # The audit credits the winner with a change from what both of them had seen.
        assert last.user == winner
        total_change = next(c for c in last.changes if c.field == "total")
        assert total_change.before == str(seen.receipt.total)
    edits = [event for event in store.history(record.id) if event.action == "edit"]
    assert len(edits) == ROUNDS


def test_a_decision_on_a_stale_version_is_refused(store: Store) -> None:
    record = _seeded(store)
    store.update_receipt(record.id, make_receipt(total="99.00"), user="bob")
    for status in ("approved", "rejected", "extracted"):
        with pytest.raises(StaleVersionError):
            store.set_status(record.id, status, user="alice", version=record.updated_at)
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "flagged"
    approved = store.set_status(record.id, "approved", user="alice", version=after.updated_at)
    assert approved.updated_at > after.updated_at  # every write is a new version


def test_approve_racing_a_save_never_approves_unseen_values(store: Store) -> None:
    record = _seeded(store)
    outcomes = _race(
        lambda: store.update_receipt(
            record.id, make_receipt(total="55.00"), user="bob", version=record.updated_at
        ),
        lambda: store.set_status(record.id, "approved", user="alice", version=record.updated_at),
    )
    assert sum(isinstance(o, StaleVersionError) for o in outcomes) == 1, outcomes
    after = store.get_receipt(record.id)
    assert after is not None
    assert not (after.status == "approved" and after.receipt.total == Decimal("55.00"))


def test_out_of_range_ids_are_not_found(store: Store) -> None:
    for receipt_id in (2**31, 99999999999999999999, 0, -1):
        assert store.get_receipt(receipt_id) is None
        assert store.get_document(receipt_id) is None
        with pytest.raises(NotFoundError):
            store.set_status(receipt_id, "approved", user="alice")


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"merchant": {"name": "N" * 256}}, "merchant.name"),
        ({"currency": "EURO"}, "currency"),
        ({"receipt_number": "12\x0034"}, "receipt_number"),
        ({"merchant": {"address": "Main St\x00"}}, "merchant.address"),
    ],
)
def test_values_the_columns_cannot_hold_are_refused_before_the_database(
    store: Store, change: dict[str, object], path: str
) -> None:
    record = _seeded(store)
    receipt = Receipt.model_validate({**make_receipt().model_dump(), **change})
    with pytest.raises(UnstorableError) as raised:
        store.update_receipt(record.id, receipt, user="alice")
    assert path in raised.value.problems
    assert store.history(record.id) == []


def test_a_huge_quantity_is_refused(store: Store) -> None:
    record = _seeded(store)
    receipt = make_receipt()
    receipt.line_items[0].quantity = Decimal("1" * 15)
    with pytest.raises(UnstorableError) as raised:
        store.update_receipt(record.id, receipt, user="alice")
    assert "line_items.0.quantity" in raised.value.problems


def test_the_audit_records_the_value_as_stored(store: Store) -> None:
    record = _seeded(store)
    receipt = make_receipt()
    receipt.line_items[0].quantity = Decimal("2.0599999")
    updated = store.update_receipt(record.id, receipt, user="alice")
    assert updated.receipt.line_items[0].quantity == Decimal("2.06")
    (event,) = store.history(record.id)
    (change,) = [c for c in event.changes if c.field == "line_items.0.quantity"]
    assert (change.before, change.after) == ("1", "2.06")
    # Saving the same value again is no change at all.
    again = store.update_receipt(record.id, receipt, user="alice")
    assert again.receipt == updated.receipt
    assert not [c for c in store.history(record.id)[-1].changes if "quantity" in c.field]
