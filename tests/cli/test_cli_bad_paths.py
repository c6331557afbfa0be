"""Paths on the command line that cannot be read: one error line each, the others still run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIGITAL = SAMPLES / "us_restaurant_digital.pdf"  # text layer: no OCR, fast

pytestmark = pytest.mark.timeout(120)  # a FIFO opened for reading would hang: fail instead


def run(
    *args: str, home: Path, env: dict[str, str] | None = None, drop_root_reads: bool = False
) -> subprocess.CompletedProcess[str]:
    # root reads any file; without these two capabilities it obeys the permission bits
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    command = [sys.executable, "-m", "receiptflow", "extract", *args]
    return subprocess.run(
        (prefix if drop_root_reads and os.geteuid() == 0 else []) + command,
        capture_output=True,
        text=True,
        env={**os.environ, "RECEIPTFLOW_HOME": str(home), **(env or {})},
        timeout=60,
        check=False,
    )


def _extracted_names(stdout: str) -> list[str]:
    return [Path(json.loads(line)["source"]["path"]).name for line in stdout.splitlines()]


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def test_symlink_loop_is_one_error_line_and_the_next_file_is_extracted(tmp_path: Path) -> None:
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    good = shutil.copy(DIGITAL, tmp_path / "good.pdf")
    done = run(str(loop), str(good), "--format", "jsonl", home=tmp_path / "home")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _extracted_names(done.stdout) == ["good.pdf"]
    assert [line for line in _error_lines(done.stderr) if "loop.jpg" in line] == [
        f"error: {loop}: cannot be read: Too many levels of symbolic links"
    ]


def test_unreadable_file_and_folder_are_per_file_errors_not_usage_errors(tmp_path: Path) -> None:
    unreadable = tmp_path / "secret.pdf"
    shutil.copy(DIGITAL, unreadable)
    unreadable.chmod(0)
    closed = tmp_path / "closed"
    closed.mkdir()
    shutil.copy(DIGITAL, closed / "inside.pdf")
    closed.chmod(0)
    good = shutil.copy(DIGITAL, tmp_path / "good.pdf")
    try:
        done = run(
            str(unreadable),
            str(closed / "inside.pdf"),
            str(good),
            "--format",
            "jsonl",
            home=tmp_path / "home",
            drop_root_reads=True,
        )
    finally:
        closed.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _extracted_names(done.stdout) == ["good.pdf"]
    errors = _error_lines(done.stderr)
    assert f"error: {unreadable}: cannot be read: Permission denied" in errors
    assert f"error: {closed / 'inside.pdf'}: cannot be read: Permission denied" in errors


def test_save_refuses_a_fifo_and_an_oversized_file_before_copying_them(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    cap = DIGITAL.stat().st_size
    big = tmp_path / "big.pdf"
    big.write_bytes(DIGITAL.read_bytes() + b"\n")  # one byte over the cap
    good = shutil.copy(DIGITAL, tmp_path / "good.pdf")
    home = tmp_path / "home"
    done = run(
        "--save",
        str(fifo),
        str(big),
        str(good),
        "--format",
        "jsonl",
        home=home,
        env={"RECEIPTFLOW_INGEST__MAX_BYTES": str(cap)},
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert _extracted_names(done.stdout) == ["good.pdf"]
    errors = _error_lines(done.stderr)
    assert any(line.startswith(f"error: {fifo}: is not a regular file") for line in errors)
    assert any(line.startswith(f"error: {big}: file is {cap + 1:,} bytes") for line in errors)
    archived = [path for path in (home / "archive").rglob("*") if path.is_file()]
    assert len(archived) == 1 and archived[0].read_bytes() == DIGITAL.read_bytes()
