"""The OCR contract: an engine reads one upright-or-not page image into TextLines."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PIL import Image

from receiptflow.ingest.document import TextLine


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def is_available(self) -> bool:
        """True when the engine's runtime (binary, model files) is installed here."""
        ...

    def read(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """Lines with boxes (image pixels) and confidences 0..1, in reading order."""
        ...
