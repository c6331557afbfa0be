"""Fixtures shared by the OCR tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from receiptflow.ocr.rapid import DET_MODEL, model_dir


@pytest.fixture(scope="module")
def models() -> Path:
    """The folder of the model files inside the rapidocr wheel."""
    found = model_dir()
    assert found is not None and (found / DET_MODEL).is_file(), "rapidocr ships its models"
    return found
