"""Receipts uploaded in the browser: the CLI's ingest checks, the archive, and extraction in
the background.

What is checked before a file is stored is what ``receiptflow extract`` checks: a regular,
non-empty file within ``RECEIPTFLOW_INGEST__MAX_BYTES`` (counted while it streams in, see
``upload_form``) whose first bytes are a supported image or PDF, with the same message when
not. Accepted files are archived as documents with source ``web`` (status ``received``) and
handed to a small pool of threads with a bounded queue, which extract them with the
configured extractor exactly as the flows do (``flows.core.process_file``): the document then
becomes ``extracted``, ``flagged`` or ``failed`` (with the reason), which the queue page shows.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from receiptflow.errors import IngestError
from receiptflow.flows.core import Archived, Extraction, process_file
from receiptflow.flows.steps import PlainSteps
from receiptflow.ingest.files import open_regular_file
from receiptflow.ingest.loader import check_media_type
from receiptflow.review.upload_form import UploadedFile
from receiptflow.settings import Settings
from receiptflow.storage import DocumentRecord, Store
from receiptflow.storage.mapping import aware
from receiptflow.storage.models import DocumentRow, ReceiptRow

SOURCE = "web"
_HEAD_BYTES = 4096  # enough for every signature and for naming what the content is instead
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UploadStatus:
    """One uploaded file as the queue page shows it."""

    document_id: int
    name: str
    status: str  # received (being extracted), extracted, flagged, failed
    error: str | None
    receipt_id: int | None
    received_at: dt.datetime


def check_upload(uploaded: UploadedFile, max_bytes: int) -> IngestError | None:
    """The CLI's checks on a received file; the IngestError names the browser's file name."""
    if uploaded.error is not None or uploaded.path is None:
        return uploaded.error
    try:
        with open_regular_file(uploaded.path, max_bytes) as handle:
            head = handle.read(_HEAD_BYTES)
        check_media_type(head, Path(uploaded.name))
    except IngestError as error:
        return IngestError(uploaded.name, error.reason, code=error.code)
    return None


class _UploadSteps(PlainSteps):
    """The flows' steps for a document that is already archived (by the upload)."""

    def __init__(self, settings: Settings, store: Store, document: DocumentRecord) -> None:
        super().__init__(settings, source=SOURCE)
        self._store = store
        self._document = document

    @property
    def store(self) -> Store:
        return self._store

    def archive(self, path: Path) -> Archived:
        return Archived(document_id=self._document.id, sha256=self._document.sha256)

    def extract(self, path: Path, sha256: str) -> Extraction:
        try:
            return super().extract(path, sha256)
        except IngestError as error:  # name the file the user uploaded, not the archive path
            name = self._document.original_name
            raise IngestError(name, error.reason, code=error.code) from None


class BackgroundExtractions:
    """A bounded queue of uploaded documents and ``workers`` threads extracting them."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self._queue: queue.Queue[int | None] = queue.Queue(maxsize=settings.review.upload_queue)
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, document_id: int) -> bool:
        """Queue the document for extraction; False when the queue is full."""
        self._start()
        try:
            self._queue.put_nowait(document_id)
        except queue.Full:
            return False
        return True

    def has_room(self) -> bool:
        return not self._queue.full()

    def resume(self) -> None:
        """Uploads a previous run received but did not finish (the server stopped)."""
        query = (
            select(DocumentRow.id)
            .where(DocumentRow.source == SOURCE, DocumentRow.status == "received")
            .order_by(DocumentRow.id)
            .limit(self.settings.review.upload_queue)
        )
        with self.store.read_session() as session:
            waiting = list(session.execute(query).scalars())
        for document_id in waiting:
            self.submit(document_id)

    def stop(self, timeout_s: float = 10.0) -> None:
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._queue.put(None)  # one stop sign per worker, behind the work already queued
        for thread in threads:
            thread.join(timeout_s)

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < max(1, self.settings.review.upload_workers):
                thread = threading.Thread(
                    target=self._work, name=f"upload-extract-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while (document_id := self._queue.get()) is not None:
            try:
                self.extract(document_id)
            finally:
                self._queue.task_done()
        self._queue.task_done()

    def extract(self, document_id: int) -> None:
        """Extract and record one uploaded document; whatever goes wrong is recorded on it."""
        document = self.store.get_document(document_id)
        if document is None or document.status != "received":
            return  # gone, or done by someone else meanwhile
        steps = _UploadSteps(self.settings, self.store, document)
        try:
            outcome = process_file(document.archive_path, steps)
        except Exception as error:  # a worker thread must outlive any one file
            _log.exception("extraction of upload %s failed", document.original_name)
            self.store.record_failure(
                document_id, f"{type(error).__name__}: {error}", stage="extract"
            )
            return
        after = self.store.get_document(document_id)
        if after is not None and after.status == "received":  # e.g. the original went missing
            reason = outcome.error or "not extracted"
            self.store.record_failure(document_id, reason, stage=outcome.stage or "extract")


def recent_uploads(store: Store, limit: int = 8) -> list[UploadStatus]:
    """The newest uploads with their progress and, once extracted, their receipt."""
    query = (
        select(
            DocumentRow.id,
            DocumentRow.original_name,
            DocumentRow.status,
            DocumentRow.error,
            ReceiptRow.id,
            DocumentRow.received_at,
        )
        .outerjoin(ReceiptRow, ReceiptRow.document_id == DocumentRow.id)
        .where(DocumentRow.source == SOURCE)
        .order_by(DocumentRow.id.desc())
        .limit(limit)
    )
    with store.read_session() as session:
        rows = session.execute(query).all()
    return [
        UploadStatus(
            document_id=document_id,
            name=name,
            status=status,
            error=error,
            receipt_id=receipt_id,
            received_at=aware(received_at),
        )
        for document_id, name, status, error, receipt_id, received_at in rows
    ]
