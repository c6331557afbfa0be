"""Two reviewers on one receipt: a save, approve, reject or reopen from a stale page is a 409
that keeps what the reviewer typed; racing saves over HTTP, on SQLite and PostgreSQL, leave
exactly one winner and an audit trail that says what really happened."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from review_support import (
    PASSWORD,
    SAMPLE_IMAGE,
    csrf_of,
    edit_form,
    log_in,
    sample_receipt,
    seed,
)
from review_support import wrong_total as misread

from receiptflow.review import create_app
from receiptflow.review.security import hash_password
from receiptflow.settings import Settings
from receiptflow.storage import Store

ROUNDS = 3
VERSION = re.compile(r'name="version" value="([^"]+)"')


@pytest.fixture
def two_reviewers(
    any_store: Store, tmp_path: Path
) -> Iterator[tuple[Store, TestClient, TestClient]]:
    """Alice and Bob logged in to one app over SQLite or PostgreSQL, each in a client."""
    any_store.add_user("alice", hash_password(PASSWORD))
    any_store.add_user("bob", hash_password(PASSWORD))
    app = create_app(Settings(home=tmp_path / "home", database_url=None), store=any_store)
    with (
        TestClient(app, follow_redirects=False) as alice,
        TestClient(app, follow_redirects=False) as bob,
    ):
        log_in(alice, "alice")
        log_in(bob, "bob")
        yield any_store, alice, bob


def _at_once(*calls: Any) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait(timeout=10)
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_concurrent_saves_one_wins_the_other_gets_409(
    two_reviewers: tuple[Store, TestClient, TestClient],
) -> None:
    store, alice, bob = two_reviewers
    record = seed(store, SAMPLE_IMAGE, misread())
    for round_ in range(ROUNDS):
        typed = {"alice": f"8{round_}.11", "bob": f"8{round_}.22"}
        forms = {
            "alice": edit_form(alice, record.id, total=typed["alice"]),
            "bob": edit_form(bob, record.id, total=typed["bob"]),
        }
        before = store.get_receipt(record.id)
        assert before is not None
        statuses = _at_once(
            lambda forms=forms: alice.post(f"/receipts/{record.id}/edit", data=forms["alice"]),
            lambda forms=forms: bob.post(f"/receipts/{record.id}/edit", data=forms["bob"]),
        )
        codes = sorted(response.status_code for response in statuses)
        assert codes == [303, 409], codes
        winner = ("alice", "bob")[[r.status_code for r in statuses].index(303)]
        loser_page = statuses[[r.status_code for r in statuses].index(409)].text
        loser = "bob" if winner == "alice" else "alice"
        assert f"{winner} changed this receipt after you opened it" in loser_page
        assert f'name="total" type="text" value="{typed[loser]}"' in loser_page  # kept
        after = store.get_receipt(record.id)
        assert after is not None and after.receipt.total == Decimal(typed[winner])
        last = store.history(record.id)[-1]
        assert (last.user, last.action) == (winner, "edit")
        total = next(change for change in last.changes if change.field == "total")
        assert (total.before, total.after) == (str(before.receipt.total), typed[winner])
    assert len(store.history(record.id)) == ROUNDS


def test_approve_from_a_stale_page_is_409_and_approves_nothing(
    two_reviewers: tuple[Store, TestClient, TestClient],
) -> None:
    store, alice, bob = two_reviewers
    record = seed(store, SAMPLE_IMAGE, sample_receipt())
    html = alice.get(f"/receipts/{record.id}").text
    version = VERSION.search(html).group(1)  # type: ignore[union-attr]
    assert (
        bob.post(
            f"/receipts/{record.id}/edit", data=edit_form(bob, record.id, total="99.99")
        ).status_code
        == 303
    )
    approve = {"csrf_token": csrf_of(html), "version": version, "go_next": "1"}
    response = alice.post(f"/receipts/{record.id}/approve", data=approve)
    assert response.status_code == 409
    assert "bob changed this receipt after you opened it" in response.text
    assert re.search(r'data-action="edit"><strong>edit</strong> by bob', response.text)
    assert "99.99" in response.text  # what bob changed is shown
    after = store.get_receipt(record.id)
    assert after is not None and after.status != "approved"
    reject = {"csrf_token": csrf_of(html), "version": version, "reason": "private lunch"}
    response = alice.post(f"/receipts/{record.id}/reject", data=reject)
    assert response.status_code == 409
    assert 'value="private lunch"' in response.text  # the typed reason is kept
    assert [event.user for event in store.history(record.id)] == ["bob"]


def test_reopen_checks_the_version(
    two_reviewers: tuple[Store, TestClient, TestClient],
) -> None:
    store, alice, _ = two_reviewers
    record = seed(store, SAMPLE_IMAGE, sample_receipt())
    approved = store.set_status(record.id, "approved", user="bob")
    html = alice.get(f"/receipts/{record.id}").text
    token = csrf_of(html)
    for stale in ("", record.updated_at.isoformat(), "not a version"):
        response = alice.post(
            f"/receipts/{record.id}/reopen", data={"csrf_token": token, "version": stale}
        )
        assert response.status_code == 409
    current = store.get_receipt(record.id)
    assert current is not None and current.status == "approved"
    response = alice.post(
        f"/receipts/{record.id}/reopen",
        data={"csrf_token": token, "version": approved.updated_at.isoformat()},
    )
    assert response.status_code == 303
    reopened = store.get_receipt(record.id)
    assert reopened is not None and reopened.status == "extracted"


def test_a_category_is_checked_against_the_page_and_makes_older_edits_stale(
    two_reviewers: tuple[Store, TestClient, TestClient],
) -> None:
    """Choosing a category is a write like a save: from a stale page it is a 409, and it is
    a new version, so an edit opened before it cannot be saved over it blindly."""
    store, alice, bob = two_reviewers
    record = seed(store, SAMPLE_IMAGE, sample_receipt())
    alices_edit = edit_form(alice, record.id, total="84.20")  # alice opens the page
    bob_page = bob.get(f"/receipts/{record.id}").text
    category = {"csrf_token": csrf_of(bob_page), "category": "Entertainment"}
    category["version"] = VERSION.search(bob_page).group(1)  # type: ignore[union-attr]
    assert bob.post(f"/receipts/{record.id}/category", data=category).status_code == 303
    response = alice.post(f"/receipts/{record.id}/edit", data=alices_edit)
    assert response.status_code == 409
    assert "bob changed this receipt after you opened it" in response.text
    assert 'class="path">category</td>' in response.text  # what bob changed is shown
    stale = {"csrf_token": alices_edit["csrf_token"], "version": alices_edit["version"]}
    response = alice.post(f"/receipts/{record.id}/category", data={**stale, "category": "Rent"})
    assert response.status_code == 409
    for missing in ("", "not a version"):  # a form without its version is never blind
        response = alice.post(
            f"/receipts/{record.id}/category",
            data={**stale, "version": missing, "category": "Rent"},
        )
        assert response.status_code == 409
    after = store.get_receipt(record.id)
    assert after is not None and after.category == "Entertainment"
    assert after.receipt.total == record.receipt.total
    assert [(event.user, event.action) for event in store.history(record.id)] == [("bob", "edit")]
