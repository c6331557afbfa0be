"""RapidOCR's models on OpenVINO read what they read on onnxruntime (OcrSettings.runtime)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError
from test_ocr_engines import render_receipt

from receiptflow.ocr import ppocr
from receiptflow.ocr.rapid import REC_MODEL, RapidOcrEngine
from receiptflow.ocr.runtime import OnnxRunner, OpenVinoRunner, Precision, open_runner
from receiptflow.settings import OcrSettings


def test_openvino_gives_the_recogniser_the_same_character_list(models: Path) -> None:
    onnx = OnnxRunner(models / REC_MODEL, threads=1)
    vino = OpenVinoRunner(models / REC_MODEL, threads=1)
    characters = onnx.metadata("character")
    assert characters is not None and len(characters.splitlines()) > 1000
    assert vino.metadata("character") == characters
    assert vino.metadata("no such key") is None and onnx.metadata("no such key") is None


def test_openvino_f32_scores_match_onnxruntime(models: Path) -> None:
    batch = np.random.default_rng(7).uniform(-1, 1, (2, 3, 48, 200)).astype(np.float32)
    onnx = open_runner(models / REC_MODEL, threads=1).run(batch)
    vino = open_runner(models / REC_MODEL, threads=1, runtime="openvino").run(batch)
    assert vino.shape == onnx.shape
    assert np.abs(vino - onnx).max() < 1e-3
    assert np.array_equal(vino.argmax(axis=2), onnx.argmax(axis=2))


@pytest.mark.ocr
@pytest.mark.parametrize("precision", ["f32", "bf16"])
def test_recognition_on_openvino_reads_the_same_lines(models: Path, precision: Precision) -> None:
    image, _ = render_receipt()
    default = RapidOcrEngine(OcrSettings(fix_orientation=False)).read(image)
    engine = RapidOcrEngine(OcrSettings(fix_orientation=False))  # two streams, one model
    det, _ = engine._load()
    engine._rec = ppocr.Recogniser(
        models / REC_MODEL, threads=1, min_width=160, runtime="openvino", precision=precision
    )
    ours = engine.read(image)
    assert isinstance(engine._rec._model, OpenVinoRunner)
    assert [line.text for line in ours] == [line.text for line in default]
    assert [line.box for line in ours] == [line.box for line in default]
    for mine, theirs in zip(ours, default, strict=True):
        assert mine.confidence == pytest.approx(theirs.confidence, abs=0.02)


def test_bf16_recognition_is_the_setting_and_its_own_ocr_cache_signature() -> None:
    engine = RapidOcrEngine(OcrSettings(rec_precision="bf16"))
    det, rec = engine._load()
    assert isinstance(rec._model, OpenVinoRunner) and isinstance(det._model, OnnxRunner)
    # one OpenVINO request with both threads, fed the batches the two onnxruntime streams get
    assert engine._pool is None and engine._groups == OcrSettings().threads == 2
    assert isinstance(RapidOcrEngine(OcrSettings())._load()[1]._model, OnnxRunner)
    bf16 = OcrSettings(rec_precision="bf16").signature()
    assert bf16 != OcrSettings().signature() and "bf16" in bf16
    with pytest.raises(ValidationError):
        OcrSettings(rec_precision="int8")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="bf16 needs openvino"):
        open_runner(Path("unused.onnx"), threads=1, precision="bf16")


def test_openvino_runner_calls_from_several_threads_give_each_its_own_answer(
    models: Path,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(3)
    batches = [rng.uniform(-1, 1, (2, 3, 48, w)).astype(np.float32) for w in (160, 240, 320)]
    runner = OpenVinoRunner(models / REC_MODEL, threads=1)
    alone = [runner.run(batch) for batch in batches]
    with ThreadPoolExecutor(3) as pool:
        together = list(pool.map(runner.run, batches * 3))
    for index, scores in enumerate(together):
        assert np.array_equal(scores, alone[index % 3])
