"""The offline default: OCR (or a PDF's text layer) + a rule-based parser. No network, no key."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from receiptflow.errors import ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.extractors.local.lexicon import load_lexicon
from receiptflow.extractors.local.parser import parse_lines
from receiptflow.ingest.document import Document, TextLine
from receiptflow.ocr import OcrEngine, get_ocr_engine
from receiptflow.schemas.flags import has_errors
from receiptflow.schemas.validation import validate_receipt

if TYPE_CHECKING:
    from receiptflow.settings import LocalSettings, OcrSettings, Settings


class LocalExtractor:
    name = "local"

    def __init__(self, ocr_settings: OcrSettings, options: LocalSettings) -> None:
        self._ocr_settings = ocr_settings
        self._options = options
        self._engine: OcrEngine | None = None
        # read now: a word list that cannot be read is a configuration error, not a bad receipt
        self._lexicon = load_lexicon(options.lexicon)

    @property
    def engine(self) -> OcrEngine:
        if self._engine is None:  # built on first use: loading OCR models takes a second
            self._engine = get_ocr_engine(self._ocr_settings)
        return self._engine

    def is_available(self) -> bool:
        return self.engine.is_available()

    def read_lines(self, document: Document) -> list[TextLine]:
        """The document's text lines: its digital text layer where it has one, else OCR."""
        lines: list[TextLine] = []
        for page in document.pages:
            if page.text_lines:
                lines.extend(page.text_lines)
            else:
                lines.extend(self.engine.read(page.image, page=page.index))
        return lines

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult:
        """Text lines -> validated result. Used directly by evaluation on ground-truth boxes."""
        started = time.perf_counter()
        parsed = parse_lines(
            lines,
            default_currency=self._options.default_currency,
            lexicon=self._lexicon,
        )
        flags = validate_receipt(parsed.receipt)
        status = ExtractionStatus.FLAGGED if has_errors(flags) else ExtractionStatus.OK
        return ExtractionResult(
            status=status,
            receipt=parsed.receipt,
            flags=flags,
            confidence=parsed.confidence,
            evidence=parsed.printed,
            method=self.name,
            timings={"parse": time.perf_counter() - started},
        )

    def extract(self, document: Document) -> ExtractionResult:
        started = time.perf_counter()
        try:
            lines = self.read_lines(document)
        except ReceiptflowError as error:
            return ExtractionResult(
                status=ExtractionStatus.FAILED, method=self.name, errors=[str(error)]
            )
        ocr_seconds = time.perf_counter() - started
        result = self.extract_lines(lines)
        result.timings["ocr"] = ocr_seconds
        return result


def build(settings: Settings) -> LocalExtractor:
    return LocalExtractor(settings.ocr, settings.local)
