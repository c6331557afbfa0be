"""What ingestion hands to OCR and the extractors: a document of normalised pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image


@dataclass(frozen=True)
class TextLine:
    """One line of text with its box in page pixels (x0, y0, x1, y1), in reading order.

    Produced by OCR engines, by a PDF's digital text layer, or read from a dataset's
    ground-truth boxes."""

    text: str
    box: tuple[float, float, float, float]
    confidence: float = 1.0
    page: int = 0
    # Degrees counter-clockwise the page image was turned to read this line upright (OCR's
    # orientation handling); the review app shows the page turned the same way.
    rotation: int = 0
    # The recogniser's confidence in each character of ``text`` (RapidOCR; the line's
    # ``confidence`` is their mean). A misread digit in a line read surely overall shows up
    # only here. Empty when the source gives none (Tesseract, a PDF's text, dataset boxes).
    char_confidences: tuple[float, ...] = ()

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def center_y(self) -> float:
        return (self.box[1] + self.box[3]) / 2


def page_rotations(lines: list[TextLine]) -> dict[int, int]:
    """Page index -> the turn OCR needed to read it (pages read as they lie are left out)."""
    return {line.page: line.rotation for line in lines if line.rotation}


@dataclass
class Page:
    index: int
    image: Image.Image  # RGB, upright per EXIF; PDF pages rendered at IngestSettings.pdf_dpi
    text_lines: list[TextLine] | None = None  # a PDF's digital text layer, in image pixels
    # degrees counter-clockwise that turn ``image`` upright, once OCR has found out (the
    # OCR lines' boxes are in that upright frame); None: not looked at
    rotation: int | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size


@dataclass
class Document:
    path: Path
    sha256: str  # of the original bytes
    media_type: str  # e.g. image/jpeg, application/pdf
    size_bytes: int
    pages: list[Page] = field(default_factory=list)

    @property
    def has_text_layer(self) -> bool:
        return bool(self.pages) and all(page.text_lines for page in self.pages)
