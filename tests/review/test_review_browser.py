"""End to end in Debian's Chromium: log in, open the queue (riskiest first), fix a misread
total, approve; sessions across sites (links from elsewhere, forged forms, cache after logout).

The server is the real thing: ``receiptflow review`` in its own process on a free port, over a
temp SQLite database seeded with committed samples (one has its total misread), each with the
probabilities an extractor would give. The run saves docs/screenshots/review-queue.png and
review-detail.png, which the README shows.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from review_support import (
    PASSWORD,
    REPO,
    sample_path,
    sample_receipt,
    seed,
    wrong_total,
)
from servers_support import free_port

from receiptflow.settings import Settings
from receiptflow.storage import Store

# Bounded: the whole run (server start, Chromium, every step) or any one wait cannot hang CI.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]
STEP_TIMEOUT_MS = 15_000

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = REPO / "docs" / "screenshots"


@dataclass
class Server:
    url: str
    settings: Settings
    flagged_id: int


# Riskiest first: the misread total is the least likely right, then a receipt whose own
# probability is low, then the weakest key fields.
RISK_ORDER = ["SUNRISE DINER", "HAPPY MART SHIBUYA", "Café Morgenrot", "GREENFIELD SUPERSTORE"]


def _seed(settings: Settings) -> int:
    with Store.from_settings(settings) as store:
        flagged = seed(
            store,
            sample_path("us_diner"),
            wrong_total(),
            confidence={"merchant.name": 0.97, "date": 0.93, "total": 0.41, "time": 0.9},
        )
        seed(
            store,
            sample_path("uk_supermarket_2pages"),
            sample_receipt("uk_supermarket_2pages"),
            confidence={"merchant.name": 0.95, "date": 0.97, "total": 0.96, "line_items": 0.88},
        )
        seed(
            store,
            sample_path("eu_cafe"),
            sample_receipt("eu_cafe"),
            confidence={"merchant.name": 0.9, "date": 0.96, "total": 0.74},
        )
        missing_date = sample_receipt("jp_konbini_rot90", date=None)
        seed(
            store,
            sample_path("jp_konbini_rot90"),
            missing_date,
            confidence={"receipt": 0.58, "merchant.name": 0.92, "total": 0.97},
        )
        approved = seed(store, sample_path("my_shop_photo"), sample_receipt("my_shop_photo"))
        store.set_status(approved.id, "approved", user="alice")
        return flagged.id


def _wait_for(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"receiptflow review exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {timeout_s}s")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    home = tmp_path / "home"
    env = {**os.environ, "RECEIPTFLOW_HOME": str(home)}
    env.pop("RECEIPTFLOW_DATABASE_URL", None)
    settings = Settings(home=home, database_url=None)
    flagged_id = _seed(settings)
    cli = [str(Path(sys.executable).parent / "receiptflow")]  # the installed command
    subprocess.run(
        [*cli, "users", "add", "alice", "--password-stdin"],
        input=f"{PASSWORD}\n".encode(),
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    process = subprocess.Popen([*cli, "review", "--port", str(port)], env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url, process)
        yield Server(url, settings, flagged_id)
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def page(server: Server) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1440, "height": 900})
        context.set_default_timeout(STEP_TIMEOUT_MS)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def test_fix_total_and_approve(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.on("pageerror", lambda error: failed.append(str(error)))
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))

    page.goto(server.url + "/")
    expect(page).to_have_url(server.url + "/login?next=/")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # The queue, riskiest first: the misread diner receipt (41 % likely right) leads.
    rows = page.locator("table.queue-table tbody tr")
    expect(rows.locator("a.merchant")).to_have_text(RISK_ORDER)
    expect(rows.locator("td.likely")).to_have_text(["41 %", "58 %", "74 %", "88 %"])
    first_row = rows.first
    expect(first_row.locator(".dot")).to_have_class("dot error")
    expect(first_row.locator("td.likely .conf")).to_have_class("conf low")
    expect(page.locator('a.tab[data-view="open"] .count')).to_have_text("4")
    expect(page.locator('a.tab[data-view="approved"] .count')).to_have_text("1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review-queue.png"))

    first_row.locator("a.merchant").click()
    expect(page.locator("h1")).to_have_text("SUNRISE DINER")
    total_field = page.locator('[id="f-total"]')
    expect(total_field.locator("p.flag.error")).to_contain_text("84.19")
    expect(total_field.locator(".conf")).to_have_text("41 % likely right")
    expect(total_field.locator(".conf")).to_have_class("conf low")
    expect(page.locator('[id="f-merchant.name"] .conf')).to_have_text("97 % likely right")
    expect(page.locator("#receipt-likelihood")).to_have_text("whole receipt 41 % likely right")
    image = page.locator(".page img").first
    expect(image).to_be_visible()
    page.wait_for_function("() => document.querySelector('.page img').naturalWidth > 0")
    page.screenshot(path=str(SCREENSHOTS / "review-detail.png"))
    image.click()  # zoom in where clicked, click again to fit
    expect(page.locator("#pages")).to_have_class("pages zoomed")
    image.click()
    expect(page.locator("#pages")).to_have_class("pages")

    page.fill('input[name="total"]', "84.19")
    page.click("#save")
    expect(page.locator(".banner.ok")).to_contain_text("Saved 1 change.")
    expect(page.locator(".findings-box")).to_have_count(0)
    expect(page.locator("#status")).to_have_text("extracted")

    page.keyboard.press("a")  # approve and go to the next receipt in the queue: the next riskiest
    expect(page.locator(".banner.ok")).to_contain_text("SUNRISE DINER: approved.")
    expect(page.locator("h1")).to_have_text(RISK_ORDER[1])
    assert not failed, failed
    assert all(url.startswith(server.url + "/") for url in fetched), fetched  # nothing remote
    assert any(url.endswith("/static/review.js") for url in fetched)

    rebound = httpx.get(server.url + "/login", headers={"Host": "attacker.example"})
    assert rebound.status_code == 400  # a loopback server answers only to local names

    with Store.from_settings(server.settings) as store:
        record = store.get_receipt(server.flagged_id)
        assert record is not None
        assert record.status == "approved"
        assert str(record.receipt.total) == "84.19"
        assert record.flags == []
        edit, approve = store.history(server.flagged_id)
    assert (edit.user, edit.action) == ("alice", "edit")
    changes = {change.field: (change.before, change.after) for change in edit.changes}
    assert changes["total"] == ("94.19", "84.19")
    assert changes["status"] == ("flagged", "extracted")
    assert (approve.user, approve.action) == ("alice", "approve")
    assert [(c.before, c.after) for c in approve.changes] == [("extracted", "approved")]
    assert dt.datetime.now(dt.UTC) - approve.created_at < dt.timedelta(minutes=5)


# -- sessions across sites: a link from elsewhere keeps the login (SameSite=Lax), a form from
# elsewhere is refused (Origin check), and after logout a page image cannot come back from the
# browser's cache.

EVIL = "http://evil.example"


def _log_in(page: object, server: Server) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(server.url + "/login")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("table.queue-table")).to_be_visible()


def _site(page: object, origin: str, body: str) -> None:
    """Pages of ``origin`` answered by the browser itself with ``body`` (no server needed)."""
    from playwright.sync_api import Page, Route

    assert isinstance(page, Page)

    def answer(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=body)

    page.route(f"{origin}/**", answer)


def test_link_from_another_site_keeps_the_session(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _log_in(page, server)
    target = f"{server.url}/receipts/{server.flagged_id}"
    _site(page, EVIL, f'<a id="go" href="{target}">the receipt</a>')
    page.goto(f"{EVIL}/mail")
    page.click("#go")  # a cross-site top-level navigation, as from a mail or a chat
    expect(page).to_have_url(target)
    expect(page.locator("h1")).to_have_text("SUNRISE DINER")
    page.goto(server.url + "/")  # and the session was not replaced on the way
    expect(page.locator("table.queue-table")).to_be_visible()


@pytest.mark.parametrize("leaked_token", [False, True])
def test_form_from_another_origin_is_refused(
    server: Server, page: object, leaked_token: bool
) -> None:
    """From another site the Lax cookie stays home. From another origin of the same site
    (another app on this computer) the browser sends it: even with the CSRF token leaked,
    the Origin check refuses the form."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _log_in(page, server)
    token = page.locator("input[name=csrf_token]").first.input_value()
    origin = f"http://127.0.0.1:{free_port()}" if leaked_token else EVIL
    action = f"{server.url}/receipts/{server.flagged_id}/reject"
    hidden = f'<input name="csrf_token" value="{token}">' if leaked_token else ""
    _site(
        page,
        origin,
        f'<form method="post" action="{action}">{hidden}<input name="reason" value="x">'
        '<button id="send">win a prize</button></form>',
    )
    page.goto(f"{origin}/prize")
    with page.expect_response(action) as answer:
        page.click("#send")
    assert answer.value.status == 403
    page.goto(f"{server.url}/receipts/{server.flagged_id}")
    expect(page.locator("#status")).to_have_text("flagged")


