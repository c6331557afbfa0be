"""Helpers for the storage tests: throwaway PostgreSQL databases and sample results."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from decimal import Decimal
from typing import Any

from sqlalchemy import create_engine, text

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus, Usage
from receiptflow.schemas.receipt import LineItem, Merchant, Receipt

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def create_pg_database(prefix: str = "receiptflow_test") -> str:
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{PG_SERVER}/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_receipt(
    merchant: str = "KEDAI RUNCIT ABC",
    date: dt.date | None = dt.date(2024, 3, 14),
    total: str | None = "12.30",
    currency: str | None = "MYR",
    items: list[tuple[str, str, str | None]] | None = None,
) -> Receipt:
    """A receipt whose line items (description, amount, category) add up to ``total``."""
    if items is None:
        items = [("COFFEE", "4.30", "meals"), ("NOODLES", "8.00", "meals")]
    return Receipt(
        merchant=Merchant(name=merchant),
        date=date,
        currency=currency,
        line_items=[
            LineItem(
                description=d,
                quantity=Decimal(1),
                unit_price=Decimal(a),
                amount=Decimal(a),
                category=c,
            )
            for d, a, c in items
        ],
        total=None if total is None else Decimal(total),
    )


def make_result(receipt: Receipt | None = None, **overrides: Any) -> ExtractionResult:
    values: dict[str, Any] = {
        "status": ExtractionStatus.OK,
        "receipt": receipt if receipt is not None else make_receipt(),
        "method": "local",
        "confidence": {"total": 0.9, "merchant.name": 0.8},
        "timings": {"ocr": 0.5, "parse": 0.01},
        "usage": Usage(
            requests=1, prompt_tokens=1200, completion_tokens=300, cost_usd=Decimal("0.000360")
        ),
        "raw_output": '{"total": "12.30"}',
    }
    values.update(overrides)
    return ExtractionResult(**values)


def save_all_worker(
    database_url: str,
    archive_dir: str,
    paths: list[str],
    seed: int,
    ready: Any,
    go: Any,
    results: Any,
) -> None:
    """One of several processes handing in the same files at once (a spawn target)."""
    import random
    import traceback
    from pathlib import Path

    from receiptflow.storage import Store

    order = list(paths)
    random.Random(seed).shuffle(order)
    errors: list[str] = []
    store = Store(database_url, Path(archive_dir))
    ready.put(seed)
    go.wait(60)
    for path in order:
        try:
            document = store.save_input(Path(path), source="batch")
            receipt = make_receipt(merchant=f"SHOP {Path(path).stem}")
            store.record_extraction(document.id, make_result(receipt))
        except Exception:
            errors.append(traceback.format_exc())
    store.close()
    results.put((seed, errors))
