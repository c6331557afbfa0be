"""Turn sideways and upside-down pages upright without a classifier on every page.

One ordinary OCR pass runs first. Only when its result looks wrong is the page re-read rotated:
- sideways: most text boxes are taller than wide (text lines run vertically), so the page is
  re-read turned 90° and, if that is still not confident, 270°;
- upside down: recognition confidence is low, so the page is re-read turned 180° and the
  rotation is kept only when it is clearly more confident;
- engines whose boxes do not show sideways text (Tesseract reads vertical text as short wide
  garbage lines) pass ``quarter_turns=True``: a page still unsure after 180° is re-read at 90°
  and 270° as well.
An upright, legible page therefore costs exactly one pass.

Boxes of the returned lines are in the pixels of the *upright* image, i.e. the input image
rotated counter-clockwise by ``UprightRead.rotation`` degrees (``upright_image`` builds it).
That is the frame the row grouping of the local extractor needs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from PIL import Image

from receiptflow.ingest.document import TextLine

if TYPE_CHECKING:
    from receiptflow.ocr.base import OcrEngine

PassReader = Callable[[Image.Image], list[TextLine]]

_TRANSPOSE = {
    90: Image.Transpose.ROTATE_90,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_270,
}
# A box counts as vertical text when clearly taller than wide; a page is sideways when most
# multi-character boxes are (single characters are often taller than wide on any page).
_TALL_RATIO = 1.5
_SIDEWAYS_SHARE = 0.5
_MIN_BOXES = 3
# A rotated re-read must beat the first pass by this much mean confidence to replace it.
_MARGIN = 0.05


@dataclass(frozen=True)
class UprightRead:
    lines: list[TextLine]
    rotation: int  # degrees counter-clockwise applied to the input image (0, 90, 180, 270)
    passes: int  # OCR passes spent, 1 on an upright legible page


def upright_image(image: Image.Image, rotation: int) -> Image.Image:
    """The image the boxes of an ``UprightRead`` with this rotation refer to."""
    return image if rotation % 360 == 0 else image.transpose(_TRANSPOSE[rotation % 360])


def text_confidence(lines: Sequence[TextLine]) -> float:
    """Mean recognition confidence weighted by characters; 0 for no text."""
    chars = sum(len(line.text.strip()) for line in lines)
    if chars == 0:
        return 0.0
    return sum(line.confidence * len(line.text.strip()) for line in lines) / chars


def looks_sideways(lines: Sequence[TextLine]) -> bool:
    """Most multi-character boxes are taller than wide: text lines run up or down the page."""
    words = [line for line in lines if len(line.text.strip()) >= 2]
    if len(words) < _MIN_BOXES:
        return False
    tall = sum(1 for line in words if line.height > _TALL_RATIO * (line.box[2] - line.box[0]))
    return tall > _SIDEWAYS_SHARE * len(words)


def read_upright(
    read_pass: PassReader, image: Image.Image, *, min_confidence: float, quarter_turns: bool = False
) -> UprightRead:
    """Read ``image`` with ``read_pass``, re-reading it rotated only when the first pass looks
    sideways or less confident than ``min_confidence`` (an engine-specific level)."""
    first = read_pass(image)
    if not first:
        return UprightRead(first, 0, 1)  # blank page: nothing to turn
    sideways = looks_sideways(first)
    if not sideways and text_confidence(first) >= min_confidence:
        return UprightRead(first, 0, 1)
    best = UprightRead(first, 0, 1)
    # A sideways first pass is never kept over an upright reading, however confident it was.
    best_score = -1.0 if sideways else text_confidence(first) + _MARGIN
    passes = 1
    rotations = (90, 270) if sideways else (180, 90, 270) if quarter_turns else (180,)
    for rotation in rotations:
        lines = read_pass(upright_image(image, rotation))
        passes += 1
        score = text_confidence(lines)
        if lines and not looks_sideways(lines) and score > best_score:
            best, best_score = UprightRead(lines, rotation, passes), score
        if best.rotation and best_score >= min_confidence:
            break  # confident enough: skip the other direction
    lines = [replace(line, rotation=best.rotation) for line in best.lines]
    return UprightRead(lines, best.rotation, passes)


def read_page_upright(engine: OcrEngine, image: Image.Image, page: int = 0) -> UprightRead:
    """An engine's reading with the rotation it applied: engines that fix orientation say
    which (``read_upright``); any other engine's reading is taken as upright."""
    reader = getattr(engine, "read_upright", None)
    if callable(reader):
        result = reader(image, page)
        if isinstance(result, UprightRead):
            return result
    return UprightRead(engine.read(image, page), 0, 1)
