"""``receiptflow users add|remove|disable|enable|passwd NAME``: passwords from stdin or a
prompt, stored as argon2 hashes; an unknown name is one line and exit 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.cli.review import _allowed_hosts, _is_loopback
from receiptflow.errors import ConfigError
from receiptflow.review.security import verify_password
from receiptflow.settings import Settings
from receiptflow.storage import Store, UserRecord


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


def _user(home: Path, name: str) -> UserRecord | None:
    with Store.from_settings(Settings(home=home)) as store:
        return store.get_user(name)


def _add(name: str, password: str = "s3cret-pass") -> None:
    result = CliRunner().invoke(app, ["users", "add", name, "--password-stdin"], input=password)
    assert result.exit_code == 0, result.output


def test_remove_user(home: Path) -> None:
    _add("bob")
    result = CliRunner().invoke(app, ["users", "remove", "bob"])
    assert result.exit_code == 0, result.output
    assert "Removed reviewer bob." in result.output
    assert _user(home, "bob") is None


def test_disable_and_enable_user(home: Path) -> None:
    _add("bob")
    result = CliRunner().invoke(app, ["users", "disable", "bob"])
    assert result.exit_code == 0, result.output
    disabled = _user(home, "bob")
    assert disabled is not None and disabled.disabled
    result = CliRunner().invoke(app, ["users", "enable", "bob"])
    assert result.exit_code == 0, result.output
    enabled = _user(home, "bob")
    assert enabled is not None and not enabled.disabled


def test_passwd_from_stdin_and_prompt(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _add("bob")
    result = CliRunner().invoke(
        app, ["users", "passwd", "bob", "--password-stdin"], input="another-pass\n"
    )
    assert result.exit_code == 0, result.output
    assert verify_password(_user_hash(home, "bob"), "another-pass")
    answers = iter(["third-password", "typo-password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    result = CliRunner().invoke(app, ["users", "passwd", "bob"])
    assert result.exit_code == 1 and "differ" in result.output
    assert verify_password(_user_hash(home, "bob"), "another-pass")  # unchanged
    answers = iter(["third-password", "third-password"])
    result = CliRunner().invoke(app, ["users", "passwd", "bob"])
    assert result.exit_code == 0, result.output
    assert verify_password(_user_hash(home, "bob"), "third-password")
    short = CliRunner().invoke(app, ["users", "passwd", "bob", "--password-stdin"], input="x\n")
    assert short.exit_code == 1
    assert verify_password(_user_hash(home, "bob"), "third-password")


@pytest.mark.parametrize(
    "command",
    [["remove"], ["disable"], ["enable"], ["passwd", "--password-stdin"]],
)
def test_unknown_user_is_one_line_and_exit_1(home: Path, command: list[str]) -> None:
    _add("bob")
    result = CliRunner().invoke(app, ["users", *command, "nobody"], input="long-enough\n")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["no user 'nobody'"]
    assert _user(home, "bob") is not None


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


def test_public_origin_host_is_allowed_on_loopback() -> None:
    proxied = Settings(review={"public_origin": "https://Receipts.example.com/"})
    allowed = _allowed_hosts("127.0.0.1", proxied)
    assert allowed is not None and "receipts.example.com" in allowed
    assert "receipts.example.com" not in (_allowed_hosts("127.0.0.1", Settings()) or [])
    assert _allowed_hosts("0.0.0.0", proxied) is None  # not loopback: no host check


@pytest.mark.parametrize(
    "value", ["receipts.example.com", "ftp://receipts.example.com", "https://"]
)
def test_public_origin_must_be_an_origin(value: str) -> None:
    with pytest.raises(ConfigError, match="PUBLIC_ORIGIN=.*scheme and host"):
        Settings(review={"public_origin": value})
