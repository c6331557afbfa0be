"""Plain views of stored rows. Callers (CLI, flows, the review app) get these, never live ORM
objects, so nobody holds a database session by accident."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from receiptflow.errors import ReceiptflowError
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Receipt

DOCUMENT_STATUSES = ("received", "extracted", "flagged", "failed")
RECEIPT_STATUSES = ("extracted", "flagged", "approved", "rejected")
SOURCES = ("cli", "batch", "watcher", "web")
USER_ROLES = ("reviewer", "approver")  # an approver may do all a reviewer may


class StorageError(ReceiptflowError):
    """A storage operation was asked for something that cannot be done."""


class NotFoundError(StorageError):
    def __init__(self, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(f"no {kind} {key!r}")


class StaleVersionError(StorageError):
    """The receipt changed after the caller read it: someone else saved it first. Checked
    inside the writing transaction, on the locked row, so two writers can never both win."""

    def __init__(self, receipt_id: int, expected: dt.datetime, current: dt.datetime) -> None:
        self.receipt_id = receipt_id
        self.expected = expected
        self.current = current
        super().__init__(
            f"receipt {receipt_id} changed at {current.isoformat()} "
            f"(the caller read the version of {expected.isoformat()})"
        )


class UnstorableError(StorageError):
    """Values the database cannot hold (too long, NUL bytes, too many digits), by path."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        listed = "; ".join(f"{path}: {why}" for path, why in problems.items())
        super().__init__(f"cannot be stored: {listed}")


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True)


class DocumentRecord(_Record):
    id: int
    sha256: str
    original_name: str
    media_type: str
    size_bytes: int
    pages: int | None
    source: str
    received_at: dt.datetime
    status: str
    error: str | None
    error_stage: str | None
    archive_path: Path  # absolute path of the archived original
    created: bool = False  # True when this call stored the bytes for the first time


class ReceiptRecord(_Record):
    id: int
    document_id: int
    status: str
    receipt: Receipt
    flags: list[Flag] = Field(default_factory=list)
    confidence: dict[str, float] = Field(default_factory=dict)
    # probability that the receipt is right (None: unknown, shown first in the queue)
    trust: float | None = None
    category: str | None = None  # the receipt's expense category (line items may override it)
    document_sha256: str
    document_name: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @property
    def min_confidence(self) -> float | None:
        return min(self.confidence.values()) if self.confidence else None


class ExtractionRunRecord(_Record):
    id: int
    document_id: int
    status: str
    extractor: str
    model: str | None
    schema_version: str
    prompt_version: str | None
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    cached_tokens: int = 0
    cost_usd: Decimal | None  # exact; None: the model had no known price
    latency_s: float | None
    error: str | None
    raw_output: str | None
    details: dict[str, Any] | None = None  # e.g. {"escalated_because": {...}}
    # LLM audit: the model that answered, the provider's request ids, every answer
    served_model: str | None = None
    request_ids: list[str] | None = None
    answers: list[dict[str, Any]] | None = None
    created_at: dt.datetime


class FieldChange(_Record):
    field: str  # dotted path, e.g. "total", "line_items.2.amount", "status"
    before: str | None
    after: str | None


class ReviewEventRecord(_Record):
    id: int
    receipt_id: int
    user: str
    action: str
    reason: str | None
    created_at: dt.datetime
    changes: list[FieldChange] = Field(default_factory=list)


class UserRecord(_Record):
    id: int
    name: str
    password_hash: str
    role: str = "approver"
    disabled: bool = False
    created_at: dt.datetime


class MonthTotal(_Record):
    month: str | None  # "2024-03"; None for receipts without a date
    currency: str | None
    receipts: int
    total: Decimal


class CategoryTotal(_Record):
    category: str | None  # None: line items nobody categorised yet
    currency: str | None
    line_items: int
    total: Decimal


class AccountRecord(_Record):
    """An entry of the chart of accounts; its name is the category people choose."""

    code: str
    name: str
    tax_type: str | None = None


class Suggestion(_Record):
    category: str
    source: str  # where it came from, shown beside it: "learned from receipt #3 approved by ann"


class ExportRecord(_Record):
    id: int
    created_at: dt.datetime
    user: str
    format: str
    receipt_ids: list[int]
