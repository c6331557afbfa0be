"""A session lasts only while its user does: removing or disabling the reviewer, changing
their password or deleting their row in the database ends it at the next request. Page images
are not kept in the browser's cache, and logout clears it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, SAMPLE_IMAGE, csrf_of, log_in, seed, wrong_total
from sqlalchemy import delete
from sqlalchemy.orm import Session

from receiptflow.review.security import hash_password
from receiptflow.storage import Store
from receiptflow.storage.models import UserRow


def _delete_row(store: Store) -> None:
    """What an administrator's SQL would do: no call through the store's user methods."""
    with Session(store.engine) as session, session.begin():
        session.execute(delete(UserRow).where(UserRow.name == "alice"))


def _recreate(store: Store) -> None:
    """Deleted and added again with the same password: a new account, not the old session's."""
    _delete_row(store)
    store.add_user("alice", hash_password(PASSWORD))


ENDINGS: dict[str, Callable[[Store], object]] = {
    "removed": lambda store: store.remove_user("alice"),
    "disabled": lambda store: store.set_user_disabled("alice", True),
    "password changed": lambda store: store.set_user_password("alice", hash_password("new pass 1")),
    "row deleted in SQL": _delete_row,
    "re-created": _recreate,
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_session_ends_with_the_user(
    client: TestClient, reviewer: str, store: Store, ending: str
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    assert client.get("/").status_code == 200
    ENDINGS[ending](store)
    for path in ["/", f"/receipts/{record.id}", f"/receipts/{record.id}/pages/1.jpg"]:
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login")
    refused = client.post(f"/receipts/{record.id}/reject", data={"csrf_token": reviewer})
    assert refused.status_code in {303, 403}
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "flagged"


def test_enabling_again_does_not_revive_the_old_session(
    client: TestClient, reviewer: str, store: Store
) -> None:
    store.set_user_disabled("alice", True)
    assert client.get("/").status_code == 303
    store.set_user_disabled("alice", False)
    assert client.get("/").status_code == 303  # ended for good: log in again
    log_in(client)
    assert client.get("/").status_code == 200


def test_disabled_reviewer_cannot_log_in(client: TestClient, store: Store) -> None:
    store.set_user_disabled("alice", True)
    token = csrf_of(client.get("/login").text)
    wrong = client.post("/login", data={"name": "alice", "password": "nope", "csrf_token": token})
    assert "Wrong user name or password." in wrong.text  # nothing told without the password
    right = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
    assert right.status_code == 401
    assert "This account is disabled." in right.text
    assert client.get("/").status_code == 303


def test_other_reviewers_keep_their_sessions(
    client: TestClient, reviewer: str, store: Store
) -> None:
    store.add_user("bob", hash_password("bobs password"))
    other = TestClient(client.app, follow_redirects=False)
    log_in(other, "bob", "bobs password")
    store.remove_user("alice")
    assert client.get("/").status_code == 303
    assert other.get("/").status_code == 200


def test_page_images_are_not_cached_and_logout_clears_the_cache(
    client: TestClient, reviewer: str, store: Store
) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    image = client.get(f"/receipts/{record.id}/pages/1.jpg")
    assert image.status_code == 200
    cache_control = {part.strip() for part in image.headers["cache-control"].split(",")}
    assert {"private", "no-store"} <= cache_control
    assert "max-age" not in image.headers["cache-control"]
    response = client.post("/logout", data={"csrf_token": reviewer})
    assert response.status_code == 303
    assert response.headers["clear-site-data"] == '"cache"'
    assert client.get(f"/receipts/{record.id}/pages/1.jpg").status_code == 303
