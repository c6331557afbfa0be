"""Pillow's and pypdf's own warnings do not add lines to a file's one-line error."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from ingest_factories import png_claiming_size, text_pdf  # noqa: E402

pytestmark = pytest.mark.timeout(240)


def run(path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "receiptflow", "extract", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "RECEIPTFLOW_HOME": str(path.parent / "home"), **env},
        timeout=180,
        check=False,
    )


def pdf_with_a_wrong_xref_entry() -> bytes:
    """The page object's xref entry points at the font object: pypdf repairs it, and logs so."""
    data = text_pdf([[(20, 360, "TOTAL 1.00")]])
    start = data.index(b"\nxref\n")
    head, table = data[:start], data[start:]
    entries = re.findall(rb"\d{10} 00000 n", table)
    return head + table.replace(entries[3], entries[2])


def _assert_one_error_line(done: subprocess.CompletedProcess[str], name: str) -> None:
    assert done.returncode == 1, done.stderr
    [error, summary] = done.stderr.strip().splitlines()
    assert error.startswith("error: ") and name in error
    assert summary == "1 of 1 file(s) failed"


def test_pillow_decompression_bomb_warning_is_not_printed(tmp_path: Path) -> None:
    path = tmp_path / "huge.png"
    path.write_bytes(png_claiming_size(10_000, 9_000))  # over Pillow's 89 M pixel warning
    done = run(path, {})
    _assert_one_error_line(done, "huge.png")
    assert "decompression bomb" in done.stderr


def test_pypdf_repair_messages_are_not_printed(tmp_path: Path) -> None:
    path = tmp_path / "repaired.pdf"
    path.write_bytes(pdf_with_a_wrong_xref_entry())
    done = run(path, {"RECEIPTFLOW_INGEST__PDF_TIMEOUT_S": "0"})  # fails after pypdf read it
    _assert_one_error_line(done, "repaired.pdf")
