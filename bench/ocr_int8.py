"""Would an int8 recogniser meet the speed goal? Quantise RapidOCR's PP-OCRv6 recognition
model (static, QDQ, per channel, MinMax calibration on recognition batches of 12 SROIE
scans) and compare it with the shipped float model on the crops of 20 other scans: CPU
seconds of recognition, and the text against SROIE's ground-truth lines (character error
rate, with and without spaces, and whole lines read exactly).

Nothing here is used by receiptflow at run time: it is the measurement behind the next
speed step in the README ("End-to-end speed"). Needs the `onnx` package (in the `dev`
extra). The quantised model is written to --out (a temporary folder by default).

    .venv/bin/python bench/ocr_int8.py [--data ../shared/datasets] [--pages 20]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from receiptflow.ocr.ppocr import Detector, Recogniser, _ratio, _rec_input, plan_batches  # noqa: E402
from receiptflow.ocr.rapid import DET_MODEL, REC_MODEL, RapidTuning, model_dir  # noqa: E402
from receiptflow.settings import OcrSettings  # noqa: E402

Crops = list[np.ndarray]


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        previous = current
    return previous[-1]


def truth_lines(box_file: Path) -> list[tuple[tuple[int, int, int, int], str]]:
    lines = []
    for row in box_file.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = row.split(",", 8)
        if len(parts) == 9:
            xs, ys = [int(v) for v in parts[0:8:2]], [int(v) for v in parts[1:8:2]]
            lines.append(((min(xs), min(ys), max(xs), max(ys)), parts[8]))
    return lines


def matched_truth(
    quad: np.ndarray, truth: list[tuple[tuple[int, int, int, int], str]]
) -> str | None:
    """The ground-truth line whose box overlaps the detected one most (IoU >= 0.5)."""
    x0, y0, x1, y1 = quad[:, 0].min(), quad[:, 1].min(), quad[:, 0].max(), quad[:, 1].max()
    best, text = 0.0, None
    for (bx0, by0, bx1, by1), line in truth:
        inter = max(0, min(x1, bx1) - max(x0, bx0)) * max(0, min(y1, by1) - max(y0, by0))
        union = (x1 - x0) * (y1 - y0) + (bx1 - bx0) * (by1 - by0) - inter
        if union > 0 and inter / union > best:
            best, text = inter / union, line
    return text if best >= 0.5 else None


def batches_of(pages: list[Crops], width: int) -> Iterator[np.ndarray]:
    for crops in pages:
        for batch in plan_batches(crops, RapidTuning().rec_batch, 2):
            chosen = [crops[i] for i in batch]
            widest = max(width / 48, *(_ratio(crop) for crop in chosen))
            yield np.stack([_rec_input(crop, widest) for crop in chosen])


def quantise(source: Path, target: Path, calibration: list[Crops]) -> None:
    import onnx
    from onnx import version_converter
    from onnxruntime.quantization import (
        CalibrationDataReader,
        CalibrationMethod,
        QuantFormat,
        QuantType,
        quantize_static,
    )
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared, opset17 = target.with_suffix(".pre.onnx"), target.with_suffix(".opset17.onnx")
    quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
    # per-channel DequantizeLinear needs opset >= 13; the shipped model is older
    onnx.save(version_converter.convert_version(onnx.load(str(prepared)), 17), str(opset17))
    batches = iter(list(batches_of(calibration, RapidTuning().rec_width)))

    class Reader(CalibrationDataReader):  # type: ignore[misc]
        def get_next(self) -> dict[str, np.ndarray] | None:
            batch = next(batches, None)
            return None if batch is None else {"x": batch}

    quantize_static(
        str(opset17), str(target), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    models = model_dir()
    assert models is not None, "rapidocr is not installed"
    settings = OcrSettings()
    detector = Detector(
        models / DET_MODEL, threads=2, max_side=settings.max_side, min_side=settings.min_side,
        box_thresh=RapidTuning().box_thresh,
    )  # fmt: skip
    images = sorted((args.data / "sroie-dev" / "img").glob("*.jpg"))
    random.Random(1).shuffle(images)  # fixed: the same scans on every run

    def detect(path: Path) -> tuple[Crops, np.ndarray]:
        rgb = np.asarray(Image.open(path).convert("RGB"))
        found = detector.detect(np.ascontiguousarray(rgb[:, :, ::-1]))
        return found.crops, found.quads

    measured = []
    for path in images[: args.pages]:
        crops, quads = detect(path)
        printed = truth_lines(path.parent.parent / "box" / f"{path.stem}.txt")
        measured.append((crops, [matched_truth(quad, printed) for quad in quads]))
    calibration = [detect(path)[0] for path in images[100:112]]  # not among the measured
    out = args.out or Path(tempfile.mkdtemp(prefix="receiptflow-int8-"))
    out.mkdir(parents=True, exist_ok=True)
    int8 = out / "rec_int8.onnx"
    quantise(models / REC_MODEL, int8, calibration)
    print(f"{sum(len(c) for c, _ in measured)} crops of {args.pages} scans; int8 model: {int8}")
    print("model  recognition CPU s  CER   CER (no spaces)  lines exact")
    for name, model in (("float", models / REC_MODEL), ("int8", int8)):
        recogniser = Recogniser(model, threads=1, min_width=RapidTuning().rec_width)
        errors = errors_no_space = characters = exact = lines = 0
        started = time.process_time()
        read_pages = []
        for crops, _ in measured:
            texts = [""] * len(crops)
            for batch in plan_batches(crops, RapidTuning().rec_batch, 2):
                read = recogniser.recognise([crops[i] for i in batch])
                for index, (text, _score, _chars) in zip(batch, read, strict=True):
                    texts[index] = text
            read_pages.append(texts)
        cpu = time.process_time() - started
        for texts, (_, truths) in zip(read_pages, measured, strict=True):
            for text, truth in zip(texts, truths, strict=True):
                if truth is None:
                    continue
                lines += 1
                characters += len(truth)
                errors += edit_distance(text.strip(), truth.strip())
                errors_no_space += edit_distance(text.replace(" ", ""), truth.replace(" ", ""))
                exact += text.strip() == truth.strip()
        print(
            f"{name:6s} {cpu:17.2f}  {errors / characters:.4f} {errors_no_space / characters:15.4f}"
            f"  {exact / lines:11.3f}"
        )


if __name__ == "__main__":
    main()
