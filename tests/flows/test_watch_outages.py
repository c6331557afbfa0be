"""The watcher through Prefect while things break: the database is down for a while, the
extractor's provider keeps failing, and one file crashes the extractor every time."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from flows_support import FakeExtractor, write_receipt
from sqlalchemy.exc import OperationalError

from receiptflow.flows.core import Outcome, file_sha256
from receiptflow.flows.routing import ERROR_SUFFIX
from receiptflow.flows.steps import store_for
from receiptflow.settings import Settings
from receiptflow.storage import Store
from receiptflow.watch.watcher import MAX_UNEXPECTED, InboxWatcher

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def test_nothing_is_lost_while_the_database_and_extractor_fail(
    prefect_server: None, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.flows.retries = 1
    settings.watch.retry_after_s = 0.3
    settings.watch.workers = 3
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = [write_receipt(inbox, f"r{seed}.png", 6000 + seed) for seed in range(6)]
    flaky_sha = file_sha256(files[0])
    FakeExtractor.failures_left[flaky_sha] = 4  # outlasts one task retry
    FakeExtractor.crash_on.add(file_sha256(files[1]))  # a bug on this file, every time

    real_save = Store.save_input
    refused: list[Path] = []  # the first 10 attempts find the database down

    def database_down_for_a_while(self: Store, path: Path, *, source: str) -> object:
        if len(refused) < 10:
            refused.append(path)
            raise OperationalError("INSERT INTO documents", {}, ConnectionRefusedError("down"))
        return real_save(self, path, source=source)

    monkeypatch.setattr(Store, "save_input", database_down_for_a_while)
    watcher = InboxWatcher(inbox, settings)
    stop = threading.Event()
    runner = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    runner.start()
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if not any(inbox.glob("r*.png")) and watcher.idle():
            break
        time.sleep(0.25)
    stop.set()
    runner.join(timeout=60)

    assert not any(inbox.glob("r*.png")), "every file was taken in the end"
    processed = sorted(p.name for p in (inbox / "processed").rglob("*.png"))
    assert processed == sorted(p.name for p in files if p != files[1])
    assert (inbox / "quarantine" / "r1.png").exists()
    assert "extractor bug" in (inbox / "quarantine" / f"r1.png{ERROR_SUFFIX}").read_text()
    failures = [o for o in watcher.outcomes if o.outcome is Outcome.FAILED]
    assert any(o.code == "transient" and "OperationalError" in (o.error or "") for o in failures)
    crashes = [o for o in watcher.outcomes if o.path.name == "r1.png" and o.code == "unexpected"]
    assert len(crashes) == MAX_UNEXPECTED  # tried that often, then quarantined
    assert crashes[-1].outcome is Outcome.QUARANTINED
    assert len(refused) == 10
    assert FakeExtractor.calls[flaky_sha] == 5
    assert store_for(settings).count_receipts() == 5
    names = {p.name for p in files}
    assert names <= _document_flow_run_names(names)


def _document_flow_run_names(names: set[str]) -> set[str]:
    """Each file's processing is a process-document flow run named after the file.

    Asked by name: the session's Prefect server also holds other tests' runs (hundreds)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterName,
    )

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=["process-document"])),
            flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=sorted(names))),
            limit=200,
        )
    return {run.name for run in runs}
