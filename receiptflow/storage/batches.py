"""``BatchLedger``: what receiptflow knows about its Batch API batches, on the ``Store``.

Each step of a batch's life is written down before and after the remote call it depends on
(``receiptflow.batches``): a row in ``preparing`` may or may not have its file uploaded, one in
``uploaded`` may or may not have its batch created; ``submitted`` has both. A restart looks the
uncertain ones up remotely by the batch's key instead of creating them again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from receiptflow.storage.models import LlmBatchItemRow, LlmBatchRow
from receiptflow.storage.records import NotFoundError, _Record

if TYPE_CHECKING:
    from receiptflow.extractors.base import ExtractionResult
    from receiptflow.storage.service import Store

PREPARING, UPLOADED, SUBMITTED, COLLECTED = "preparing", "uploaded", "submitted", "collected"
ABANDONED = "abandoned"  # could not be sent (its input file is gone): documents free again
OPEN_STATES = (PREPARING, UPLOADED, SUBMITTED)  # a document in one is not submitted again


class BatchItemRecord(_Record):
    document_id: int
    custom_id: str
    state: str


class BatchRecord(_Record):
    id: int
    key: str
    extractor: str
    model: str
    state: str
    api_id: str | None
    api_status: str | None
    input_file_id: str | None
    output_file_id: str | None
    error_file_id: str | None
    request_counts: dict[str, int]
    error: str | None
    created_at: dt.datetime
    collected_at: dt.datetime | None
    items: list[BatchItemRecord]

    @property
    def shown_id(self) -> str:
        return self.api_id or f"local-{self.id}"


def _record(row: LlmBatchRow) -> BatchRecord:
    return BatchRecord(
        id=row.id,
        key=row.key,
        extractor=row.extractor,
        model=row.model,
        state=row.state,
        api_id=row.api_id,
        api_status=row.api_status,
        input_file_id=row.input_file_id,
        output_file_id=row.output_file_id,
        error_file_id=row.error_file_id,
        request_counts=dict(row.request_counts or {}),
        error=row.error,
        created_at=row.created_at,
        collected_at=row.collected_at,
        items=[
            BatchItemRecord(document_id=i.document_id, custom_id=i.custom_id, state=i.state)
            for i in row.items
        ],
    )


class BatchLedger:
    def __init__(self, store: Store) -> None:
        self.store = store

    def create(
        self, key: str, extractor: str, model: str, items: Sequence[tuple[int, str]]
    ) -> BatchRecord:
        """A batch in ``preparing`` with its (document id, custom_id) items."""
        with self.store._session() as session:
            row = LlmBatchRow(key=key, extractor=extractor, model=model, state=PREPARING)
            row.items = [LlmBatchItemRow(document_id=d, custom_id=c) for d, c in items]
            row.request_counts = {"total": len(items)}
            session.add(row)
            session.flush()
            return _record(row)

    def update(self, batch_id: int, **values: Any) -> BatchRecord:
        with self.store._session() as session:
            row = self._row(session, batch_id)
            for name, value in values.items():
                setattr(row, name, value)
            session.flush()
            return _record(row)

    def get(self, wanted: str) -> BatchRecord:
        """By the API's batch id, or by ``local-N`` / ``N`` (not yet submitted)."""
        local = wanted.removeprefix("local-")
        with self.store._session(read_only=True) as session:
            query = select(LlmBatchRow).where(LlmBatchRow.api_id == wanted)
            row = session.execute(query).scalar_one_or_none()
            if row is None and local.isdigit():
                row = session.get(LlmBatchRow, int(local))
            if row is None:
                raise NotFoundError("batch", wanted)
            return _record(row)

    def list(self, *, open_only: bool = False) -> list[BatchRecord]:
        query = select(LlmBatchRow).order_by(LlmBatchRow.id)
        if open_only:
            query = query.where(LlmBatchRow.state.in_(OPEN_STATES))
        with self.store._session(read_only=True) as session:
            return [_record(row) for row in session.scalars(query)]

    def pending_documents(self) -> dict[int, str]:
        """Document id -> the batch (shown id) it waits in, for every open batch."""
        return {
            item.document_id: batch.shown_id
            for batch in self.list(open_only=True)
            for item in batch.items
            if item.state == "pending"
        }

    def store_item(
        self, batch_id: int, custom_id: str, result: ExtractionResult, pages: int | None
    ) -> bool:
        """Record the item's extraction and mark it stored, in one transaction. False when it
        was stored already (a collect that died after storing it and is now run again)."""
        with self.store._session(read_only=True) as session:
            item = self._item(session, batch_id, custom_id)
            if item.state == "stored":
                return False
            document_id = item.document_id

        def mark(session: Session) -> None:
            row = self._item(session, batch_id, custom_id)
            if row.state == "stored":  # a concurrent collect won: undo this run
                raise _AlreadyStored
            row.state = "stored"

        try:
            self.store.record_extraction(document_id, result, pages=pages, also=mark)
        except _AlreadyStored:
            return False
        return True

    @staticmethod
    def _row(session: Session, batch_id: int) -> LlmBatchRow:
        row = session.get(LlmBatchRow, batch_id, with_for_update=True)
        if row is None:
            raise NotFoundError("batch", batch_id)
        return row

    @staticmethod
    def _item(session: Session, batch_id: int, custom_id: str) -> LlmBatchItemRow:
        query = select(LlmBatchItemRow).where(
            LlmBatchItemRow.batch_id == batch_id, LlmBatchItemRow.custom_id == custom_id
        )
        return session.execute(query).scalar_one()


class _AlreadyStored(Exception):
    """Rolls back a run whose item another collect stored first."""
