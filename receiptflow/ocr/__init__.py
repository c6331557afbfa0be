"""OCR engines behind one protocol. Adding one is one module plus one line here."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from receiptflow.ocr.base import OcrEngine
from receiptflow.registry import load_entry

if TYPE_CHECKING:
    from receiptflow.settings import OcrSettings

OCR_ENGINES: dict[str, str] = {
    "rapidocr": "receiptflow.ocr.rapid:build",
    "tesseract": "receiptflow.ocr.tesseract:build",
}


def get_ocr_engine(settings: OcrSettings) -> OcrEngine:
    factory: Callable[[OcrSettings], OcrEngine] = load_entry(
        "OCR engine", OCR_ENGINES, settings.engine
    )
    return factory(settings)


__all__ = ["OCR_ENGINES", "OcrEngine", "get_ocr_engine"]
