"""The archive's disk fills up under a running watcher: files that do not fit wait in the
inbox (never quarantined for it, no half-written original left in the archive) and go through
once there is room again.

The archive is a real 1 MB tmpfs (``mount -t tmpfs``, root only, which this test suite's
machines and CI are); writes there fail with ENOSPC exactly as on a full disk."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest
from flows_support import plain_watcher, watching
from PIL import Image

from receiptflow.flows.core import Outcome
from receiptflow.flows.steps import store_for
from receiptflow.settings import Settings

pytestmark = pytest.mark.timeout(120)


def noise_png(path: Path, seed: int) -> Path:
    """~270 KB that does not compress: four of them do not fit in 1 MB."""
    image = Image.frombytes("RGB", (300, 300), os.urandom(300 * 300 * 3))
    image.putpixel((0, 0), (seed, seed, seed))
    image.save(path)
    return path


def test_a_full_archive_disk_makes_files_wait_not_fail(
    fake_settings: Settings, tmp_path: Path, small_disk: Path
) -> None:
    fake_settings.home = small_disk  # the archive lives there ...
    fake_settings.database_url = f"sqlite:///{tmp_path / 'receiptflow.db'}"  # ... not the db
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [noise_png(inbox / f"big{seed}.png", seed).name for seed in range(6)]
    watcher = plain_watcher(inbox, fake_settings)

    def processed() -> list[str]:
        return sorted(path.name for path in (inbox / "processed").rglob("*.png"))

    with watching(watcher):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            o.code == "disk_full" for o in list(watcher.outcomes)
        ):
            time.sleep(0.05)
        time.sleep(2.0)  # several more attempts on a full disk
        assert 0 < len(processed()) < len(names)
        assert not (inbox / "quarantine").exists(), "nothing quarantined for a full disk"
        leftovers = [p.name for p in (small_disk / "archive").iterdir() if p.is_file()]
        assert leftovers == [], "no half-written original left behind"
        subprocess.run(["mount", "-o", "remount,size=8m", str(small_disk)], check=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and processed() != sorted(names):
            time.sleep(0.1)
    assert processed() == sorted(names)
    assert not [o for o in watcher.outcomes if o.outcome is Outcome.QUARANTINED]
    full = [o for o in watcher.outcomes if o.code == "disk_full"]
    assert full and all("No space left on device" in (o.error or "") for o in full)
    assert store_for(fake_settings).count_receipts() == len(names)


def test_an_archive_folder_that_cannot_be_written_makes_files_wait(
    fake_settings: Settings, tmp_path: Path
) -> None:
    """Every file would fail alike (a configuration error): none is quarantined for it."""
    fake_settings.home.mkdir(parents=True)
    blocker = fake_settings.home / "archive"
    blocker.write_text("a file where the archive folder should be")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = [noise_png(inbox / f"r{seed}.png", seed).name for seed in range(3)]
    watcher = plain_watcher(inbox, fake_settings)
    with watching(watcher):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(watcher.outcomes) < 12:
            time.sleep(0.05)  # several attempts each: more than the 3 a crashing file gets
        assert not (inbox / "quarantine").exists()
        assert {o.code for o in watcher.outcomes} == {"config"}
        blocker.unlink()
        deadline = time.monotonic() + 30
        processed = inbox / "processed"
        while time.monotonic() < deadline and len(list(processed.rglob("*.png"))) < 3:
            time.sleep(0.05)
    assert sorted(path.name for path in processed.rglob("*.png")) == names
