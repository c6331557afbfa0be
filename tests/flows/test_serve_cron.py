"""``receiptflow serve --inbox DIR --cron ...`` against ``prefect server start``: the schedule
fires and the inbox is processed, with no one starting a run by hand. Cron fires once a
minute at best, so this test waits up to a minute and a half."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from prefect_cli_support import RECEIPTFLOW, REPO, post_json, prefect_server, stop_process

from receiptflow.settings import Settings
from receiptflow.storage import Store

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

SAMPLES = ["us_diner.png", "eu_cafe.jpg"]


def test_the_cron_schedule_processes_the_inbox(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in SAMPLES:
        shutil.copy(REPO / "samples" / name, inbox / name)
    # the server's scheduler looks for due runs every 5 s instead of every 60 s
    with prefect_server(tmp_path, PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5") as env:
        log = tmp_path / "serve.log"
        with log.open("wb") as sink:
            serving = subprocess.Popen(
                [RECEIPTFLOW, "serve", "--inbox", str(inbox), "--cron", "* * * * *"],
                env=env | {"PREFECT_RUNNER_POLL_FREQUENCY": "2"},
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            deadline = time.monotonic() + 150
            while any(inbox.glob("*.*")):  # files wait at the top until a run moves them
                assert serving.poll() is None, f"serve exited:\n{log.read_text()[-3000:]}"
                assert time.monotonic() < deadline, f"not processed:\n{log.read_text()[-3000:]}"
                time.sleep(1)
            runs = post_json(f"{env['PREFECT_API_URL']}/flow_runs/filter", {"limit": 10})
        finally:
            stop_process(serving)

    assert isinstance(runs, list)
    fired = [run for run in runs if run["auto_scheduled"]]
    assert fired, runs  # started by the schedule, not by hand
    assert {path.name for path in (inbox / "processed").rglob("*.*")} == set(SAMPLES)
    settings = Settings(home=Path(env["RECEIPTFLOW_HOME"]))
    with Store.from_settings(settings) as store:
        assert len(store.list_receipts()) == len(SAMPLES)
