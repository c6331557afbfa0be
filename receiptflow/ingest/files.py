"""Which files a list of command-line paths means, and how one of them is opened safely."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from receiptflow.errors import IngestError
from receiptflow.ingest.detect import SUPPORTED_SUFFIXES

# Partial downloads, editor and office lock files: a folder scan must not pick them up half
# written. Hidden files (".DS_Store", "._x.jpg" AppleDouble forks) are skipped separately.
_TEMPORARY_SUFFIXES = frozenset({".part", ".partial", ".tmp", ".temp", ".crdownload", ".download"})
_TEMPORARY_PREFIXES = ("~$", ".~lock")

_T = TypeVar("_T")


def iter_input_files(paths: list[Path]) -> list[Path]:
    """Folders expand recursively (sorted, supported suffixes only, no hidden or temporary
    files); explicit files are kept as given, whatever their suffix, so that load_document
    can say what is wrong with them. Each file appears once, in first-mentioned order."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        # A path that cannot even be looked at (a symlink loop, a folder we may not enter)
        # is kept as a file: opening it then names the problem for that path alone.
        candidates = _scan_folder(given) if _is_folder(given) else [given]
        for candidate in candidates:
            key = _identity(candidate)
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def is_candidate_name(name: str) -> bool:
    """A file name a folder scan (or a folder watcher) should take."""
    lowered = name.lower()
    if lowered.startswith(".") or lowered.startswith(_TEMPORARY_PREFIXES):
        return False
    suffix = Path(lowered).suffix
    return suffix in SUPPORTED_SUFFIXES and suffix not in _TEMPORARY_SUFFIXES


def _scan_folder(folder: Path) -> list[Path]:
    # rglob does not follow symlinked folders, so a link loop cannot make this endless.
    return sorted(
        candidate
        for candidate in folder.rglob("*")
        if candidate.is_file()
        and is_candidate_name(candidate.name)
        and not _inside_hidden_folder(candidate.relative_to(folder))
    )


def _is_folder(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError:
        return False


def _inside_hidden_folder(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts[:-1])


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # Python 3.11 reports a symlink loop as RuntimeError
        return path.absolute()


def open_regular_file(path: Path, max_bytes: int) -> BinaryIO:
    """The file opened for reading, once it is known to be a non-empty regular file of at
    most ``max_bytes`` (symlinks followed). Anything else is an IngestError before a byte is
    read: opening a FIFO blocks forever and a device such as /dev/zero never ends.

    Readers should still read at most ``max_bytes + 1`` bytes: a file can grow after this."""
    path = Path(path)
    info = _os_call(path, path.stat)
    _check_regular(path, info)
    check_size(path, info.st_size, max_bytes)
    # O_NONBLOCK: should the path be swapped for a FIFO after stat(), open() does not hang;
    # fstat() of what was opened is the check that counts.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    descriptor = _os_call(path, lambda: os.open(path, flags))
    try:
        info = _os_call(path, lambda: os.fstat(descriptor))
        _check_regular(path, info)
        check_size(path, info.st_size, max_bytes)
        os.set_blocking(descriptor, True)
    except BaseException:
        os.close(descriptor)
        raise
    return os.fdopen(descriptor, "rb")


def check_size(path: Path, size: int, max_bytes: int) -> None:
    if size == 0:
        raise IngestError(path, "file is empty (0 bytes)", code="empty")
    if size > max_bytes:
        raise IngestError(
            path,
            f"file is {size:,} bytes, over the limit of {max_bytes:,} "
            "(IngestSettings.max_bytes, RECEIPTFLOW_INGEST__MAX_BYTES)",
            code="too_large",
        )


def _os_call(path: Path, call: Callable[[], _T]) -> _T:
    try:
        return call()
    except FileNotFoundError as exc:
        raise IngestError(path, "file does not exist", code="not_found") from exc
    except OSError as exc:
        raise IngestError(path, f"cannot be read: {exc.strerror or exc}") from exc


def _check_regular(path: Path, info: os.stat_result) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(path, "is a folder, not a file", code="not_a_file")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(
            path, "is not a regular file (a pipe, a socket or a device?)", code="not_a_file"
        )
