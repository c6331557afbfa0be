"""What a write does to a document's one receipt: a new extraction run, a person's edit, a
change of status.

Each function works on rows the caller (``Store``) has already fetched and locked, inside its
transaction: it sets the receipt's values, flags and status, and keeps every change as a
review event. Opening transactions, retrying and turning rows into records stay in
``service``; the rules for a receipt's status and review trail are here, in one place.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.flags import Flag, has_errors
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import validate_receipt
from receiptflow.storage import category_rules, mapping, queries
from receiptflow.storage.fits import as_stored
from receiptflow.storage.models import DocumentRow, ReceiptRow
from receiptflow.storage.receipt_trust import receipt_trust
from receiptflow.storage.records import FieldChange

SYSTEM_USER = "receiptflow"
_STATUS_ACTIONS = {"approved": "approve", "rejected": "reject"}


def _receipt_status(result_status: ExtractionStatus | None, flags: list[Flag]) -> str:
    needs_person = result_status is ExtractionStatus.FLAGGED or has_errors(flags)
    if needs_person or any(flag.code == queries.POSSIBLE_DUPLICATE for flag in flags):
        return "flagged"
    return "extracted"


def touch(row: ReceiptRow) -> None:
    """A new ``updated_at``: the receipt's version, which the review app sends back with each
    form. Strictly later than the last one, even if the clock stood still or stepped back, so
    two writes can never leave the same version."""
    now = mapping.aware(dt.datetime.now(dt.UTC))
    if row.updated_at is not None:
        now = max(now, mapping.aware(row.updated_at) + dt.timedelta(microseconds=1))
    row.updated_at = now


def apply_extraction(
    session: Session, document: DocumentRow, result: ExtractionResult, receipt: Receipt
) -> ReceiptRow:
    """Create or refresh the document's receipt from a successful run's ``receipt``."""
    receipt = as_stored(receipt)
    flags = [*result.flags, *queries.duplicate_flags(session, receipt, document_id=document.id)]
    row = document.receipt
    if row is None:
        row = ReceiptRow(document_id=document.id, document=document)
        session.add(row)
    elif row.status in ("approved", "rejected"):
        return row  # a person decided on these values; the new run is kept for reference
    else:
        touch(row)  # first: the re-extract event carries the new version
        changes = mapping.diff_receipts(mapping.receipt_from_row(row), receipt)
        if changes:
            mapping.add_review_event(
                session, row, SYSTEM_USER, "re-extract", changes, reason=result.method
            )
    mapping.fill_receipt_row(row, receipt)
    mapping.fill_flag_rows(row, flags)
    row.confidence = dict(result.confidence)
    row.trust = receipt_trust(result.confidence)
    row.status = _receipt_status(result.status, flags)
    if row.updated_at is None:
        touch(row)
    document.status = row.status
    document.error = None
    document.error_stage = None
    return row


def apply_edit(
    session: Session, row: ReceiptRow, receipt: Receipt, *, user: str, action: str
) -> None:
    """Store a person's version of the receipt; its status follows from the new flags, which
    is why an approved receipt that is edited needs approving again."""
    receipt = as_stored(Receipt.model_validate(receipt.model_dump()))
    flags = [
        *validate_receipt(receipt),
        *queries.duplicate_flags(session, receipt, document_id=row.document_id),
    ]
    changes = mapping.diff_receipts(mapping.receipt_from_row(row), receipt)
    status = _receipt_status(None, flags)
    if status != row.status:
        changes.append(FieldChange(field="status", before=row.status, after=status))
    mapping.fill_receipt_row(row, receipt)
    mapping.fill_flag_rows(row, flags)
    row.status = status
    touch(row)
    mapping.add_review_event(session, row, user, action, changes)


def apply_status(
    session: Session, row: ReceiptRow, status: str, *, user: str, reason: str | None
) -> None:
    """A person's decision on the receipt (``status`` already checked to be a known one)."""
    change = FieldChange(field="status", before=row.status, after=status)
    touch(row)
    mapping.add_review_event(
        session, row, user, _STATUS_ACTIONS.get(status, "reopen"), [change], reason
    )
    row.status = status
    if status == "approved":
        category_rules.learn(session, row, user)
