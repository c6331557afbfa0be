"""``receiptflow extract --extractor nemo`` over several files, as a user runs it (a
subprocess configured through the environment) against a scripted server: requests overlap,
output keeps the input order, failures set the exit code, and library logs stay quiet."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from receiptflow.llm.scripted_server import SAMPLE_ANSWER, Reply, ScriptedServer, error, tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from ingest_factories import text_pdf  # noqa: E402

pytestmark = [pytest.mark.llm, pytest.mark.slow, pytest.mark.timeout(300)]

FILES = 6


@pytest.fixture
def receipts(tmp_path: Path) -> list[Path]:
    """Digital PDFs (a text layer: no OCR), each printing its own number."""
    paths = []
    for number in range(FILES):
        path = tmp_path / f"r{number}.pdf"
        path.write_bytes(text_pdf([[(20, 360, f"RECEIPT NO {number}"), (20, 340, "TOTAL 4.20")]]))
        paths.append(path)
    return paths


def _number(body: dict[str, Any]) -> int:
    match = re.search(r"RECEIPT NO (\d)", json.dumps(body["messages"]))
    assert match is not None
    return int(match.group(1))


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    def reply(body: dict[str, Any], index: int) -> Reply:
        # the first file is the slowest: its answer comes last, its line must still be first
        return tool(SAMPLE_ANSWER, delay_s=1.5 if _number(body) == 0 else 0.3)

    with ScriptedServer(reply) as running:
        yield running


def _run(paths: list[Path], server: ScriptedServer, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECEIPTFLOW_"))}
    env = {
        **clean,
        "RECEIPTFLOW_HOME": str(paths[0].parent / "home"),
        "RECEIPTFLOW_NEMO__BASE_URL": server.url,
        "RECEIPTFLOW_NEMO__TRANSPORT_RETRIES": "0",
        "RECEIPTFLOW_NEMO__VALIDATION_RETRIES": "0",
    }
    command = [sys.executable, "-m", "receiptflow", "extract", *map(str, paths), "-e", "nemo"]
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=240, check=False
    )


def test_concurrent_extract_overlaps_requests_and_keeps_the_order(
    receipts: list[Path], server: ScriptedServer
) -> None:
    done = _run(receipts, server, "--concurrency", "4")
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(line["source"]["path"]).name for line in lines] == [p.name for p in receipts]
    assert all(line["extractor"] == "nemo" for line in lines)
    assert server.max_in_flight_seen == 4  # requests overlapped, up to the limit
    # each file's answer belongs to it: the n-th request answered is not the n-th line
    assert sorted(_number(body) for body in server.requests) == list(range(FILES))


def test_any_failed_file_exits_1_and_instructor_stays_quiet(
    receipts: list[Path], server: ScriptedServer
) -> None:
    def reply(body: dict[str, Any], index: int) -> Reply:
        return Reply(refusal="No.") if _number(body) == 2 else tool(SAMPLE_ANSWER)

    server.script = reply
    done = _run(receipts, server)
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) == FILES  # the others are still extracted
    errors = done.stderr.strip().splitlines()
    assert errors[-1] == f"1 of {FILES} file(s) failed"
    assert any(e.startswith("r2.pdf: nemo (") and "the model refused: No." in e for e in errors)
    assert not any("API call failed" in e or "Retrying" in e for e in errors), errors

    verbose = _run(receipts[2:3], server, "--verbose")
    assert verbose.returncode == 1
    assert "HTTP Request: POST" in verbose.stderr and "instructor" in verbose.stderr


def test_a_refused_api_key_stops_the_run_with_exit_2(
    receipts: list[Path], server: ScriptedServer
) -> None:
    server.script = [error(401)]
    done = _run(receipts, server, "--concurrency", "1")
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: nemo (") and "HTTP 401, the API key was refused" in line
    assert len(server.requests) == 1  # not tried again for every file
