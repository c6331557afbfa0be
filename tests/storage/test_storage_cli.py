"""``receiptflow receipts``, ``export``, ``db upgrade`` and ``extract --save`` on a bad file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.extractors.base import ExtractionResult
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
    import datetime as dt

    made = []
    with Store(database_url, home / "archive") as store:
        for index, (merchant, day) in enumerate(
            [("=CMD|' /C calc'!A0", 1), ("Corner Shop", 15), ("Corner Shop", 20)]
        ):
            document = store.save_input_bytes(f"{index}".encode(), f"{index}.jpg", source="cli")
            receipt = receipt_factory(merchant=merchant, date=dt.date(2024, 3, day))
            record = store.record_extraction(document.id, result_factory(receipt))
            assert record is not None
            made.append(record.id)
        store.set_status(made[0], "approved", user="ana")
        store.set_status(made[2], "approved", user="ana", reason="ok")
    return made


def test_receipts_list_and_show(ids: list[int]) -> None:
    listed = runner.invoke(app, ["receipts", "list", "--status", "approved", "--json"])
    assert listed.exit_code == 0, listed.output
    shown = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [item["id"] for item in shown] == [ids[2], ids[0]]

    table = runner.invoke(app, ["receipts", "list", "--merchant", "corner"])
    assert table.exit_code == 0 and table.stdout.count("Corner Shop") == 2

    one = runner.invoke(app, ["receipts", "show", str(ids[2])])
    assert one.exit_code == 0, one.output
    detail = json.loads(one.stdout)
    assert detail["receipt"]["total"] == "12.30" and detail["status"] == "approved"
    assert Path(detail["document"]["archive_path"]).read_bytes() == b"2"
    assert [run["extractor"] for run in detail["runs"]] == ["local"]
    assert [(e["user"], e["action"], e["reason"]) for e in detail["history"]] == [
        ("ana", "approve", "ok")
    ]
    assert runner.invoke(app, ["receipts", "show", "999"]).exit_code == 1
    assert runner.invoke(app, ["receipts", "list", "--status", "paid"]).exit_code == 2


def test_export_csv_filters_and_escapes(ids: list[int], tmp_path: Path) -> None:
    target = tmp_path / "approved.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "--format",
            "csv",
            "--status",
            "approved",
            "--since",
            "2024-03-10",
            "-o",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {row["receipt_id"] for row in rows} == {str(ids[2])}
    assert len(rows) == 2  # one per line item

    everything = runner.invoke(app, ["export", "--format", "csv"])
    assert everything.exit_code == 0
    merchants = {row["merchant"] for row in csv.DictReader(io.StringIO(everything.stdout[1:]))}
    assert merchants == {"'=CMD|' /C calc'!A0", "Corner Shop"}


def test_export_that_fails_midway_leaves_the_old_file_as_it_was(
    ids: list[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Store.iter_receipts

    def one_then_fail(self: Store, **filters: Any) -> Iterator[Any]:
        yield next(real(self, **filters))
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    out = tmp_path / "out" / "receipts.csv"
    out.parent.mkdir()
    out.write_text("yesterday's export\n")
    monkeypatch.setattr(Store, "iter_receipts", one_then_fail)
    done = runner.invoke(app, ["export", "--format", "csv", "-o", str(out)])
    assert done.exit_code != 0
    assert out.read_text() == "yesterday's export\n"
    assert [path.name for path in out.parent.iterdir()] == ["receipts.csv"]  # no temp left
    monkeypatch.setattr(Store, "iter_receipts", real)
    assert runner.invoke(app, ["export", "--format", "csv", "-o", str(out)]).exit_code == 0
    rows = csv.DictReader(out.open(encoding="utf-8-sig"))
    assert {int(row["receipt_id"]) for row in rows} == set(ids)
    assert out.stat().st_mode & 0o777 != 0o600  # not the private mode of a temporary file


def test_export_json_and_totals(ids: list[int]) -> None:
    result = runner.invoke(app, ["export", "-f", "json", "--status", "approved"])
    assert result.exit_code == 0, result.output
    assert [item["id"] for item in json.loads(result.stdout)] == [ids[0], ids[2]]
    assert runner.invoke(app, ["export", "-f", "xml"]).exit_code == 2

    totals = runner.invoke(app, ["receipts", "totals", "--by", "category"])
    assert totals.exit_code == 0 and "meals" in totals.stdout and "36.90" in totals.stdout


def test_db_upgrade(home: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "latest revision" in result.stdout


def test_extract_save_keeps_a_file_that_cannot_be_read(
    home: Path, tmp_path: Path, database_url: str
) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"this is no JPEG")
    result = runner.invoke(app, ["extract", "--save", str(broken)])
    assert result.exit_code == 1
    with Store(database_url, home / "archive") as store:
        (document,) = store.list_documents()
        assert document.status == "failed" and document.error_stage == "ingest"
        assert document.error and "broken.jpg" in document.error
        assert document.archive_path.read_bytes() == b"this is no JPEG"


BLOCK_STORAGE_EXTRA = """
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in ("sqlalchemy", "alembic", "psycopg"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Missing())
from receiptflow.cli.main import app
from receiptflow.export import get_exporter
from receiptflow.storage import ReceiptRecord
app(["receipts", "--help"])
"""


def test_cli_works_without_the_storage_extra() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", BLOCK_STORAGE_EXTRA], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "list" in done.stdout and "show" in done.stdout
