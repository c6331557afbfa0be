"""One temporary Prefect server per watcher process, and none left once it has gone: after
Ctrl-C, SIGTERM and kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
from faults_support import child_env, kill_group, prefect_servers, start_cli, wait_for
from flows_support import write_receipt

pytestmark = [pytest.mark.timeout(300), pytest.mark.prefect, pytest.mark.slow]


def _ended(process: subprocess.Popen[bytes]) -> bool:
    return process.poll() is not None


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=str)
def test_one_server_while_watching_and_none_after(how: signal.Signals, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in range(4):  # both workers busy at once, each running flows
        write_receipt(inbox, f"r{seed}.png", 100 + seed)
    prefect_home = tmp_path / "prefect"
    env = child_env(tmp_path, RECEIPTFLOW_WATCH__WORKERS="2")
    process = start_cli(["watch", str(inbox)], env, tmp_path / "watch.log")
    try:
        wait_for(lambda: len(list(inbox.glob("processed/*/*.png"))) == 4 or _ended(process), 180)
        log = (tmp_path / "watch.log").read_text(errors="replace")
        assert len(list(inbox.glob("processed/*/*.png"))) == 4, log
        assert len(prefect_servers(prefect_home)) == 1, log
        os.kill(process.pid, how)
        assert wait_for(lambda: _ended(process), 60), "the watcher stopped"
        assert wait_for(lambda: not prefect_servers(prefect_home), 20), "no server left behind"
        if how is not signal.SIGKILL:
            assert process.returncode in (0, 130), log
    finally:
        kill_group(process, prefect_home)
