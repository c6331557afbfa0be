"""Where a file goes once it has been dealt with: ``processed/<date>/`` or ``quarantine/``.

A quarantined file gets ``<name>.error.json`` beside it saying which stage failed and why.
Nothing is ever deleted: a name already taken gets a ``-1``, ``-2`` ... suffix.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from receiptflow.flows.core import FileOutcome, Outcome, Steps, failed_outcome, process_file

if TYPE_CHECKING:
    from receiptflow.settings import Settings

ERROR_SUFFIX = ".error.json"
_naming_lock = threading.Lock()  # picking a free name and taking it is one step


@dataclass(frozen=True)
class Destinations:
    processed: Path
    quarantine: Path

    @classmethod
    def for_inbox(cls, inbox: Path, settings: Settings) -> Destinations:
        return cls(
            processed=settings.watch.processed or inbox / "processed",
            quarantine=settings.watch.quarantine or inbox / "quarantine",
        )

    def contains(self, path: Path) -> bool:
        """True for files already routed (the inbox scan must not take them again)."""
        resolved = _where(path)
        return any(resolved.is_relative_to(folder.resolve()) for folder in self.folders())

    def folders(self) -> tuple[Path, Path]:
        return (self.processed, self.quarantine)


def route(
    outcome: FileOutcome,
    destinations: Destinations,
    *,
    move: bool = True,
    today: dt.date | None = None,
) -> Path | None:
    """Move (or, with ``move=False``, copy only quarantined files) to where it belongs.

    Returns the new path, or None when the file stays where it is (a failure to retry)."""
    if outcome.outcome is Outcome.FAILED:
        return None
    if outcome.outcome is Outcome.QUARANTINED:
        target = _place(outcome.path, destinations.quarantine, move=move)
        _write_error(target, outcome)
    elif move:
        day = (today or dt.date.today()).isoformat()
        target = _place(outcome.path, destinations.processed / day, move=True)
    else:
        return None
    outcome.destination = target
    return target


def process_and_route(
    path: Path,
    steps: Steps,
    destinations: Destinations | None = None,
    *,
    move: bool = True,
) -> FileOutcome:
    """One file end to end; never raises. A failure that retries did not cure is returned as
    FAILED (code ``transient`` or ``unexpected``) and the file is left where it is."""
    try:
        outcome = process_file(path, steps)
    except Exception as error:  # the caller decides when to try again; nothing is lost
        outcome = failed_outcome(path, error)
    if destinations is not None:
        route(outcome, destinations, move=move)
    return outcome


def error_report(outcome: FileOutcome) -> dict[str, Any]:
    return {
        "file": outcome.path.name,
        "original_path": str(outcome.path),
        "sha256": outcome.sha256,
        "document_id": outcome.document_id,
        "stage": outcome.stage,
        "code": outcome.code,
        "error": outcome.error,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _place(source: Path, folder: Path, *, move: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with _naming_lock:
        target = _free_name(folder, source.name)
        if move:
            shutil.move(source, target)
        else:
            shutil.copy2(source, target)
    return target


def _where(path: Path) -> Path:
    """Where a file lives: its folder resolved plus its own name. Not where a symlink points:
    a quarantined link to /dev/zero is in quarantine, and a loop cannot be resolved at all."""
    return path.parent.resolve() / path.name


def _free_name(folder: Path, name: str) -> Path:
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate = folder / name
    counter = 0
    # lexists: a dangling or looping symlink of that name is still there to be overwritten
    while os.path.lexists(candidate) or os.path.lexists(_error_path(candidate)):
        counter += 1
        candidate = folder / f"{stem}-{counter}{suffix}"
    return candidate


def _error_path(target: Path) -> Path:
    return target.with_name(target.name + ERROR_SUFFIX)


def _write_error(target: Path, outcome: FileOutcome) -> None:
    report = _error_path(target)
    partial = report.with_name(f".{report.name}.tmp")
    partial.write_text(json.dumps(error_report(outcome), indent=2) + "\n", encoding="utf-8")
    partial.replace(report)  # readers never see half a report
