"""Books: the chart of accounts, category suggestions (learned from approvals, keywords),
approving the clean receipts in bulk, and exports that never book a receipt twice."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from receiptflow.books import ChartError, default_accounts, parse_accounts_csv
from receiptflow.export import get_exporter
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import (
    AccountRecord,
    ReceiptRecord,
    StaleVersionError,
    StorageError,
    Store,
)

Make = Callable[..., ReceiptRecord]


@pytest.fixture
def make(
    store: Store,
    receipt_factory: Callable[..., Receipt],
    result_factory: Callable[..., ExtractionResult],
) -> Make:
    counter = iter(range(1000))

    def made(flagged: bool = False, **receipt: object) -> ReceiptRecord:
        document = store.save_input_bytes(f"doc {next(counter)}".encode(), "r.jpg", source="cli")
        extras: dict[str, object] = {}
        if flagged:
            flag = Flag(code="missing_date", field="date", message="no date found")
            extras = {"status": ExtractionStatus.FLAGGED, "flags": [flag]}
        record = store.record_extraction(
            document.id, result_factory(receipt_factory(**receipt), **extras)
        )
        assert record is not None
        return record

    return made


def _csv_export(records: list[ReceiptRecord]) -> str:
    out = io.StringIO(newline="")
    get_exporter("csv").export(records, out)
    return out.getvalue()


# -- chart of accounts ----------------------------------------------------------------------


def test_default_chart_is_installed_once_when_there_is_none(store: Store) -> None:
    accounts = store.accounts()
    assert accounts == sorted(default_accounts(), key=lambda a: a.code)
    assert {"Office Expenses", "Travel - National", "Entertainment"} <= set(store.chart().names)
    assert store.accounts() == accounts  # not installed twice


def test_two_processes_installing_the_defaults_at_once_both_get_them(
    database_url: str, tmp_path: Path
) -> None:
    with Store(database_url, tmp_path / "archive") as first:
        first.migrate()
    charts: list[list[AccountRecord]] = []
    barrier = threading.Barrier(2)

    def read() -> None:
        with Store(database_url, tmp_path / "archive") as own:
            barrier.wait()
            charts.append(own.accounts())

    threads = [threading.Thread(target=read) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(charts) == 2 and charts[0] == charts[1] == sorted(
        default_accounts(), key=lambda a: a.code
    )


def test_import_adds_and_updates_by_code_and_refuses_a_name_taken(store: Store) -> None:
    store.accounts()
    added, updated = store.import_accounts(
        parse_accounts_csv(
            "code,name,tax type\n453,Office Supplies,Tax on Purchases\n6100,Meals,\n"
        )
    )
    assert (added, updated) == (1, 1)
    chart = store.chart()
    assert (chart.code("office supplies"), chart.tax_type("Office Supplies")) == (
        "453",
        "Tax on Purchases",
    )
    assert chart.code("Meals") == "6100" and chart.account("Office Expenses") is None
    with pytest.raises(StorageError, match="already used by code 6100"):
        store.import_accounts([AccountRecord(code="7000", name="meals")])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("code,name\n400\n", "line 2: expected code,name"),
        ("400,Ads\n400,Other\n", "line 2: code '400' already on line 1"),
        ("400,Ads,,extra\n", "line 1: more than 3 columns"),
    ],
)
def test_a_bad_accounts_file_names_its_line(text: str, problem: str) -> None:
    with pytest.raises(ChartError, match=problem):
        parse_accounts_csv(text)


# -- categories and suggestions -------------------------------------------------------------


def test_keywords_of_line_items_suggest_a_category(store: Store, make: Make) -> None:
    record = make(
        merchant="Shell",
        items=[("UNLEADED 95", "40.00", None), ("Mars bar", "1.20", None)],
        total="41.20",
    )
    suggestion = store.suggest_category(record)
    assert suggestion is not None
    assert suggestion.category == "Motor Vehicle Expenses"
    assert suggestion.source == "keywords in the line items: 'unleaded'"


def test_an_approval_teaches_the_merchant_and_says_where_from(store: Store, make: Make) -> None:
    first = make(merchant="Corner Café", items=[("UNLEADED", "4.00", None)], total="4.00")
    store.set_category(first.id, "office expenses", user="ana")  # any case; stored as named
    assert store.get_receipt(first.id).category == "Office Expenses"  # type: ignore[union-attr]
    store.set_status(first.id, "approved", user="ana")
    later = make(merchant="  corner  CAFÉ ", items=[("UNLEADED", "4.00", None)], total="4.00")
    suggestion = store.suggest_category(later)
    assert suggestion is not None  # the learned rule beats the keywords
    assert suggestion.category == "Office Expenses"
    assert suggestion.source == f"learned from receipt #{first.id} approved by ana"
    history = store.history(first.id)
    assert [(c.field, c.before, c.after) for c in history[-2].changes] == [
        ("category", None, "Office Expenses")
    ]


def test_suggestions_only_name_accounts_of_the_chart(store: Store, make: Make) -> None:
    store.import_accounts([AccountRecord(code="6000", name="Meals")])  # an own chart, no defaults
    coffee = make(merchant="Bean There", items=[("Coffee", "3.00", None)], total="3.00")
    assert store.suggest_category(coffee) is None  # 'coffee' points at Entertainment: not here
    store.import_accounts([AccountRecord(code="6100", name="ENTERTAINMENT")])
    suggestion = store.suggest_category(coffee)
    assert (
        suggestion is not None and suggestion.category == "ENTERTAINMENT"
    )  # as the chart names it
    store.set_category(coffee.id, "Meals", user="ana")
    store.set_status(coffee.id, "approved", user="ana")
    store.import_accounts([AccountRecord(code="6000", name="Food")])  # Meals renamed
    again = make(merchant="Bean There", items=[("Coffee", "4.00", None)], total="4.00")
    suggestion = store.suggest_category(again)  # the rule names an account no longer there
    assert suggestion is not None and suggestion.category == "ENTERTAINMENT"
    (outcome,) = store.approve_clean([again.id], user="bob")
    assert outcome.message == "approved (ENTERTAINMENT)"


def test_a_category_must_be_in_the_chart(store: Store, make: Make) -> None:
    record = make()
    with pytest.raises(StorageError, match="no account named 'Yachts'"):
        store.set_category(record.id, "Yachts", user="ana")


def test_a_category_is_a_new_version_and_checks_the_one_it_was_chosen_on(
    store: Store, make: Make
) -> None:
    record = make()
    opened = record.updated_at  # what an editor's and a category form carry
    chosen = store.set_category(record.id, "Rent", user="ana", version=opened)
    assert chosen.updated_at > opened  # a concurrent edit from ``opened`` is now stale
    with pytest.raises(StaleVersionError):
        store.update_receipt(record.id, record.receipt, user="bob", version=opened)
    with pytest.raises(StaleVersionError):  # and a category chosen on an old page too
        store.set_category(record.id, "Travel - National", user="bob", version=opened)
    assert store.get_receipt(record.id).category == "Rent"  # type: ignore[union-attr]
    (event,) = store.history(record.id)
    assert event.created_at == chosen.updated_at  # the event names the version it made
    same = store.set_category(record.id, "rent", user="bob", version=chosen.updated_at)
    assert same.updated_at == chosen.updated_at  # nothing changed: no new version


def test_bulk_approval_takes_only_clean_receipts_and_fills_suggestions(
    store: Store, make: Make
) -> None:
    clean = make(items=[("Coffee", "3.00", None)], total="3.00")
    flagged = make(flagged=True)
    assert store.approvable_ids() == [clean.id]
    outcomes = store.approve_clean([clean.id, flagged.id, 999], user="bob")
    assert [(o.receipt_id, o.approved) for o in outcomes] == [
        (clean.id, True),
        (flagged.id, False),
        (999, False),
    ]
    assert outcomes[0].message == "approved (Entertainment)"
    assert outcomes[1].message == (
        "not approved: it is flagged with findings: missing_date; review it one by one"
    )
    approved = store.get_receipt(clean.id)
    assert approved is not None and approved.status == "approved"
    assert approved.category == "Entertainment"
    events = store.history(clean.id)
    assert [(e.user, e.action) for e in events[-2:]] == [("bob", "edit"), ("bob", "approve")]
    assert events[-2].reason == "suggested: keywords in the line items: 'coffee'"
    assert store.get_receipt(flagged.id).status == "flagged"  # type: ignore[union-attr]
    (again,) = store.approve_clean([clean.id], user="bob")
    assert (again.approved, again.message) == (False, "not approved: already approved")
    assert len(store.history(clean.id)) == len(events)


def test_bulk_approval_under_four_eyes_refuses_the_editor_in_its_transaction(
    store: Store, make: Make
) -> None:
    clean = make(items=[("Coffee", "3.00", None)], total="3.00")
    edited = clean.receipt.model_copy(update={"receipt_number": "A-17"})
    store.update_receipt(clean.id, edited, user="carol")
    (refused,) = store.approve_clean([clean.id], user="carol", four_eyes=True)
    assert (refused.approved, refused.message) == (
        False,
        "not approved: carol edited it, so another approver must approve it (four-eyes rule)",
    )
    assert store.get_receipt(clean.id).status == "extracted"  # type: ignore[union-attr]
    (approved,) = store.approve_clean([clean.id], user="dan", four_eyes=True)
    assert approved.approved


# -- exports that never double-book -----------------------------------------------------------


def test_export_new_books_each_approved_receipt_once(store: Store, make: Make) -> None:
    first, second, waiting = make(), make(merchant="B"), make(merchant="C")
    for record in (first, second):
        store.set_status(record.id, "approved", user="ana")
    made = store.export_new("csv", _csv_export, user="ana")
    assert made is not None and made.receipt_ids == [first.id, second.id]
    assert (made.user, made.format) == ("ana", "csv")
    assert store.export_new("csv", _csv_export, user="ana") is None  # nothing new
    store.set_status(waiting.id, "approved", user="bob")
    again = store.export_new("xero", _csv_export, user="bob")
    assert again is not None and again.receipt_ids == [waiting.id]
    assert [e.id for e in store.list_exports()] == [again.id, made.id]
    # a receipt edited after its export is not exported again: it was booked
    store.set_status(first.id, "extracted", user="ana")
    store.set_status(first.id, "approved", user="ana")
    assert store.export_new("csv", _csv_export, user="ana") is None
    recorded, content = store.get_export(made.id)
    assert recorded == made and content.count("\r\n") == 1 + 4  # header + 2 items each


def test_two_exports_at_once_never_share_a_receipt(
    store: Store, make: Make, database_url: str, tmp_path: Path
) -> None:
    records = [make(merchant=f"M{i}") for i in range(12)]
    for record in records:
        store.set_status(record.id, "approved", user="ana")
    results: list[list[int]] = []
    barrier = threading.Barrier(2)

    def export() -> None:
        with Store(database_url, tmp_path / "archive") as own:
            barrier.wait()
            made = own.export_new("csv", _csv_export, user="x")
            results.append(made.receipt_ids if made else [])

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    booked = [receipt_id for ids in results for receipt_id in ids]
    assert sorted(booked) == [record.id for record in records]  # each exactly once
