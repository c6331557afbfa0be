"""The receipt's probability of being right (receipts.trust) and a run's details."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from receiptflow.extractors.base import ExtractionResult
from receiptflow.storage import Store
from receiptflow.storage.models import ReceiptRow
from receiptflow.storage.receipt_trust import receipt_trust

ResultFactory = Callable[..., ExtractionResult]


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        ({"receipt": 0.42, "total": 0.99}, 0.42),
        ({"total": 0.9, "date": 0.7, "line_items": 0.8}, 0.7),
        ({"merchant.address": 0.1, "time": 0.2, "total": 0.95}, 0.95),  # not key fields
        ({"merchant.address": 0.1}, None),
        ({}, None),
        (None, None),
        ({"receipt": "high", "total": True, "date": float("nan"), "subtotal": 0.6}, 0.6),
    ],
)
def test_receipt_trust_is_its_own_probability_else_its_weakest_key_field(
    confidence: dict[str, Any] | None, expected: float | None
) -> None:
    assert receipt_trust(confidence) == expected


def test_extraction_stores_the_receipts_probability(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"trust one", "one.jpg", source="cli")
    confidence = {"total": 0.9, "merchant.name": 0.55, "merchant.address": 0.2}
    record = store.record_extraction(document.id, result_factory(confidence=confidence))
    assert record is not None and record.trust == 0.55
    again = store.record_extraction(document.id, result_factory(confidence={"receipt": 0.97}))
    assert again is not None and again.trust == 0.97
    with Session(store.engine) as session:
        stored = session.execute(select(ReceiptRow.trust)).scalar_one()
    assert stored == 0.97
    unknown = store.save_input_bytes(b"trust two", "two.jpg", source="cli")
    blank = store.record_extraction(unknown.id, result_factory(confidence={}))
    assert blank is not None and blank.trust is None


def test_run_details_keep_why_the_cascade_escalated(
    store: Store, result_factory: ResultFactory
) -> None:
    document = store.save_input_bytes(b"escalated", "e.jpg", source="batch")
    why = {"stage": "local", "fields": {"total": 0.62}, "flags": ["sum_mismatch"]}
    store.record_extraction(document.id, result_factory(method="cascade:nemo"))
    store.record_extraction(document.id, result_factory(escalated_because=why))
    plain, escalated = store.runs(document.id)
    assert plain.details is None
    assert escalated.details == {"escalated_because": why}
