"""``extract`` exits 0 only when every file was extracted; a broken setup is exit code 2."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIGITAL = SAMPLES / "us_restaurant_digital.pdf"  # text layer: the local extractor needs no OCR

pytestmark = pytest.mark.timeout(240)


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "receiptflow", "extract", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=180,
        check=False,
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unknown_ocr_engine_is_a_configuration_error_even_for_a_text_pdf() -> None:
    done = run(str(DIGITAL), env={"RECEIPTFLOW_OCR__ENGINE": "nope"})
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: RECEIPTFLOW_OCR__ENGINE: unknown OCR engine 'nope'; "
        "choose one of: rapidocr, tesseract"
    ]
    assert done.stdout == ""


def test_nemo_behind_a_closed_port_fails_the_run(tmp_path: Path) -> None:
    env = {
        "RECEIPTFLOW_HOME": str(tmp_path),
        "RECEIPTFLOW_NEMO__BASE_URL": f"http://127.0.0.1:{closed_port()}/v1",
        "RECEIPTFLOW_NEMO__TRANSPORT_RETRIES": "0",
        "RECEIPTFLOW_NEMO__TIMEOUT_S": "5",
    }
    done = run(str(DIGITAL), "--extractor", "nemo", "--format", "jsonl", env=env)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    [result] = [json.loads(line) for line in done.stdout.splitlines()]
    assert result["status"] == "failed" and result["errors"]
    # one line for the file (the result's error) and the summary: no library log lines
    [file_error, summary] = done.stderr.strip().splitlines()
    assert file_error.startswith(f"{DIGITAL.name}: nemo (") and "connection failed" in file_error
    assert summary == "1 of 1 file(s) failed"
