"""``receiptflow accounts``, ``receipts approve``, ``export --new / --export-id`` and
``exports list``: the accountant's commands, end to end through the CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Receipt
from receiptflow.storage import Store

runner = CliRunner()


@pytest.fixture
def ids(
    home: Path,
    database_url: str,
    receipt_factory: Callable[..., Receipt],
    result_factory: Callable[..., ExtractionResult],
) -> list[int]:
    """Two clean receipts and one flagged one."""
    made = []
    with Store(database_url, home / "archive") as store:
        for index, merchant in enumerate(["Officeworks", "Cafe Luna", "Dodgy Ltd"]):
            document = store.save_input_bytes(f"{index}".encode(), f"{index}.jpg", source="cli")
            extras: dict[str, object] = {}
            if index == 2:
                flag = Flag(code="total_mismatch", field="total", message="items do not add up")
                extras = {"status": ExtractionStatus.FLAGGED, "flags": [flag]}
            receipt = receipt_factory(merchant=merchant, items=[("Paper", "12.30", None)])
            record = store.record_extraction(document.id, result_factory(receipt, **extras))
            assert record is not None
            made.append(record.id)
    return made


def test_accounts_import_and_list(home: Path, tmp_path: Path) -> None:
    chart = tmp_path / "chart.csv"
    chart.write_text("code,name,tax type\n6000,Stationery,GST on Expenses\n6100,Meals\n")
    imported = runner.invoke(app, ["accounts", "import", str(chart)])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.strip() == f"2 account(s) added, 0 updated from {chart}"
    listed = runner.invoke(app, ["accounts", "list"])
    assert "Stationery" in listed.stdout and "GST on Expenses" in listed.stdout
    assert "Office Expenses" not in listed.stdout  # no defaults once a chart was imported
    chart.write_text("6000,Stationery\n6000,Again\n")
    refused = runner.invoke(app, ["accounts", "import", str(chart)])
    assert refused.exit_code == 1
    assert "line 2: code '6000' already on line 1" in refused.stderr


def test_default_accounts_are_listed_when_none_were_imported(home: Path) -> None:
    listed = runner.invoke(app, ["accounts", "list"])
    assert listed.exit_code == 0 and "Office Expenses" in listed.stdout and "453" in listed.stdout


def test_approve_ids_refuses_flagged_with_a_clear_line(
    ids: list[int], home: Path, database_url: str
) -> None:
    result = runner.invoke(app, ["receipts", "approve", str(ids[0]), str(ids[2]), "--by", "carol"])
    assert result.exit_code == 1
    assert f"receipt {ids[0]}: approved (Printing & Stationery)" in result.stdout
    assert (
        f"receipt {ids[2]}: not approved: it is flagged with findings: total_mismatch; "
        "review it one by one"
    ) in result.stderr
    assert "1 approved by carol, 1 refused" in result.stdout
    with Store(database_url, home / "archive") as store:
        assert [e.user for e in store.history(ids[0]) if e.action == "approve"] == ["carol"]
        assert store.get_receipt(ids[2]).status == "flagged"  # type: ignore[union-attr]


def test_approve_all_ok_then_export_new_never_double_books(
    ids: list[int], home: Path, tmp_path: Path
) -> None:
    approved = runner.invoke(app, ["receipts", "approve", "--all-ok", "--by", "carol"])
    assert approved.exit_code == 0, approved.output
    assert "2 approved by carol, 0 refused" in approved.stdout

    first = tmp_path / "xero-1.csv"
    made = runner.invoke(
        app, ["export", "--format", "xero", "--new", "-o", str(first), "--by", "dan"]
    )
    assert made.exit_code == 0, made.output
    assert "export 1: 2 receipt(s) as xero by dan; again with --export-id 1" in made.stderr
    rows = list(csv.DictReader(io.StringIO(first.read_text(encoding="utf-8"), newline="")))
    assert sorted(row["*ContactName"] for row in rows) == ["Cafe Luna", "Officeworks"]

    second = tmp_path / "xero-2.csv"
    again = runner.invoke(app, ["export", "--format", "xero", "--new", "-o", str(second)])
    assert again.exit_code == 0
    assert "nothing new to export" in again.stderr and not second.exists()

    listed = runner.invoke(app, ["exports", "list"])
    assert listed.exit_code == 0 and "dan" in listed.stdout and "xero" in listed.stdout
    assert f"{ids[0]}, {ids[1]}" in listed.stdout

    repeated = runner.invoke(app, ["export", "--export-id", "1"])
    assert repeated.exit_code == 0
    assert repeated.stdout == first.read_text(encoding="utf-8")
    wrong = runner.invoke(app, ["export", "--export-id", "1", "--format", "csv"])
    assert wrong.exit_code == 2 and "was written as xero" in wrong.stderr
    missing = runner.invoke(app, ["export", "--export-id", "9"])
    assert missing.exit_code == 1 and "no export 9" in missing.stderr


def test_plain_export_still_needs_a_format_and_records_nothing(ids: list[int], home: Path) -> None:
    assert runner.invoke(app, ["export"]).exit_code == 2
    plain = runner.invoke(app, ["export", "--format", "csv"])
    assert plain.exit_code == 0 and plain.stdout.count("Paper") == 3
    assert "0 export(s)" in runner.invoke(app, ["exports", "list"]).stdout


def test_four_eyes_the_cli_refuses_the_editor_and_lets_another_approve(
    ids: list[int], home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Store(database_url, home / "archive") as store:
        record = store.get_receipt(ids[0])
        assert record is not None
        edited = record.receipt.model_copy(update={"receipt_number": "A-17"})
        store.update_receipt(ids[0], edited, user="carol")
    monkeypatch.setenv("RECEIPTFLOW_REVIEW__FOUR_EYES", "true")
    refused = runner.invoke(app, ["receipts", "approve", str(ids[0]), "--by", "carol"])
    assert refused.exit_code == 1
    assert f"receipt {ids[0]}: not approved: carol edited it" in refused.stderr
    assert "0 approved by carol, 1 refused" in refused.stdout
    approved = runner.invoke(app, ["receipts", "approve", str(ids[0]), "--by", "dan"])
    assert approved.exit_code == 0, approved.output
    monkeypatch.setenv("RECEIPTFLOW_REVIEW__FOUR_EYES", "false")
    with Store(database_url, home / "archive") as store:
        assert store.get_receipt(ids[0]).status == "approved"  # type: ignore[union-attr]
