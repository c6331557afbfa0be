"""SROIE scoring on a tiny dataset written to a temporary folder (no shared data needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.eval.report import FieldScore, Scoreboard, official_text
from receiptflow.eval.sroie import (
    evaluate_sroie,
    predicted_fields,
    read_box_lines,
    trust_verdicts,
)
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.extractors.local import LocalExtractor
from receiptflow.schemas.receipt import Merchant, Receipt
from receiptflow.settings import LocalSettings, OcrSettings

RECEIPT_ROWS = [
    ["KEDAI MAJU ENTERPRISE"],
    ["NO 5, JALAN BESAR,"],
    ["43000 KAJANG, SELANGOR"],
    ["TEL: 03-8736 1234"],
    ["DATE: 30 DEC 17", "10:02"],
    ["MILO TIN", "12.50"],
    ["TOTAL:", "RM", "12.50"],
    ["CASH", "20.00"],
    ["CHANGE", "7.50"],
]


def _write_receipt(root: Path, receipt_id: str, labels: dict[str, str]) -> None:
    (root / "entities").mkdir(parents=True, exist_ok=True)
    (root / "box").mkdir(parents=True, exist_ok=True)
    (root / "entities" / f"{receipt_id}.json").write_text(json.dumps(labels))
    lines = []
    for index, cells in enumerate(RECEIPT_ROWS):
        y0, y1 = 20 + index * 30, 40 + index * 30
        for column, text in enumerate(cells):
            x0, x1 = 20 + column * 260, 20 + column * 260 + 10 * len(text)
            lines.append(f"{x0},{y0},{x1},{y0},{x1},{y1},{x0},{y1},{text}")
    (root / "box" / f"{receipt_id}.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    _write_receipt(
        tmp_path,
        "A1",
        {
            "company": "KEDAI MAJU ENTERPRISE",
            "date": "30 DEC 17",
            "address": "NO 5, JALAN BESAR, 43000 KAJANG, SELANGOR",
            "total": "12.50",
        },
    )
    _write_receipt(
        tmp_path,
        "B2",
        {  # labels that disagree with the print
            "company": "SOMETHING ELSE SDN BHD",
            "date": "2017-12-30",
            "address": "NO 5,JALAN BESAR, 43000 KAJANG, SELANGOR",
            "total": "12.5",
        },
    )
    return tmp_path


def _local() -> LocalExtractor:
    return LocalExtractor(OcrSettings(), LocalSettings())


def test_box_lines_split_on_the_first_eight_commas(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("1,2,30,2,30,12,1,12,NO.53 55,57 & 59, JALAN SAGU 18,\n\nbad line\n")
    (line,) = read_box_lines(path)
    assert line.text == "NO.53 55,57 & 59, JALAN SAGU 18,"
    assert line.box == (1.0, 2.0, 30.0, 12.0)


def test_exact_and_normalised_scores(dataset: Path) -> None:
    report = evaluate_sroie(dataset, _local().extract, ocr_boxes=True)
    exact, normalised = report.exact.scores, report.normalised.scores
    assert exact["total"].hits == 1  # "12.5" is not "12.50" as printed ...
    assert normalised["total"].hits == 2  # ... but is the same amount
    assert exact["date"].hits == 1 and normalised["date"].hits == 2
    assert exact["address"].hits == 1 and normalised["address"].hits == 2
    assert exact["company"].hits == normalised["company"].hits == 1
    # The dataset's convention: company and address exact, date and total normalised.
    convention = report.convention.scores
    assert convention["address"].hits == exact["address"].hits
    assert convention["date"].hits == normalised["date"].hits
    assert convention["total"].hits == normalised["total"].hits
    assert len(report.timings.seconds) == 2
    assert {(m.receipt_id, m.field) for m in report.normalised.misses} == {("B2", "company")}


def test_ceiling_counts_labels_printed_verbatim(dataset: Path) -> None:
    report = evaluate_sroie(dataset, _local().extract, ocr_boxes=True)
    assert report.printed is not None
    ceiling = report.printed.to_dict()
    # B2's company, ISO date and "NO 5,JALAN" address are not in its transcript; "12.5" is
    # (inside "12.50"), so the verbatim test is a bound, not a score.
    assert {name: value["printed"] for name, value in ceiling["fields"].items()} == {
        "company": 1,
        "date": 1,
        "address": 1,
        "total": 2,
    }
    assert ceiling["exact_f1_max"] == 5 / 8
    assert ceiling["convention_f1_max"] == (1 + 1 + 2 + 2) / 8
    assert report.exact.overall.f1 <= ceiling["exact_f1_max"]


def test_field_score_counts_missing_predictions_against_recall() -> None:
    board = Scoreboard(["total"])
    same = lambda a, b: a == b  # noqa: E731
    board.record("1", "total", "9.00", "9.00", same, "exact")
    board.record("2", "total", "5.00", None, same, "exact")
    board.record("3", "total", "7.00", "8.00", same, "exact")
    score: FieldScore = board.scores["total"]
    assert (score.precision, score.recall) == (0.5, pytest.approx(1 / 3))
    assert score.f1 == pytest.approx(0.4)
    assert [miss.receipt_id for miss in board.misses] == ["2", "3"]


def test_official_form_collapses_whitespace_and_case() -> None:
    assert official_text("  Kedai  maju\tenterprise ") == "KEDAI MAJU ENTERPRISE"


def test_predicted_fields_prefer_printed_evidence() -> None:
    receipt = Receipt(merchant=Merchant(name="A", address="B"), total="9.00")
    result = ExtractionResult(
        status=ExtractionStatus.OK,
        receipt=receipt,
        method="t",
        evidence={"date": "30 DEC 17", "total": "RM9.00"},
    )
    assert predicted_fields(result) == {
        "company": "A",
        "address": "B",
        "date": "30 DEC 17",
        "total": "RM9.00",
    }
    failed = ExtractionResult(status=ExtractionStatus.FAILED, method="t")
    assert set(predicted_fields(failed).values()) == {None}


def test_eval_command_json(dataset: Path) -> None:
    result = CliRunner().invoke(
        app, ["eval", str(dataset), "--ocr-boxes", "--format", "json", "--extractor", "local"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["receipts"] == 2
    assert data["normalised"]["fields"]["total"]["f1"] == 1.0
    assert 0 < data["exact"]["overall"]["f1"] < data["normalised"]["overall"]["f1"]
    assert data["ceiling"]["exact_f1_max"] == 5 / 8


def test_eval_command_text_table(dataset: Path) -> None:
    result = CliRunner().invoke(app, ["eval", str(dataset), "--ocr-boxes", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert "SROIE key fields, 1 receipts" in result.output
    assert "exact F1 <= 1.000" in result.output


def test_trust_outcomes_judge_the_values_an_accountant_sees(dataset: Path) -> None:
    report = evaluate_sroie(dataset, _local().extract, ocr_boxes=True)
    fields = report.trust().fields
    # B2's company label names another shop; its ISO date and "12.5" are the same values
    assert (fields["merchant.name"].labelled, fields["merchant.name"].right) == (2, 1)
    assert (fields["date"].right, fields["total"].right) == (2, 2)
    assert report.to_dict()["trust"]["receipts"] == 2


def test_trust_verdicts_count_an_empty_value_as_wrong() -> None:
    result = ExtractionResult(
        status=ExtractionStatus.OK,
        receipt=Receipt(merchant=Merchant(name="Kedai Maju, Enterprise")),
        method="t",
    )
    labels = {"company": "KEDAI MAJU ENTERPRISE", "date": "30/12/2017", "total": "9.00"}
    assert trust_verdicts(labels, result) == {"merchant.name": True, "date": False, "total": False}
    assert trust_verdicts({}, result) == dict.fromkeys(("merchant.name", "date", "total"))
