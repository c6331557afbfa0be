"""Storage: the archive of originals, documents, extraction runs, receipts, line items, flags
and the review trail, in SQLite or PostgreSQL (``RECEIPTFLOW_DATABASE_URL``).

``Store`` is imported on first use, so the records (plain Pydantic) stay importable where the
``storage`` extra (SQLAlchemy, Alembic, psycopg) is not installed.
"""

from typing import TYPE_CHECKING, Any

from receiptflow.storage.records import (
    AccountRecord,
    CategoryTotal,
    DocumentRecord,
    ExportRecord,
    ExtractionRunRecord,
    FieldChange,
    MonthTotal,
    NotFoundError,
    ReceiptRecord,
    ReviewEventRecord,
    StaleVersionError,
    StorageError,
    Suggestion,
    UnstorableError,
    UserRecord,
)

if TYPE_CHECKING:
    from receiptflow.storage.service import Store

__all__ = [
    "AccountRecord",
    "CategoryTotal",
    "DocumentRecord",
    "ExportRecord",
    "ExtractionRunRecord",
    "FieldChange",
    "MonthTotal",
    "NotFoundError",
    "ReceiptRecord",
    "ReviewEventRecord",
    "StaleVersionError",
    "StorageError",
    "Store",
    "Suggestion",
    "UnstorableError",
    "UserRecord",
]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from receiptflow.storage.service import Store

        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
