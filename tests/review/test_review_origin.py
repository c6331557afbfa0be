"""SameSite=Lax cookie plus an Origin check: a request another site makes the browser send is
refused with 403 even when it carries the reviewer's cookie and a valid CSRF token."""

from __future__ import annotations

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from review_support import SAMPLE_IMAGE, seed, wrong_total

from receiptflow.review.security import same_origin
from receiptflow.storage import Store

EVIL = "http://evil.example"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Origin": "http://testserver:8080"},  # another port is another origin
        {"Referer": f"{EVIL}/page"},  # old browsers without Origin
        {"Origin": EVIL, "Referer": "http://testserver/"},  # Origin decides when sent
    ],
)
def test_cross_origin_post_is_refused_even_with_session_and_token(
    client: TestClient, reviewer: str, store: Store, headers: dict[str, str]
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    response = client.post(
        f"/receipts/{record.id}/reject",
        data={"csrf_token": reviewer, "reason": "forged"},
        headers=headers,
    )
    assert response.status_code == 403
    assert "did not come from this site" in response.text
    assert response.headers["x-frame-options"] == "DENY"  # the refusal is a normal page
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "flagged" and store.history(record.id) == []
    refused = client.post("/logout", data={"csrf_token": reviewer}, headers=headers)
    assert refused.status_code == 403
    assert client.get("/").status_code == 200  # still logged in


@pytest.mark.parametrize(
    "headers", [{"Origin": "http://testserver"}, {"Referer": "http://testserver/receipts/1"}, {}]
)
def test_same_origin_post_passes(
    client: TestClient, reviewer: str, headers: dict[str, str]
) -> None:
    response = client.post("/logout", data={"csrf_token": reviewer}, headers=headers)
    assert response.status_code == 303
    assert client.get("/").status_code == 303  # logged out


def test_refusal_does_not_replace_the_session_cookie(client: TestClient) -> None:
    """A cross-site POST arrives without the (Lax) cookie; answering it with a new session
    cookie would log the reviewer out."""
    response = client.post("/logout", data={"csrf_token": "x"}, headers={"Origin": EVIL})
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def _request(method: str, host: str, **headers: str) -> Request:
    raw = [(b"host", host.encode())] + [
        (name.lower().encode(), value.encode()) for name, value in headers.items()
    ]
    return Request({"type": "http", "method": method, "headers": raw, "path": "/"})


@pytest.mark.parametrize(
    ("method", "host", "headers", "https_only", "allowed"),
    [
        ("GET", "app.local", {"origin": EVIL}, False, True),  # reading changes nothing
        ("POST", "app.local", {"origin": "http://app.local"}, False, True),
        ("POST", "app.local", {"origin": "http://APP.local:80"}, False, True),
        ("POST", "app.local:443", {"origin": "https://app.local"}, False, True),
        ("POST", "app.local", {"origin": "http://app.local"}, True, False),  # HTTPS site
        ("POST", "app.local", {"origin": "https://app.local"}, True, True),
        ("POST", "app.local", {"origin": "http://app.local.evil.example"}, False, False),
        ("POST", "app.local", {"origin": "ftp://app.local"}, False, False),
        ("DELETE", "app.local", {"origin": EVIL}, False, False),
        ("PUT", "app.local", {"referer": f"{EVIL}/x"}, False, False),
        ("POST", "", {"origin": "http://app.local"}, False, False),  # no Host to match
    ],
)
def test_same_origin_rules(
    method: str, host: str, headers: dict[str, str], https_only: bool, allowed: bool
) -> None:
    assert same_origin(_request(method, host, **headers), https_only=https_only) is allowed


PROXIED = "https://receipts.example.com"


@pytest.mark.parametrize(
    ("origin", "public_origin", "allowed"),
    [
        (PROXIED, PROXIED, True),  # the proxy passed Host: 127.0.0.1:8000 on
        (f"{PROXIED}:443", f"{PROXIED}/", True),
        (PROXIED, None, False),  # without the setting the names differ
        ("https://other.example.com", PROXIED, False),
        ("http://receipts.example.com", PROXIED, False),  # the setting names the scheme too
    ],
)
def test_public_origin_behind_a_proxy(
    origin: str, public_origin: str | None, allowed: bool
) -> None:
    request = _request("POST", "127.0.0.1:8000", origin=origin)
    assert same_origin(request, https_only=False, public_origin=public_origin) is allowed
