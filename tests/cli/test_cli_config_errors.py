"""A wrong setting is one line on stderr and exit code 2, whichever command meets it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIGITAL = SAMPLES / "us_restaurant_digital.pdf"

pytestmark = pytest.mark.timeout(300)

COMMANDS = {
    "extract": ["extract", "--save", str(DIGITAL)],
    "list": ["receipts", "list"],
    "export": ["export", "--format", "csv"],
    "db": ["db", "upgrade"],
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "receiptflow", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def _bad_settings(tmp_path: Path) -> dict[str, tuple[dict[str, str], str]]:
    """name -> (environment, what the one line must name)."""
    home = {"RECEIPTFLOW_HOME": str(tmp_path / "home")}
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    return {
        "typo": ({**home, "RECEIPTFLOW_OCR__THREADS": "abc"}, "RECEIPTFLOW_OCR__THREADS"),
        "scheme": ({**home, "RECEIPTFLOW_DATABASE_URL": "nonsense://x"}, "nonsense://x"),
        "refused": (
            {**home, "RECEIPTFLOW_DATABASE_URL": f"postgresql://me:pw@127.0.0.1:{closed_port()}/x"},
            "Connection refused",
        ),
        "home": ({"RECEIPTFLOW_HOME": str(blocked / "home")}, str(blocked / "home")),
    }


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("problem", ["typo", "scheme", "refused", "home"])
def test_bad_setting_is_one_line_and_exit_code_2(
    problem: str, command: str, tmp_path: Path
) -> None:
    env, named = _bad_settings(tmp_path)[problem]
    done = run(COMMANDS[command], env)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ") and named in lines[0]
    assert "pw@" not in lines[0]  # never print a database password
    assert done.stdout == ""
