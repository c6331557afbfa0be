"""Editing on the receipt page: save -> re-validation -> flags updated -> review event;
approve, reject with a reason, reopen; bad input and stale pages save nothing."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from review_support import (
    SAMPLE_IMAGE,
    edit_form,
    sample_path,
    sample_receipt,
    seed,
    wrong_total,
)

from receiptflow.review.forms import ReceiptForm
from receiptflow.schemas.receipt import LineItem
from receiptflow.storage import ReceiptRecord, Store


def _form(client: TestClient, record: ReceiptRecord, **changes: str) -> dict[str, Any]:
    return edit_form(client, record.id, **changes)


def test_edit_revalidates_updates_flags_and_records_event(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    assert [flag.code for flag in record.flags] == ["total_mismatch"]
    page = client.get(f"/receipts/{record.id}").text
    assert re.search(r'id="f-total".*?class="flag error" data-code="total_mismatch"', page, re.S)

    response = client.post(f"/receipts/{record.id}/edit", data=_form(client, record, total="84.19"))
    assert response.status_code == 303
    after = store.get_receipt(record.id)
    assert after is not None
    assert after.receipt.total == Decimal("84.19")
    assert after.flags == []
    assert after.status == "extracted"
    (event,) = store.history(record.id)
    assert (event.user, event.action) == ("alice", "edit")
    assert {(c.field, c.before, c.after) for c in event.changes} == {
        ("total", "94.19", "84.19"),
        ("status", "flagged", "extracted"),
    }
    page = client.get(response.headers["location"]).text
    assert "Saved 1 change. 0 findings now (1 resolved)." in page
    assert 'data-action="edit"' in page and "94.19" in page  # the history shows it


def test_an_edit_can_also_break_a_receipt(client: TestClient, reviewer: str, store: Store) -> None:
    record = seed(store, SAMPLE_IMAGE, sample_receipt())
    assert record.flags == [] and record.status == "extracted"
    client.post(
        f"/receipts/{record.id}/edit",
        data=_form(client, record, **{"line_items.0.amount": "40.75"}),
    )
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "flagged"
    assert {flag.field for flag in after.flags} >= {"line_items.0.amount"}


def test_rows_are_added_and_removed(client: TestClient, reviewer: str, store: Store) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    form = _form(
        client,
        record,
        **{
            "line_items.5._remove": "1",  # orange juice 7.50 goes
            "line_items.6.description": "Pancakes",
            "line_items.6.quantity": "1",
            "line_items.6.unit_price": "7.50",
            "line_items.6.amount": "7,50",
            "discounts.0.description": "Loyalty",
            "discounts.0.amount": "1.00",
        },
    )
    client.post(f"/receipts/{record.id}/edit", data=form)
    after = store.get_receipt(record.id)
    assert after is not None
    assert [item.description for item in after.receipt.line_items][-2:] == [
        "Club Sandwich",
        "Pancakes",
    ]
    assert after.receipt.line_items[-1].amount == Decimal("7.50")
    assert after.receipt.discounts[0].amount == Decimal("1.00")
    fields = {change.field for change in store.history(record.id)[0].changes}
    assert {"line_items.5.description", "discounts.0.amount"} <= fields


def test_bad_input_saves_nothing_and_says_where(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    form = _form(client, record, total="12.3x", date="31/02/2024", **{"payment.card_last4": "12"})
    response = client.post(f"/receipts/{record.id}/edit", data=form)
    assert response.status_code == 422
    assert "&#39;12.3x&#39; is not a number" in response.text
    assert "is not a date such as 2024-03-14" in response.text
    assert 'value="12.3x"' in response.text  # what was typed is kept for fixing
    assert store.history(record.id) == []
    form = _form(client, record, **{"payment.card_last4": "12"})
    response = client.post(f"/receipts/{record.id}/edit", data=form)
    assert response.status_code == 422
    assert re.search(r'id="f-payment.card_last4".*?field-error', response.text, re.S)


def test_stale_page_does_not_overwrite(client: TestClient, reviewer: str, store: Store) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    stale = _form(client, record, total="84.19", **{"merchant.name": "Sunrise Diner"})
    current = store.update_receipt(record.id, sample_receipt(total="84.20"), user="bob")
    response = client.post(f"/receipts/{record.id}/edit", data=stale)
    assert response.status_code == 409
    after = store.get_receipt(record.id)
    assert after is not None and after.receipt.total == Decimal("84.20")
    assert len(store.history(record.id)) == 1  # bob's edit only
    page = response.text
    assert "bob changed this receipt after you opened it" in page
    # What the reviewer typed stays in the form; their values and the saved ones side by side.
    assert 'name="total" type="text" value="84.19"' in page
    assert 'name="merchant.name" type="text" value="Sunrise Diner"' in page
    assert re.search(
        r'<tr data-field="total"><td class="path">total</td><td class="theirs">84.20</td>'
        r'<td class="yours">84.19</td>',
        page,
    )
    # The form now carries the current version: saving again, on purpose, keeps the typed values.
    assert f'name="version" value="{current.updated_at.isoformat()}"' in page
    again = dict(stale, version=current.updated_at.isoformat())
    assert client.post(f"/receipts/{record.id}/edit", data=again).status_code == 303
    saved = store.get_receipt(record.id)
    assert saved is not None and saved.receipt.total == Decimal("84.19")


def test_approve_needs_errors_fixed_or_confirmed(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    other = seed(store, sample_path("eu_cafe"), sample_receipt("eu_cafe"))
    form = {"csrf_token": reviewer, "version": record.updated_at.isoformat(), "go_next": "1"}
    client.post(f"/receipts/{record.id}/approve", data=form)
    assert store.get_receipt(record.id).status == "flagged"  # type: ignore[union-attr]
    response = client.post(f"/receipts/{record.id}/approve", data={**form, "confirm_errors": "1"})
    assert response.headers["location"] == f"/receipts/{other.id}"  # approve and go next
    assert store.get_receipt(record.id).status == "approved"  # type: ignore[union-attr]
    (event,) = store.history(record.id)
    assert (event.user, event.action) == ("alice", "approve")


def test_reject_needs_a_reason_and_reopen_undoes(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    form = {"csrf_token": reviewer, "version": record.updated_at.isoformat()}
    client.post(f"/receipts/{record.id}/reject", data={**form, "reason": "  "})
    assert store.history(record.id) == []
    client.post(f"/receipts/{record.id}/reject", data={**form, "reason": "private expense"})
    rejected = store.get_receipt(record.id)
    assert rejected is not None and rejected.status == "rejected"
    version = rejected.updated_at.isoformat()
    client.post(f"/receipts/{record.id}/reopen", data={"csrf_token": reviewer, "version": version})
    assert store.get_receipt(record.id).status == "flagged"  # type: ignore[union-attr]
    reject, reopen = store.history(record.id)
    assert (reject.action, reject.reason) == ("reject", "private expense")
    assert reopen.action == "reopen"
    page = client.get(f"/receipts/{record.id}").text
    assert "private expense" in page


def test_form_round_trips_the_stored_receipt(store: Store) -> None:
    record = seed(
        store, sample_path("uk_supermarket_2pages"), sample_receipt("uk_supermarket_2pages")
    )
    form = ReceiptForm.from_receipt(record.receipt)
    assert form.to_receipt() == record.receipt


def test_a_long_receipt_can_be_saved(client: TestClient, reviewer: str, store: Store) -> None:
    items = [
        LineItem(description=f"item {n}", quantity=Decimal(1), amount=Decimal("0.10"))
        for n in range(300)
    ]
    long = sample_receipt().model_copy(update={"line_items": items})
    record = seed(store, SAMPLE_IMAGE, long)
    form = _form(client, record, **{"line_items.299.amount": "0.20"})
    assert len(form) > 1000  # over Starlette's default limit of form fields
    assert client.post(f"/receipts/{record.id}/edit", data=form).status_code == 303
    after = store.get_receipt(record.id)
    assert after is not None and after.receipt.line_items[299].amount == Decimal("0.20")


def test_approve_and_next_goes_to_waiting_work_not_past_it(
    client: TestClient, reviewer: str, store: Store
) -> None:
    def seeded(name: str, likely: float, receipt: Any = None) -> ReceiptRecord:
        return seed(
            store,
            sample_path(name),
            receipt if receipt is not None else sample_receipt(name),
            confidence={"receipt": likely},
        )

    flagged = seeded("us_diner", 0.2, wrong_total())  # riskiest: first in the queue
    first = seeded("eu_cafe", 0.5)
    done = seeded("my_shop_photo", 0.6)
    store.set_status(done.id, "approved", user="bob")
    last = seeded("uk_supermarket_2pages", 0.7)
    assert flagged.status == "flagged" and first.status == last.status == "extracted"

    def approve(record: ReceiptRecord, view: str = "") -> str:
        current = store.get_receipt(record.id)
        assert current is not None
        form = {"csrf_token": reviewer, "version": current.updated_at.isoformat(), "go_next": "1"}
        response = client.post(f"/receipts/{record.id}/approve{view}", data=form)
        assert response.status_code == 303
        return str(response.headers["location"])

    # In the "all" tab the next one in line is approved already: skip it, not the work.
    assert approve(first, "?view=all") == f"/receipts/{last.id}?view=all"
    # The last one in the queue: back to the flagged receipt passed over, not to the list.
    assert approve(last) == f"/receipts/{flagged.id}"
