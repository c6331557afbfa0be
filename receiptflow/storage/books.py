"""``BooksStore``: the storage side of bookkeeping, mixed into ``Store``.

The chart of accounts (defaults installed when a database has none), a receipt's category and
its suggestion, approving the clean receipts in bulk, and recorded exports. An export of new
receipts claims them in the same transaction that records it; ``exported_receipts`` has the
receipt as its primary key, so a receipt can be booked by one export only, even when two
exports race (the loser retries and finds nothing left).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from receiptflow.books.chart import Chart, default_accounts
from receiptflow.books.suggest import keyword_suggestion
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import category_rules, mapping, queries
from receiptflow.storage.models import (
    AccountRow,
    ExportedReceiptRow,
    ExportRow,
    FlagRow,
    ReceiptRow,
)
from receiptflow.storage.receipt_updates import apply_status, touch
from receiptflow.storage.records import (
    AccountRecord,
    ExportRecord,
    FieldChange,
    NotFoundError,
    ReceiptRecord,
    StaleVersionError,
    StorageError,
    Suggestion,
)
from receiptflow.storage.store_base import StoreBase, fits_id

# What an export writes, given the receipts (in id order): the file's whole text.
Render = Callable[[list[ReceiptRecord]], str]


class ApprovalOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    receipt_id: int
    approved: bool
    message: str


def _account_record(row: AccountRow) -> AccountRecord:
    return AccountRecord(code=row.code, name=row.name, tax_type=row.tax_type)


def _export_record(row: ExportRow) -> ExportRecord:
    return ExportRecord(
        id=row.id,
        created_at=mapping.aware(row.created_at),
        user=row.user,
        format=row.format,
        receipt_ids=[link.receipt_id for link in row.receipts],
    )


def _not_exported() -> ColumnElement[bool]:
    return ~exists().where(ExportedReceiptRow.receipt_id == ReceiptRow.id)


def _unflagged() -> ColumnElement[bool]:
    return ~exists().where(FlagRow.receipt_id == ReceiptRow.id)


def _chart_in(session: Session) -> Chart:
    if session.execute(select(func.count(AccountRow.id))).scalar_one() == 0:
        session.add_all(
            AccountRow(code=a.code, name=a.name, tax_type=a.tax_type) for a in default_accounts()
        )
        session.flush()
    rows = session.scalars(select(AccountRow).order_by(AccountRow.code))
    return Chart(_account_record(row) for row in rows)


def _suggestion(session: Session, receipt: Receipt, chart: Chart) -> Suggestion | None:
    """A learned merchant rule first, else the line items' keywords; only categories the
    chart has (a rule or keyword naming an account that is not there is no help)."""
    learned = category_rules.learned(session, receipt.merchant.name)
    account = chart.account(learned.category if learned else None)
    if learned is not None and account is not None:
        return learned.model_copy(update={"category": account.name})
    return keyword_suggestion(receipt, chart)


class BooksStore(StoreBase):
    # -- chart of accounts -----------------------------------------------------------------

    def accounts(self) -> list[AccountRecord]:
        """The chart, by code; the default expense categories are installed when it is empty."""
        # Read-only first: pages and exports ask for the chart often; only an empty one
        # needs a write (on SQLite a write transaction would queue behind the workers).
        with self._session(read_only=True) as session:
            rows = session.scalars(select(AccountRow).order_by(AccountRow.code)).all()
            if rows:
                return [_account_record(row) for row in rows]
        # two processes installing the defaults at once: the loser retries and reads them
        return self._retrying(lambda session: _chart_in(session).accounts)

    def chart(self) -> Chart:
        return Chart(self.accounts())

    def import_accounts(self, accounts: Iterable[AccountRecord]) -> tuple[int, int]:
        """Add or update accounts by code; returns (added, updated). A name already used by
        another code is refused (names are what people choose, so they must be unique)."""
        added = updated = 0
        with self._session() as session:
            by_code = {row.code: row for row in session.scalars(select(AccountRow))}
            for account in accounts:
                other = session.execute(
                    select(AccountRow.code).where(
                        func.lower(AccountRow.name) == account.name.lower(),
                        AccountRow.code != account.code,
                    )
                ).scalar_one_or_none()
                if other is not None:
                    raise StorageError(
                        f"account name {account.name!r} is already used by code {other}"
                    )
                row = by_code.get(account.code)
                if row is None:
                    row = AccountRow(code=account.code)
                    session.add(row)
                    by_code[account.code] = row
                    added += 1
                elif (row.name, row.tax_type) != (account.name, account.tax_type):
                    updated += 1
                row.name = account.name
                row.tax_type = account.tax_type
                session.flush()  # the next account's name check sees this one
        return added, updated

    # -- categories ------------------------------------------------------------------------

    def set_category(
        self,
        receipt_id: int,
        category: str | None,
        *,
        user: str,
        version: dt.datetime | None = None,
    ) -> ReceiptRecord:
        """Choose the receipt's category (an account name of the chart; None clears it).
        With ``version``, compare-and-set as ``update_receipt``: StaleVersionError when the
        receipt changed since. A change is a new version, so an edit opened before it is
        refused rather than saved over it."""
        if category:
            account = self.chart().account(category)
            if account is None:
                raise StorageError(f"no account named {category!r} in the chart of accounts")
            category = account.name
        with self._session() as session:
            row = self._receipt_row(session, receipt_id, version)
            if row.category != (category or None):
                change = FieldChange(field="category", before=row.category, after=category)
                touch(row)  # first: the event carries the new version, as edits' do
                mapping.add_review_event(session, row, user, "edit", [change])
                row.category = category or None
            session.flush()
            return mapping.receipt_record(row)

    def suggest_category(self, record: ReceiptRecord) -> Suggestion | None:
        """A learned merchant rule first, else the line items' keywords (chart names only)."""
        chart = self.chart()
        with self._session(read_only=True) as session:
            return _suggestion(session, record.receipt, chart)

    # -- approval --------------------------------------------------------------------------

    def approvable_ids(self) -> list[int]:
        """Receipts a person may approve without looking: extracted (ok) and without findings."""
        query = select(ReceiptRow.id).where(ReceiptRow.status == "extracted", _unflagged())
        with self._session(read_only=True) as session:
            return list(session.scalars(query.order_by(ReceiptRow.id)))

    def approve_clean(
        self, receipt_ids: Sequence[int], *, user: str, four_eyes: bool = False
    ) -> list[ApprovalOutcome]:
        """Approve each receipt that is ok and unflagged, one transaction each; say why for
        the others. A receipt without a category gets its suggestion, kept in the audit.
        ``four_eyes``: a receipt ``user`` edited is refused (another approver must approve it)."""
        return [self._approve_one(receipt_id, user, four_eyes) for receipt_id in receipt_ids]

    def _approve_one(self, receipt_id: int, user: str, four_eyes: bool) -> ApprovalOutcome:
        with self._session() as session:
            row = session.get(ReceiptRow, receipt_id, with_for_update=True)
            if row is None:
                return ApprovalOutcome(receipt_id=receipt_id, approved=False, message="not found")
            if four_eyes and queries.edited_by(session, receipt_id, user):
                return ApprovalOutcome(
                    receipt_id=receipt_id,
                    approved=False,
                    message=f"not approved: {user} edited it, so another approver must approve "
                    "it (four-eyes rule)",
                )
            if row.status == "approved":  # nothing to look at again: say it plainly
                return ApprovalOutcome(
                    receipt_id=receipt_id, approved=False, message="not approved: already approved"
                )
            if row.status != "extracted" or row.flags:
                codes = ", ".join(sorted({flag.code for flag in row.flags}))
                why = f"it is {row.status}" + (f" with findings: {codes}" if codes else "")
                return ApprovalOutcome(
                    receipt_id=receipt_id,
                    approved=False,
                    message=f"not approved: {why}; review it one by one",
                )
            if row.category is None:
                receipt = mapping.receipt_from_row(row)
                suggestion = _suggestion(session, receipt, _chart_in(session))
                if suggestion is not None:
                    change = FieldChange(field="category", before=None, after=suggestion.category)
                    reason = f"suggested: {suggestion.source}"
                    mapping.add_review_event(session, row, user, "edit", [change], reason=reason)
                    row.category = suggestion.category
            apply_status(session, row, "approved", user=user, reason="bulk approval")
            category = f" ({row.category})" if row.category else ""
            return ApprovalOutcome(
                receipt_id=receipt_id, approved=True, message=f"approved{category}"
            )

    # -- exports ---------------------------------------------------------------------------

    def export_new(self, export_format: str, render: Render, *, user: str) -> ExportRecord | None:
        """Export the approved receipts no export has booked yet, and record it; None when
        there is nothing new (no empty export is recorded)."""

        def work(session: Session) -> ExportRecord | None:
            query = queries.receipts_query(status="approved").where(_not_exported())
            rows = session.execute(query.order_by(ReceiptRow.id)).unique().scalars().all()
            if not rows:
                return None
            records = [mapping.receipt_record(row) for row in rows]
            export = ExportRow(user=user, format=export_format, content=render(records))
            export.receipts = [ExportedReceiptRow(receipt_id=row.id) for row in rows]
            session.add(export)
            session.flush()
            return _export_record(export)

        return self._retrying(work)

    def count_unexported(self) -> int:
        """Approved receipts that the next ``export_new`` would book."""
        query = select(func.count(ReceiptRow.id)).where(
            ReceiptRow.status == "approved", _not_exported()
        )
        with self._session(read_only=True) as session:
            return int(session.execute(query).scalar_one())

    def list_exports(self) -> list[ExportRecord]:
        with self._session(read_only=True) as session:
            rows = session.scalars(select(ExportRow).order_by(ExportRow.id.desc()))
            return [_export_record(row) for row in rows]

    def get_export(self, export_id: int) -> tuple[ExportRecord, str]:
        """The export and the exact text it wrote."""
        with self._session(read_only=True) as session:
            row = session.get(ExportRow, export_id)
            if row is None:
                raise NotFoundError("export", export_id)
            return _export_record(row), row.content

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _receipt_row(
        session: Session, receipt_id: int, version: dt.datetime | None = None
    ) -> ReceiptRow:
        """The receipt's row, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite's
        writers hold the database lock from BEGIN IMMEDIATE). With ``version`` (the
        ``updated_at`` the caller read), compare-and-set: a row changed since is refused here,
        under the lock, so of two concurrent writers from one version exactly one wins."""
        row = (
            session.get(ReceiptRow, receipt_id, with_for_update=True)
            if fits_id(receipt_id)
            else None
        )
        if row is None:
            raise NotFoundError("receipt", receipt_id)
        current = mapping.aware(row.updated_at)
        if version is not None and current != mapping.aware(version):
            raise StaleVersionError(receipt_id, version, current)
        return row
