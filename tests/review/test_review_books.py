"""Books in the review app: the receipt's category (select + suggestion with its source),
approving the ticked clean receipts of the queue, and the exports page."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient
from review_support import (
    SAMPLE_IMAGE,
    edit_form,
    sample_path,
    sample_receipt,
    seed,
    wrong_total,
)

from receiptflow.storage import Store


def _seed(store: Store) -> tuple[int, int, int]:
    """A clean cafe receipt, a clean supermarket one, and the diner with a misread total."""
    cafe = seed(store, sample_path("eu_cafe"), sample_receipt("eu_cafe"))
    market = seed(
        store, sample_path("uk_supermarket_2pages"), sample_receipt("uk_supermarket_2pages")
    )
    diner = seed(store, SAMPLE_IMAGE, wrong_total())
    assert (cafe.status, market.status, diner.status) == ("extracted", "extracted", "flagged")
    return cafe.id, market.id, diner.id


def _version(page: str) -> str:
    """The version the receipt page's forms carry back."""
    found = re.search(r'name="version" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_category_select_shows_the_chart_and_a_suggestion_and_saves(
    client: TestClient, reviewer: str, store: Store
) -> None:
    cafe, _, _ = _seed(store)
    page = client.get(f"/receipts/{cafe}").text
    box = page[page.index('id="category-form"') :]
    assert '<option value="Office Expenses"' in box and '<option value="Travel - National"' in box
    assert re.search(r'<option value="Entertainment" selected>', box)  # the suggestion
    assert "keywords in the line items: &#39;espresso&#39;, &#39;cappuccino&#39;" in box

    refused = client.post(f"/receipts/{cafe}/category", data={"category": "Rent"})
    assert refused.status_code == 403  # no CSRF token, no change
    version = _version(page)
    saved = client.post(
        f"/receipts/{cafe}/category?view=all",
        data={"csrf_token": reviewer, "category": "Entertainment", "version": version},
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/receipts/{cafe}?view=all"
    assert store.get_receipt(cafe).category == "Entertainment"  # type: ignore[union-attr]
    (event,) = store.history(cafe)
    assert (event.user, [(c.field, c.after) for c in event.changes]) == (
        "alice",
        [("category", "Entertainment")],
    )
    version = _version(client.get(f"/receipts/{cafe}").text)
    unknown = client.post(
        f"/receipts/{cafe}/category",
        data={"csrf_token": reviewer, "category": "Yachts", "version": version},
    )
    assert unknown.status_code == 303
    page = client.get(f"/receipts/{cafe}").text
    assert "no account named &#39;Yachts&#39;" in page


def test_an_approved_category_is_suggested_for_the_merchant_with_its_source(
    client: TestClient, reviewer: str, store: Store
) -> None:
    cafe, _, _ = _seed(store)
    version = _version(client.get(f"/receipts/{cafe}").text)
    chosen = {"csrf_token": reviewer, "category": "Rent", "version": version}
    assert client.post(f"/receipts/{cafe}/category", data=chosen).status_code == 303
    store.set_status(cafe, "approved", user="alice")
    again = seed(store, SAMPLE_IMAGE, sample_receipt("eu_cafe"), name="cafe-again.png")
    page = client.get(f"/receipts/{again.id}").text
    assert f"learned from receipt #{cafe} approved by alice" in page
    assert re.search(r'<option value="Rent" selected>', page)


def test_queue_ticks_only_clean_receipts_and_approves_them_in_bulk(
    client: TestClient, reviewer: str, store: Store
) -> None:
    cafe, market, diner = _seed(store)
    queue = client.get("/").text
    ticks = set(map(int, re.findall(r'name="ids" value="(\d+)" form="bulk-approve"', queue)))
    assert ticks == {cafe, market}
    assert client.post("/receipts/bulk-approve", data={"ids": [str(cafe)]}).status_code == 403
    response = client.post(
        "/receipts/bulk-approve",
        data={"csrf_token": reviewer, "ids": [str(cafe), str(market), str(diner)]},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    queue = client.get("/").text
    assert "Approved 2 receipt(s)." in queue
    assert f"receipt {diner} not approved: it is flagged with findings: total_mismatch" in queue
    statuses = {i: store.get_receipt(i).status for i in (cafe, market, diner)}  # type: ignore[union-attr]
    assert statuses == {cafe: "approved", market: "approved", diner: "flagged"}
    approvals = [e for e in store.history(cafe) if e.action == "approve"]
    assert [(e.user, e.reason) for e in approvals] == [("alice", "bulk approval")]


def test_exports_page_books_new_receipts_once_and_downloads_the_same(
    client: TestClient, reviewer: str, store: Store
) -> None:
    cafe, market, _ = _seed(store)
    store.approve_clean([cafe, market], user="alice")
    page = client.get("/exports").text
    assert '<strong id="waiting">2</strong>' in page and "No exports yet." in page
    assert client.post("/exports", data={"format": "xero"}).status_code == 403
    made = client.post("/exports", data={"csrf_token": reviewer, "format": "xero"})
    assert made.status_code == 303
    page = client.get("/exports").text
    assert "Export 1: 2 receipt(s) as xero." in page
    assert '<tr data-export="1">' in page and '<strong id="waiting">0</strong>' in page
    download = client.get("/exports/1/download")
    assert download.headers["content-disposition"] == (
        'attachment; filename="receiptflow-export-1-xero.csv"'
    )
    _, content = store.get_export(1)
    assert download.content.decode("utf-8") == content  # exactly what the CLI repeats
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert {row["*ContactName"] for row in rows} == {"Café Morgenrot", "GREENFIELD SUPERSTORE"}
    again = client.post("/exports", data={"csrf_token": reviewer, "format": "qbo"})
    assert again.status_code == 303
    assert "Nothing new: every approved receipt is already exported." in client.get("/exports").text
    assert client.get("/exports/9/download").status_code == 404


def _category_select(page: str, index: int) -> str:
    found = re.search(
        rf'<select name="line_items\.{index}\.category"[^>]*>(.*?)</select>', page, re.DOTALL
    )
    assert found is not None, f"line item {index} has no category select"
    return found.group(1)


def test_line_item_categories_are_the_charts_and_others_are_refused(
    client: TestClient, reviewer: str, store: Store
) -> None:
    """A line item's category is chosen from the chart; one from elsewhere stays visible but
    cannot be saved, since the export would book that line without an account code."""
    diner = sample_receipt()
    items = list(diner.line_items)
    items[0] = items[0].model_copy(update={"category": "Desserts"})  # an extractor's word
    items[1] = items[1].model_copy(update={"category": "entertainment"})  # the chart's, any case
    record = seed(store, SAMPLE_IMAGE, diner.model_copy(update={"line_items": items}))
    page = client.get(f"/receipts/{record.id}").text
    first, second, third = (_category_select(page, i) for i in range(3))
    assert '<option value="Office Expenses">' in first and '<option value="">' in first
    assert '<option value="Desserts" selected>Desserts (not in the chart)</option>' in first
    assert '<option value="Entertainment" selected>' in second and "not in the chart" not in second
    assert '<option value="" selected>' in third
    assert 'name="line_items.__i__.category"' in page  # an added row gets the select too

    refused = client.post(f"/receipts/{record.id}/edit", data=edit_form(client, record.id))
    assert refused.status_code == 422
    assert (
        "&#39;Desserts&#39; is not in the chart of accounts, so it would be exported without an "
        "account code: choose one of its categories or none"
    ) in refused.text
    assert '<option value="Desserts" selected>' in _category_select(refused.text, 0)  # kept
    assert store.history(record.id) == []

    chosen = edit_form(client, record.id, **{"line_items.0.category": "Entertainment"})
    assert chosen["payment.method"] == "card"  # the payment select, not a category's
    assert client.post(f"/receipts/{record.id}/edit", data=chosen).status_code == 303
    saved = store.get_receipt(record.id)
    assert saved is not None
    assert [item.category for item in saved.receipt.line_items[:3]] == [
        "Entertainment",
        "Entertainment",  # stored as the chart names it
        None,
    ]
    assert saved.receipt.payment == record.receipt.payment
