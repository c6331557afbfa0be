"""PP-OCR text detection and recognition on model runners that receiptflow configures.

RapidOCR's ``RapidOCR`` class builds its sessions from its YAML config with onnxruntime's
thread defaults (idle worker threads always spin, burning the core another process
needs on a shared host) and normalises the detector input in float64. Here the wheel's model
files and RapidOCR's own pre- and post-processing pieces (DB box extraction, crops, CTC
decoding) are kept, so the reading is the same, while receiptflow owns what costs time:
- the runtime (onnxruntime; the recogniser also on OpenVINO, ``runtime``), intra-op threads
  as asked, onnxruntime's idle worker threads spinning or sleeping as asked;
- the detector input, normalised through a 256-entry table holding exactly RapidOCR's values;
- the recognition batches (``plan_batches``): handed to parallel streams longest first.
Model paths are always explicit, so nothing is ever downloaded."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from rapidocr.ch_ppocr_det.main import TextDetector
from rapidocr.ch_ppocr_det.utils import DBPostProcess, DetPreProcess
from rapidocr.ch_ppocr_rec.utils import CTCLabelDecode
from rapidocr.utils.process_img import (
    ResizeImgError,
    apply_vertical_padding,
    get_rotate_crop_image,
    map_boxes_to_original,
    resize_image_within_bounds,
)

from receiptflow.ocr.runtime import ModelRunner, Precision, Runtime, open_runner

# RapidOCR's Global settings for the page before detection (config.yaml): pages are scaled
# into 30..2000 px and very wide strips padded to a 1:8 aspect; crops come from that image.
_PAGE_MIN_SIDE, _PAGE_MAX_SIDE = 30, 2000
_STRIP_RATIO, _STRIP_MIN_HEIGHT = 8, 30
_REC_HEIGHT = 48  # the recogniser's fixed input height
# Mean and spread of both models' inputs (0..255 -> -1..1)
_MEAN = _STD = [0.5, 0.5, 0.5]

# One crop's reading: text, mean character confidence, each character's confidence.
Recognised = tuple[str, float, tuple[float, ...]]


@dataclass
class Detection:
    """Text boxes of one page: quadrilaterals in the input image's pixels, and their crops."""

    quads: np.ndarray  # (n, 4, 2) float32, clipped to the image
    crops: list[np.ndarray]  # BGR, one per quad, horizontal text
    # Boxes scored between FAINT_SCORE and the detector's threshold: not read, but a column
    # of stacked prices merged into one tall box scores there (``ocr/columns``)
    faint: np.ndarray = field(default_factory=lambda: np.zeros((0, 4, 2), np.float32))


FAINT_SCORE = 0.3


class Detector:
    """DB text detection, input long side capped at ``max_side`` (or short side upscaled to
    ``min_side``), as RapidOCR's ``TextDetector`` with ``limit_type`` max (min)."""

    def __init__(
        self,
        model: Path,
        *,
        threads: int,
        max_side: int,
        min_side: int | None = None,
        box_thresh: float = 0.5,
        spin_wait: bool = False,
    ) -> None:
        self._model: ModelRunner = open_runner(model, threads=threads, spin_wait=spin_wait)
        limit = ("min", min_side) if min_side is not None else ("max", max_side)
        self._resize = DetPreProcess(limit[1], limit[0], _MEAN, _STD).resize
        self._box_thresh = box_thresh
        self._post = DBPostProcess(
            thresh=0.3,
            box_thresh=min(box_thresh, FAINT_SCORE),
            max_candidates=1000,
            unclip_ratio=1.6,
            use_dilation=True,
            score_mode="fast",
        )
        self._table = _input_table(DetPreProcess(limit[1], limit[0], _MEAN, _STD).normalize)

    def detect(self, bgr: np.ndarray) -> Detection:
        height, width = bgr.shape[:2]
        empty = Detection(np.zeros((0, 4, 2), np.float32), [])
        try:
            page, ratio_h, ratio_w = resize_image_within_bounds(bgr, _PAGE_MIN_SIDE, _PAGE_MAX_SIDE)
        except ResizeImgError:
            return empty  # a strip so thin it scales to 0 px holds no text
        record: dict[str, Any] = {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}}
        page, record = apply_vertical_padding(page, record, _STRIP_RATIO, _STRIP_MIN_HEIGHT)
        scaled = self._resize(page)
        if scaled is None:
            return empty
        probabilities = self._model.run(self._normalise(scaled))
        found, scores = self._post(probabilities, page.shape[:2])
        # each box is kept or not on its own score, so the read ones are those the threshold
        # alone gives, in the same order
        strong = [score >= self._box_thresh for score in scores]
        boxes = np.array([box for box, keep in zip(found, strong, strict=True) if keep])
        faint = np.array([box for box, keep in zip(found, strong, strict=True) if not keep])
        faint = map_boxes_to_original(faint, record, height, width) if len(faint) else empty.faint
        if len(boxes) == 0:
            return Detection(empty.quads, [], faint)
        boxes = TextDetector.sorted_boxes(boxes)
        crops = [get_rotate_crop_image(page, box.copy()) for box in boxes]
        return Detection(map_boxes_to_original(boxes, record, height, width), crops, faint)

    def _normalise(self, image: np.ndarray) -> np.ndarray:
        """HxWx3 uint8 -> 1x3xHxW float32 by table look-up, channel by channel."""
        planes = [self._table[:, channel][image[:, :, channel]] for channel in range(3)]
        return np.stack(planes)[np.newaxis]


