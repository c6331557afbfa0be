"""End to end in Debian's Chromium: upload receipts (file picker and drag-and-drop) and watch
them extracted in the background by the configured (local) extractor; search and sort the
queue; a reviewer who can edit but not approve; the four-eyes rule.

``receiptflow review`` runs in its own process with the four-eyes rule on; alice is added
without a role (an approver), rita as a reviewer. Screenshots: docs/screenshots/
review-upload.png, review-search.png and review-reviewer.png (the README shows them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from review_support import PASSWORD, sample_path, sample_receipt, seed
from servers_support import free_port

# The browser fixture is shared; it takes this module's ``server``.
from test_review_browser import SCREENSHOTS, _wait_for, page  # noqa: F401

from receiptflow.settings import Settings
from receiptflow.storage import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]
EXTRACTION_TIMEOUT_MS = 120_000  # OCR of one photo on a busy 2-core machine


@dataclass
class Server:
    url: str
    settings: Settings
    flagged_id: int


def _users(cli: list[str], env: dict[str, str]) -> None:
    for extra in (["alice"], ["rita", "--role", "reviewer"]):
        subprocess.run(
            [*cli, "users", "add", *extra, "--password-stdin"],
            input=f"{PASSWORD}\n".encode(),
            env=env,
            check=True,
            capture_output=True,
        )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "home"
    env = {**os.environ, "RECEIPTFLOW_HOME": str(home), "RECEIPTFLOW_REVIEW__FOUR_EYES": "true"}
    env.pop("RECEIPTFLOW_DATABASE_URL", None)
    env.pop("RECEIPTFLOW_EXTRACTOR", None)  # the default, local extractor
    settings = Settings(home=home, database_url=None)
    with Store.from_settings(settings) as store:
        misread = sample_receipt("uk_supermarket_2pages", total="93.76")
        flagged = seed(store, sample_path("uk_supermarket_2pages"), misread)
        for name in ("eu_cafe", "jp_konbini_rot90", "my_shop_photo"):
            seed(store, sample_path(name), sample_receipt(name))
    cli = [str(Path(sys.executable).parent / "receiptflow")]
    _users(cli, env)
    port = free_port()
    process = subprocess.Popen([*cli, "review", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process)
        yield Server(url, settings, flagged.id)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _log_in(tab: object, url: str, name: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(tab, Page)
    tab.goto(url + "/login")
    tab.fill("input[name=name]", name)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(url + "/")


def _drop(tab: object, name: str, data: bytes) -> None:
    """Drag a file from the desktop onto the drop zone (a real DataTransfer and drop event)."""
    from playwright.sync_api import Page

    assert isinstance(tab, Page)
    transfer = tab.evaluate_handle(
        """([name, bytes]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([new Uint8Array(bytes)], name, {type: "image/png"}));
            return transfer;
        }""",
        [name, list(data)],
    )
    tab.dispatch_event("#upload-form", "dragenter", {"dataTransfer": transfer})
    tab.dispatch_event("#upload-form", "drop", {"dataTransfer": transfer})


def test_upload_search_roles(server: Server, page: object) -> None:  # noqa: F811
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, server.url, "alice")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Upload with the file picker: it is sent at once and extracted in the background.
    page.set_input_files("#upload-files", str(sample_path("us_diner")))
    expect(page.locator(".banner.ok")).to_contain_text("Received 1 file")
    row = page.locator("#uploads tbody tr").first
    expect(row.locator("td.file")).to_have_text("us_diner.png")
    # Progress: the page asks every 2 s and reloads once the extraction is done.
    expect(row.locator(".status")).to_have_text(
        re.compile("^(extracted|flagged)$"), timeout=EXTRACTION_TIMEOUT_MS
    )
    expect(page.locator("table.queue-table a.merchant", has_text="SUNRISE DINER")).to_have_count(1)

    # Drag and drop a text file named like a picture: the CLI's message, nothing stored.
    _drop(page, "notes.png", b"Total 12.30\nThank you for shopping\n" * 3)
    expect(page.locator("#upload-problems")).to_have_text(
        "notes.png: named like a PNG file but the content is text, not a supported image or PDF"
    )
    page.screenshot(path=str(SCREENSHOTS / "review-upload.png"))

    # Search (an item's description) and sort by total, largest first.
    page.fill("#search", "espresso")
    page.press("#search", "Enter")
    expect(page.locator("table.queue-table a.merchant")).to_have_text(["Café Morgenrot"])
    page.click("#clear-filters")
    page.click('th[data-sort="total"] a')
    page.click('th[data-sort="total"] a')
    expect(page.locator('th[data-sort="total"]')).to_have_attribute("aria-sort", "descending")
    expect(page.locator("table.queue-table a.merchant").first).to_have_text("HAPPY MART SHIBUYA")
    page.fill("#search", "84.19")
    page.press("#search", "Enter")
    expect(page.locator("table.queue-table a.merchant")).to_have_text(["SUNRISE DINER"])
    page.screenshot(path=str(SCREENSHOTS / "review-search.png"))

    # Four eyes: alice fixes the supermarket's total, so she may not approve it herself.
    page.goto(f"{server.url}/receipts/{server.flagged_id}")
    page.fill('input[name="total"]', "83.76")
    page.click("#save")
    expect(page.locator(".banner.ok")).to_contain_text("Saved")
    expect(page.locator("#four-eyes-note")).to_contain_text("another approver must approve it")
    expect(page.locator("#approve")).to_have_count(0)
    page.click("button:has-text('Log out')")

    # rita, a reviewer: edits, but sees no approve or export, and the server refuses both.
    _log_in(page, server.url, "rita")
    expect(page.locator(".topnav .export")).to_have_count(0)
    page.goto(f"{server.url}/receipts/{server.flagged_id}")
    expect(page.locator("#role-note")).to_be_visible()
    expect(page.locator("#approve-form")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "review-reviewer.png"))
    refused = page.request.get(server.url + "/export?format=csv")
    assert refused.status == 403 and "approvers" in refused.text()
    assert not errors, errors

    with Store.from_settings(server.settings) as store:
        (uploaded,) = [d for d in store.list_documents() if d.source == "web"]
        assert uploaded.original_name == "us_diner.png"
        receipt = store.get_receipt_for_document(uploaded.id)
        assert receipt is not None and receipt.receipt.merchant.name == "SUNRISE DINER"
        decided = store.get_receipt(server.flagged_id)
        assert decided is not None and decided.status == "extracted"  # edited, not approved
