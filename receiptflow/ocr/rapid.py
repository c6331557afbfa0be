"""RapidOCR's PP-OCRv6 small models (shipped inside the ``rapidocr`` wheel) on onnxruntime
(recognition on OpenVINO in bfloat16 with ``OcrSettings.rec_precision``).

Speed choices, each measured by ``bench/ocr_compare.py`` / ``bench/extract_speed.py``:
- no angle classifier per text box; whole-page orientation is handled by ``orientation``;
- the detector's input is capped at ``OcrSettings.max_side`` (long side), or, when
  ``OcrSettings.min_side`` is set, upscaled to that short side (slower, more accurate);
- recognition, most of the time on a receipt (60+ boxes), runs its batches in ``threads``
  parallel single-threaded streams instead of one session with an intra-op thread pool: small
  recognition batches parallelise badly inside one session;
- sessions, input normalisation and batching are receiptflow's own (``ppocr``), RapidOCR's
  pre- and post-processing pieces are reused, so the text read is RapidOCR's.
Model paths are always given explicitly, so nothing ever tries to download anything."""

from __future__ import annotations

import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from receiptflow.errors import OcrError
from receiptflow.ingest.document import TextLine
from receiptflow.ocr.columns import find_columns, row_boxes
from receiptflow.ocr.orientation import UprightRead, read_upright
from receiptflow.ocr.reading_order import sort_reading_order

if TYPE_CHECKING:
    from receiptflow.ocr.ppocr import Detector, Recognised, Recogniser
    from receiptflow.settings import OcrSettings

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
# Below this mean confidence a first pass is retried upside down. Upright sroie scans score
# ~0.98, upside down ~0.70; a clean rendered page upside down still scores ~0.8 because
# PP-OCRv6 half-reads rotated text, hence the level sits well above that.
_MIN_CONFIDENCE = 0.9


@dataclass(frozen=True)
class RapidTuning:
    """Knobs the benchmark compares; the defaults are the measured winners."""

    rec_batch: int = 6
    # Recognition pads every box in a batch to at least this width: RapidOCR's 320 px costs a
    # short price box as much as a long line; 160 px saved ~16 % CPU at the same CER.
    rec_width: int = 160
    parallel_rec: bool = True  # recognition in `threads` streams of one intra-op thread each
    min_box_height: float = 0.0  # px; skip detected boxes shorter than this
    min_score: float = 0.5  # drop recognitions below this confidence (RapidOCR text_score)
    box_thresh: float = 0.5  # DB detector: least mean probability inside a kept box


