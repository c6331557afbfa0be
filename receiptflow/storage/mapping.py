"""Receipt <-> rows, rows -> records, extraction results -> runs, and the field-level diff
behind the audit trail."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.schemas.receipt import LineItem, Receipt
from receiptflow.storage.models import (
    DocumentRow,
    ExtractionRunRow,
    FieldChangeRow,
    FlagRow,
    LineItemRow,
    ReceiptRow,
    ReviewEventRow,
    UserRow,
)
from receiptflow.storage.records import (
    DocumentRecord,
    ExtractionRunRecord,
    FieldChange,
    ReceiptRecord,
    ReviewEventRecord,
    UserRecord,
)

_AMOUNTS = ("subtotal", "tip", "service_charge", "rounding", "total")


def aware(moment: dt.datetime) -> dt.datetime:
    """SQLite hands datetimes back without a zone; everything here is stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def trim(value: Decimal | None) -> Decimal | None:
    """NUMERIC(20, 6) pads to six places; drop that padding (the Receipt model re-applies the
    currency's precision) but keep integers as integers (1E+3 -> 1000)."""
    if value is None:
        return None
    normalized = value.normalize()
    if normalized.as_tuple().exponent > 0:  # type: ignore[operator]
        return normalized.quantize(Decimal(1))
    return normalized


def fill_receipt_row(row: ReceiptRow, receipt: Receipt) -> None:
    row.merchant_name = receipt.merchant.name
    row.merchant_address = receipt.merchant.address
    row.merchant_phone = receipt.merchant.phone
    row.merchant_tax_id = receipt.merchant.tax_id
    row.receipt_number = receipt.receipt_number
    row.date = receipt.date
    row.time = receipt.time
    row.currency = receipt.currency
    for name in _AMOUNTS:
        setattr(row, name, getattr(receipt, name))
    row.details = receipt.model_dump(mode="json", include={"taxes", "discounts", "payment"})
    row.line_items = [
        LineItemRow(
            position=position,
            description=item.description,
            quantity=item.quantity,
            unit_price=item.unit_price,
            amount=item.amount,
            sku=item.sku,
            category=item.category,
        )
        for position, item in enumerate(receipt.line_items)
    ]


def fill_flag_rows(row: ReceiptRow, flags: list[Flag]) -> None:
    row.flags = [
        FlagRow(
            code=flag.code, field=flag.field, message=flag.message, severity=flag.severity.value
        )
        for flag in flags
    ]


def receipt_from_row(row: ReceiptRow) -> Receipt:
    items = [
        LineItem(
            description=item.description,
            quantity=trim(item.quantity),
            unit_price=trim(item.unit_price),
            amount=trim(item.amount),
            sku=item.sku,
            category=item.category,
        )
        for item in row.line_items
    ]
    data: dict[str, Any] = {
        "merchant": {
            "name": row.merchant_name,
            "address": row.merchant_address,
            "phone": row.merchant_phone,
            "tax_id": row.merchant_tax_id,
        },
        "receipt_number": row.receipt_number,
        "date": row.date,
        "time": row.time,
        "currency": row.currency,
        "line_items": items,
        **{name: trim(getattr(row, name)) for name in _AMOUNTS},
        **row.details,
    }
    return Receipt.model_validate(data)


