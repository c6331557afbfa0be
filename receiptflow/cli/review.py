"""``receiptflow review`` (the web app for accountants) and ``receiptflow users
add|remove|disable|enable|passwd NAME``."""

from __future__ import annotations

import getpass
import ipaddress
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar
from urllib.parse import urlsplit

import typer

from receiptflow.errors import ReceiptflowError
from receiptflow.settings import Settings

if TYPE_CHECKING:
    from receiptflow.storage import Store

_T = TypeVar("_T")


def review(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on [default: 127.0.0.1, this computer only]"),
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000]")] = None,
) -> None:
    """Serve the review app: flagged queue, image beside the fields, approve/reject, export."""
    import uvicorn

    from receiptflow.review import create_app
    from receiptflow.storage import Store

    settings = Settings()
    host = host or settings.review.host
    port = port or settings.review.port
    with Store.from_settings(settings) as store:
        if _count_users(store) == 0:
            typer.echo("No reviewers yet: add one with `receiptflow users add NAME`.", err=True)
        if not _is_loopback(host):
            typer.echo(
                f"Warning: listening on {host} makes the app reachable from other computers; "
                "put it behind HTTPS (and set RECEIPTFLOW_REVIEW__SECURE_COOKIES=true).",
                err=True,
            )
        app = create_app(settings, store=store, allowed_hosts=_allowed_hosts(host, settings))
        typer.echo(f"receiptflow review on http://{host}:{port}/  (Ctrl+C stops it)")
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def _allowed_hosts(host: str, settings: Settings) -> list[str] | None:
    """On loopback, only requests addressed to this computer (no DNS rebinding), or to the
    public name a reverse proxy on it may pass on; elsewhere any."""
    if not _is_loopback(host):
        return None
    names = ["127.0.0.1", "localhost", "::1", "[::1]", host]
    if settings.review.public_origin:
        names.append(urlsplit(settings.review.public_origin).hostname or host)
    return names


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _count_users(store: Store) -> int:
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from receiptflow.storage.models import UserRow

    store.migrate()
    with Session(store.engine) as session:
        return int(session.execute(select(func.count(UserRow.id))).scalar_one())


_PASSWORD_STDIN = typer.Option(
    "--password-stdin", help="Read the password from standard input (for scripts)"
)


def add_user(
    name: Annotated[str, typer.Argument(help="The reviewer's login name")],
    password_stdin: Annotated[bool, _PASSWORD_STDIN] = False,
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="reviewer (edits receipts) or approver (also approves, rejects, exports)",
        ),
    ] = "approver",
) -> None:
    """Add a user of the review app. The password is asked for (twice), or read from stdin;
    stored hashed. Without --role the user is an approver, as every user was before roles."""
    from receiptflow.review.security import hash_password
    from receiptflow.storage.records import USER_ROLES

    name = name.strip()
    if not name or len(name) > 255:
        raise typer.BadParameter("the name must be 1 to 255 characters")
    if role not in USER_ROLES:
        raise typer.BadParameter(f"choose one of: {', '.join(USER_ROLES)}", param_hint="--role")
    password = _read_password(name, password_stdin)
    _with_store(lambda store: store.add_user(name, hash_password(password), role=role))
    typer.echo(f"Added {role} {name}.")


def remove_user(name: Annotated[str, typer.Argument(help="The reviewer's login name")]) -> None:
    """Delete a reviewer; their sessions end. The review history keeps their name."""
    _with_store(lambda store: store.remove_user(name))
    typer.echo(f"Removed reviewer {name}.")


def disable_user(name: Annotated[str, typer.Argument(help="The reviewer's login name")]) -> None:
    """Stop a reviewer from logging in; their sessions end. ``users enable`` undoes it."""
    _with_store(lambda store: store.set_user_disabled(name, True))
    typer.echo(f"Disabled reviewer {name}.")


def enable_user(name: Annotated[str, typer.Argument(help="The reviewer's login name")]) -> None:
    """Let a disabled reviewer log in again."""
    _with_store(lambda store: store.set_user_disabled(name, False))
    typer.echo(f"Enabled reviewer {name}.")


def change_password(
    name: Annotated[str, typer.Argument(help="The reviewer's login name")],
    password_stdin: Annotated[bool, _PASSWORD_STDIN] = False,
) -> None:
    """Set a reviewer's new password (asked for twice, or read from stdin); their sessions end."""
    from receiptflow.review.security import hash_password

    # Known before the prompts: nobody types a password twice for a mistyped name.
    if _with_store(lambda store: store.get_user(name)) is None:
        typer.echo(f"no user {name!r}", err=True)
        raise typer.Exit(1)
    password = _read_password(name, password_stdin)
    _with_store(lambda store: store.set_user_password(name, hash_password(password)))
    typer.echo(f"Changed the password of {name}.")


def _read_password(name: str, from_stdin: bool) -> str:
    """The new password from one stdin line or two matching prompts, at least 8 characters."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Repeat the password: ") != password:
            typer.echo("The passwords differ; nothing was saved.", err=True)
            raise typer.Exit(1)
    if len(password) < 8:
        typer.echo("The password needs at least 8 characters; nothing was saved.", err=True)
        raise typer.Exit(1)
    return password


def _with_store(work: Callable[[Store], _T]) -> _T:
    """``work`` on the configured store; a storage refusal (unknown or existing user) is one
    line on stderr and exit 1."""
    from receiptflow.storage import Store

    try:
        with Store.from_settings(Settings()) as store:
            return work(store)
    except ReceiptflowError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    users_app = typer.Typer(help="Reviewers of the web app.", no_args_is_help=True)
    users_app.command("add")(add_user)
    users_app.command("remove")(remove_user)
    users_app.command("disable")(disable_user)
    users_app.command("enable")(enable_user)
    users_app.command("passwd")(change_password)
    app.add_typer(users_app, name="users")
