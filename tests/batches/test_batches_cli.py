"""``receiptflow batches submit | status | collect`` as a user runs them: the installed
command in subprocesses, configured through the environment, against the scripted server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from batches_support import NAMES, Answers, receipt_files

from receiptflow.llm.scripted_server import ScriptedServer
from receiptflow.settings import Settings

pytestmark = [pytest.mark.llm, pytest.mark.slow]

COMMAND = str(Path(sys.executable).with_name("receiptflow"))


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RECEIPTFLOW_"))}
    return subprocess.run(
        [COMMAND, "batches", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_submit_status_collect(server: ScriptedServer, answers: Answers, tmp_path: Path) -> None:
    server.batch_api.polls = 1  # the first refresh still sees it running
    env = {
        "RECEIPTFLOW_HOME": str(tmp_path / "home"),
        "RECEIPTFLOW_TRUST__ENABLED": "false",
        "RECEIPTFLOW_BATCH_API__POLL_INTERVAL_S": "0.1",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": server.url,
    }
    paths = receipt_files(tmp_path / "inbox", 2)
    answers.learn(Settings(openai={"api_key": "sk-test"}), paths)

    submitted = _run(["submit", str(tmp_path / "inbox")], env)
    assert submitted.returncode == 0, submitted.stderr
    (batch_id,) = submitted.stdout.split()
    assert batch_id in server.batch_api.batches

    status = _run(["status", "--json"], env)
    assert status.returncode == 0, status.stderr
    (row,) = json.loads(status.stdout)
    assert (row["id"], row["state"], row["status"]) == (batch_id, "submitted", "in_progress")
    assert row["request_counts"]["total"] == 2 and row["documents"] == 2

    collected = _run(["collect", batch_id, "--wait"], env)
    assert collected.returncode == 0, collected.stderr
    assert collected.stdout.startswith(f"{batch_id}: completed, stored 2 (2 ok)")

    table = _run(["status"], env)
    assert batch_id in table.stdout and "collected" in table.stdout
    (row,) = json.loads(_run(["status", batch_id, "--json"], env).stdout)
    assert (row["state"], row["stored"], row["request_counts"]["completed"]) == ("collected", 2, 2)

    receipts = subprocess.run(
        [COMMAND, "receipts", "list", "--json"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    stored = [json.loads(line) for line in receipts.stdout.splitlines()]
    assert sorted(r["receipt"]["merchant"]["name"] for r in stored) == sorted(NAMES[:2])


def test_wrong_extractor_or_no_endpoint_is_a_usage_error(tmp_path: Path) -> None:
    paths = receipt_files(tmp_path / "inbox", 1)
    env = {"RECEIPTFLOW_HOME": str(tmp_path / "home")}
    local = _run(["submit", str(paths[0]), "--extractor", "local"], env)
    assert local.returncode == 2 and "openai, nemo" in local.stderr
    no_key = _run(["submit", str(paths[0])], env)
    assert no_key.returncode == 2 and "OPENAI_API_KEY" in no_key.stderr
    unknown = _run(["status", "batch_nope"], env)
    assert unknown.returncode == 1 and "no batch 'batch_nope'" in unknown.stderr