def receipt_record(row: ReceiptRow) -> ReceiptRecord:
    return ReceiptRecord(
        id=row.id,
        document_id=row.document_id,
        status=row.status,
        receipt=receipt_from_row(row),
        flags=[
            Flag(code=f.code, field=f.field, message=f.message, severity=Severity(f.severity))
            for f in row.flags
        ],
        confidence=dict(row.confidence or {}),
        trust=row.trust,
        category=row.category,
        document_sha256=row.document.sha256,
        document_name=row.document.original_name,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def document_record(
    row: DocumentRow, archive_root: Path, *, created: bool = False
) -> DocumentRecord:
    return DocumentRecord(
        id=row.id,
        sha256=row.sha256,
        original_name=row.original_name,
        media_type=row.media_type,
        size_bytes=row.size_bytes,
        pages=row.pages,
        source=row.source,
        received_at=aware(row.received_at),
        status=row.status,
        error=row.error,
        error_stage=row.error_stage,
        archive_path=archive_root / row.archive_path,
        created=created,
    )


def run_record(row: ExtractionRunRow) -> ExtractionRunRecord:
    return ExtractionRunRecord(
        id=row.id,
        document_id=row.document_id,
        status=row.status,
        extractor=row.extractor,
        model=row.model,
        schema_version=row.schema_version,
        prompt_version=row.prompt_version,
        attempts=row.attempts,
        prompt_tokens=row.prompt_tokens,
        completion_tokens=row.completion_tokens,
        cached_tokens=row.cached_tokens or 0,
        cost_usd=row.cost_usd,
        latency_s=row.latency_s,
        error=row.error,
        raw_output=row.raw_output,
        details=row.details,
        served_model=row.served_model,
        request_ids=row.request_ids,
        answers=row.answers,
        created_at=aware(row.created_at),
    )


def event_record(row: ReviewEventRow) -> ReviewEventRecord:
    return ReviewEventRecord(
        id=row.id,
        receipt_id=row.receipt_id,
        user=row.user,
        action=row.action,
        reason=row.reason,
        created_at=aware(row.created_at),
        changes=[FieldChange(field=c.field, before=c.before, after=c.after) for c in row.changes],
    )


def user_record(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        name=row.name,
        password_hash=row.password_hash,
        role=row.role,
        disabled=bool(row.disabled),
        created_at=aware(row.created_at),
    )


def flatten(receipt: Receipt) -> dict[str, Any]:
    """Every leaf value under its dotted path: "merchant.name", "line_items.0.amount", ..."""
    leaves: dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        else:
            leaves[prefix] = value

    walk("", receipt.model_dump())
    return leaves


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def diff_receipts(before: Receipt, after: Receipt) -> list[FieldChange]:
    """Changed leaves, old and new as text. Decimals compare by value (12.3 == 12.30)."""
    old, new = flatten(before), flatten(after)
    changes = []
    for field in sorted(old.keys() | new.keys(), key=_path_order):
        if old.get(field) != new.get(field):
            changes.append(
                FieldChange(
                    field=field, before=_as_text(old.get(field)), after=_as_text(new.get(field))
                )
            )
    return changes


def _path_order(path: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in path.split("."))


@functools.cache
def schema_version() -> str:
    """Changes whenever the Receipt schema does, so each run says which schema it filled."""
    schema = json.dumps(Receipt.model_json_schema(), sort_keys=True).encode()
    return "receipt-" + hashlib.sha256(schema).hexdigest()[:12]


def add_review_event(
    session: Session,
    row: ReceiptRow,
    user: str,
    action: str,
    changes: list[FieldChange],
    reason: str | None = None,
) -> None:
    session.add(
        ReviewEventRow(
            receipt_id=row.id,
            user=user,
            action=action,
            reason=reason,
            # The event carries the version it made, so "changed since version V" is the
            # events after V (the review app lists them on a conflict).
            created_at=row.updated_at or dt.datetime.now(dt.UTC),
            changes=[
                FieldChangeRow(field=c.field, before=c.before, after=c.after) for c in changes
            ],
        )
    )


def run_row(
    document_id: int, result: ExtractionResult, prompt_version: str | None
) -> ExtractionRunRow:
    usage = result.usage
    timings = dict(result.timings)
    latency = timings.get("total", sum(timings.values())) if timings else None
    return ExtractionRunRow(
        document_id=document_id,
        status=result.status.value,
        extractor=result.method,
        model=result.model,
        schema_version=schema_version(),
        prompt_version=prompt_version or result.prompt_version,
        attempts=result.attempts,
        raw_output=result.raw_output,
        result=result.model_dump(mode="json", exclude={"raw_output", "llm_attempts"}),
        requests=usage.requests,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        cached_tokens=usage.cached_tokens,
        image_tokens=usage.image_tokens,
        cost_usd=usage.cost_usd,
        latency_s=latency,
        timings=timings,
        error="\n".join(result.errors) or None,
        details=run_details(result),
        **audit_columns(result),
    )


def audit_columns(result: ExtractionResult) -> dict[str, Any]:
    """Every LLM answer, its request id and the model that served it (none for ``local``)."""
    attempts = result.llm_attempts
    if not attempts:
        return {"served_model": None, "request_ids": None, "answers": None}
    served = [attempt.served_model for attempt in attempts if attempt.served_model]
    return {
        "served_model": served[-1] if served else None,
        "request_ids": [attempt.request_id for attempt in attempts if attempt.request_id],
        "answers": [attempt.model_dump(mode="json") for attempt in attempts],
    }


def run_details(result: ExtractionResult) -> dict[str, Any] | None:
    """What the run records beside its result: why the cascade escalated, when it did, and
    how many transport retries (429, 5xx, timeouts) the LLM requests took."""
    details: dict[str, Any] = {}
    if result.escalated_because is not None:
        details.update(result.model_dump(mode="json", include={"escalated_because"}))
    if result.usage.transport_retries:
        details["transport_retries"] = result.usage.transport_retries
    return details or None
