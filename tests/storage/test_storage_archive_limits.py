"""Only regular files within the size limit reach the archive; the rest is refused unread."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from receiptflow.errors import ConfigError, IngestError
from receiptflow.settings import Settings
from receiptflow.storage import Store
from receiptflow.storage.records import StorageError

pytestmark = pytest.mark.timeout(60)  # opening a FIFO for reading would hang: fail instead

CAP = 100


@pytest.fixture
def small_store(tmp_path: Path) -> Iterator[Store]:
    with Store(
        f"sqlite:///{tmp_path / 'receiptflow.db'}", tmp_path / "archive", max_file_bytes=CAP
    ) as opened:
        opened.migrate()
        yield opened


def _archived(tmp_path: Path) -> list[Path]:
    return [path for path in (tmp_path / "archive").rglob("*") if path.is_file()]


def _refused(store: Store, path: Path) -> IngestError:
    with pytest.raises(IngestError) as caught:
        store.save_input(path, source="cli")
    assert str(path) in str(caught.value)
    return caught.value


def test_a_fifo_is_refused_without_being_opened(small_store: Store, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert _refused(small_store, fifo).code == "not_a_file"
    assert _archived(tmp_path) == []


def test_a_device_is_refused(small_store: Store, tmp_path: Path) -> None:
    assert _refused(small_store, Path("/dev/zero")).code == "not_a_file"
    assert _archived(tmp_path) == []


def test_a_file_over_the_limit_is_refused_before_copying(
    small_store: Store, tmp_path: Path
) -> None:
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff\xd8\xff" + b"x" * (CAP - 2))
    error = _refused(small_store, big)
    assert error.code == "too_large" and f"{CAP:,}" in error.reason
    assert _archived(tmp_path) == []
    big.write_bytes(big.read_bytes()[:CAP])
    assert small_store.save_input(big, source="cli").size_bytes == CAP


def test_a_symlink_loop_is_refused(small_store: Store, tmp_path: Path) -> None:
    loop = tmp_path / "loop.jpg"
    loop.symlink_to(loop)
    assert "symbolic links" in _refused(small_store, loop).reason


def test_a_stream_over_the_limit_leaves_nothing_behind(small_store: Store, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="more than 100 bytes"):
        small_store.archive.store_stream(io.BytesIO(b"x" * (CAP + 1)), "upload.jpg")
    assert _archived(tmp_path) == []


def test_the_limit_comes_from_the_ingest_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECEIPTFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("RECEIPTFLOW_INGEST__MAX_BYTES", "10")
    with Store.from_settings(Settings()) as store:
        assert store.archive.max_bytes == 10


def test_an_archive_folder_that_cannot_be_made_is_a_configuration_error(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    with Store(f"sqlite:///{tmp_path / 'db.sqlite'}", blocked / "archive") as store:
        store.migrate()
        with pytest.raises(ConfigError, match=f"{blocked / 'archive'}.*RECEIPTFLOW_HOME"):
            store.save_input_bytes(b"\xff\xd8\xff receipt", "r.jpg", source="cli")
