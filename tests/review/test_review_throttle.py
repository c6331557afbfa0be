"""Login throttling per (name, client address) and per address over all names: spraying one
password over many names is stopped, and nobody elsewhere can lock a reviewer out."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, csrf_of

from receiptflow.review.throttle import client_network
from receiptflow.settings import Settings

TOO_MANY = "Too many wrong passwords"


def _from(client: TestClient, address: str) -> TestClient:
    return TestClient(client.app, client=(address, 50000), follow_redirects=False)


def _try(client: TestClient, name: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"name": name, "password": password, "csrf_token": token})
    if response.status_code == 401 and TOO_MANY in response.text:
        return 429  # refused without checking the password
    return response.status_code


def test_failures_elsewhere_do_not_lock_the_reviewer_out(client: TestClient) -> None:
    attacker = _from(client, "203.0.113.7")
    for _ in range(10):
        _try(attacker, "alice", "guess")
    assert _try(attacker, "alice", PASSWORD) == 429  # locked for the attacker's address
    assert _try(_from(client, "192.0.2.10"), "alice", PASSWORD) == 303  # alice's own is fine


def test_spraying_many_names_from_one_address_is_stopped(
    client: TestClient, settings: Settings
) -> None:
    limit = settings.review.max_login_failures_per_address
    assert limit > settings.review.max_login_failures
    sprayer = _from(client, "203.0.113.8")
    for number in range(limit):
        assert _try(sprayer, f"user{number}", "Summer2026!") == 401  # one try per name
    assert _try(sprayer, "alice", PASSWORD) == 429  # even the right password: wait
    assert _try(_from(client, "192.0.2.11"), "alice", PASSWORD) == 303


def test_a_login_does_not_reset_the_address_count(client: TestClient, settings: Settings) -> None:
    sprayer = _from(client, "203.0.113.9")
    for number in range(settings.review.max_login_failures_per_address - 1):
        _try(sprayer, f"user{number}", "guess")
    assert _try(sprayer, "alice", PASSWORD) == 303  # an account of one's own ...
    assert _try(sprayer, "bob", "guess") == 401  # ... does not buy more guesses
    assert _try(sprayer, "carol", "guess") == 429


def test_ipv6_clients_count_per_64() -> None:
    assert client_network("2001:db8:1:2:aaaa::1") == client_network("2001:db8:1:2:bbbb::9")
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
    assert client_network("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_network("192.0.2.1") == "192.0.2.1"
    assert client_network("testclient") == "testclient"


def test_address_limit_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEIPTFLOW_REVIEW__MAX_LOGIN_FAILURES_PER_ADDRESS", "7")
    assert Settings().review.max_login_failures_per_address == 7
