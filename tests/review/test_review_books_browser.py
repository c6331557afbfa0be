"""Books end to end in Debian's Chromium, on the same real server and seed as
``test_review_browser``: tick the clean receipts and approve them at once, choose a receipt's
category from its suggestion, export the new approved receipts for Xero and download it.

Saves docs/screenshots/books-queue.png, books-category.png and books-exports.png (the
README's accountant's day shows them)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from review_support import PASSWORD
from test_review_browser import SCREENSHOTS, Server, page, server  # noqa: F401 (fixtures)

from receiptflow.storage import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]


def test_bulk_approve_categorise_and_export(server: Server, page: object) -> None:  # noqa: F811
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    failed: list[str] = []
    page.on("pageerror", lambda error: failed.append(str(error)))
    page.goto(server.url + "/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # The queue: only the two clean receipts (ok, no findings) can be ticked.
    clean = page.locator("input.pick-clean")
    expect(clean).to_have_count(2)
    expect(page.locator("#approve-selected")).to_be_disabled()
    page.check("#select-clean")
    expect(page.locator("#approve-selected")).to_have_text("Approve selected (2)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "books-queue.png"))
    page.click("#approve-selected")
    expect(page.locator(".banner.ok")).to_contain_text("Approved 2 receipt(s).")
    expect(page.locator('a.tab[data-view="approved"] .count')).to_have_text("3")

    # The diner receipt: its category is suggested from its line items, saved with one click.
    page.locator("a.merchant", has_text="SUNRISE DINER").click()
    expect(page.locator("#category-suggestion")).to_contain_text("Entertainment")
    expect(page.locator("#category-suggestion")).to_contain_text("keywords in the line items")
    expect(page.locator("#category")).to_have_value("Entertainment")
    page.locator("#category-form").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "books-category.png"))
    page.select_option("#category", "Office Expenses")
    page.click("#save-category")
    expect(page.locator(".banner.ok")).to_contain_text("Category: Office Expenses.")
    expect(page.locator("#category-suggestion")).to_have_count(0)

    # Exports: book the three approved receipts for Xero once, then download that export.
    page.click("#exports-link")
    expect(page.locator("#waiting")).to_have_text("3")
    page.select_option("#export-format", "xero")
    page.click("#export-new")
    expect(page.locator(".banner.ok")).to_contain_text("Export 1: 3 receipt(s) as xero.")
    expect(page.locator("#export-new")).to_be_disabled()  # nothing left to book
    page.screenshot(path=str(SCREENSHOTS / "books-exports.png"))
    with page.expect_download() as download_info:
        page.click('tr[data-export="1"] a.download')
    download = download_info.value
    assert download.suggested_filename == "receiptflow-export-1-xero.csv"
    text = Path(download.path()).read_bytes().decode("utf-8")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:2] == ["*ContactName", "EmailAddress"] and header[-1] == "Currency"
    assert not failed, failed

    with Store.from_settings(server.settings) as store:
        (export,) = store.list_exports()
        _, content = store.get_export(export.id)
        events = store.history(server.flagged_id)
    assert content == text and export.user == "alice" and len(export.receipt_ids) == 3
    assert [(c.field, c.after) for c in events[-1].changes] == [("category", "Office Expenses")]