def model_dir() -> Path | None:
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models"


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self, settings: OcrSettings, tuning: RapidTuning | None = None) -> None:
        self._settings = settings
        self._tuning = tuning or RapidTuning()
        self._threads = max(1, settings.threads)
        self._lock = threading.Lock()
        self._det: Detector | None = None
        self._rec: Recogniser | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._groups = 1  # recognition batches are formed per share of the boxes (plan_batches)

    def is_available(self) -> bool:
        models = model_dir()
        if models is None or importlib.util.find_spec("onnxruntime") is None:
            return False
        return (models / DET_MODEL).is_file() and self._rec_model(models).is_file()

    def _rec_model(self, models: Path) -> Path:
        return self._settings.rec_model or models / REC_MODEL

    def read(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """Lines in reading order; boxes in the upright image's pixels (see ``orientation``)."""
        return self.read_upright(image, page).lines

    def read_upright(self, image: Image.Image, page: int = 0) -> UprightRead:
        """The lines and the rotation that made the page upright (0 when not fixed)."""
        with self._lock:
            det, rec = self._load()
            if not self._settings.fix_orientation:
                return UprightRead(self._read_pass(det, rec, image, page), 0, 1)
            return read_upright(
                lambda img: self._read_pass(det, rec, img, page),
                image,
                min_confidence=_MIN_CONFIDENCE,
            )

    def read_pass(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """One pass exactly as the image lies, no orientation handling."""
        with self._lock:
            det, rec = self._load()
            return self._read_pass(det, rec, image, page)

    def _load(self) -> tuple[Detector, Recogniser]:
        """Both models, loaded once per engine (process) on first use."""
        if self._det is not None and self._rec is not None:
            return self._det, self._rec
        models = model_dir()
        if models is None or not self.is_available():
            wanted = [str(models / DET_MODEL), str(self._rec_model(models))] if models else []
            raise OcrError(f"RapidOCR models not found: {', '.join(wanted) or 'no rapidocr'}")
        try:
            from receiptflow.ocr.ppocr import Detector, Recogniser
        except ImportError as exc:  # pragma: no cover - dependencies of the package
            raise OcrError(f"rapidocr or onnxruntime cannot be imported: {exc}") from exc
        parallel = self._tuning.parallel_rec and self._threads > 1
        bf16 = self._settings.rec_precision == "bf16"
        try:
            det = Detector(
                models / DET_MODEL,
                threads=self._threads,
                max_side=self._settings.max_side,
                min_side=self._settings.min_side,
                box_thresh=self._tuning.box_thresh,
                spin_wait=self._settings.spin_wait,
            )
            rec = Recogniser(
                self._rec_model(models),
                # OpenVINO ran two requests of one compiled model one after the other (and
                # once deadlocked two threads); one request with two threads is quicker.
                threads=1 if parallel and not bf16 else self._threads,
                min_width=self._tuning.rec_width,
                spin_wait=self._settings.spin_wait,
                runtime="openvino" if bf16 else "onnxruntime",
                precision=self._settings.rec_precision,
            )
        except Exception as exc:
            raise OcrError(f"RapidOCR models failed to load: {exc}") from exc
        if parallel and not bf16:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="rapidocr-rec")
        # the same batches either way: a batch's padding changes what a crop reads as
        self._groups = self._threads if parallel else 1
        self._det, self._rec = det, rec
        return det, rec

    def _read_pass(
        self, det: Detector, rec: Recogniser, image: Image.Image, page: int
    ) -> list[TextLine]:
        # PP-OCR models were trained on BGR (OpenCV) images.
        rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        try:
            found = det.detect(bgr)
            keep = [
                i
                for i, quad in enumerate(found.quads)
                if _quad_height(quad) >= self._tuning.min_box_height
            ]
            texts = self._recognise(rec, [found.crops[i] for i in keep])
            boxes = [_aabb(found.quads[i]) for i in keep]
            columns = find_columns(boxes, [_aabb(quad) for quad in found.faint])
            # read apart from the page's boxes: a batch's padding changes what a crop reads
            rows = [row_boxes(boxes, column, bgr.shape[1]) for column in columns]
            crops = [_crop(bgr, box) for found_rows in rows for box in found_rows]
            row_texts = iter(rec.recognise(crops) if crops else [])
        except Exception as exc:
            raise OcrError(f"RapidOCR failed: {exc or type(exc).__name__}") from exc
        replaced: set[int] = set()
        read = list(zip(boxes, texts, strict=True))
        for column, found_rows in zip(columns, rows, strict=True):
            row_reads = [(box, next(row_texts)) for box in found_rows]
            if sum(self._kept(text) for _, text in row_reads) >= 2:
                replaced.update(column.members)  # "DDDADDA": the column read as vertical text
                read += row_reads
        lines = []
        for index, (box, (text, score, chars)) in enumerate(read):
            if index not in replaced and self._kept((text, score, chars)):
                stripped = text.strip()
                # ``chars`` is empty or one score per character of ``text``, spaces included
                lead = len(text) - len(text.lstrip())
                kept = chars[lead : lead + len(stripped)]
                lines.append(TextLine(stripped, box, float(score), page, char_confidences=kept))
        return sort_reading_order(lines)

    def _kept(self, read: Recognised) -> bool:
        return bool(read[0].strip()) and read[1] >= self._tuning.min_score

    def _recognise(self, rec: Recogniser, crops: list[np.ndarray]) -> list[Recognised]:
        from receiptflow.ocr.ppocr import plan_batches

        batches = plan_batches(crops, self._tuning.rec_batch, self._groups)

        def run(batch: list[int]) -> list[Recognised]:
            return rec.recognise([crops[i] for i in batch])

        results = self._pool.map(run, batches) if self._pool else map(run, batches)
        texts: list[Recognised] = [("", 0.0, ())] * len(crops)
        for batch, read in zip(batches, results, strict=True):
            for index, text in zip(batch, read, strict=True):
                texts[index] = text
        return texts


def _aabb(quad: np.ndarray) -> tuple[float, float, float, float]:
    xs, ys = quad[:, 0], quad[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def _crop(bgr: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = (max(0, round(value)) for value in box)
    return np.ascontiguousarray(bgr[y0 : y1 + 1, x0:x1])


def _quad_height(quad: np.ndarray) -> float:
    return float(quad[:, 1].max() - quad[:, 1].min())


def build(settings: OcrSettings) -> RapidOcrEngine:
    return RapidOcrEngine(settings)
