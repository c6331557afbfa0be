"""OCR lines saved per scan, so a parser change can be re-scored without re-running OCR.

``receiptflow eval --ocr-cache DIR``: the first run reads every scan with the extractor's OCR
and writes ``DIR/<id>.json`` (the lines and the seconds that load + OCR took); later runs parse
those lines again and count the recorded OCR seconds into the per-receipt time. Only
extractors that expose their OCR step (``read_lines`` / ``extract_lines``, like ``local``)
can use it. Each file records the OCR settings' signature (``OcrSettings.signature``: engine,
detector size, orientation); a cache opened with a signature treats a file
read under other settings as missing and reads the scan again, and so is a file of an older
``FORMAT`` (format 2 added each character's confidence).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from receiptflow.errors import ReceiptflowError
from receiptflow.eval.report import Timings
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest.document import Document, TextLine

FORMAT = 2


@runtime_checkable
class LinesExtractor(Protocol):
    def read_lines(self, document: Document) -> list[TextLine]: ...

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult: ...


class OcrCache:
    """``signature`` None reads whatever is cached (what a training step reads right after
    the fill step that checked it); the fill steps and ``eval`` pass the current one."""

    def __init__(self, directory: Path, signature: str | None = None) -> None:
        self.directory = directory
        self.signature = signature

    def _path(self, receipt_id: str) -> Path:
        return self.directory / f"{receipt_id}.json"

    def get(self, receipt_id: str) -> tuple[list[TextLine], float] | None:
        path = self._path(receipt_id)
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if self.signature is not None and (
            data.get("ocr") != self.signature or data.get("format", 1) != FORMAT
        ):
            return None
        lines = [_line(entry) for entry in data["lines"]]
        return lines, float(data["seconds"])

    def put(self, receipt_id: str, lines: list[TextLine], seconds: float) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        data = {
            "ocr": self.signature,
            "format": FORMAT,
            "seconds": seconds,
            "lines": [
                [line.text, list(line.box), line.confidence, line.page, line.char_confidences]
                for line in lines
            ],
        }
        self._path(receipt_id).write_text(json.dumps(data), encoding="utf-8")


def _line(entry: list[Any]) -> TextLine:
    text, box, confidence, page, *rest = entry  # format 1 had no character confidences
    chars = tuple(rest[0]) if rest else ()
    corners = (box[0], box[1], box[2], box[3])
    return TextLine(text, corners, confidence, page, char_confidences=chars)


def extract_cached(
    receipt_id: str,
    load: Callable[[], Document],
    cache: OcrCache,
    steps: LinesExtractor,
) -> tuple[ExtractionResult, float]:
    """Parse the cached OCR lines of a scan (returning the OCR seconds recorded for them), or
    OCR the scan now (``load`` reads it) and cache its lines."""
    found = cache.get(receipt_id)
    if found is not None:
        lines, seconds = found
        return steps.extract_lines(lines), seconds
    started = time.perf_counter()
    lines = steps.read_lines(load())
    cache.put(receipt_id, lines, time.perf_counter() - started)
    return steps.extract_lines(lines), 0.0


def extract_timed(
    receipt_id: str,
    load: Callable[[], Document],
    extract: Callable[[Document], ExtractionResult],
    ocr_cache: tuple[OcrCache, LinesExtractor] | None,
) -> tuple[ExtractionResult, float]:
    """One receipt's result and its seconds (counting the OCR seconds recorded with cached
    lines); a receipt that cannot be read or extracted becomes a failed result."""
    started = time.perf_counter()
    earlier = 0.0
    try:
        if ocr_cache is None:
            result = extract(load())
        else:
            result, earlier = extract_cached(receipt_id, load, *ocr_cache)
    except ReceiptflowError as error:
        result = ExtractionResult(
            status=ExtractionStatus.FAILED, method="eval", errors=[str(error)]
        )
    return result, time.perf_counter() - started + earlier


class DocumentSample(Protocol):
    @property
    def receipt_id(self) -> str: ...


SampleT = TypeVar("SampleT", bound=DocumentSample, contravariant=True)


class DocumentReport(Protocol[SampleT]):
    """What ``score_documents`` fills: a report with timings, failures and a scorer."""

    @property
    def timings(self) -> Timings: ...

    @property
    def failed(self) -> list[str]: ...

    def score(self, sample: SampleT, result: ExtractionResult) -> None: ...


def score_documents(
    report: DocumentReport[SampleT],
    samples: Iterable[tuple[SampleT, Path]],
    extract: Callable[[Document], ExtractionResult],
    load_document: Callable[[Path], Document],
    ocr_cache: tuple[OcrCache, LinesExtractor] | None,
) -> None:
    """Extract every (sample, file) (from cached OCR lines when given) and score it."""
    for sample, path in samples:
        load = partial(load_document, path)
        result, seconds = extract_timed(sample.receipt_id, load, extract, ocr_cache)
        report.timings.seconds.append(seconds)
        if result.status is ExtractionStatus.FAILED:
            report.failed.append(sample.receipt_id)
        report.score(sample, result)
