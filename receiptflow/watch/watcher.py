"""``receiptflow watch INBOX``: take each receipt dropped into a folder, exactly once.

Files are noticed by watchdog events (or watchdog's polling observer on network shares,
where no events arrive), by a scan at start-up and by a rescan now and then in case an event
was missed. A file is taken once it is stable, processed as one Prefect flow run, and moved
to ``processed/<date>/`` or ``quarantine/`` (with ``<name>.error.json``). A file that fails
for a transient reason (database down, provider unreachable) stays in the inbox and is tried
again later, with growing pauses; nothing is lost.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from receiptflow.flows.core import NOT_THE_FILES_FAULT, FileOutcome, Outcome, failed_outcome
from receiptflow.flows.routing import Destinations, route
from receiptflow.flows.steps import forget_store
from receiptflow.watch.inbox import is_waiting_receipt, scan_inbox
from receiptflow.watch.stability import StabilityTracker

if TYPE_CHECKING:
    from receiptflow.settings import Settings

Processor = Callable[[Path], FileOutcome]

log = logging.getLogger("receiptflow.watch")
RESCAN_SECONDS = 15.0  # a full look at the inbox, in case an event was missed
MAX_UNEXPECTED = 3  # attempts for a file whose processing crashed before it is quarantined
MAX_RETRY_PAUSE = 600.0


def flow_processor(settings: Settings, destinations: Destinations) -> Processor:
    """Each file as one ``process-document`` flow run (visible in the Prefect UI)."""
    from receiptflow.flows.documents import FileNotProcessed, outcome_of, process_document

    def process(path: Path) -> FileOutcome:
        try:
            state = process_document(
                str(path),
                settings=settings,
                source="watcher",
                destinations=destinations,
                return_state=True,
            )
            result = state.result(raise_on_failure=False)
        except Exception as error:  # Prefect's own API unreachable: try again later
            result = error
        if isinstance(result, FileNotProcessed):
            return result.outcome
        if isinstance(result, FileOutcome):
            return result
        return outcome_of(path, result)

    return process


LLM_EXTRACTORS = ("openai", "nemo", "cascade")  # they spend their time waiting on a server


def worker_count(settings: Settings) -> int:
    """Files processed at once: as set, else enough to keep the LLM requests in flight."""
    if settings.watch.workers is not None:
        return max(1, settings.watch.workers)
    return settings.llm.max_in_flight if settings.extractor in LLM_EXTRACTORS else 2


class InboxWatcher:
    def __init__(
        self,
        inbox: Path,
        settings: Settings,
        *,
        process: Processor | None = None,
        destinations: Destinations | None = None,
    ) -> None:
        self.inbox = inbox.resolve()
        self.settings = settings
        self.options = settings.watch
        self.destinations = destinations or Destinations.for_inbox(self.inbox, settings)
        self.process = process or flow_processor(settings, self.destinations)
        self.tracker = StabilityTracker(self.options.stable_seconds)
        self.outcomes: deque[FileOutcome] = deque(maxlen=100_000)  # recent, for reports
        self._lock = threading.Lock()
        self._candidates: set[Path] = set()
        self._in_flight: set[Path] = set()
        self._retry_at: dict[Path, float] = {}
        self._failures: Counter[Path] = Counter()
        self._next_scan = 0.0
        self._pool = ThreadPoolExecutor(worker_count(settings), "receiptflow-watch")
        self.stopped = threading.Event()

    # -- noticing files -------------------------------------------------------------------

    def notice(self, path: Path) -> None:
        """An event says this file appeared or changed (called from watchdog's thread)."""
        if is_waiting_receipt(path, self.inbox, self.destinations):
            with self._lock:
                self._candidates.add(path)

    def rescan_soon(self) -> None:
        self._next_scan = 0.0

    def _scan_if_due(self, now: float) -> None:
        if now < self._next_scan:
            return
        self._next_scan = now + RESCAN_SECONDS
        found = scan_inbox(self.inbox, self.destinations)
        with self._lock:
            self._candidates.update(found)

    # -- the loop -------------------------------------------------------------------------

    def tick(self) -> None:
        """One look: stat the candidates and hand the stable ones to a worker."""
        now = time.monotonic()
        self._scan_if_due(now)
        with self._lock:
            waiting = [
                path
                for path in self._candidates
                if path not in self._in_flight and self._retry_at.get(path, 0.0) <= now
            ]
        for path in waiting:
            if self.tracker.check(path):
                with self._lock:
                    self._in_flight.add(path)
                self._pool.submit(self._take, path)
            elif path not in self.tracker:  # vanished before it settled
                with self._lock:
                    self._candidates.discard(path)

    def idle(self) -> bool:
        with self._lock:
            return not self._candidates and not self._in_flight

    def run(self, stop: threading.Event | None = None) -> None:
        """Watch until ``stop`` is set (or Ctrl-C); finishes the files already taken."""
        stop = stop or threading.Event()
        observer = self._start_observer()
        try:
            while not stop.is_set():
                try:
                    self.tick()
                except Exception:  # one odd file must not end the watch; log it and go on
                    log.exception("error while looking at the inbox")
                stop.wait(self.options.poll_interval_s)
        except KeyboardInterrupt:
            log.info("stopping: finishing the files already taken")
        finally:
            if observer is not None:
                observer.stop()
                observer.join(timeout=5)
            self._pool.shutdown(wait=True)
            self.stopped.set()

    def _start_observer(self) -> Any:
        from receiptflow.watch.events import start_observer

        self.inbox.mkdir(parents=True, exist_ok=True)
        return start_observer(self, polling=self.options.polling)

    # -- one file -------------------------------------------------------------------------

    def _take(self, path: Path) -> None:
        try:
            outcome = self.process(path)
        except Exception as error:  # a processor bug must not kill the worker thread
            outcome = failed_outcome(path, error)
        self._settle(path, outcome)

    def _settle(self, path: Path, outcome: FileOutcome) -> None:
        retry = outcome.outcome is Outcome.FAILED and path.exists()
        if outcome.stage == "database":
            # The next attempt opens the database afresh and migrates it: tables dropped or a
            # database recreated empty are made again instead of failing every file.
            forget_store(self.settings)
        if retry and outcome.code not in NOT_THE_FILES_FAULT:
            self._failures[path] += 1
            if self._failures[path] >= MAX_UNEXPECTED:
                self._give_up(outcome)
                retry = False
        with self._lock:
            self._in_flight.discard(path)
            self.outcomes.append(outcome)
            if retry:
                self._retry_at[path] = time.monotonic() + self._pause(path, outcome)
            else:
                self._candidates.discard(path)
                self._retry_at.pop(path, None)
                self._failures.pop(path, None)
                self.tracker.forget(path)
        _log_outcome(outcome, retry)

    def _pause(self, path: Path, outcome: FileOutcome) -> float:
        attempts = sum(1 for seen in self.outcomes if seen.path == path)
        return min(self.options.retry_after_s * 2.0 ** max(0, attempts - 1), MAX_RETRY_PAUSE)

    def _give_up(self, outcome: FileOutcome) -> None:
        outcome.outcome = Outcome.QUARANTINED
        outcome.stage = outcome.stage or "process"
        try:
            route(outcome, self.destinations)
        except OSError as error:
            log.error("could not quarantine %s: %s", outcome.path, error)


def _log_outcome(outcome: FileOutcome, retry: bool) -> None:
    name = outcome.path.name
    if outcome.outcome is Outcome.FAILED:
        then = "will try again" if retry else "left in the inbox"
        log.warning("%s: %s (%s)", name, outcome.error, then)
    elif outcome.outcome is Outcome.QUARANTINED:
        log.warning("%s: quarantined at %s: %s", name, outcome.stage, outcome.error)
    elif outcome.outcome is Outcome.DUPLICATE:
        log.info("%s: already stored as document %s", name, outcome.document_id)
    else:
        log.info("%s: %s -> %s", name, outcome.outcome.value, outcome.destination)
