"""``receiptflow accounts import|list``, ``receiptflow exports list`` and
``receiptflow receipts approve`` (registered under ``receipts`` by ``cli.storage``)."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from receiptflow.settings import Settings

if TYPE_CHECKING:
    from receiptflow.storage import Store


def _fail(message: str) -> None:
    """One plain line on stderr (no wrapping: scripts and people grep these)."""
    typer.echo(f"error: {message}", err=True)


By = Annotated[
    str | None,
    typer.Option("--by", help="Who does this, for the audit trail (default: your login name)."),
]


def who(by: str | None) -> str:
    """The person an action is recorded under: ``--by``, else the login name."""
    if by and by.strip():
        return by.strip()[:255]
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return "cli"


def _store() -> Store:
    from receiptflow.storage import Store

    return Store.from_settings(Settings())


def import_accounts(
    file: Annotated[Path, typer.Argument(help="CSV: code,name[,tax type]; a header is optional.")],
) -> None:
    """Add or update the chart of accounts (expense categories and their codes)."""
    from receiptflow.books import ChartError, parse_accounts_csv
    from receiptflow.storage import StorageError

    try:
        accounts = parse_accounts_csv(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"cannot read {file}: {error}")
        raise typer.Exit(1) from None
    except ChartError as error:
        _fail(f"{file}: {error}")
        raise typer.Exit(1) from None
    if not accounts:
        _fail(f"{file}: no accounts in it")
        raise typer.Exit(1)
    with _store() as store:
        try:
            added, updated = store.import_accounts(accounts)
        except StorageError as error:
            _fail(f"{file}: {error}")
            raise typer.Exit(1) from None
    typer.echo(f"{added} account(s) added, {updated} updated from {file}")


def list_accounts() -> None:
    """The chart of accounts (the defaults are installed when there is none)."""
    with _store() as store:
        accounts = store.accounts()
    table = Table(title=f"{len(accounts)} account(s)")
    for column in ("code", "name", "tax type"):
        table.add_column(column)
    for account in accounts:
        table.add_row(account.code, account.name, account.tax_type or "")
    Console().print(table)


def list_exports() -> None:
    """Recorded exports, newest first (repeat one with ``export --export-id N``)."""
    with _store() as store:
        exports = store.list_exports()
    table = Table(title=f"{len(exports)} export(s)")
    for column in ("id", "time", "by", "format", "receipts", "receipt ids"):
        table.add_column(column, justify="right" if column in ("id", "receipts") else "left")
    for export in exports:
        ids = export.receipt_ids
        shown = ", ".join(map(str, ids[:10])) + (f" … (+{len(ids) - 10})" if len(ids) > 10 else "")
        table.add_row(
            str(export.id),
            f"{export.created_at:%Y-%m-%d %H:%M:%S} UTC",
            export.user,
            export.format,
            str(len(ids)),
            shown,
        )
    console = Console()
    console.width = max(console.width, 120)
    console.print(table)


def approve_receipts(
    receipt_ids: Annotated[list[int] | None, typer.Argument(help="Receipt ids.")] = None,
    all_ok: Annotated[
        bool, typer.Option("--all-ok", help="Every receipt that is ok and has no findings.")
    ] = False,
    by: By = None,
) -> None:
    """Approve receipts that are ok and unflagged; flagged ones are refused with the reason.
    A receipt without a category gets its suggested one (kept in its history). Exit code 1
    when any receipt was refused."""
    if bool(receipt_ids) == all_ok:
        raise typer.BadParameter("give receipt ids or --all-ok (not both)")
    from receiptflow.storage import Store

    user = who(by)
    settings = Settings()
    with Store.from_settings(settings) as store:
        ids = store.approvable_ids() if all_ok else list(dict.fromkeys(receipt_ids or []))
        outcomes = store.approve_clean(ids, user=user, four_eyes=settings.review.four_eyes)
    for outcome in outcomes:
        line = f"receipt {outcome.receipt_id}: {outcome.message}"
        if outcome.approved:
            typer.echo(line)
        else:
            typer.echo(line, err=True)
    approved = sum(outcome.approved for outcome in outcomes)
    refused = len(outcomes) - approved
    typer.echo(f"{approved} approved by {user}, {refused} refused")
    if refused:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    accounts_app = typer.Typer(
        help="The chart of accounts (expense categories).", no_args_is_help=True
    )
    accounts_app.command("import")(import_accounts)
    accounts_app.command("list")(list_accounts)
    app.add_typer(accounts_app, name="accounts")
    exports_app = typer.Typer(help="Recorded exports.", no_args_is_help=True)
    exports_app.command("list")(list_exports)
    app.add_typer(exports_app, name="exports")
