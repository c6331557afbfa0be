"""receiptflow's own PP-OCR sessions and batching read what RapidOCR's pipeline reads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_ocr_engines import render_receipt

from receiptflow.ocr import ppocr, runtime
from receiptflow.ocr.rapid import DET_MODEL, REC_MODEL, RapidOcrEngine, RapidTuning
from receiptflow.ocr.runtime import OnnxRunner
from receiptflow.settings import OcrSettings


def crops_of_widths(widths: list[int]) -> list[np.ndarray]:
    return [np.zeros((48, width, 3), np.uint8) for width in widths]


@given(
    st.lists(st.integers(min_value=1, max_value=2000), max_size=60),
    st.integers(1, 12),
    st.integers(1, 3),
)
def test_batches_are_each_shares_width_runs_longest_first(
    widths: list[int], size: int, groups: int
) -> None:
    batches = ppocr.plan_batches(crops_of_widths(widths), size, groups)
    assert sorted(index for batch in batches for index in batch) == list(range(len(widths)))
    assert all(0 < len(batch) <= size for batch in batches)
    assert all(len({index % groups for index in batch}) == 1 for batch in batches)
    longest = [max(widths[index] for index in batch) for batch in batches]
    assert longest == sorted(longest, reverse=True)
    for one in batches:  # batches of one share cover width ranges that do not interleave
        for other in batches:
            if one is not other and one[0] % groups == other[0] % groups:
                low, high = sorted((one, other), key=lambda b: sorted(widths[i] for i in b))
                assert max(widths[i] for i in low) <= min(widths[i] for i in high)
    short = [batch for batch in batches if len(batch) < size]
    assert len(short) <= groups  # only the last batch of a share may be short


def box_of(quad: np.ndarray) -> tuple[float, float, float, float]:
    xs, ys = quad[:, 0], quad[:, 1]
    return (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))


def test_detector_input_is_rapidocr_normalisation_exactly(models: Path) -> None:
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    image, _ = render_receipt()
    bgr = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
    detector = ppocr.Detector(models / DET_MODEL, threads=1, max_side=1280)
    stock = DetPreProcess(1280, "max", [0.5] * 3, [0.5] * 3)
    scaled = stock.resize(bgr)
    expected = np.expand_dims(stock.permute(stock.normalize(scaled)), 0).astype(np.float32)
    ours = detector._normalise(scaled)
    assert ours.dtype == np.float32 and ours.shape == expected.shape
    assert np.array_equal(ours, expected)


@pytest.mark.parametrize("spin_wait", [True, False])
def test_sessions_spin_only_when_asked(models: Path, spin_wait: bool) -> None:
    session = runtime.open_session(models / REC_MODEL, threads=2, spin_wait=spin_wait)
    entries = session.get_session_options().get_session_config_entry
    assert entries("session.intra_op.allow_spinning") == ("1" if spin_wait else "0")


def test_the_engine_passes_the_spin_setting_to_both_sessions(models: Path) -> None:
    from receiptflow.ocr.rapid import RapidOcrEngine
    from receiptflow.settings import OcrSettings

    for settings, spinning in ((OcrSettings(), "0"), (OcrSettings(spin_wait=True), "1")):
        detector, recogniser = RapidOcrEngine(settings)._load()
        for runner in (detector._model, recogniser._model):
            assert isinstance(runner, OnnxRunner)
            session = runner.session
            entries = session.get_session_options().get_session_config_entry
            assert entries("session.intra_op.allow_spinning") == spinning  # sleeping by default


@pytest.mark.ocr
def test_reads_exactly_what_rapidocrs_own_pipeline_reads(models: Path) -> None:
    """One recognition stream forms RapidOCR's batches: same boxes, text and confidence."""
    from rapidocr import RapidOCR

    image, _ = render_receipt()
    stock = RapidOCR(
        params={
            "Global.use_cls": False,
            "Global.log_level": "warning",
            "Det.model_path": str(models / DET_MODEL),
            "Rec.model_path": str(models / REC_MODEL),
            "Det.limit_type": "max",
            "Det.limit_side_len": 1280,
            "Rec.rec_img_shape": [3, 48, 160],
        }
    )(np.ascontiguousarray(np.asarray(image)[:, :, ::-1]))
    engine = RapidOcrEngine(OcrSettings(threads=1, fix_orientation=False), RapidTuning())
    ours = sorted((line.box, line.text, line.confidence) for line in engine.read(image))
    expected = sorted(
        (box_of(quad), str(text), float(score))
        for quad, text, score in zip(stock.boxes, stock.txts, stock.scores, strict=True)
    )
    assert len(ours) >= 9
    assert ours == expected


@pytest.mark.ocr
def test_another_recognition_model_is_loaded_from_its_path(models: Path, tmp_path: Path) -> None:
    """RECEIPTFLOW_OCR__REC_MODEL: the engine reads with that file (here a copy of the
    wheel's, so it reads what the default reads) and caches name the model they were read by."""
    import shutil

    from receiptflow.ocr.ppocr import Recogniser

    copy = tmp_path / "my_rec.onnx"
    shutil.copyfile(models / REC_MODEL, copy)
    engine = RapidOcrEngine(OcrSettings(threads=1, fix_orientation=False, rec_model=copy))
    image, _ = render_receipt()
    ours = [line.text for line in engine.read(image)]
    default = RapidOcrEngine(OcrSettings(threads=1, fix_orientation=False))
    assert ours == [line.text for line in default.read(image)]
    assert isinstance(engine._rec, Recogniser)
    runner = engine._rec._model
    assert isinstance(runner, OnnxRunner) and Path(runner.session._model_path) == copy
    assert OcrSettings(rec_model=copy).signature() != OcrSettings().signature()


def test_a_recognition_model_path_that_is_not_a_file_is_a_settings_error(tmp_path: Path) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="no model file"):
        OcrSettings(rec_model=tmp_path / "missing.onnx")


@pytest.mark.ocr
def test_each_character_carries_the_score_its_line_confidence_averages(models: Path) -> None:
    """Per-character confidences line up with the text (the strip of the recogniser's spaces
    included) and average to the line's confidence, RapidOCR's mean of the same scores."""
    image, _ = render_receipt()
    lines = RapidOcrEngine(OcrSettings(threads=1, fix_orientation=False)).read(image)
    assert len(lines) >= 9
    for line in lines:
        assert len(line.char_confidences) == len(line.text)
        assert all(0.0 < score <= 1.0 for score in line.char_confidences)
    # a line without spaces to strip averages exactly the scores its confidence averages
    solid = [line for line in lines if " " not in line.text]
    assert solid
    for line in solid:
        mean = sum(line.char_confidences) / len(line.char_confidences)
        assert mean == pytest.approx(line.confidence, abs=1e-3)


def test_character_scores_follow_ctc_decoding(models: Path) -> None:
    """The score of each decoded character is the one of the step that emitted it: repeats
    collapse to their first step, blanks (token 0) are dropped."""
    from receiptflow.ocr.ppocr import Recogniser

    decoder = Recogniser(models / REC_MODEL, threads=1, min_width=160)._decoder
    tokens = np.array([0, 5, 5, 0, 7, 0, 0, 5])
    scores = np.array([0.9, 0.6, 0.99, 0.8, 0.7, 0.9, 0.9, 0.95])
    assert ppocr._char_confidences(decoder, tokens, scores, 3) == (0.6, 0.7, 0.95)
    assert ppocr._char_confidences(decoder, tokens, scores, 4) == ()  # does not line up
