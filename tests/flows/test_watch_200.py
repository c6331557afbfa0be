"""The watcher under load: 200 files (some written slowly, some duplicates, some corrupt),
with Prefect flow runs per file, a real SQLite store and watchdog events. Nothing is lost."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from pathlib import Path

import pytest
from flows_support import CORRUPT, receipt_png

from receiptflow.flows.routing import ERROR_SUFFIX
from receiptflow.flows.steps import store_for
from receiptflow.ingest import is_candidate_name
from receiptflow.settings import Settings
from receiptflow.watch.watcher import InboxWatcher

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

AT_START, AT_ONCE, SLOW, DUPLICATES, CORRUPT_FILES = 20, 130, 20, 20, 10
TOTAL = AT_START + AT_ONCE + SLOW + DUPLICATES + CORRUPT_FILES


def _write_slowly(path: Path, data: bytes, pieces: int = 4, pause: float = 0.3) -> None:
    """Like a copy over a slow share: the file exists, half written, for over a second."""
    step = max(1, len(data) // pieces)
    with path.open("wb") as handle:
        for start in range(0, len(data), step):
            handle.write(data[start : start + step])
            handle.flush()
            time.sleep(pause)


def _waiting(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.iterdir() if p.is_file() and is_candidate_name(p.name))


def _wait_until(condition: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return True
        time.sleep(0.25)
    return False


def test_two_hundred_files_each_end_in_exactly_one_place(
    prefect_server: None, settings: Settings, tmp_path: Path
) -> None:
    settings.watch.workers = 6
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    expected: dict[str, bytes] = {}  # name -> bytes, for every receipt file dropped

    def drop(name: str, data: bytes) -> None:
        expected[name] = data
        (inbox / name).write_bytes(data)

    for seed in range(AT_START):
        drop(f"start-{seed:03}.png", receipt_png(seed))
    (inbox / ".hidden.png").write_bytes(receipt_png(9999))
    (inbox / "download.png.part").write_bytes(receipt_png(9998))
    (inbox / "~$lock.png").write_bytes(b"lock")

    watcher = InboxWatcher(inbox, settings)
    stop = threading.Event()
    runner = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    runner.start()
    try:
        for seed in range(100, 100 + AT_ONCE):
            drop(f"drop-{seed:03}.png", receipt_png(seed, flagged=seed % 7 == 0))
        for index in range(DUPLICATES):  # same bytes as an earlier receipt, new name
            seed = 100 + index * 3
            drop(f"again-{index:03}.png", receipt_png(seed, flagged=seed % 7 == 0))
        for index in range(CORRUPT_FILES):
            drop(f"broken-{index:03}.jpg", CORRUPT + bytes([index]))
        slow = [
            threading.Thread(target=_write_slowly, args=(inbox / f"slow-{s}.png", receipt_png(s)))
            for s in range(500, 500 + SLOW)
        ]
        for seed, thread in zip(range(500, 500 + SLOW), slow, strict=True):
            expected[f"slow-{seed}.png"] = receipt_png(seed)
            thread.start()
        for thread in slow:
            thread.join()
        assert len(expected) == TOTAL
        finished = _wait_until(lambda: not _waiting(inbox) and watcher.idle(), timeout=300)
    finally:
        stop.set()
        runner.join(timeout=60)
    assert finished, f"still in the inbox: {_waiting(inbox)}"

    processed = [p for p in (inbox / "processed").rglob("*") if p.is_file()]
    quarantined = [p for p in (inbox / "quarantine").iterdir() if not p.name.endswith(ERROR_SUFFIX)]
    landed = [p.name for p in processed + quarantined]
    assert sorted(landed) == sorted(expected), "every file exactly once, none invented"
    for path in processed + quarantined:  # nothing was taken half written
        assert path.read_bytes() == expected[path.name], path.name

    assert sorted(p.name for p in quarantined) == sorted(
        name for name in expected if name.startswith("broken-")
    )
    for path in quarantined:
        report = json.loads(path.with_name(path.name + ERROR_SUFFIX).read_text())
        assert report["stage"] == "ingest" and report["file"] == path.name
        assert report["error"]

    # Temporary and hidden files are left alone.
    assert {p.name for p in inbox.iterdir() if p.is_file()} == {
        ".hidden.png",
        "download.png.part",
        "~$lock.png",
    }

    unique = {hashlib.sha256(data).hexdigest() for data in expected.values()}
    unique_receipts = {
        hashlib.sha256(data).hexdigest()
        for name, data in expected.items()
        if not name.startswith("broken-")
    }
    store = store_for(settings)
    assert len(store.list_documents()) == len(unique)
    assert store.count_receipts() == len(unique_receipts)
    duplicates = [o for o in watcher.outcomes if o.outcome.value == "duplicate"]
    assert len(duplicates) == DUPLICATES