def _input_table(normalise: Any) -> np.ndarray:
    """(256, 3) float32: what ``normalise`` (RapidOCR's float64 formula) makes of each value."""
    values = np.repeat(np.arange(256, dtype=np.uint8)[:, np.newaxis, np.newaxis], 3, axis=2)
    return np.asarray(normalise(values), dtype=np.float32)[:, 0, :]


class Recogniser:
    """CRNN/SVTR text recognition of crops, a batch per call (thread-safe: one session)."""

    def __init__(
        self,
        model: Path,
        *,
        threads: int,
        min_width: int,
        spin_wait: bool = False,
        runtime: Runtime = "onnxruntime",
        precision: Precision = "f32",
    ) -> None:
        self._model: ModelRunner = open_runner(
            model, threads=threads, runtime=runtime, precision=precision, spin_wait=spin_wait
        )
        characters = self._model.metadata("character")
        if characters is None:
            raise ValueError(f"{model} holds no character list in its metadata")
        self._decoder = CTCLabelDecode(character=characters.splitlines())
        self._min_ratio = min_width / _REC_HEIGHT

    def recognise(self, crops: Sequence[np.ndarray]) -> list[Recognised]:
        """(text, mean character confidence, each character's confidence) per crop; all
        padded to the widest one."""
        if not crops:
            return []
        widest = max(self._min_ratio, *(_ratio(crop) for crop in crops))
        batch = np.stack([_rec_input(crop, widest) for crop in crops])
        scores = self._model.run(batch)
        best = scores.argmax(axis=2)
        confidence = np.take_along_axis(scores, best[:, :, np.newaxis], axis=2)[:, :, 0]
        lines, _words = self._decoder.decode(best, confidence, remove_duplicate=True)
        return [
            (str(text), float(score), _char_confidences(self._decoder, tokens, scored, len(text)))
            for (text, score), tokens, scored in zip(lines, best, confidence, strict=True)
        ]


def _char_confidences(
    decoder: CTCLabelDecode, tokens: np.ndarray, scored: np.ndarray, length: int
) -> tuple[float, ...]:
    """The score of each decoded character: the CTC step that emitted it, chosen as
    ``CTCLabelDecode.decode`` chooses (first of a repeat, blanks and ignored tokens out).
    Empty when a dictionary entry spans several characters and the two do not line up."""
    keep = np.ones(len(tokens), dtype=bool)
    keep[1:] = tokens[1:] != tokens[:-1]
    for ignored in decoder.get_ignored_tokens():
        keep &= tokens != ignored
    chosen = scored[keep]
    if len(chosen) != length:
        return ()
    return tuple(round(float(value), 4) for value in chosen)


def plan_batches(crops: Sequence[np.ndarray], size: int, groups: int) -> list[list[int]]:
    """Crop indices in recognition batches of up to ``size``, longest batches first.

    The batches are the ones RapidOCR's recogniser forms for each of ``groups`` interleaved
    shares of the page's boxes (crops 0, 2, 4, ... and 1, 3, 5, ... for two), each share
    sorted by aspect ratio. A crop's text depends slightly on how much padding its batch
    gives it: batches cut from one page-wide sort (less padding, ~10 % less OCR time)
    read other characters often enough to cost SROIE F1 (convention 0.9005 -> 0.8950),
    so the batches stay those the accuracy was measured with. Handing out the longest
    batches first keeps parallel streams even."""
    batches: list[list[int]] = []
    for group in range(max(1, groups)):
        members = list(range(len(crops)))[group :: max(1, groups)]
        # numpy's argsort, as RapidOCR's: the order of equal ratios decides batch membership
        order = np.argsort(np.array([_ratio(crops[index]) for index in members]))
        ranked = [members[position] for position in order]
        batches += [ranked[start : start + size] for start in range(0, len(ranked), size)]
    return sorted(batches, key=lambda batch: -max(_ratio(crops[index]) for index in batch))


def _ratio(crop: np.ndarray) -> float:
    return float(crop.shape[1]) / float(crop.shape[0])


def _rec_input(crop: np.ndarray, ratio: float) -> np.ndarray:
    """3 x 48 x (48 * ratio) float32 in -1..1, the crop scaled to 48 px high, zero padded
    on the right (RapidOCR's ``resize_norm_img``)."""
    width = int(_REC_HEIGHT * ratio)
    resized_width = min(width, math.ceil(_REC_HEIGHT * _ratio(crop)))
    resized = cv2.resize(crop, (resized_width, _REC_HEIGHT)).astype(np.float32)
    padded = np.zeros((3, _REC_HEIGHT, width), dtype=np.float32)
    padded[:, :, :resized_width] = (resized.transpose((2, 0, 1)) / 255 - 0.5) / 0.5
    return padded
