"""Storage: the archive of originals, documents, extraction runs, receipts, line items, flags
and the review trail, in SQLite or PostgreSQL (``RECEIPTFLOW_DATABASE_URL``)."""

from receiptflow.storage.records import (
    CategoryTotal,
    DocumentRecord,
    ExtractionRunRecord,
    FieldChange,
    MonthTotal,
    NotFoundError,
    ReceiptRecord,
    ReviewEventRecord,
    StorageError,
    UserRecord,
)
from receiptflow.storage.service import Store

__all__ = [
    "CategoryTotal",
    "DocumentRecord",
    "ExtractionRunRecord",
    "FieldChange",
    "MonthTotal",
    "NotFoundError",
    "ReceiptRecord",
    "ReviewEventRecord",
    "StorageError",
    "Store",
    "UserRecord",
]
