"""An extractor that cannot run is refused when a long-running command starts, before any
file is read or moved: the watcher used to start and then quarantine every good file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
DIGITAL = SAMPLES / "us_restaurant_digital.pdf"

pytestmark = pytest.mark.timeout(180)


def _run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("OPENAI_", "RECEIPTFLOW_"))
    }
    env |= {"RECEIPTFLOW_HOME": str(tmp_path / "home"), "RECEIPTFLOW_EXTRACTOR": "openai"}
    return subprocess.run(
        [sys.executable, "-m", "receiptflow", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=150,
        check=False,
    )


@pytest.mark.parametrize("command", ["watch", "batch"])
def test_openai_without_a_key_stops_the_command_before_any_file_moves(
    command: str, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    receipt = Path(shutil.copy(DIGITAL, inbox / "good.pdf"))
    extra = ["--processed", str(tmp_path / "done"), "--quarantine", str(tmp_path / "bad")]
    done = _run([command, str(inbox), *(extra if command == "batch" else [])], tmp_path)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: the openai extractor needs an API key")
    assert receipt.exists()
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == ["good.pdf"]
