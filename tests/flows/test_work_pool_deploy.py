"""The many-machines path end to end: ``prefect server start``, a process work pool, the
deployments in ``prefect.yaml`` (``prefect deploy --all``), a ``prefect worker`` and a run of
the ``batch`` deployment, each a real child process, as the README tells users to run them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect_cli_support import PREFECT, REPO, get_json, prefect_server, run_prefect, stop_process

from receiptflow.settings import Settings
from receiptflow.storage import Store

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

SAMPLES = ["us_diner.png", "us_restaurant_digital.pdf"]


@pytest.fixture
def server_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with prefect_server(tmp_path) as env:
        yield env


def test_a_worker_runs_the_batch_deployment_from_prefect_yaml(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    env = server_env
    run_prefect("work-pool", "create", "receiptflow", "--type", "process", env=env)
    deployed = run_prefect("--no-prompt", "deploy", "--all", env=env)
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
        started = run_prefect(
            "deployment", "run", "process-batch/batch",
            "--param", f"inputs={json.dumps([str(incoming)])}",
            env=env,
        )  # fmt: skip
        found = re.search(r"UUID: ([0-9a-f-]{36})", started)
        assert found, started
        deadline = time.monotonic() + 240
        while True:
            run = get_json(f"{env['PREFECT_API_URL']}/flow_runs/{found.group(1)}")
            state = str(run["state_type"])
            if state in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
                break
            assert worker.poll() is None, f"worker exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"run still {state}:\n{log.read_text()[-3000:]}"
            time.sleep(1)
        assert state == "COMPLETED", log.read_text()[-3000:]
    finally:
        stop_process(worker)

    settings = Settings(home=Path(env["RECEIPTFLOW_HOME"]))
    with Store.from_settings(settings) as store:
        receipts = store.list_receipts()
        assert {document.original_name for document in store.list_documents()} == set(SAMPLES)
    assert {record.receipt.merchant.name for record in receipts} == {"SUNRISE DINER"}
