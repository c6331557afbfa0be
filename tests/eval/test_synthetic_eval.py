"""Synthetic-receipt scoring: the truth scores 1.0, a reader that drops or invents fields
scores lower, per locale and damage, with outcomes, JSON output and cached OCR lines."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.eval.ocr_cache import OcrCache
from receiptflow.eval.synthetic import evaluate_synthetic, list_samples, matched_items
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest.document import Document, TextLine
from receiptflow.samples import SampleSpec, generate_many
from receiptflow.schemas.receipt import LineItem, Receipt

SPECS = [
    SampleSpec("de", "supermarket", "at", "80mm", "dejavu-sans", "scan_png", 1, locale="de-DE"),
    SampleSpec("us", "restaurant", "at", "80mm", "dejavu-mono", "scan_png", 2, locale="en-US"),
    SampleSpec("fr", "cafe", "at", "58mm", "liberation-sans", "pdf_text", 3, locale="fr-FR"),
    SampleSpec(
        "cut",
        "gas_station",
        "at",
        "80mm",
        "dejavu-sans",
        "scan_png",
        4,
        locale="de-DE",
        damage="crop_bottom",
    ),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("synthetic")
    generate_many(directory, SPECS)
    return directory


def _truths(directory: Path) -> dict[str, Receipt]:
    return {sample.receipt_id: sample.truth for sample in list_samples(directory)}


def _load(path: Path) -> Document:
    return Document(path=path, sha256="", media_type="image/png", size_bytes=0, pages=[])


def _reader(
    truths: dict[str, Receipt], change: dict[str, object] | None = None
) -> Callable[[Document], ExtractionResult]:
    def extract(document: Document) -> ExtractionResult:
        receipt = truths[document.path.stem].model_copy(update=change or {})
        return ExtractionResult(
            status=ExtractionStatus.OK, receipt=receipt, method="fake", confidence={"total": 0.9}
        )

    return extract


def test_the_truth_scores_one_everywhere(folder: Path) -> None:
    report = evaluate_synthetic(folder, _reader(_truths(folder)), load_document=_load)
    data = report.to_dict()
    assert data["receipts"] == 4 and not data["misses"] and not data["failed"]
    for name, score in data["fields"].items():
        assert score["accuracy"] == 1.0 and score["precision"] == 1.0, name
    assert data["fields"]["total"]["expected"] == 3  # the cut receipt shows no total
    assert data["line_items"]["name_and_amount"]["f1"] == 1.0
    assert set(data["locales"]) == {"de-DE", "en-US", "fr-FR"}
    assert data["locales"]["de-DE"]["receipts"] == 2
    assert set(data["damage"]) == {"none", "crop_bottom"}
    outcome = next(o for o in report.outcomes if o.receipt_id == "cut")
    assert outcome.labelled["total"] is False and outcome.right["merchant"] is True
    assert outcome.locale == "de-DE" and outcome.damage == "crop_bottom"
    assert outcome.confidence == {"total": 0.9}
    json.dumps(data)


def test_a_reader_that_drops_the_total_scores_lower(folder: Path) -> None:
    truths = _truths(folder)
    report = evaluate_synthetic(folder, _reader(truths, {"total": None}), load_document=_load)
    total = report.to_dict()["fields"]["total"]
    assert (total["expected"], total["given"], total["hits"]) == (3, 0, 0)
    assert report.accuracy("date") == 1.0
    assert {miss["field"] for miss in report.misses} == {"total"}


def test_inventing_a_hidden_total_costs_precision(folder: Path) -> None:
    truths = _truths(folder)
    truths["cut"] = truths["cut"].model_copy(update={"total": truths["de"].total})
    report = evaluate_synthetic(folder, _reader(truths), load_document=_load)
    total = report.fields["total"]
    assert (total.expected, total.given, total.hits) == (3, 4, 3)
    assert total.precision == 0.75 and total.recall == 1.0
    invented = {o.receipt_id: o.invented["total"] for o in report.outcomes}
    assert invented == {"cut": True, "de": False, "us": False, "fr": False}


def test_items_match_on_similar_names_and_equal_amounts() -> None:
    def item(name: str, amount: str) -> LineItem:
        return LineItem(description=name, amount=Decimal(amount))

    want = [item("Bio Vollmilch 1,5%", "1.19"), item("Brot", "2.00")]
    got = [item("BIO VOLLMILCH 1.5", "1.19"), item("Brot", "3.00")]
    assert matched_items(want, got, with_amount=False) == 2
    assert matched_items(want, got, with_amount=True) == 1
    assert matched_items(want, [], with_amount=False) == 0


class CachedReader:
    """OCR that names the receipt, and a parser that answers with its truth."""

    def __init__(self, truths: dict[str, Receipt]) -> None:
        self.truths = truths
        self.reads = 0

    def read_lines(self, document: Document) -> list[TextLine]:
        self.reads += 1
        return [TextLine(document.path.stem, (0, 0, 10, 10))]

    def extract_lines(self, lines: list[TextLine]) -> ExtractionResult:
        receipt = self.truths[lines[0].text]
        return ExtractionResult(status=ExtractionStatus.OK, receipt=receipt, method="fake")


def test_ocr_cache_reads_each_receipt_once(folder: Path, tmp_path: Path) -> None:
    reader = CachedReader(_truths(folder))
    cache = (OcrCache(tmp_path / "cache"), reader)
    for _ in range(2):
        report = evaluate_synthetic(
            folder,
            reader.extract_lines,
            load_document=_load,
            ocr_cache=cache,  # type: ignore[arg-type]
        )
        assert report.accuracy("merchant") == 1.0
    assert reader.reads == 4 and len(list((tmp_path / "cache").glob("*.json"))) == 4


def test_cli_prints_the_report_as_json(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truths = _truths(folder)
    drop_dates = _reader(truths, {"date": None})

    class Fake:
        name = "fake"
        extract = staticmethod(drop_dates)

    monkeypatch.setattr("receiptflow.extractors.get_extractor", lambda name, settings: Fake())
    monkeypatch.setattr("receiptflow.cli.evaluate._load", lambda path, settings: _load(path))
    result = CliRunner().invoke(
        app, ["eval", "--dataset", "synthetic", str(folder), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dataset"] == "synthetic" and data["fields"]["date"]["hits"] == 0
    assert data["locales"]["fr-FR"]["fields"]["total"]["accuracy"] == 1.0
    assert data["trust"]["fields"]["total"]["labelled"] == 3
    text = CliRunner().invoke(app, ["eval", "--dataset", "synthetic", str(folder)])
    assert text.exit_code == 0 and "locale de-DE" in text.output


def test_samples_without_side_files_are_scored_as_unknown_locale(
    folder: Path, tmp_path: Path
) -> None:
    for name in ("de.expected.json", "de.png"):
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    assert [(s.locale, s.damage) for s in list_samples(tmp_path)] == [("unknown", "none")]
