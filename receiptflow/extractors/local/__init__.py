"""The offline default: OCR (or a PDF's text layer) + a rule-based parser. No network, no key."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from receiptflow.errors import ConfigError, ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.extractors.local.dates import weekday_flags
from receiptflow.extractors.local.lexicon import load_lexicon
from receiptflow.extractors.local.parser import ParsedReceipt, parse_lines
from receiptflow.extractors.local.roles import role_model
from receiptflow.ingest.document import Document, TextLine, page_rotations
from receiptflow.ocr import OCR_ENGINES, OcrEngine, get_ocr_engine
from receiptflow.ocr.orientation import read_page_upright
from receiptflow.schemas.flags import Flag, has_errors
from receiptflow.schemas.validation import validate_receipt
from receiptflow.settings import TrustSettings
from receiptflow.trust import apply_trust
from receiptflow.trust.calibrator import CONTRADICTIONS, local_calibrator
from receiptflow.trust.local_signals import Reading, local_signals

if TYPE_CHECKING:
    from receiptflow.settings import LocalSettings, OcrSettings, Settings


@dataclass
class Assessment:
    """A parse, its validation flags and the calibrator's signals, before any probability."""

    parsed: ParsedReceipt
    flags: list[Flag]
    signals: dict[str, np.ndarray]

    @property
    def contradicted(self) -> frozenset[str]:
        """The fields something else printed on the receipt says are wrong (the day of the
        week beside the date): their probability is capped (``trust.calibrator.capped``)."""
        return frozenset(
            flag.field for flag in self.flags if flag.code in CONTRADICTIONS and flag.field
        )

    @property
    def present(self) -> set[str]:
        """The key fields that have a value."""
        receipt = self.parsed.receipt
        values = {
            "merchant.name": receipt.merchant.name,
            "date": receipt.date,
            "total": receipt.total,
            "subtotal": receipt.subtotal,
            "taxes": receipt.taxes,
            "line_items": receipt.line_items,
        }
        return {name for name, value in values.items() if value not in (None, "", [])}


class LocalExtractor:
    name = "local"

    def __init__(
        self,
        ocr_settings: OcrSettings,
        options: LocalSettings,
        trust: TrustSettings | None = None,
        *,
        check_models: bool = True,
    ) -> None:
        """``check_models=False`` skips loading the shipped models up front: for the
        training script, which writes them (``assess`` needs no calibrator)."""
        self._ocr_settings = ocr_settings
        self._options = options
        self._trust = trust or TrustSettings()
        self._engine: OcrEngine | None = None
        if ocr_settings.engine not in OCR_ENGINES:  # even if every document has a text layer
            known = ", ".join(sorted(OCR_ENGINES))
            raise ConfigError(
                f"RECEIPTFLOW_OCR__ENGINE: unknown OCR engine {ocr_settings.engine!r}; "
                f"choose one of: {known}"
            )
        # read now: a word list or model that cannot be read is a configuration error, not a
        # bad receipt
        self._lexicon = load_lexicon(options.lexicon)
        if check_models:
            role_model(options.role_model)
            local_calibrator(options.calibrator)

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
                reading = read_page_upright(self.engine, page.image, page.index)
                page.rotation = reading.rotation  # the vision stage sends the page upright
                lines.extend(reading.lines)
        return lines

    def assess(self, lines: list[TextLine]) -> Assessment:
        """Parse and validate text lines and gather the calibrator's signals."""
        parsed = parse_lines(
            lines,
            default_currency=self._options.default_currency,
            lexicon=self._lexicon,
            role_model=self._options.role_model,
        )
        flags = [*validate_receipt(parsed.receipt), *weekday_flags(parsed.when)]
        reading = Reading(
            parsed.rows,
            parsed.chosen,
            parsed.row_features,
            parsed.receipt,
            flags,
            parsed.confidence,
            parsed.printed,
            parsed.roles,
            order_certainty=parsed.when.order_certainty,
            date_repaired=parsed.when.repaired,
        )
        return Assessment(parsed, flags, local_signals(reading))

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult:
        """Text lines -> validated result with calibrated probabilities, ``ok`` only when
        every key field clears its threshold. Used directly on ground-truth boxes."""
        started = time.perf_counter()
        assessment = self.assess(lines)
        parsed = assessment.parsed
        calibrator = local_calibrator(self._options.calibrator)
        probabilities = calibrator.probabilities(
            assessment.signals, assessment.present, assessment.contradicted
        )
        flags = assessment.flags
        status = ExtractionStatus.FLAGGED if has_errors(flags) else ExtractionStatus.OK
        result = ExtractionResult(
            status=status,
            receipt=parsed.receipt,
            flags=flags,
            confidence=parsed.confidence | probabilities,
            evidence=parsed.printed,
            method=self.name,
            timings={"parse": time.perf_counter() - started},
        )
        return apply_trust(result, self._trust)

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
        result.page_rotations = page_rotations(lines)
        return result


def build(settings: Settings) -> LocalExtractor:
    return LocalExtractor(settings.ocr, settings.local, settings.trust)
