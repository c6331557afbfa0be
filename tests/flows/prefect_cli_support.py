"""A real Prefect server and the ``prefect`` CLI as child processes, for the tests of the
paths users run by hand: work-pool deployments and ``receiptflow serve``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servers_support import free_port

REPO = Path(__file__).resolve().parents[2]
PREFECT = str(Path(sys.executable).with_name("prefect"))
RECEIPTFLOW = str(Path(sys.executable).with_name("receiptflow"))


def run_prefect(*args: str, env: dict[str, str], timeout: float = 180) -> str:
    done = subprocess.run(
        [PREFECT, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"prefect {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        data: dict[str, object] = json.load(response)
        return data


def post_json(url: str, body: dict[str, object]) -> object:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def prefect_server(tmp_path: Path, **server_settings: str) -> Iterator[dict[str, str]]:
    """A Prefect server of its own (own home, own SQLite, free port; ``server_settings`` are
    more ``PREFECT_*`` variables for it) and the environment the CLI, the worker and the flow
    run see: that server's API and a receiptflow home here."""
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
            env=env | server_settings,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"prefect server exited:\n{log.read_text()[-3000:]}"
            try:
                get_json(f"{env['PREFECT_API_URL']}/health")
                break
            except OSError:
                assert time.monotonic() < deadline, f"no server:\n{log.read_text()[-3000:]}"
                time.sleep(0.5)
        yield env
    finally:
        stop_process(server)
