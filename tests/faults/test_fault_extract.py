"""``extract`` goes on with the other files when one crashes the extractor or does not fit on
the archive's disk: one line for that file, exit code 1, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flows_support import FakeExtractor, write_receipt
from test_fault_disk_full import noise_png
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.flows.core import file_sha256
from receiptflow.settings import Settings

pytestmark = pytest.mark.timeout(120)


def _extract(*args: str, home: Path, **more: str) -> tuple[int, list[str], list[str]]:
    env = {"RECEIPTFLOW_HOME": str(home), "RECEIPTFLOW_EXTRACTOR": "fake", **more}
    done = CliRunner().invoke(app, ["extract", "--format", "jsonl", *args], env=env)
    names = [Path(json.loads(line)["source"]["path"]).name for line in done.stdout.splitlines()]
    return done.exit_code, names, [line for line in done.stderr.splitlines() if line.strip()]


def test_an_extractor_bug_fails_that_file_alone(fake_settings: Settings, tmp_path: Path) -> None:
    del fake_settings  # registers the fake extractor
    bad = write_receipt(tmp_path, "bad.png", 1)
    good = write_receipt(tmp_path, "good.png", 2)
    FakeExtractor.crash_on.add(file_sha256(bad))
    code, extracted, errors = _extract(str(bad), str(good), home=tmp_path / "home")
    assert code == 1
    assert extracted == ["good.png"]
    assert f"error: {bad}: extraction failed: RuntimeError: extractor bug (scripted)" in errors
    assert not any("Traceback" in line for line in errors)


def test_a_full_archive_disk_fails_that_file_alone(
    fake_settings: Settings, tmp_path: Path, small_disk: Path
) -> None:
    del fake_settings
    big = noise_png(tmp_path / "big.png", 1)
    bigger = noise_png(tmp_path / "bigger.png", 2)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 600_000)  # the disk has room for one of them, not both
    code, extracted, errors = _extract(
        "--save",
        str(big),
        str(bigger),
        home=small_disk / "home",  # the archive there, the database not
        RECEIPTFLOW_DATABASE_URL=f"sqlite:///{tmp_path / 'receiptflow.db'}",
    )
    assert code == 1
    assert extracted == ["big.png"]
    assert errors[0] == f"error: {bigger}: cannot be archived: [Errno 28] No space left on device"
    assert not list((small_disk / "home" / "archive").glob(".incoming-*"))


def test_an_archive_folder_that_cannot_be_written_stops_extract_save(
    fake_settings: Settings, tmp_path: Path
) -> None:
    del fake_settings
    home = tmp_path / "home"
    home.mkdir()
    (home / "archive").write_text("a file where the archive folder should be")
    first = write_receipt(tmp_path, "first.png", 1)
    second = write_receipt(tmp_path, "second.png", 2)
    code, extracted, errors = _extract("--save", str(first), str(second), home=home)
    assert code == 2
    assert extracted == []
    assert len(errors) == 1 and errors[0].startswith("error: cannot write to the archive folder")
