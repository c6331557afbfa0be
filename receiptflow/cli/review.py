"""``receiptflow review`` (the web app for accountants) and ``receiptflow users add NAME``."""

from __future__ import annotations

import getpass
import ipaddress
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from receiptflow.errors import ReceiptflowError
from receiptflow.settings import Settings

if TYPE_CHECKING:
    from receiptflow.storage import Store


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
        # On loopback, only requests addressed to this computer (no DNS rebinding).
        local_names = ["127.0.0.1", "localhost", "::1", "[::1]", host]
        app = create_app(
            settings, store=store, allowed_hosts=local_names if _is_loopback(host) else None
        )
        typer.echo(f"receiptflow review on http://{host}:{port}/  (Ctrl+C stops it)")
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


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


def add_user(
    name: Annotated[str, typer.Argument(help="The reviewer's login name")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
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
    from receiptflow.storage import Store
    from receiptflow.storage.records import USER_ROLES

    name = name.strip()
    if not name or len(name) > 255:
        raise typer.BadParameter("the name must be 1 to 255 characters")
    if role not in USER_ROLES:
        raise typer.BadParameter(f"choose one of: {', '.join(USER_ROLES)}", param_hint="--role")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Repeat the password: ") != password:
            typer.echo("The passwords differ; nothing was saved.", err=True)
            raise typer.Exit(1)
    if len(password) < 8:
        typer.echo("The password needs at least 8 characters; nothing was saved.", err=True)
        raise typer.Exit(1)
    try:
        with Store.from_settings(Settings()) as store:
            store.add_user(name, hash_password(password), role=role)
    except ReceiptflowError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Added {role} {name}.")


def register(app: typer.Typer) -> None:
    app.command("review")(review)
    users_app = typer.Typer(help="Reviewers of the web app.", no_args_is_help=True)
    users_app.command("add")(add_user)
    app.add_typer(users_app, name="users")
