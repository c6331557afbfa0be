"""Which files in an inbox are receipts waiting to be taken."""

from __future__ import annotations

from pathlib import Path

from receiptflow.flows.routing import ERROR_SUFFIX, Destinations
from receiptflow.ingest import is_candidate_name


def is_waiting_receipt(path: Path, inbox: Path, destinations: Destinations) -> bool:
    """A receipt to take: a supported, non-hidden, non-temporary file, not already routed."""
    if not is_candidate_name(path.name) or path.name.endswith(ERROR_SUFFIX):
        return False
    try:
        relative = path.relative_to(inbox)
    except ValueError:
        return False
    if any(part.startswith(".") for part in relative.parts[:-1]):
        return False
    return not destinations.contains(path)


def scan_inbox(inbox: Path, destinations: Destinations) -> list[Path]:
    """Every waiting receipt under the inbox, oldest first (mtime, then name)."""
    found: list[tuple[int, str, Path]] = []
    routed = [folder.resolve() for folder in destinations.folders()]
    for path in _walk(inbox, routed):
        if is_waiting_receipt(path, inbox, destinations):
            try:
                found.append((path.lstat().st_mtime_ns, path.name, path))
            except FileNotFoundError:
                continue  # taken or removed while we looked
    return [path for _mtime, _name, path in sorted(found)]


def _walk(folder: Path, routed: list[Path]) -> list[Path]:
    files: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except FileNotFoundError:
        return files
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            if entry.resolve() not in routed and not entry.name.startswith("."):
                files.extend(_walk(entry, routed))
        elif not entry.is_dir():
            # Pipes, devices and symlink loops too: taking them gets them quarantined with
            # the reason (they are refused before being opened), rather than left unexplained.
            files.append(entry)
    return files
