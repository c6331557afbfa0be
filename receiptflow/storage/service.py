"""``Store``: the one door to storage for the CLI, the flows and the review app.

Every method opens and closes its own transaction and returns plain records. The order of
work protects the user's files: bytes are archived first, then the ``documents`` row is
written, then extraction results (or the failure) are attached to it. Engines, transactions
and retries come from ``store_base``; what a run or a person's edit does to a receipt (its
flags, status and review trail) is in ``receipt_updates``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.receipt import Receipt
from receiptflow.settings import IngestSettings
from receiptflow.storage import fits, mapping, queries
from receiptflow.storage.archive import Archive, ArchivedFile
from receiptflow.storage.books import BooksStore
from receiptflow.storage.models import (
    DocumentRow,
    ExtractionRunRow,
    ReceiptRow,
    ReviewEventRow,
    UserRow,
)
from receiptflow.storage.receipt_updates import apply_edit, apply_extraction, apply_status
from receiptflow.storage.records import (
    RECEIPT_STATUSES,
    USER_ROLES,
    CategoryTotal,
    DocumentRecord,
    ExtractionRunRecord,
    MonthTotal,
    NotFoundError,
    ReceiptRecord,
    ReviewEventRecord,
    StorageError,
    UnstorableError,
    UserRecord,
)
from receiptflow.storage.store_base import fits_id

if TYPE_CHECKING:
    from receiptflow.settings import Settings

_DEFAULT_MAX_BYTES = IngestSettings().max_bytes


class Store(BooksStore):
    def __init__(
        self, database_url: str, archive_dir: Path, *, max_file_bytes: int = _DEFAULT_MAX_BYTES
    ) -> None:
        super().__init__(database_url)
        self.archive = Archive(archive_dir, max_file_bytes)
        self.archive.sweep_partial()

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls(
            settings.resolved_database_url,
            settings.archive_dir,
            max_file_bytes=settings.ingest.max_bytes,
        )

    # -- documents -------------------------------------------------------------------------

    def save_input(self, path: Path, *, source: str, name: str | None = None) -> DocumentRecord:
        """Archive the file's bytes and make (or find) its document; same bytes, one document.
        ``name``: the original file name when ``path`` is a temporary copy (an upload)."""
        return self._save_document(self.archive.store_file(path), name or path.name, source)

    def save_input_bytes(self, data: bytes, name: str, *, source: str) -> DocumentRecord:
        return self._save_document(self.archive.store_stream(io.BytesIO(data), name), name, source)

    def _save_document(self, archived: ArchivedFile, name: str, source: str) -> DocumentRecord:
        if not source or len(source) > 32:
            raise StorageError(
                f"source must be a short name such as cli, batch, watcher: {source!r}"
            )
        values = {
            "sha256": archived.sha256,
            "original_name": name,
            "media_type": archived.media_type,
            "size_bytes": archived.size_bytes,
            "source": source,
            "archive_path": archived.relative_path,
            "received_at": dt.datetime.now(dt.UTC),
            "status": "received",
        }
        insert = postgresql.insert if self.engine.dialect.name == "postgresql" else sqlite.insert
        statement = (
            insert(DocumentRow)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["sha256"])
            .returning(DocumentRow.id)
        )

        def work(session: Session) -> DocumentRecord:
            created = session.execute(statement).scalar_one_or_none() is not None
            row = session.execute(
                select(DocumentRow).where(DocumentRow.sha256 == archived.sha256)
            ).scalar_one()
            return mapping.document_record(row, self.archive.root, created=created)

        return self._retrying(work)

    def get_document(self, document_id: int) -> DocumentRecord | None:
        if not fits_id(document_id):
            return None
        with self._session(read_only=True) as session:
            row = session.get(DocumentRow, document_id)
            return None if row is None else mapping.document_record(row, self.archive.root)

    def get_document_by_sha256(self, sha256: str) -> DocumentRecord | None:
        with self._session(read_only=True) as session:
            row = session.execute(
                select(DocumentRow).where(DocumentRow.sha256 == sha256)
            ).scalar_one_or_none()
            return None if row is None else mapping.document_record(row, self.archive.root)

    def list_documents(self, *, status: str | None = None) -> list[DocumentRecord]:
        query = select(DocumentRow).order_by(DocumentRow.id)
        if status is not None:
            query = query.where(DocumentRow.status == status)
        with self._session(read_only=True) as session:
            return [
                mapping.document_record(row, self.archive.root) for row in session.scalars(query)
            ]

    def record_failure(self, document_id: int, error: str, *, stage: str) -> None:
        """The file could not be read or processed: keep the document, say why."""
        with self._session() as session:
            document = self._document(session, document_id)
            document.error = error
            document.error_stage = stage
            if document.receipt is None:
                document.status = "failed"

    @staticmethod
    def _document(session: Session, document_id: int) -> DocumentRow:
        # Locks the row on PostgreSQL: extractions of one document are recorded one at a time.
        document = session.get(DocumentRow, document_id, with_for_update=True)
        if document is None:
            raise NotFoundError("document", document_id)
        return document

    # -- extraction runs and receipts ------------------------------------------------------

    def record_extraction(
        self,
        document_id: int,
        result: ExtractionResult,
        *,
        pages: int | None = None,
        prompt_version: str | None = None,
        also: Callable[[Session], None] | None = None,
    ) -> ReceiptRecord | None:
        """Add a run; create or refresh the document's one receipt. A failed result leaves the
        receipt (if any) alone and marks the document failed when it has none. ``also`` runs
        in the same transaction (a Batch API item marked stored with its run, or neither)."""

        def work(session: Session) -> ReceiptRecord | None:
            document = self._document(session, document_id)
            if also is not None:
                also(session)
            if pages is not None:
                document.pages = pages
            session.add(mapping.run_row(document_id, result, prompt_version))
            if result.status is ExtractionStatus.FAILED or result.receipt is None:
                document.error = "\n".join(result.errors) or "extraction failed"
                document.error_stage = "extract"
                if document.receipt is None:
                    document.status = "failed"
                return None
            row = apply_extraction(session, document, result, result.receipt)
            session.flush()
            return mapping.receipt_record(row)

        return self._retrying(work)

    def runs(self, document_id: int) -> list[ExtractionRunRecord]:
        with self._session(read_only=True) as session:
            rows = session.scalars(
                select(ExtractionRunRow)
                .where(ExtractionRunRow.document_id == document_id)
                .order_by(ExtractionRunRow.id)
            )
            return [mapping.run_record(row) for row in rows]

    def page_rotations(self, document_id: int) -> dict[int, int]:
        """Page index -> degrees counter-clockwise that show the page upright, as the latest
        successful extraction's OCR found them (empty: every page is upright as stored)."""
        query = (
            select(ExtractionRunRow.result)
            .where(ExtractionRunRow.document_id == document_id, ExtractionRunRow.status != "failed")
            .order_by(ExtractionRunRow.id.desc())
            .limit(1)
        )
        with self._session(read_only=True) as session:
            result = session.execute(query).scalar_one_or_none() if fits_id(document_id) else None
        found = (result or {}).get("page_rotations") or {}
        turns = {int(page): int(degrees) % 360 for page, degrees in found.items()}
        return {page: degrees for page, degrees in turns.items() if degrees in (90, 180, 270)}

    def get_receipt(self, receipt_id: int) -> ReceiptRecord | None:
        if not fits_id(receipt_id):
            return None  # no such row, and the database would refuse the number itself
        with self._session(read_only=True) as session:
            row = (
                session.execute(queries.receipts_query().where(ReceiptRow.id == receipt_id))
                .unique()
                .scalar_one_or_none()
            )
            return None if row is None else mapping.receipt_record(row)

    def get_receipt_for_document(self, document_id: int) -> ReceiptRecord | None:
        with self._session(read_only=True) as session:
            row = (
                session.execute(
                    queries.receipts_query().where(ReceiptRow.document_id == document_id)
                )
                .unique()
                .scalar_one_or_none()
            )
            return None if row is None else mapping.receipt_record(row)

    def list_receipts(
        self,
        *,
        status: queries.StatusFilter = None,
        merchant: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        limit: int | None = 100,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[ReceiptRecord]:
        """Receipts matching all the filters; ``merchant`` matches part of the name, any case."""
        query = queries.receipts_query(
            status=status, merchant=merchant, date_from=date_from, date_to=date_to
        )
        query = query.order_by(ReceiptRow.id.desc() if newest_first else ReceiptRow.id)
        query = query.offset(offset).limit(limit)
        with self._session(read_only=True) as session:
            return [
                mapping.receipt_record(row) for row in session.execute(query).unique().scalars()
            ]

    def iter_receipts(self, *, batch: int = 500, **filters: Any) -> Iterator[ReceiptRecord]:
        """Every matching receipt, oldest first, a batch per transaction (for exports)."""
        last_id = 0
        while True:
            query = queries.receipts_query(**filters).where(ReceiptRow.id > last_id)
            with self._session(read_only=True) as session:
                rows = session.execute(query.order_by(ReceiptRow.id).limit(batch)).unique()
                records = [mapping.receipt_record(row) for row in rows.scalars()]
            yield from records
            if len(records) < batch:
                return
            last_id = records[-1].id

    def count_receipts(self, *, status: queries.StatusFilter = None) -> int:
        query = queries.filtered(select(func.count(ReceiptRow.id)), status=status)
        with self._session(read_only=True) as session:
            return int(session.execute(query).scalar_one())

    # -- review ----------------------------------------------------------------------------

    def update_receipt(
        self,
        receipt_id: int,
        receipt: Receipt,
        *,
        user: str,
        action: str = "edit",
        version: dt.datetime | None = None,
    ) -> ReceiptRecord:
        """A person's corrections: re-validate, refresh flags, keep every changed field's
        before and after. An edited receipt needs approving again. UnstorableError for values
        the database cannot hold; StaleVersionError when ``version`` is no longer current."""
        unfit = fits.problems(receipt)
        if unfit:
            raise UnstorableError(unfit)
        with self._session() as session:
            row = self._receipt_row(session, receipt_id, version)
            apply_edit(session, row, receipt, user=user, action=action)
            session.flush()
            return mapping.receipt_record(row)

    def set_status(
        self,
        receipt_id: int,
        status: str,
        *,
        user: str,
        reason: str | None = None,
        version: dt.datetime | None = None,
    ) -> ReceiptRecord:
        """A decision (approve, reject, reopen); StaleVersionError as ``update_receipt``."""
        if status not in RECEIPT_STATUSES:
            raise StorageError(f"unknown receipt status {status!r}; choose from {RECEIPT_STATUSES}")
        with self._session() as session:
            row = self._receipt_row(session, receipt_id, version)
            apply_status(session, row, status, user=user, reason=reason)
            session.flush()
            return mapping.receipt_record(row)

    def history(self, receipt_id: int) -> list[ReviewEventRecord]:
        with self._session(read_only=True) as session:
            rows = session.scalars(
                select(ReviewEventRow)
                .where(ReviewEventRow.receipt_id == receipt_id)
                .order_by(ReviewEventRow.id)
            )
            return [mapping.event_record(row) for row in rows]

    # -- reports ---------------------------------------------------------------------------

    def totals_by_month(self, **filters: Any) -> list[MonthTotal]:
        """Receipt totals per month and currency; filters as ``list_receipts``."""
        with self._session(read_only=True) as session:
            return queries.totals_by_month(session, **filters)

    def totals_by_category(self, **filters: Any) -> list[CategoryTotal]:
        """Line-item amounts per category and currency; filters as ``list_receipts``."""
        with self._session(read_only=True) as session:
            return queries.totals_by_category(session, **filters)

    # -- users (the review app's reviewers) ------------------------------------------------

    def add_user(self, name: str, password_hash: str, *, role: str = "approver") -> UserRecord:
        if role not in USER_ROLES:
            raise StorageError(f"unknown role {role!r}; choose from {', '.join(USER_ROLES)}")
        try:
            with self._session() as session:
                row = UserRow(name=name, password_hash=password_hash, role=role)
                session.add(row)
                session.flush()
                return mapping.user_record(row)
        except IntegrityError:
            raise StorageError(f"user {name!r} already exists") from None

    def get_user(self, name: str) -> UserRecord | None:
        with self._session(read_only=True) as session:
            row = session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
            return None if row is None else mapping.user_record(row)

    def edited_by(self, receipt_id: int, user: str) -> bool:
        """Whether ``user`` ever saved an edit of the receipt (the four-eyes rule's question)."""
        with self._session(read_only=True) as session:
            return queries.edited_by(session, receipt_id, user)

    def remove_user(self, name: str) -> None:
        """Delete the reviewer (their review events keep the name, as the audit trail)."""
        with self._session() as session:
            session.delete(self._user_row(session, name))

    def set_user_disabled(self, name: str, disabled: bool) -> UserRecord:
        return self._change_user(name, disabled=disabled)

    def set_user_password(self, name: str, password_hash: str) -> UserRecord:
        return self._change_user(name, password_hash=password_hash)

    def _change_user(self, name: str, **values: Any) -> UserRecord:
        """Set columns of one reviewer's row; unknown name: ``NotFoundError``."""
        with self._session() as session:
            row = self._user_row(session, name)
            for column, value in values.items():
                setattr(row, column, value)
            session.flush()
            return mapping.user_record(row)

    @staticmethod
    def _user_row(session: Session, name: str) -> UserRow:
        row = session.execute(select(UserRow).where(UserRow.name == name)).scalar_one_or_none()
        if row is None:
            raise NotFoundError("user", name)
        return row
