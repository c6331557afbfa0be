"""``receiptflow users add NAME``: password from stdin or a prompt, stored as an argon2 hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.cli.review import _is_loopback
from receiptflow.review.security import verify_password
from receiptflow.settings import Settings
from receiptflow.storage import Store


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RECEIPTFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RECEIPTFLOW_DATABASE_URL", raising=False)
    return tmp_path / "home"


def _user_hash(home: Path, name: str) -> str | None:
    with Store.from_settings(Settings(home=home)) as store:
        user = store.get_user(name)
    return None if user is None else user.password_hash


def test_add_user_with_password_from_stdin(home: Path) -> None:
    result = CliRunner().invoke(
        app, ["users", "add", "bob", "--password-stdin"], input="s3cret-pass\n"
    )
    assert result.exit_code == 0, result.output
    stored = _user_hash(home, "bob")
    assert stored is not None and stored.startswith("$argon2id$")
    assert verify_password(stored, "s3cret-pass")
    again = CliRunner().invoke(
        app, ["users", "add", "bob", "--password-stdin"], input="other-pass\n"
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_add_user_prompts_twice(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["first-password", "other-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    result = CliRunner().invoke(app, ["users", "add", "carol"])
    assert result.exit_code == 1
    assert "differ" in result.output
    assert _user_hash(home, "carol") is None
    answers = iter(["good-password", "good-password"])
    result = CliRunner().invoke(app, ["users", "add", "carol"])
    assert result.exit_code == 0, result.output
    assert verify_password(_user_hash(home, "carol"), "good-password")


def test_short_password_is_refused(home: Path) -> None:
    result = CliRunner().invoke(app, ["users", "add", "dave", "--password-stdin"], input="short\n")
    assert result.exit_code == 1
    assert _user_hash(home, "dave") is None


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("10.1.2.3", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert _is_loopback(host) is loopback
