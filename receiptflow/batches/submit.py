"""``submit``: documents stored, request lines written, files uploaded, batches created.

The order protects against a crash at any point: the input file is written to
``<home>/batches/<key>.jsonl`` first, then the ledger row (``preparing``), then the upload
(``uploaded`` + file id), then the batch (``submitted`` + batch id). A row found in
``preparing`` or ``uploaded`` by the next run is finished by looking up, by its key, what
the dead run may have created (``send(..., lookup=True)``), never by creating it again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from receiptflow.errors import IngestError, ReceiptflowError
from receiptflow.ingest import load_document
from receiptflow.llm.batch_api import request_body, request_line, split_lines
from receiptflow.storage.batches import ABANDONED, PREPARING, SUBMITTED, UPLOADED, BatchRecord

if TYPE_CHECKING:
    from receiptflow.batches import BatchEngine, Batches

# A batch found again by its metadata was created after its ledger row; the margin covers a
# clock that differs from the API's.
_CLOCK_MARGIN_S = 3600


@dataclass
class Submitted:
    batches: list[BatchRecord] = field(default_factory=list)  # created (or finished) now
    documents: dict[Path, int] = field(default_factory=dict)  # file -> document id sent
    waiting: dict[Path, str] = field(default_factory=dict)  # file -> open batch it is in
    failed: dict[Path, str] = field(default_factory=dict)  # file -> why it was not sent


def input_file(batches: Batches, key: str) -> Path:
    return batches.settings.home / "batches" / f"receiptflow-{key}.jsonl"


def submit(
    paths: list[Path], batches: Batches, engine: BatchEngine, *, source: str = "cli"
) -> Submitted:
    """Store and send every file not already waiting in an open batch; first finish the
    submissions a dead run left half done."""
    out = Submitted(batches=resume(batches, engine))
    store, limits = batches.store, batches.settings.batch_api
    waiting = batches.ledger.pending_documents()
    lines: list[tuple[str, bytes]] = []
    documents: dict[str, int] = {}  # custom_id (sha256) -> document id
    for path in paths:
        record = None
        try:
            record = store.save_input(path, source=source)
            if record.id in waiting:
                out.waiting[path] = waiting[record.id]
                continue
            document = load_document(path, batches.settings.ingest)
            line = request_line(record.sha256, request_body(engine.client, engine.ask(document)))
        except ReceiptflowError as error:
            out.failed[path] = str(error)
            if record is not None:
                stage = "ingest" if isinstance(error, IngestError) else "extract"
                store.record_failure(record.id, str(error), stage=stage)
            continue
        if len(line) > limits.max_file_bytes:
            out.failed[path] = f"its request ({len(line)} bytes) is over the batch file limit"
            store.record_failure(record.id, out.failed[path], stage="extract")
            continue
        if record.sha256 not in documents:  # the same bytes twice: one request
            documents[record.sha256] = record.id
            lines.append((record.sha256, line))
        out.documents[path] = record.id
    groups = split_lines(lines, max_requests=limits.max_requests, max_bytes=limits.max_file_bytes)
    for group in groups:
        key = uuid.uuid4().hex
        target = input_file(batches, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(b"".join(line for _, line in group))
        partial.replace(target)  # a resumed upload never sends half a file
        items = [(documents[custom_id], custom_id) for custom_id, _ in group]
        batch = batches.ledger.create(key, engine.name, engine.client.endpoint.model, items)
        out.batches.append(send(batch, batches, engine, lookup=False))
    return out


def resume(batches: Batches, engine: BatchEngine) -> list[BatchRecord]:
    """Finish this extractor's submissions that a dead run left before ``submitted``."""
    return [
        send(batch, batches, engine, lookup=True)
        for batch in batches.ledger.list(open_only=True)
        if batch.state in (PREPARING, UPLOADED) and batch.extractor == engine.name
    ]


def send(batch: BatchRecord, batches: Batches, engine: BatchEngine, *, lookup: bool) -> BatchRecord:
    """Upload the input file and create the batch, each step recorded once it is done.
    ``lookup``: the row may be older than this process, so look for what a dead run
    created before creating it."""
    ledger, path = batches.ledger, input_file(batches, batch.key)
    if batch.state == PREPARING:
        if not path.exists():  # deleted by hand: nothing can be sent, free its documents
            error = f"input file {path} is missing; submit its documents again"
            return ledger.update(batch.id, state=ABANDONED, error=error)
        found = engine.api.find_file(path.name) if lookup else None
        file_id = found or engine.api.upload(path.name, path.read_bytes())
        batch = ledger.update(batch.id, state=UPLOADED, input_file_id=file_id)
    if batch.state == UPLOADED and batch.input_file_id is not None:
        created = batch.created_at.replace(tzinfo=batch.created_at.tzinfo or dt.UTC)
        since = int(created.timestamp()) - _CLOCK_MARGIN_S
        remote = engine.api.find_batch(batch.key, since) if lookup else None
        if remote is None:
            window = batches.settings.batch_api.completion_window
            remote = engine.api.create(batch.input_file_id, batch.key, window)
        batch = ledger.update(batch.id, state=SUBMITTED, api_id=remote.id, api_status=remote.status)
        path.unlink(missing_ok=True)  # the API holds it now
    return batch
