"""Which files a list of command-line paths means."""

from __future__ import annotations

from pathlib import Path

from receiptflow.ingest.detect import SUPPORTED_SUFFIXES

# Partial downloads, editor and office lock files: a folder scan must not pick them up half
# written. Hidden files (".DS_Store", "._x.jpg" AppleDouble forks) are skipped separately.
_TEMPORARY_SUFFIXES = frozenset({".part", ".partial", ".tmp", ".temp", ".crdownload", ".download"})
_TEMPORARY_PREFIXES = ("~$", ".~lock")


def iter_input_files(paths: list[Path]) -> list[Path]:
    """Folders expand recursively (sorted, supported suffixes only, no hidden or temporary
    files); explicit files are kept as given, whatever their suffix, so that load_document
    can say what is wrong with them. Each file appears once, in first-mentioned order."""
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        candidates = _scan_folder(given) if given.is_dir() else [given]
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


def _inside_hidden_folder(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts[:-1])


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()
