"""Golden test: the real ``local`` extractor (real OCR, or a PDF's text layer) over every
committed sample in samples/, against the truth the generator wrote beside it
(samples/<name>.expected.json). Nothing about a sample is written here: adding a sample with
its expected.json adds it to the test.

Key fields must be exact on every sample. Line items are scored as (description, amount)
pairs over all samples together; the floor below is what the extractor reaches today minus a
small margin for OCR engine updates (measured: 70 of 70 pairs, recall 1.00).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from receiptflow.extractors import get_extractor
from receiptflow.extractors.base import ExtractionResult
from receiptflow.ingest import iter_input_files, load_document
from receiptflow.settings import Settings

pytestmark = [pytest.mark.ocr, pytest.mark.slow]

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
ITEM_RECALL_FLOOR = 0.95


def _truth_path(sample: Path) -> Path:
    return sample.with_name(f"{sample.stem}.expected.json")


def _samples() -> list[Path]:
    return [path for path in iter_input_files([SAMPLES]) if _truth_path(path).exists()]


def _truth(sample: Path) -> dict[str, Any]:
    truth: dict[str, Any] = json.loads(_truth_path(sample).read_text(encoding="utf-8"))
    return truth


@pytest.fixture(scope="module")
def results() -> dict[str, ExtractionResult]:
    """Each sample extracted once, by one extractor built once for the module."""
    settings = Settings()
    extractor = get_extractor("local", settings)
    return {
        sample.name: extractor.extract(load_document(sample, settings.ingest))
        for sample in _samples()
    }


def _got(result: ExtractionResult) -> dict[str, Any]:
    assert result.receipt is not None, result.errors
    got: dict[str, Any] = result.receipt.model_dump(mode="json")
    return got


def _pairs(receipt: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(item["description"], item["amount"]) for item in receipt["line_items"]}


def test_every_sample_has_its_truth() -> None:
    """A sample without its expected.json would drop out of this test unnoticed."""
    inputs = iter_input_files([SAMPLES])
    assert inputs
    assert [path.name for path in inputs if not _truth_path(path).exists()] == []


@pytest.mark.parametrize("sample", _samples(), ids=lambda path: path.name)
def test_key_fields_match_the_truth(sample: Path, results: dict[str, ExtractionResult]) -> None:
    got, truth = _got(results[sample.name]), _truth(sample)
    assert got["merchant"]["name"] == truth["merchant"]["name"]
    assert got["date"] == truth["date"]
    assert got["currency"] == truth["currency"]
    assert got["total"] == truth["total"]


def test_line_item_recall_over_all_samples(results: dict[str, ExtractionResult]) -> None:
    expected = found = 0
    missed: dict[str, set[tuple[str, str | None]]] = {}
    for sample in _samples():
        want, have = _pairs(_truth(sample)), _pairs(_got(results[sample.name]))
        expected += len(want)
        found += len(want & have)
        if want - have:
            missed[sample.name] = want - have
    assert expected > 0
    assert found / expected >= ITEM_RECALL_FLOOR, missed
