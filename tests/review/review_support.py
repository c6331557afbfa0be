"""Helpers for the review tests: a store seeded with receipts as an extractor would leave them."""

from __future__ import annotations

import html as html_text
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.flags import has_errors
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import validate_receipt
from receiptflow.storage import ReceiptRecord, Store

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
SAMPLE_IMAGE = SAMPLES / "us_diner.png"
PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SELECT = re.compile(r'<select[^>]* name="([^"]+)"[^>]*>(.*?)</select>', re.DOTALL)


def sample_path(name: str) -> Path:
    """The committed sample file (image or PDF) called ``name``."""
    (found,) = [p for p in SAMPLES.glob(f"{name}.*") if not p.name.endswith(".json")]
    return found


def sample_receipt(name: str = "us_diner", **changes: object) -> Receipt:
    """A sample's true values, with ``changes`` (e.g. a misread total) applied."""
    data = json.loads((SAMPLES / f"{name}.expected.json").read_text())
    data.update(changes)
    return Receipt.model_validate(data)


DEFAULT_CONFIDENCE = {"merchant.name": 0.97, "date": 0.91, "total": 0.62}


def seed(
    store: Store,
    path: Path,
    receipt: Receipt,
    *,
    name: str | None = None,
    confidence: dict[str, float] | None = None,
) -> ReceiptRecord:
    """Archive ``path`` and record ``receipt`` for it the way an extraction run does, with
    ``confidence`` as the extractor's probabilities (default: ``DEFAULT_CONFIDENCE``)."""
    if name is None:
        document = store.save_input(path, source="cli")
    else:
        document = store.save_input_bytes(path.read_bytes() + name.encode(), name, source="cli")
    flags = validate_receipt(receipt)
    result = ExtractionResult(
        status=ExtractionStatus.FLAGGED if has_errors(flags) else ExtractionStatus.OK,
        receipt=receipt,
        flags=flags,
        confidence=DEFAULT_CONFIDENCE if confidence is None else confidence,
        method="local",
    )
    record = store.record_extraction(document.id, result, pages=1)
    assert record is not None
    return record


def wrong_total() -> Receipt:
    """The diner receipt with its total misread (84.19 read as 94.19): flagged."""
    return sample_receipt(total="94.19")


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match is not None, "page has no CSRF token"
    return match.group(1)


def money(text: str) -> Decimal:
    return Decimal(text)


def log_in(client: TestClient, name: str = "alice", password: str = PASSWORD) -> str:
    """Log in through the form; returns the CSRF token of the new session."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/").text)


def edit_form(client: TestClient, receipt_id: int, **changes: str) -> dict[str, Any]:
    """The receipt page's edit form as the browser would send it, with ``changes`` typed in
    (and the version the page was rendered from)."""
    html = client.get(f"/receipts/{receipt_id}").text
    data: dict[str, Any] = dict(
        re.findall(r'<input id="in-[^"]*" name="([^"]+)" type="[^"]+" value="([^"]*)"', html)
    )
    data.update(
        re.findall(
            r'<input name="((?:line_items|taxes|discounts)\.\d+\.\w+)" value="([^"]*)"', html
        )
    )
    form = html[html.index('id="edit-form"') :]
    form = form[: form.index("</form>")]
    for name, options in SELECT.findall(form):  # payment method, line items' categories
        if "__i__" not in name:  # the template of an added row is not sent
            chosen = re.search(r'<option value="([^"]*)" selected>', options)
            data[name] = html_text.unescape(chosen.group(1)) if chosen else ""
    for checked in re.findall(r'name="(taxes\.\d+\.inclusive)"[^>]* checked', html):
        data[checked] = "on"
    version = re.search(r'name="version" value="([^"]+)"', html)
    assert version is not None
    data.update(csrf_token=csrf_of(html), version=version.group(1), **changes)
    return data
