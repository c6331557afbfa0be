"""Roles: reviewers edit, approvers also approve, reject, reopen and export (403 with a page
otherwise, buttons hidden); the optional four-eyes rule; ``users add --role``; the migration
that makes every existing user an approver."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_support import PASSWORD, SAMPLE_IMAGE, log_in, seed, wrong_total
from sqlalchemy import text
from storage_support import create_pg_database, drop_pg_database
from test_review_edit import _form
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.review import create_app
from receiptflow.review.security import hash_password
from receiptflow.settings import ReviewSettings, Settings
from receiptflow.storage import Store, db


def _client(settings: Settings, store: Store) -> TestClient:
    return TestClient(create_app(settings, store=store), follow_redirects=False)


def test_reviewer_edits_but_cannot_decide_or_export(settings: Settings, store: Store) -> None:
    store.add_user("rita", hash_password(PASSWORD), role="reviewer")
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    with _client(settings, store) as client:
        token = log_in(client, "rita")
        page = client.get(f"/receipts/{record.id}").text
        assert 'id="approve-form"' not in page and 'id="reject-form"' not in page
        assert 'id="role-note"' in page
        assert "/export?format=csv" not in client.get("/").text
        saved = client.post(
            f"/receipts/{record.id}/edit", data=_form(client, record, total="84.19")
        )
        assert saved.status_code == 303
        version = {
            "csrf_token": token,
            "version": store.get_receipt(record.id).updated_at.isoformat(),
        }  # type: ignore[union-attr]
        for action, extra in [("approve", {}), ("reject", {"reason": "private"}), ("reopen", {})]:
            refused = client.post(f"/receipts/{record.id}/{action}", data={**version, **extra})
            assert refused.status_code == 403, action
            assert "text/html" in refused.headers["content-type"]
            assert "rita is a reviewer" in refused.text
        exported = client.get("/export?format=csv")
        assert exported.status_code == 403 and "approvers" in exported.text
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "extracted"  # edited, not decided
    assert [event.action for event in store.history(record.id)] == ["edit"]


def test_four_eyes_who_edited_cannot_approve(tmp_path: Path, store: Store) -> None:
    settings = Settings(
        home=tmp_path / "home", database_url=None, review=ReviewSettings(four_eyes=True)
    )
    store.add_user("bob", hash_password(PASSWORD))  # no role given: approver
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    with _client(settings, store) as alice:
        log_in(alice, "alice")
        alice.post(f"/receipts/{record.id}/edit", data=_form(alice, record, total="84.19"))
        page = alice.get(f"/receipts/{record.id}").text
        assert 'id="four-eyes-note"' in page and 'id="approve-form"' not in page
        assert 'id="reject-form"' in page  # rejecting what you fixed is still allowed
        form = _form(alice, record)
        refused = alice.post(f"/receipts/{record.id}/approve", data=form)
        assert refused.status_code == 403
        assert "another approver must approve it" in refused.text
    with _client(settings, store) as bob:
        log_in(bob, "bob")
        assert 'id="approve-form"' in bob.get(f"/receipts/{record.id}").text
        approved = bob.post(f"/receipts/{record.id}/approve", data=_form(bob, record))
        assert approved.status_code == 303
    after = store.get_receipt(record.id)
    assert after is not None and after.status == "approved"
    assert [(e.user, e.action) for e in store.history(record.id)] == [
        ("alice", "edit"),
        ("bob", "approve"),
    ]


def test_without_four_eyes_the_editor_approves(client: TestClient, store: Store) -> None:
    record = seed(store, SAMPLE_IMAGE, wrong_total())
    log_in(client)
    client.post(f"/receipts/{record.id}/edit", data=_form(client, record, total="84.19"))
    assert (
        client.post(f"/receipts/{record.id}/approve", data=_form(client, record)).status_code == 303
    )
    assert store.get_receipt(record.id).status == "approved"  # type: ignore[union-attr]


def test_users_add_role(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECEIPTFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECEIPTFLOW_DATABASE_URL", raising=False)
    runner = CliRunner()
    added = runner.invoke(
        app, ["users", "add", "rita", "--role", "reviewer", "--password-stdin"], input="pass-word\n"
    )
    assert added.exit_code == 0, added.output
    assert "Added reviewer rita." in added.output
    plain = runner.invoke(app, ["users", "add", "ann", "--password-stdin"], input="pass-word\n")
    assert plain.exit_code == 0 and "Added approver ann." in plain.output
    wrong = runner.invoke(
        app, ["users", "add", "x", "--role", "boss", "--password-stdin"], input="pass-word\n"
    )
    assert wrong.exit_code == 2 and "reviewer, approver" in wrong.output
    with Store.from_settings(Settings(home=tmp_path / "home")) as store:
        assert store.get_user("rita").role == "reviewer"  # type: ignore[union-attr]
        assert store.get_user("ann").role == "approver"  # type: ignore[union-attr]
        assert store.get_user("x") is None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'roles.db'}"
        return
    url = create_pg_database("receiptflow_roles_test")
    try:
        yield url
    finally:
        drop_pg_database(url)


def test_migration_makes_existing_users_approvers(database_url: str) -> None:
    engine = db.make_engine(database_url)
    try:
        db.upgrade(engine, "0002")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (name, password_hash, created_at) VALUES ('old', 'x', :now)"
                ),
                {"now": dt.datetime.now(dt.UTC)},
            )
        db.upgrade(engine)
        with engine.connect() as connection:
            roles = connection.execute(text("SELECT name, role FROM users")).all()
        assert [tuple(row) for row in roles] == [("old", "approver")]
    finally:
        engine.dispose()
