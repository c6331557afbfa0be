"""RapidOCR 3 (PP-OCR det + rec on onnxruntime) with the models shipped inside its wheel.

Speed choices, each measured by ``bench/ocr_compare.py`` on sroie-dev:
- no angle classifier per text box; whole-page orientation is handled by ``orientation``;
- the detector's input is capped at ``OcrSettings.max_side`` (long side), or, when
  ``OcrSettings.min_side`` is set, upscaled to that short side (slower, more accurate);
- recognition, most of the time on a receipt (60+ boxes), runs the boxes in ``threads``
  parallel single-threaded streams instead of one session with an intra-op thread pool: small
  recognition batches parallelise badly inside one session.
Model paths are always given explicitly, so RapidOCR never tries to download anything."""

from __future__ import annotations

import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from receiptflow.errors import OcrError
from receiptflow.ingest.document import TextLine
from receiptflow.ocr.orientation import read_upright
from receiptflow.ocr.reading_order import sort_reading_order

if TYPE_CHECKING:
    from receiptflow.settings import OcrSettings

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
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
    extra: dict[str, Any] = field(default_factory=dict)  # raw RapidOCR params, e.g. Det.box_thresh


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
        self._det: Any = None
        self._rec: Any = None
        self._pool: ThreadPoolExecutor | None = None

    def is_available(self) -> bool:
        models = model_dir()
        if models is None or importlib.util.find_spec("onnxruntime") is None:
            return False
        return all((models / name).is_file() for name in (DET_MODEL, REC_MODEL))

    def read(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """Lines in reading order; boxes in the upright image's pixels (see ``orientation``)."""
        with self._lock:
            self._load()
            if not self._settings.fix_orientation:
                return self._read_pass(image, page)
            result = read_upright(
                lambda img: self._read_pass(img, page), image, min_confidence=_MIN_CONFIDENCE
            )
            return result.lines

    def read_pass(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        """One pass exactly as the image lies, no orientation handling."""
        with self._lock:
            self._load()
            return self._read_pass(image, page)

    def _params(self, intra_threads: int) -> dict[str, Any]:
        models = model_dir()
        if models is None:
            raise OcrError("rapidocr is not installed")
        params: dict[str, Any] = {
            "Global.use_cls": False,
            "Global.log_level": "warning",
            "Global.model_root_dir": str(models),
            "Det.model_path": str(models / DET_MODEL),
            "Rec.model_path": str(models / REC_MODEL),
            "Cls.model_path": str(models / CLS_MODEL),
            "Det.limit_type": "max" if self._settings.min_side is None else "min",
            "Det.limit_side_len": self._settings.min_side or self._settings.max_side,
            "Rec.rec_batch_num": self._tuning.rec_batch,
            "Rec.rec_img_shape": [3, 48, self._tuning.rec_width],
            "EngineConfig.onnxruntime.intra_op_num_threads": intra_threads,
        }
        params.update(self._tuning.extra)
        return params

    def _load(self) -> None:
        if self._det is not None:
            return
        if not self.is_available():
            raise OcrError(f"RapidOCR models not found in {model_dir()}")
        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise OcrError(f"rapidocr cannot be imported: {exc}") from exc
        parallel = self._tuning.parallel_rec and self._threads > 1
        try:
            # Two pipelines, each loading only its own model lazily: the detector with an
            # intra-op pool, the recogniser single-threaded per call when run in parallel.
            self._det = RapidOCR(params=self._params(self._threads))
            self._rec = RapidOCR(params=self._params(1 if parallel else self._threads))
        except Exception as exc:
            raise OcrError(f"RapidOCR failed to load: {exc}") from exc
        if parallel:
            self._pool = ThreadPoolExecutor(self._threads, thread_name_prefix="rapidocr-rec")

    def _read_pass(self, image: Image.Image, page: int) -> list[TextLine]:
        from rapidocr.main import RapidOCRError
        from rapidocr.utils.process_img import ResizeImgError, map_boxes_to_original

        bgr = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
        height, width = bgr.shape[:2]
        try:
            try:
                scaled, record = self._det.preprocess_img(bgr)
            except ResizeImgError:
                return []  # a strip so thin it scales to 0 px for the detector holds no text
            try:
                crops, detected = self._det.detect_and_crop(scaled, record)
            except RapidOCRError:
                return []  # nothing detected: a blank page is not an error
            quads = map_boxes_to_original(detected.boxes, record, height, width)
            keep = [
                i
                for i, quad in enumerate(quads)
                if _quad_height(quad) >= self._tuning.min_box_height
            ]
            texts = self._recognise([crops[i] for i in keep])
        except OcrError:
            raise
        except Exception as exc:
            raise OcrError(f"RapidOCR failed: {exc or type(exc).__name__}") from exc
        lines = []
        for i, (text, score) in zip(keep, texts, strict=True):
            if text.strip() and score >= self._tuning.min_score:
                box = _aabb(quads[i])
                lines.append(
                    TextLine(text=text.strip(), box=box, confidence=float(score), page=page)
                )
        return sort_reading_order(lines)

    def _recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        if self._pool is None:
            return self._recognise_chunk(crops)
        # Interleaved split keeps the streams' mixes of short and long boxes alike (balanced).
        streams = self._threads
        chunks = [crops[i::streams] for i in range(streams)]
        results = list(self._pool.map(self._recognise_chunk, chunks))
        merged: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for stream, chunk_result in enumerate(results):
            merged[stream::streams] = chunk_result
        return merged

    def _recognise_chunk(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        if not crops:
            return []
        output = self._rec.recognize_txt(crops)
        return [
            (str(text), float(score))
            for text, score in zip(output.txts, output.scores, strict=True)
        ]


def _aabb(quad: np.ndarray) -> tuple[float, float, float, float]:
    xs, ys = quad[:, 0], quad[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def _quad_height(quad: np.ndarray) -> float:
    return float(quad[:, 1].max() - quad[:, 1].min())


def build(settings: OcrSettings) -> RapidOcrEngine:
    return RapidOcrEngine(settings)
