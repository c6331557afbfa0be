"""Logging in and out: every page needs a login, cookies are HttpOnly + SameSite, logout ends
the session on the server, wrong passwords are throttled, ``next`` never leaves the site."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, csrf_of, log_in

from receiptflow.review import create_app
from receiptflow.review.app import SESSION_COOKIE
from receiptflow.review.security import hash_password, safe_next, secret_key, verify_password
from receiptflow.settings import Settings
from receiptflow.storage import Store


@pytest.mark.parametrize("path", ["/", "/receipts/1", "/receipts/1/pages/1.jpg", "/export"])
def test_pages_redirect_to_login(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_login_sets_httponly_samesite_cookie(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_user_are_refused_alike(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for name, password in [("alice", "wrong password"), ("mallory", PASSWORD)]:
        response = client.post(
            "/login", data={"name": name, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        assert "Wrong user name or password." in response.text
    assert client.get("/").status_code == 303


def test_too_many_failures_lock_the_name(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    for _ in range(5):
        client.post("/login", data={"name": "alice", "password": "nope", "csrf_token": token})
    response = client.post(
        "/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Too many wrong passwords" in response.text


def test_logout_ends_the_session_even_for_a_copied_cookie(client: TestClient) -> None:
    token = log_in(client)
    copied = client.cookies.get(SESSION_COOKIE)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    client.cookies.set(SESSION_COOKIE, copied or "")
    assert client.get("/").status_code == 303  # the signed cookie alone is not a login


def test_login_goes_back_to_the_page_asked_for(client: TestClient) -> None:
    token = csrf_of(client.get("/login?next=/%3Fview%3Dapproved").text)
    response = client.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf_token": token, "next": "/?view=all"},
    )
    assert response.headers["location"] == "/?view=all"


@pytest.mark.parametrize(
    ("asked", "safe"),
    [
        ("/receipts/3?view=all", "/receipts/3?view=all"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_next_stays_on_this_site(asked: str | None, safe: str) -> None:
    assert safe_next(asked) == safe


def test_passwords_are_argon2_hashes() -> None:
    hashed = hash_password("s3cret-enough")
    assert hashed.startswith("$argon2id$")
    assert "s3cret-enough" not in hashed
    assert verify_password(hashed, "s3cret-enough")
    assert not verify_password(hashed, "s3cret-enougH")
    assert not verify_password(None, "s3cret-enough")
    assert not verify_password("not a hash", "s3cret-enough")


def test_security_headers_on_every_page(client: TestClient) -> None:
    response = client.get("/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_allowed_hosts_refuse_other_host_names(settings: Settings, store: Store) -> None:
    app = create_app(settings, store=store, allowed_hosts=["127.0.0.1", "localhost"])
    local = TestClient(app, base_url="http://127.0.0.1:8000", follow_redirects=False)
    assert local.get("/login").status_code == 200
    rebound = TestClient(app, base_url="http://attacker.example:8000", follow_redirects=False)
    assert rebound.get("/login").status_code == 400


def test_generated_secret_is_private_and_kept(settings: Settings) -> None:
    key = secret_key(settings)
    path = settings.home / "review-secret"
    assert len(key) >= 48
    assert path.stat().st_mode & 0o777 == 0o600
    assert secret_key(settings) == key  # made once, then read back
