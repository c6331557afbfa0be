"""The many-machines path end to end: ``prefect server start``, a process work pool, the
deployments in ``prefect.yaml`` (``prefect deploy --all``), a ``prefect worker`` and a run of
the ``batch`` deployment, each a real child process, as the README tells users to run them."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers_support import free_port

from receiptflow.settings import Settings
from receiptflow.storage import Store

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
SAMPLES = ["us_diner.png", "us_restaurant_digital.pdf"]


def _prefect(*args: str, env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(
        [PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _get(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        data: dict[str, object] = json.load(response)
        return data


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A Prefect server of its own (own home, own SQLite, free port) and the environment the
    CLI, the worker and the flow run see: that server's API and a receiptflow home here."""
    port = free_port()
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PREFECT_", "RECEIPTFLOW_"))
    } | {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "RECEIPTFLOW_HOME": str(tmp_path / "home"),
        "RECEIPTFLOW_CHECKOUT": str(REPO),  # prefect.yaml's pull step: where the code is
    }
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"prefect server exited:\n{log.read_text()[-3000:]}"
            try:
                _get(f"{env['PREFECT_API_URL']}/health")
                break
            except OSError:
                assert time.monotonic() < deadline, f"no server:\n{log.read_text()[-3000:]}"
                time.sleep(0.5)
        yield env
    finally:
        _stop(server)


def test_a_worker_runs_the_batch_deployment_from_prefect_yaml(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    env = server_env
    _prefect("work-pool", "create", "receiptflow", "--type", "process", env=env)
    deployed = _prefect("--no-prompt", "deploy", "--all", env=env)
    for name in (
        "process-inbox/nightly-inbox",
        "process-batch/batch",
        "process-document/one-document",
    ):
        assert name in deployed
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    for name in SAMPLES:
        shutil.copy(REPO / "samples" / name, incoming / name)

    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        worker = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", "receiptflow"],
            env=env,
            cwd=tmp_path,  # the pull step, not the worker's folder, must find the code
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        started = _prefect(
            "deployment", "run", "process-batch/batch",
            "--param", f"inputs={json.dumps([str(incoming)])}",
            env=env,
        )  # fmt: skip
        found = re.search(r"UUID: ([0-9a-f-]{36})", started)
        assert found, started
        deadline = time.monotonic() + 240
        while True:
            run = _get(f"{env['PREFECT_API_URL']}/flow_runs/{found.group(1)}")
            state = str(run["state_type"])
            if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
                break
            assert worker.poll() is None, f"worker exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"run still {state}:\n{log.read_text()[-3000:]}"
            time.sleep(1)
        assert state == "COMPLETED", log.read_text()[-3000:]
    finally:
        _stop(worker)

    settings = Settings(home=Path(env["RECEIPTFLOW_HOME"]))
    with Store.from_settings(settings) as store:
        receipts = store.list_receipts()
        assert {document.original_name for document in store.list_documents()} == set(SAMPLES)
    assert {record.receipt.merchant.name for record in receipts} == {"SUNRISE DINER"}
