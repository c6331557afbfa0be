"""Nothing the reviewer or a stray URL sends is a bare 500: unknown or out-of-range ids are
404, every error page is HTML with the security headers, and input the database cannot hold
(on PostgreSQL as on SQLite) is a form error that keeps what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, SAMPLE_IMAGE, edit_form, log_in, seed, wrong_total

from receiptflow.review import create_app
from receiptflow.review.security import hash_password
from receiptflow.settings import Settings
from receiptflow.storage import Store

SECURITY_HEADERS = {
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
}


@pytest.fixture
def any_client(any_store: Store, tmp_path: Path) -> Iterator[tuple[Store, TestClient]]:
    """A logged-in client of an app over SQLite or PostgreSQL; server errors are answered
    as a browser would see them, not raised into the test."""
    any_store.add_user("alice", hash_password(PASSWORD))
    app = create_app(Settings(home=tmp_path / "home", database_url=None), store=any_store)
    with TestClient(app, follow_redirects=False, raise_server_exceptions=False) as client:
        log_in(client)
        yield any_store, client


def _is_error_page(response: Any, status: int) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert f'data-status="{status}"' in response.text
    assert set(response.headers) >= SECURITY_HEADERS, dict(response.headers)
    assert response.headers["cache-control"] == "no-store"


OUT_OF_RANGE = (
    "/receipts/99999999999999999999",
    "/receipts/2147483648",
    "/receipts/9223372036854775808",
    "/receipts/0",
    "/receipts/-1",
    "/receipts/abc",
    "/?page=9223372036854775807",
    "/?page=99999999999999999999",
    "/?page=-1",
    "/?page=two",
    "/receipts/99999999999999999999/pages/1.jpg",
    "/receipts/2147483648/pages/1.jpg",
    "/receipts/{id}/pages/99999999999999999999.jpg",
    "/receipts/{id}/pages/0.jpg",
    "/receipts/{id}/pages/x.jpg",
    "/no/such/page",
)


def test_unknown_and_out_of_range_ids_are_404(any_client: tuple[Store, TestClient]) -> None:
    store, client = any_client
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    for path in OUT_OF_RANGE:
        _is_error_page(client.get(path.format(id=record.id)), 404)


def test_posts_to_unknown_ids_are_404(any_client: tuple[Store, TestClient]) -> None:
    store, client = any_client
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    form = edit_form(client, record.id)
    for receipt_id in ("2147483648", "99999999999999999999"):
        for action in ("edit", "approve", "reject", "reopen"):
            response = client.post(f"/receipts/{receipt_id}/{action}", data=form)
            _is_error_page(response, 404)


def test_other_errors_are_html_with_the_headers(
    any_client: tuple[Store, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, client = any_client
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    _is_error_page(client.get(f"/receipts/{record.id}/edit"), 405)
    _is_error_page(client.post(f"/receipts/{record.id}/edit", data={"csrf_token": "x"}), 403)
    form = edit_form(client, record.id, total="12.3x")
    invalid = client.post(f"/receipts/{record.id}/edit", data=form)
    assert invalid.status_code == 422 and invalid.headers["content-type"].startswith("text/html")
    assert set(invalid.headers) >= SECURITY_HEADERS

    def broken(_receipt_id: int) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(store, "get_receipt", broken)
    crashed = client.get(f"/receipts/{record.id}")
    _is_error_page(crashed, 500)
    assert "the database went away" not in crashed.text  # no internals shown


UNSTORABLE = (
    ({"merchant.name": "N" * 300}, "merchant.name", "at most 255 characters"),
    ({"receipt_number": "R" * 129}, "receipt_number", "at most 128 characters"),
    ({"line_items.0.sku": "S" * 65}, "line_items.0.sku", "at most 64 characters"),
    ({"currency": "EURO"}, "currency", "3-letter ISO 4217 code"),
    ({"merchant.address": "Main St\x00 1"}, "merchant.address", "NUL character"),
    ({"line_items.0.description": "Cof\x00fee"}, "line_items.0.description", "NUL"),
    ({"line_items.0.quantity": "1" * 16}, "line_items.0.quantity", "too large"),
    ({"line_items.0.unit_price": "9" * 15}, "line_items.0.unit_price", "too large"),
)


def test_input_the_database_cannot_hold_is_a_form_error(
    any_client: tuple[Store, TestClient],
) -> None:
    store, client = any_client
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    for typed, path, message in UNSTORABLE:
        _refused(store, client, record.id, typed, path, message)


def _refused(
    store: Store,
    client: TestClient,
    receipt_id: int,
    typed: dict[str, str],
    path: str,
    message: str,
) -> None:
    form = edit_form(client, receipt_id, total="84.19", **typed)
    response = client.post(f"/receipts/{receipt_id}/edit", data=form)
    assert response.status_code == 422, response.text[:300]
    page = response.text
    assert "Nothing was saved: some values need fixing" in page
    table_row = path.rsplit(".", 1)[0] if path.startswith("line_items.") else None
    marked = page[page.index(f'id="f-{table_row or path}"') :]
    assert message in marked[: marked.index("</tr>" if table_row else "</div>")]
    assert 'value="84.19"' in page  # the rest of what was typed is kept
    assert store.history(receipt_id) == []


def test_a_foreign_host_name_is_refused_with_the_headers(tmp_path: Path, store: Store) -> None:
    settings = Settings(home=tmp_path / "home", database_url=None)
    app = create_app(settings, store=store, allowed_hosts=["127.0.0.1", "localhost"])
    rebound = TestClient(app, base_url="http://attacker.example:8000", follow_redirects=False)
    response = rebound.get("/login")
    assert response.status_code == 400
    assert set(response.headers) >= SECURITY_HEADERS
    local = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    assert local.get("/login").headers["x-frame-options"] == "DENY"  # set once, not twice
    assert local.get("/login").headers.get_list("x-frame-options") == ["DENY"]
