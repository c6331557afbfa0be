"""Watcher parts without Prefect: stability, inbox scanning, retries and giving up."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flows_support import receipt_png, write_receipt

from receiptflow.flows.core import FileOutcome, Outcome
from receiptflow.flows.routing import ERROR_SUFFIX, Destinations
from receiptflow.settings import Settings
from receiptflow.watch.inbox import scan_inbox
from receiptflow.watch.stability import StabilityTracker
from receiptflow.watch.watcher import MAX_UNEXPECTED, RESCAN_SECONDS, InboxWatcher


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_file_is_stable_only_after_n_quiet_seconds() -> None:
    clock = Clock()
    tracker = StabilityTracker(2.0, clock=clock)
    path = Path("r.png")
    tracker.observe(path, 10, 1)
    clock.now += 1.9
    assert not tracker.is_stable(path)
    tracker.observe(path, 20, 2)  # grew: the quiet period starts again
    clock.now += 1.9
    assert not tracker.is_stable(path)
    tracker.observe(path, 20, 2)
    clock.now += 0.2
    assert tracker.is_stable(path)


def test_a_vanished_file_is_forgotten(tmp_path: Path) -> None:
    tracker = StabilityTracker(0.0)
    path = write_receipt(tmp_path, "r.png", 1)
    assert tracker.check(path)
    path.unlink()
    assert not tracker.check(path) and path not in tracker


def test_the_scan_skips_hidden_temporary_and_routed_files(tmp_path: Path) -> None:
    destinations = Destinations(tmp_path / "processed", tmp_path / "quarantine")
    for folder in (tmp_path / "sub", tmp_path / ".trash", *destinations.folders()):
        folder.mkdir()
    wanted = [write_receipt(tmp_path, "a.png", 1), write_receipt(tmp_path / "sub", "b.jpg", 2)]
    for name in (".hidden.png", "c.png.part", "~$d.png", "notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    write_receipt(tmp_path / ".trash", "e.png", 3)
    write_receipt(destinations.processed, "f.png", 4)
    write_receipt(destinations.quarantine, "g.png", 5)
    (destinations.quarantine / f"g.png{ERROR_SUFFIX}").write_text("{}")
    assert sorted(scan_inbox(tmp_path, destinations)) == sorted(wanted)


def _run(watcher: InboxWatcher, until: object, timeout: float = 20.0) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (callable(until) and until()):
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)


def test_transient_failures_are_retried_until_they_pass(settings: Settings, tmp_path: Path) -> None:
    attempts: list[Path] = []

    def flaky(path: Path) -> FileOutcome:
        attempts.append(path)
        if len(attempts) < 3:
            return FileOutcome(path=path, outcome=Outcome.FAILED, code="transient", error="down")
        path.unlink()
        return FileOutcome(path=path, outcome=Outcome.APPROVED)

    settings.watch.retry_after_s = 0.1
    settings.watch.stable_seconds = 0.1
    write_receipt(tmp_path, "r.png", 1)
    watcher = InboxWatcher(tmp_path, settings, process=flaky)
    _run(watcher, lambda: len(attempts) >= 3 and watcher.idle())
    assert len(attempts) == 3
    assert [o.outcome for o in watcher.outcomes] == [
        Outcome.FAILED,
        Outcome.FAILED,
        Outcome.APPROVED,
    ]


def test_a_file_that_keeps_crashing_is_quarantined(settings: Settings, tmp_path: Path) -> None:
    def crash(path: Path) -> FileOutcome:
        raise RuntimeError("extractor bug")

    settings.watch.retry_after_s = 0.05
    settings.watch.stable_seconds = 0.1
    (tmp_path / "r.png").write_bytes(receipt_png(1))
    watcher = InboxWatcher(tmp_path, settings, process=crash)
    _run(watcher, lambda: (tmp_path / "quarantine" / "r.png").exists() and watcher.idle())
    assert len(watcher.outcomes) == MAX_UNEXPECTED
    report = (tmp_path / "quarantine" / f"r.png{ERROR_SUFFIX}").read_text()
    assert "extractor bug" in report
    assert not (tmp_path / "r.png").exists()


def test_a_refused_api_key_keeps_files_in_the_inbox(settings: Settings, tmp_path: Path) -> None:
    from receiptflow.llm.failures import EndpointConfigError

    def refused(path: Path) -> FileOutcome:
        raise EndpointConfigError("openai (...): HTTP 401, the API key was refused")

    settings.watch.retry_after_s = 0.01
    settings.watch.stable_seconds = 0.05
    (tmp_path / "r.png").write_bytes(receipt_png(1))
    watcher = InboxWatcher(tmp_path, settings, process=refused)
    _run(watcher, lambda: len(watcher.outcomes) > MAX_UNEXPECTED + 1, timeout=10)
    assert len(watcher.outcomes) > MAX_UNEXPECTED + 1  # tried again and again ...
    assert {o.code for o in watcher.outcomes} == {"config"}
    assert (tmp_path / "r.png").exists()  # ... and never quarantined
    assert not (tmp_path / "quarantine" / "r.png").exists()


@pytest.mark.parametrize("polling", [False, True], ids=["os-events", "polling"])
def test_a_file_dropped_after_start_is_noticed_without_a_rescan(
    settings: Settings, tmp_path: Path, polling: bool
) -> None:
    taken: list[str] = []

    def take(path: Path) -> FileOutcome:
        taken.append(path.name)
        path.unlink()
        return FileOutcome(path=path, outcome=Outcome.APPROVED)

    settings.watch.polling = polling
    settings.watch.stable_seconds = 0.2
    settings.watch.poll_interval_s = 0.1
    watcher = InboxWatcher(tmp_path, settings, process=take)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    time.sleep(0.5)  # the start-up scan is over; only the observer can see the next file
    started = time.monotonic()
    write_receipt(tmp_path, "late.png", 1)
    while not taken and time.monotonic() - started < RESCAN_SECONDS / 2:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=10)
    assert taken == ["late.png"]


def test_llm_extractors_get_enough_workers_to_keep_requests_in_flight(
    settings: Settings, tmp_path: Path
) -> None:
    def idle(path: Path) -> FileOutcome:
        raise AssertionError("not called")

    def pool_size(**changes: object) -> int:
        changed = settings.model_copy(update=changes)
        watcher = InboxWatcher(tmp_path, changed, process=idle)
        try:
            return int(watcher._pool._max_workers)
        finally:
            watcher._pool.shutdown()

    settings.llm.max_in_flight = 12
    assert pool_size(extractor="local") == 2  # OCR is CPU work: two cores' worth
    assert pool_size(extractor="nemo") == 12 == pool_size(extractor="cascade")
    settings.watch.workers = 3
    assert pool_size(extractor="openai") == 3  # as set
