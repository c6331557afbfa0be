"""1,000 files dropped into the inbox at once: every one processed exactly once."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flows_support import FakeExtractor, plain_watcher, receipt_png, watching

from receiptflow.flows.core import Outcome
from receiptflow.flows.steps import store_for
from receiptflow.settings import Settings

pytestmark = pytest.mark.timeout(240)

FILES = 1000


def test_a_thousand_files_at_once_are_each_processed_once(
    fake_settings: Settings, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fake_settings.watch.workers = 4
    watcher = plain_watcher(inbox, fake_settings)
    with watching(watcher):
        time.sleep(0.3)  # the watcher is up: the files arrive as events, all at once
        staging = tmp_path / "staging"
        staging.mkdir()
        for seed in range(FILES):
            (staging / f"r{seed:04d}.png").write_bytes(receipt_png(seed))
        for path in staging.iterdir():
            path.rename(inbox / path.name)  # each appears whole, as a move into a share does
        deadline = time.monotonic() + 200
        while time.monotonic() < deadline and (any(inbox.glob("*.png")) or not watcher.idle()):
            time.sleep(0.2)
    processed = sorted(path.name for path in (inbox / "processed").rglob("*.png"))
    assert processed == [f"r{seed:04d}.png" for seed in range(FILES)]
    assert not (inbox / "quarantine").exists()
    assert len(FakeExtractor.calls) == FILES and set(FakeExtractor.calls.values()) == {1}
    assert [o.outcome for o in watcher.outcomes].count(Outcome.APPROVED) == FILES
    assert store_for(fake_settings).count_receipts() == FILES
