"""Fault injection: the watcher and ``extract --save`` while things break (kill -9, the
database dropped, a full disk, a flood of files). Bounded: the whole folder runs in CI in a
few minutes, with the fake extractor of tests/flows (no OCR, no network)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
for _helpers in (TESTS / "flows", TESTS / "storage"):
    if str(_helpers) not in sys.path:
        sys.path.insert(0, str(_helpers))

from flows_support import FakeExtractor  # noqa: E402

from receiptflow.extractors import EXTRACTORS  # noqa: E402
from receiptflow.flows.steps import forget_resources  # noqa: E402
from receiptflow.settings import Settings, WatchSettings  # noqa: E402


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.faults)


@pytest.fixture
def fake_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The fake extractor, quick stability and retries, a home of this test's own."""
    monkeypatch.setitem(EXTRACTORS, "fake", "flows_support:build_fake")
    FakeExtractor.calls.clear()
    FakeExtractor.failures_left.clear()
    FakeExtractor.crash_on.clear()
    forget_resources()
    yield Settings(
        home=tmp_path / "home",
        extractor="fake",
        watch=WatchSettings(stable_seconds=0.2, poll_interval_s=0.05, retry_after_s=0.2),
    )
    forget_resources()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MB filesystem (tmpfs): writes beyond it fail with ENOSPC, as on a full disk."""
    mountpoint = tmp_path / "small-disk"
    mountpoint.mkdir()
    if os.geteuid() != 0:
        pytest.fail("mounting a tmpfs needs root (run this suite as root, as CI does)")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mountpoint)], check=True)
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
