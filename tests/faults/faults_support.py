"""Child processes for the fault tests: the CLI with the fake extractor, and the Prefect
servers a child left behind."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

FAKE_CLI = Path(__file__).with_name("fake_cli.py")


def child_env(tmp_path: Path, **more: str) -> dict[str, str]:
    """A receiptflow home and a Prefect home of this test's own, no server named."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PREFECT_", "RECEIPTFLOW_", "OPENAI_"))
    }
    return env | {
        "PREFECT_HOME": str(tmp_path / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "RECEIPTFLOW_HOME": str(tmp_path / "home"),
        "RECEIPTFLOW_EXTRACTOR": "fake",
        "RECEIPTFLOW_WATCH__STABLE_SECONDS": "0.2",
        "RECEIPTFLOW_WATCH__POLL_INTERVAL_S": "0.05",
        "RECEIPTFLOW_WATCH__RETRY_AFTER_S": "0.3",
        **more,
    }


def start_cli(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, str(FAKE_CLI), *args],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the test can always clean up
        )


def prefect_servers(prefect_home: Path) -> list[int]:
    """Pids of temporary Prefect servers started with this Prefect home (from any parent:
    an orphan has been handed to init)."""
    marker = f"PREFECT_HOME={prefect_home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if b"prefect.server.api.server:create_app" not in command:
                continue
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # ended while we looked
            continue
    return found


def wait_for(condition: Callable[[], bool], seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def kill_group(process: subprocess.Popen[bytes], prefect_home: Path | None = None) -> None:
    """Whatever a test left running: the child's group, and servers of its Prefect home."""
    for pid in prefect_servers(prefect_home) if prefect_home else []:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
