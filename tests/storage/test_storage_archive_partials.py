"""A copy into the archive cut short by kill -9 leaves a temporary file; opening the store
later removes it once it is old enough not to be another writer's copy in progress."""

from __future__ import annotations

import os
import time
from pathlib import Path

from receiptflow.storage import Store
from receiptflow.storage.archive import PARTIAL_MAX_AGE_S


def test_abandoned_partial_copies_are_swept_when_the_store_opens(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    abandoned = archive / ".incoming-abc123"
    abandoned.write_bytes(b"half a receipt")
    long_ago = time.time() - PARTIAL_MAX_AGE_S - 60
    os.utime(abandoned, (long_ago, long_ago))
    in_progress = archive / ".incoming-def456"  # another process copying right now
    in_progress.write_bytes(b"a receipt being written")
    kept = archive / "ab" / "ab12.jpg"
    kept.parent.mkdir()
    kept.write_bytes(b"an original")
    os.utime(kept, (long_ago, long_ago))
    with Store(f"sqlite:///{tmp_path / 'receiptflow.db'}", archive):
        pass
    assert not abandoned.exists()
    assert in_progress.exists() and kept.exists()