def test_image_is_gone_from_the_cache_after_logout(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _log_in(page, server)
    page.goto(f"{server.url}/receipts/{server.flagged_id}")
    page.wait_for_function("() => document.querySelector('.page img').naturalWidth > 0")
    image_url = page.locator(".page img").first.evaluate("image => image.src")
    page.click("form[action='/logout'] button")
    expect(page).to_have_url(server.url + "/login")
    # The login page asks for the image again, as an <img>: the browser's cache would answer.
    loaded = page.evaluate(
        """url => new Promise(done => {
            const image = new Image();
            image.onload = () => done(image.naturalWidth);
            image.onerror = () => done(0);
            image.src = url;
        })""",
        image_url,
    )
    assert loaded == 0  # not shown: the server sent the login page instead


def test_cli_password_change_ends_the_running_servers_session(server: Server, page: object) -> None:
    """``receiptflow users passwd`` in another process: the next click is a login page."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    _log_in(page, server)
    env = {**os.environ, "RECEIPTFLOW_HOME": str(server.settings.home)}
    env.pop("RECEIPTFLOW_DATABASE_URL", None)
    changed = subprocess.run(
        [str(Path(sys.executable).parent / "receiptflow"), "users", "passwd", "alice"]
        + ["--password-stdin"],
        input=b"a new password\n",
        env=env,
        capture_output=True,
        check=False,
    )
    assert changed.returncode == 0, changed.stderr
    page.goto(server.url + "/")
    expect(page).to_have_url(server.url + "/login?next=/")


def test_a_flag_on_a_line_item_does_not_squeeze_the_table(server: Server, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    with Store.from_settings(server.settings) as store:
        record = store.get_receipt(server.flagged_id)
        assert record is not None
        items = [item.model_copy() for item in record.receipt.line_items]
        items[0] = items[0].model_copy(update={"amount": items[0].amount + 1})  # type: ignore[operator]
        store.update_receipt(
            server.flagged_id, record.receipt.model_copy(update={"line_items": items}), user="bob"
        )
    page.goto(f"{server.url}/login?next=/receipts/{server.flagged_id}")
    page.fill("input[name=name]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    flagged_cell = page.locator('[id="f-line_items.0"] td.flagged')
    expect(flagged_cell.locator("p.flag")).not_to_have_count(0)
    table = page.locator('table[data-table="line_items"]').bounding_box()
    assert table is not None
    for row in (0, 1):
        description = page.locator(f'input[name="line_items.{row}.description"]').bounding_box()
        assert description is not None
        # The description column keeps about a third of the table (its header's 34 %), so
        # a name such as "Buttermilk Pancakes" is readable, flag or no flag.
        assert description["width"] > 0.28 * table["width"], (row, description, table)
    # ... and the flag's message wraps inside its cell rather than running past the table.
    message = flagged_cell.locator("p.flag").first.bounding_box()
    assert message is not None
    assert message["x"] + message["width"] <= table["x"] + table["width"] + 1, (message, table)
