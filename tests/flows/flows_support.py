"""A cheap, deterministic extractor registered only in these tests, and receipt files.

The fake reads the picture's top-left pixel: red means "flag this receipt"; the total and
the shop name come from the file's sha256, so every distinct file is a distinct receipt.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from PIL import Image

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.flows.core import FileOutcome, TransientError
from receiptflow.flows.routing import Destinations, process_and_route
from receiptflow.flows.steps import PlainSteps
from receiptflow.ingest.document import Document
from receiptflow.schemas.flags import Flag
from receiptflow.schemas.receipt import Merchant, Receipt
from receiptflow.settings import Settings
from receiptflow.watch.watcher import InboxWatcher

RED = (230, 10, 10)


class FakeExtractor:
    name = "fake"
    uses_llm = False
    calls: Counter[str] = Counter()  # sha256 -> extractions, shared by every instance
    failures_left: dict[str, int] = {}  # sha256 -> transient failures still to raise
    crash_on: set[str] = set()  # sha256 of files whose extraction raises a bug
    threads: set[str] = set()  # names of the threads extractions ran on
    _lock = threading.Lock()

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def is_available(self) -> bool:
        return True

    def extract(self, document: Document) -> ExtractionResult:
        with self._lock:
            self.calls[document.sha256] += 1
            self.threads.add(threading.current_thread().name)
            left = self.failures_left.get(document.sha256, 0)
            if left:
                self.failures_left[document.sha256] = left - 1
        if left:
            raise TransientError("provider unreachable (scripted)")
        if document.sha256 in self.crash_on:
            raise RuntimeError("extractor bug (scripted)")
        pixel = document.pages[0].image.getpixel((0, 0))
        receipt = Receipt(
            merchant=Merchant(name=f"Shop {document.sha256[:8]}"),
            date=dt.date(2024, 5, 17),
            currency="USD",
            total=Decimal(int(document.sha256[:6], 16) % 100_000) / 100,
        )
        if pixel == RED:
            flag = Flag(code="sum_mismatch", field="total", message="scripted flag")
            return ExtractionResult(
                status=ExtractionStatus.FLAGGED, receipt=receipt, flags=[flag], method=self.name
            )
        return ExtractionResult(status=ExtractionStatus.OK, receipt=receipt, method=self.name)


class LlmFakeExtractor(FakeExtractor):
    """Says it calls an LLM, so its extractions take a slot of the shared limit."""

    name = "fake-llm"
    uses_llm = True
    in_flight = 0
    most_in_flight = 0

    def extract(self, document: Document) -> ExtractionResult:
        cls = type(self)
        with self._lock:
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        try:
            import time

            time.sleep(0.2)
            return super().extract(document)
        finally:
            with self._lock:
                cls.in_flight -= 1


def build_fake(settings: Settings) -> FakeExtractor:
    return FakeExtractor(settings)


def build_llm_fake(settings: Settings) -> LlmFakeExtractor:
    return LlmFakeExtractor(settings)


def receipt_png(seed: int, *, flagged: bool = False) -> bytes:
    """A small distinct picture per seed (the seed is written into the pixels)."""
    image = Image.new("RGB", (64, 48), RED if flagged else (250, 250, 250))
    for bit in range(32):
        if seed >> bit & 1:
            image.putpixel((8 + bit, 20), (0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def write_receipt(folder: Path, name: str, seed: int, *, flagged: bool = False) -> Path:
    path = folder / name
    path.write_bytes(receipt_png(seed, flagged=flagged))
    return path


CORRUPT = b"\xff\xd8\xff\xe0 this is not really a JPEG" + bytes(range(256))


def plain_watcher(inbox: Path, settings: Settings) -> InboxWatcher:
    """A watcher whose files go through the plain steps (no Prefect server): quick to start."""
    destinations = Destinations.for_inbox(inbox, settings)
    steps = PlainSteps(settings, source="watcher")

    def process(path: Path) -> FileOutcome:
        return process_and_route(path, steps, destinations)

    return InboxWatcher(inbox, settings, process=process, destinations=destinations)


@contextmanager
def watching(watcher: InboxWatcher) -> Iterator[threading.Thread]:
    """The watcher running on a thread until the block ends."""
    stop = threading.Event()
    runner = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    runner.start()
    try:
        yield runner
    finally:
        stop.set()
        runner.join(timeout=30)
