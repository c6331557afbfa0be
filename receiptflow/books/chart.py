"""The chart of accounts as data: reading ``code,name[,tax type]`` CSV files, the default set
of expense categories, and the lookups an exporter makes (category -> account code, tax type).

A category *is* an account's name: people choose names, bookkeeping software wants codes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from importlib import resources

from receiptflow.errors import ReceiptflowError
from receiptflow.storage.records import AccountRecord

_MAX_CODE = 32
_MAX_NAME = 255


class ChartError(ReceiptflowError):
    """An accounts file that cannot be read as ``code,name[,tax type]``."""


def parse_accounts_csv(text: str) -> list[AccountRecord]:
    """Accounts from CSV text. A header row (first cell ``code``, any case) is skipped; blank
    lines and lines starting with ``#`` are ignored; anything else wrong names its line."""
    accounts: list[AccountRecord] = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() in ("code", "*code"):
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            raise ChartError(f"line {number}: expected code,name[,tax type], got {row!r}")
        if len(cells) > 3 and any(cells[3:]):
            raise ChartError(f"line {number}: more than 3 columns (code,name,tax type)")
        code, name = cells[0], cells[1]
        if len(code) > _MAX_CODE or len(name) > _MAX_NAME:
            raise ChartError(f"line {number}: code or name too long")
        for key, seen, what in ((code, seen_codes, "code"), (name.lower(), seen_names, "name")):
            if key in seen:
                raise ChartError(f"line {number}: {what} {key!r} already on line {seen[key]}")
            seen[key] = number
        tax_type = cells[2] if len(cells) > 2 and cells[2] else None
        accounts.append(AccountRecord(code=code, name=name, tax_type=tax_type))
    return accounts


def default_accounts() -> list[AccountRecord]:
    """Common expense accounts (codes as in Xero's default chart), installed when a database
    has none, so categories work before anyone imports their own chart."""
    text = resources.files("receiptflow.books").joinpath("data/default_accounts.csv")
    return parse_accounts_csv(text.read_text(encoding="utf-8"))


class Chart:
    """Category name -> account, any case. Exports use it to fill account codes."""

    def __init__(self, accounts: Iterable[AccountRecord]) -> None:
        self.accounts = list(accounts)
        self._by_name = {account.name.casefold(): account for account in self.accounts}

    def account(self, category: str | None) -> AccountRecord | None:
        return self._by_name.get(category.strip().casefold()) if category else None

    def code(self, category: str | None) -> str:
        account = self.account(category)
        return account.code if account else ""

    def tax_type(self, category: str | None) -> str:
        account = self.account(category)
        return (account.tax_type or "") if account else ""

    @property
    def names(self) -> list[str]:
        return [account.name for account in self.accounts]


EMPTY_CHART = Chart([])
