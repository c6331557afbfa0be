"""Symlink loops, pipes and devices in the inbox: each is quarantined with its reason, the
good files go through, and neither the loop nor the file-event thread stops (no Prefect)."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest
from flows_support import plain_watcher, write_receipt

from receiptflow.flows.routing import ERROR_SUFFIX
from receiptflow.settings import Settings

pytestmark = pytest.mark.timeout(90)  # opening a FIFO for reading would hang: fail instead


def _reason(quarantined: Path) -> str:
    report = quarantined.with_name(quarantined.name + ERROR_SUFFIX)
    return str(json.loads(report.read_text())["error"])


def test_loops_pipes_and_devices_are_quarantined_and_the_watch_goes_on(
    settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "loop.jpg").symlink_to("loop.jpg")  # found by the first scan
    os.mkfifo(inbox / "pipe.png")
    os.mkfifo(inbox / "pipe2.png")
    (inbox / "zero.jpg").symlink_to("/dev/zero")
    write_receipt(inbox, "before.png", 1)
    watcher = plain_watcher(inbox, settings)
    stop = threading.Event()
    runner = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    runner.start()
    time.sleep(1.0)
    (inbox / "later.jpg").symlink_to("later.jpg")  # noticed by a file event
    write_receipt(inbox, "after.png", 2)  # the event thread still works after the loop
    expected = {"loop.jpg", "pipe.png", "pipe2.png", "zero.jpg", "later.jpg"}
    quarantine = inbox / "quarantine"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = {p.name for p in quarantine.glob("*") if not p.name.endswith(ERROR_SUFFIX)}
        if done == expected and len(list((inbox / "processed").rglob("*.png"))) == 2:
            break
        time.sleep(0.1)
    time.sleep(1.0)  # routed files must stay where they are (a link was once taken again)
    stop.set()
    runner.join(timeout=30)
    assert not runner.is_alive(), "the watcher stopped when asked"
    assert sorted(p.name for p in (inbox / "processed").rglob("*.png")) == [
        "after.png",
        "before.png",
    ]
    assert {p.name for p in inbox.iterdir()} == {"processed", "quarantine"}
    assert {p.name for p in quarantine.iterdir()} == expected | {
        name + ERROR_SUFFIX for name in expected
    }
    for name in ("loop.jpg", "later.jpg"):
        assert "Too many levels of symbolic links" in _reason(quarantine / name)
        assert (quarantine / name).is_symlink()  # moved as it was, never followed
    for name in ("pipe.png", "pipe2.png", "zero.jpg"):
        assert "is not a regular file" in _reason(quarantine / name)
    assert not list((settings.home / "archive").rglob("*.jpg"))  # nothing of /dev/zero
