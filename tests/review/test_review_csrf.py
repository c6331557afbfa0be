"""CSRF: every POST route of the app refuses a form without this session's token."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from review_support import SAMPLE_IMAGE, seed, wrong_total
from starlette.routing import BaseRoute

from receiptflow.storage import Store


def _routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route, including those of included routers (FastAPI may keep them nested)."""
    found: list[BaseRoute] = []
    for route in routes:
        nested = getattr(route, "original_router", None)
        found.extend(_routes(nested.routes) if nested is not None else [route])
    return found


def _post_paths(client: TestClient, receipt_id: int) -> list[str]:
    app_routes = client.app.routes  # type: ignore[attr-defined]
    paths = [
        str(getattr(route, "path", "")).replace("{receipt_id}", str(receipt_id))
        for route in _routes(app_routes)
        if "POST" in (getattr(route, "methods", None) or set())
    ]
    assert len(paths) >= 6, paths  # login, logout, edit, approve, reject, reopen
    return paths


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_every_post_route_needs_the_token(
    client: TestClient, reviewer: str, store: Store, token: str | None
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    form = {"name": "alice", "reason": "duplicate", "version": "", "total": "1.00"}
    if token is not None:
        form["csrf_token"] = token
    for path in _post_paths(client, record.id):
        response = client.post(path, data=form)
        assert response.status_code == 403, path
        assert "did not come from this site" in response.text
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "flagged" and store.history(record.id) == []
    assert client.get("/").status_code == 200  # still logged in: logout was refused too


def test_token_of_another_session_is_refused(
    client: TestClient, reviewer: str, store: Store, settings: object
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    other = TestClient(client.app, follow_redirects=False)
    other_token = other.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert other_token != reviewer
    response = client.post(
        f"/receipts/{record.id}/reject", data={"csrf_token": other_token, "reason": "x"}
    )
    assert response.status_code == 403
