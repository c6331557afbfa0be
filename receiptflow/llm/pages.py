"""Receipt pages as a person would send them to a vision model: upright, cropped to the
receipt, and a long receipt in legible overlapping segments instead of one shrunk image.

- upright: the rotation the OCR step found (``receiptflow.ocr.orientation``): reused from the
  cascade's OCR (``Page.rotation``), else asked of the configured OCR engine (one ordinary
  pass on an upright page; the engines' models ship with the package, nothing is
  downloaded). A model reads rotated print far worse, and is billed the same.
- cropped: uniform margins around the receipt (a scanner bed, a table of one colour, the
  white border of a page) are trimmed, so the tiles paid for hold receipt, not background.
- segments: OpenAI fits every image into 2048 x 2048, so an 800 x 8000 till roll would be
  read at 204 x 2048, its print 2-3 px tall. When the page at its legible scale (the sizing
  of ``receiptflow.llm.images``) is longer than ``max_long_side``, it is cut into segments of
  at most that length, each repeating the end of the one before (``overlap``) so that no row
  is cut in half, and all go in the same request, labelled in order.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from receiptflow.ingest.document import Page, TextLine
from receiptflow.llm.images import Detail, PreparedImage, prepare_image
from receiptflow.llm.pricing import FIT_BOX, SHORT_SIDE_CAP, TILE
from receiptflow.ocr.orientation import upright_image
from receiptflow.settings import ImageTokenRule

# (rotation, lines read upright) of one page image, or None when no OCR engine can tell
OrientationReader = Callable[[Image.Image, int], tuple[int, list[TextLine]] | None]

_BACKGROUND_TOLERANCE = 40  # grey levels from the margin colour that still count as margin
_UNIFORM_BORDER = 0.9  # share of border pixels near the margin colour for a uniform margin
_INK_SHARE = 0.002  # a row or column with fewer differing pixels is margin (dust, noise)
_PAD_SHARE = 0.02  # keep this much of the side around what was found, at least _PAD_PX
_PAD_PX = 8
_MIN_SAVING = 0.05  # crop only when it removes at least this share of a side


@dataclass(frozen=True)
class SentImage:
    """One image of the request, where it came from, and what it is estimated to cost."""

    page: int
    segment: int  # 1-based
    segments: int
    rotation: int  # degrees counter-clockwise applied to the ingested page
    crop: tuple[int, int, int, int] | None  # box kept of the upright page, None: whole page
    prepared: PreparedImage

    @property
    def label(self) -> str | None:
        if self.segments == 1:
            return None
        return f"Page {self.page + 1}, segment {self.segment} of {self.segments}:"


def margin_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The box inside uniform margins (background of one colour around the receipt), padded;
    None when there is no such margin (or nothing but margin: a blank page)."""
    gray = np.asarray(image.convert("L"), dtype=np.int16)
    height, width = gray.shape
    if height < 3 or width < 3:
        return None
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    background = float(np.median(border))
    if np.mean(np.abs(border - background) <= _BACKGROUND_TOLERANCE) < _UNIFORM_BORDER:
        return None  # a textured background: nothing simple to trim
    ink = np.abs(gray - background) > _BACKGROUND_TOLERANCE
    rows = np.flatnonzero(ink.mean(axis=1) > _INK_SHARE)
    cols = np.flatnonzero(ink.mean(axis=0) > _INK_SHARE)
    if rows.size == 0 or cols.size == 0:
        return None
    pad_x = max(_PAD_PX, round(width * _PAD_SHARE))
    pad_y = max(_PAD_PX, round(height * _PAD_SHARE))
    box = (
        max(0, int(cols[0]) - pad_x),
        max(0, int(rows[0]) - pad_y),
        min(width, int(cols[-1]) + 1 + pad_x),
        min(height, int(rows[-1]) + 1 + pad_y),
    )
    kept_w, kept_h = box[2] - box[0], box[3] - box[1]
    if kept_w > width * (1 - _MIN_SAVING) and kept_h > height * (1 - _MIN_SAVING):
        return None
    return box


