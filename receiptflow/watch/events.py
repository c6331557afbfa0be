"""watchdog glue: OS events where the platform has them, polling where it does not."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

if TYPE_CHECKING:
    from receiptflow.watch.watcher import InboxWatcher

log = logging.getLogger("receiptflow.watch")


class _InboxEvents(FileSystemEventHandler):
    def __init__(self, watcher: InboxWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            self._handle(event)
        except Exception:  # this thread must live on: the periodic rescan still finds the file
            log.exception("could not handle %s", event)

    def _handle(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("created", "modified", "moved", "closed"):
            return
        target = getattr(event, "dest_path", "") or event.src_path
        if event.is_directory:
            self.watcher.rescan_soon()  # a folder dropped in: look inside it
        else:
            self.watcher.notice(Path(str(target)))


def start_observer(watcher: InboxWatcher, *, polling: bool) -> Any:
    """Start and return a watchdog observer; fall back to polling when events are refused
    (inotify watch limits, some container and network filesystems)."""
    handler = _InboxEvents(watcher)
    kinds: list[Any] = [PollingObserver] if polling else [Observer, PollingObserver]
    for kind in kinds:
        observer = kind(timeout=watcher.options.poll_interval_s)
        try:
            observer.schedule(handler, str(watcher.inbox), recursive=True)
            observer.start()
        except OSError as error:
            log.warning("%s failed (%s); polling instead", kind.__name__, error)
            continue
        log.info("watching %s with %s", watcher.inbox, kind.__name__)
        return observer
    return None  # the periodic rescans still find every file
