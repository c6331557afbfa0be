"""SQLAlchemy models: the tables the Alembic migrations create (a test keeps the two in step).

Money is ``NUMERIC(20, 6)`` on PostgreSQL. SQLite has no exact decimal type (it would turn
amounts into floats), so there the same column holds the decimal's exact text; sums are done
with ``Decimal`` in Python for both backends.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    Time,
    TypeDecorator,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

MONEY_SCALE = 6
_QUANTUM = Decimal(1).scaleb(-MONEY_SCALE)


class Money(TypeDecorator[Decimal]):
    """Exact decimal: NUMERIC(20, 6) where the database has it, the decimal's text on SQLite."""

    impl = Numeric(20, MONEY_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        return dialect.type_descriptor(Numeric(20, MONEY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = Decimal(value)
        if value.as_tuple().exponent < -MONEY_SCALE:  # type: ignore[operator]
            value = value.quantize(_QUANTUM)  # same rounding on both backends
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal kept to its last digit (a cost of 0.000185 dollars and 1/2 of it): NUMERIC
    without a scale on PostgreSQL (arbitrary precision), the decimal's text on SQLite."""

    impl = Numeric(asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return str(Decimal(value)) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class DocumentRow(Base):
    """One original file, identified by the sha256 of its bytes (the archive holds the bytes)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(1024))
    media_type: Mapped[str] = mapped_column(String(127))
    pages: Mapped[int | None] = mapped_column(Integer)
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(32))  # cli, batch, watcher, web
    archive_path: Mapped[str] = mapped_column(String(255))  # relative to the archive dir
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    error_stage: Mapped[str | None] = mapped_column(String(32))

    runs: Mapped[list[ExtractionRunRow]] = relationship(
        back_populates="document", order_by="ExtractionRunRow.id"
    )
    receipt: Mapped[ReceiptRow | None] = relationship(back_populates="document")


class ExtractionRunRow(Base):
    """Every extraction attempt on a document, kept whole for the audit trail."""

    __tablename__ = "extraction_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # ok, flagged, failed
    extractor: Mapped[str] = mapped_column(String(64))
    model: Mapped[str | None] = mapped_column(String(255))
    schema_version: Mapped[str] = mapped_column(String(64))
    prompt_version: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    raw_output: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the receipt as extracted
    requests: Mapped[int] = mapped_column(Integer, default=0)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    image_tokens: Mapped[int] = mapped_column(Integer, default=0)
    # exact, never rounded; NULL when the model had no known price (unknown, not $0)
    cost_usd: Mapped[Decimal | None] = mapped_column(ExactDecimal())
    cached_tokens: Mapped[int] = mapped_column(Integer, default=0)
    latency_s: Mapped[float | None] = mapped_column()
    timings: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # how the run went beyond its result, e.g. {"escalated_because": {...}} from the cascade
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # LLM audit: the model that answered (response.model), the provider's request ids, and
    # every answer (first and re-asks) with its id, model, finish reason and tokens
    served_model: Mapped[str | None] = mapped_column(String(255))
    request_ids: Mapped[list[str] | None] = mapped_column(JSON)
    answers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)

    document: Mapped[DocumentRow] = relationship(back_populates="runs")


class ReceiptRow(Base):
    """The current values of a document's one receipt (edits overwrite; review events keep
    the before and after)."""

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_merchant_date", "merchant_name", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    # extracted, flagged (needs a person), approved, rejected
    status: Mapped[str] = mapped_column(String(16), index=True)
    confidence: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    # probability that the receipt is right (storage.receipt_trust); the queue's sort key
    trust: Mapped[float | None] = mapped_column(Float, index=True)
    merchant_name: Mapped[str | None] = mapped_column(String(255))
    merchant_address: Mapped[str | None] = mapped_column(Text)
    merchant_phone: Mapped[str | None] = mapped_column(String(64))
    merchant_tax_id: Mapped[str | None] = mapped_column(String(64))
    receipt_number: Mapped[str | None] = mapped_column(String(128))
    date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    time: Mapped[dt.time | None] = mapped_column(Time)
    currency: Mapped[str | None] = mapped_column(String(3))
    subtotal: Mapped[Decimal | None] = mapped_column(Money())
    tip: Mapped[Decimal | None] = mapped_column(Money())
    service_charge: Mapped[Decimal | None] = mapped_column(Money())
    rounding: Mapped[Decimal | None] = mapped_column(Money())
    total: Mapped[Decimal | None] = mapped_column(Money())
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # taxes, discounts, payment
    # the expense category (an account's name in the chart); line items may override it
    category: Mapped[str | None] = mapped_column(String(255), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    document: Mapped[DocumentRow] = relationship(back_populates="receipt")
    line_items: Mapped[list[LineItemRow]] = relationship(
        cascade="all, delete-orphan", order_by="LineItemRow.position"
    )
    flags: Mapped[list[FlagRow]] = relationship(cascade="all, delete-orphan", order_by="FlagRow.id")


class LineItemRow(Base):
    __tablename__ = "line_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(
        ForeignKey("receipts.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Money())
    unit_price: Mapped[Decimal | None] = mapped_column(Money())
    amount: Mapped[Decimal | None] = mapped_column(Money())
    sku: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64), index=True)


class FlagRow(Base):
    """A receipt's current findings (validation, extraction, possible_duplicate)."""

    __tablename__ = "flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(
        ForeignKey("receipts.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str | None] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))


class ReviewEventRow(Base):
    """Who did what to a receipt and when; the field-level changes hang off it."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), index=True)
    user: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(32))  # edit, approve, reject, reopen, re-extract
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    changes: Mapped[list[FieldChangeRow]] = relationship(
        cascade="all, delete-orphan", order_by="FieldChangeRow.id"
    )


class FieldChangeRow(Base):
    __tablename__ = "field_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(
        ForeignKey("review_events.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(255))  # dotted path: total, line_items.2.amount
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class UserRow(Base):
    """Reviewers of the web app (the review module hashes and checks passwords)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # reviewer (edits) or approver (also approves, rejects, exports); see review.roles
    role: Mapped[str] = mapped_column(String(16), default="approver", server_default="approver")
    # A disabled reviewer cannot log in and their open sessions end (kept for the audit trail).
    disabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AccountRow(Base):
    """The chart of accounts: expense categories with the code bookkeeping software uses."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    tax_type: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CategoryRuleRow(Base):
    """Merchant -> category, learned when a reviewer approves a categorised receipt; the
    receipt and the reviewer are kept so a suggestion can say where it came from."""

    __tablename__ = "category_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    merchant_key: Mapped[str] = mapped_column(String(255), unique=True)  # lower-cased, trimmed
    category: Mapped[str] = mapped_column(String(255))
    receipt_id: Mapped[int] = mapped_column(Integer)
    user: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ExportRow(Base):
    """One recorded export: who, when, which format, and the exact bytes written, so it can
    be given again unchanged (``--export-id``)."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(32))
    content: Mapped[str] = mapped_column(Text)

    receipts: Mapped[list[ExportedReceiptRow]] = relationship(
        cascade="all, delete-orphan", order_by="ExportedReceiptRow.receipt_id"
    )


class ExportedReceiptRow(Base):
    """A receipt booked by an export. The receipt is the primary key: the database itself
    refuses to book one receipt twice, even when two exports run at the same moment."""

    __tablename__ = "exported_receipts"

    receipt_id: Mapped[int] = mapped_column(ForeignKey("receipts.id"), primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id"), index=True)


class LlmBatchRow(Base):
    """One OpenAI Batch API batch, from before its input file is uploaded until its answers
    are stored. ``state`` is receiptflow's own step (preparing, uploaded, submitted,
    collected), written before and after each remote call so a restart resumes, never
    repeats; ``api_status`` mirrors the API's (validating, in_progress, completed...)."""

    __tablename__ = "llm_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # input file name + metadata
    extractor: Mapped[str] = mapped_column(String(64))
    model: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16), index=True)
    api_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    api_status: Mapped[str | None] = mapped_column(String(32))
    input_file_id: Mapped[str | None] = mapped_column(String(128))
    output_file_id: Mapped[str | None] = mapped_column(String(128))
    error_file_id: Mapped[str | None] = mapped_column(String(128))
    request_counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    collected_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[LlmBatchItemRow]] = relationship(
        cascade="all, delete-orphan", order_by="LlmBatchItemRow.id"
    )


class LlmBatchItemRow(Base):
    """One document's request in a batch; ``stored`` once its extraction run is written
    (in the same transaction as the run, so a restart neither loses nor repeats it)."""

    __tablename__ = "llm_batch_items"
    __table_args__ = (
        Index("ix_llm_batch_items_batch_custom", "batch_id", "custom_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("llm_batches.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    custom_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending, stored