def _blank(image: Image.Image) -> bool:
    """One colour throughout (nothing printed to turn upright)."""
    gray = np.asarray(image.convert("L"))
    return int(gray.max()) - int(gray.min()) < _BACKGROUND_TOLERANCE


def segment_spans(length: int, max_length: int, overlap: float) -> list[tuple[int, int]]:
    """[start, end) spans of equal length <= ``max_length`` covering ``length``, each
    overlapping the one before by at least ``overlap`` of a segment."""
    if length <= max_length:
        return [(0, length)]
    shared = math.ceil(max_length * overlap)
    count = math.ceil((length - shared) / (max_length - shared))
    size = min(max_length, math.ceil((length + (count - 1) * shared) / count))
    step = (length - size) / (count - 1)
    return [(round(i * step), round(i * step) + size) for i in range(count)]


def _legible_scale(
    width: int,
    height: int,
    *,
    text_height: float | None,
    min_text_height: float,
    min_short_side: int,
) -> float:
    """The smallest scale that keeps print legible (never above 1, never past what OpenAI's
    short-side cap would keep anyway)."""
    short = min(width, height)
    wanted = min_text_height / text_height if text_height else min_short_side / short
    return min(1.0, SHORT_SIDE_CAP / short, wanted)


@dataclass(frozen=True)
class PageOptions:
    model: str
    detail: Detail
    rule: ImageTokenRule
    min_short_side: int = TILE
    max_long_side: int = FIT_BOX
    min_text_height: float = 16.0
    crop: bool = True
    overlap: float = 0.08


def page_images(
    page: Page,
    options: PageOptions,
    *,
    lines: list[TextLine] | None = None,
    orient: OrientationReader | None = None,
) -> list[SentImage]:
    """The images one page is sent as: upright, cropped, in segments when too long."""
    rotation = page.rotation
    page_lines = [line for line in lines or [] if line.page == page.index]
    if rotation is None and orient is not None and not page.text_lines and not _blank(page.image):
        found = orient(page.image, page.index)
        if found is not None:
            rotation, read = found
            page_lines = page_lines or read
    rotation = rotation or 0
    image = upright_image(page.image, rotation)
    heights = [line.height for line in page_lines if line.height > 0]
    text_height = statistics.median(heights) if heights else None
    box = margin_box(image) if options.crop else None
    if box is not None:
        image = image.crop(box)
    scale = _legible_scale(
        *image.size,
        text_height=text_height,
        min_text_height=options.min_text_height,
        min_short_side=options.min_short_side,
    )
    width, height = image.size
    long_side = max(width, height) * scale
    if options.detail == "low" or long_side <= options.max_long_side:
        prepared = _prepare(image, options, text_height)
        return [SentImage(page.index, 1, 1, rotation, box, prepared)]
    # too long to stay legible in one image: the legible scale, cut along the long side
    scaled = image.resize(
        (max(1, math.floor(width * scale)), max(1, math.floor(height * scale))),
        Image.Resampling.LANCZOS,
    )
    tall = height >= width
    spans = segment_spans(max(scaled.size), options.max_long_side, options.overlap)
    sent = []
    for number, (start, end) in enumerate(spans, start=1):
        crop = (0, start, scaled.width, end) if tall else (start, 0, end, scaled.height)
        part = scaled.crop(crop)
        prepared = _prepare(part, options, text_height * scale if text_height else None)
        sent.append(SentImage(page.index, number, len(spans), rotation, box, prepared))
    return sent


def _prepare(image: Image.Image, options: PageOptions, text_height: float | None) -> PreparedImage:
    return prepare_image(
        image,
        model=options.model,
        detail=options.detail,
        min_short_side=options.min_short_side,
        max_long_side=options.max_long_side,
        text_height=text_height,
        min_text_height=options.min_text_height,
        rule=options.rule,
    )
