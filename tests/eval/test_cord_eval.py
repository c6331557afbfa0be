"""CORD line-item scoring on typed CORD-shaped files (no dataset needed)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.eval.cord import cord_lines, evaluate_cord, expected_items, expected_total
from receiptflow.extractors.local import LocalExtractor
from receiptflow.settings import LocalSettings, OcrSettings


def word(text: str, x0: int, y0: int, row_id: int, category: str = "menu.nm") -> dict[str, Any]:
    width = 12 * len(text)
    quad = {"x1": x0, "y1": y0, "x2": x0 + width, "y2": y0, "x3": x0 + width, "y3": y0 + 24}
    quad |= {"x4": x0, "y4": y0 + 24}
    return {"quad": quad, "is_key": 0, "row_id": row_id, "text": text, "category": category}


def sample(
    rows: list[list[tuple[str, int]]], menu: Any, category: str = "menu.nm"
) -> dict[str, Any]:
    """A CORD file: each row is a list of (word, x); all words in one valid_line per row."""
    lines = [
        {
            "words": [word(text, x, 100 + 40 * number, number) for text, x in row],
            "category": category,
        }
        for number, row in enumerate(rows)
    ]
    return {"gt_parse": {"menu": menu}, "valid_line": lines, "meta": {}}


RECEIPT = [
    [("1", 20), ("Kopi", 50), ("Susu", 110), ("Kolonel", 170), ("23.000", 400)],
    [("2", 20), ("Roti", 50), ("Bakar", 110), ("30.000", 400)],
    [("1", 20), ("Es", 50), ("Teh", 90), ("8.000", 412)],
    [("Total", 50), ("61.000", 400)],
]
MENU = [
    {"nm": "Kopi Susu Kolonel", "cnt": "1", "price": "23.000"},
    {"nm": "Roti Bakar Keju", "cnt": "2", "price": "30.000"},  # printed name is shorter
    {"nm": "Es Jeruk", "cnt": "1", "price": "8.000", "sub": {"nm": "Less Ice"}},
]


def write(directory: Path, name: str, content: dict[str, Any]) -> None:
    (directory / name).write_text(json.dumps(content), encoding="utf-8")


def test_exact_and_fuzzy_item_scores(tmp_path: Path) -> None:
    write(tmp_path, "validation_0000.json", sample(RECEIPT, MENU))
    write(tmp_path, "validation_0001.json", sample(RECEIPT[:1] + RECEIPT[3:], MENU[0]))
    report = evaluate_cord(tmp_path)
    exact, fuzzy = report.exact, report.fuzzy
    assert report.receipts == 2
    assert (exact.expected, exact.given, exact.hits) == (4, 4, 2)
    assert (fuzzy.expected, fuzzy.given, fuzzy.hits) == (4, 4, 3)  # "Roti Bakar" ~ "... Keju"
    assert exact.precision == exact.recall == exact.f1 == 0.5
    assert fuzzy.quantity_right == fuzzy.quantity_checked == 3
    assert fuzzy.amount_right == fuzzy.amount_checked == 3
    assert report.receipts_all_right == 1
    kinds = sorted((miss["file"], miss["kind"]) for miss in report.misses)
    assert kinds == [("validation_0000.json", "extra"), ("validation_0000.json", "missed")]
    assert evaluate_cord(tmp_path, limit=1).receipts == 1


def test_category_labels_are_not_read(tmp_path: Path) -> None:
    write(tmp_path, "a.json", sample(RECEIPT, MENU, category="menu.nm"))
    first = evaluate_cord(tmp_path).to_dict()
    write(tmp_path, "a.json", sample(RECEIPT, MENU, category="total.total_price"))
    assert evaluate_cord(tmp_path).to_dict() == first


def test_report_is_json_and_renders(tmp_path: Path) -> None:
    write(tmp_path, "validation_0000.json", sample(RECEIPT, MENU))
    report = evaluate_cord(tmp_path)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["exact"]["hits"] == 1 and data["fuzzy"]["min_ratio"] == 0.8
    assert "top-level" in data["sub_items"]
    console = Console(record=True, width=160)
    console.print(report.render())
    text = console.export_text()
    assert "CORD line items" in text and "Es Jeruk" in text


def test_eval_command_scores_cord_items(tmp_path: Path) -> None:
    write(tmp_path, "validation_0000.json", sample(RECEIPT, MENU))
    write(tmp_path, "validation_0001.json", sample(RECEIPT[:1], MENU[0]))
    command = ["eval", "--dataset", "cord", str(tmp_path), "--format", "json", "--limit", "1"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["dataset"] == "cord" and data["receipts"] == 1
    assert data["exact"] == evaluate_cord(tmp_path, limit=1).to_dict()["exact"]
    text = CliRunner().invoke(app, ["eval", "--dataset", "cord", str(tmp_path)])
    assert text.exit_code == 0 and "CORD line items" in text.output


def test_words_are_joined_into_lines_at_small_gaps_only() -> None:
    lines = cord_lines(sample(RECEIPT[:1], MENU[0]))
    assert [line.text for line in lines] == ["1 Kopi Susu Kolonel", "23.000"]


def test_expected_items_accept_one_object_lists_and_split_names() -> None:
    one = expected_items({"gt_parse": {"menu": {"nm": "TT", "cnt": "1", "price": "20,000"}}})
    assert [(e.description, e.quantity, e.amount) for e in one] == [("TT", "1", "20,000")]
    split = expected_items({"gt_parse": {"menu": [{"nm": ["-", "Gyro Platter"], "price": "5"}]}})
    assert [(e.description, e.quantity) for e in split] == [("- Gyro Platter", None)]


def test_expected_total_reads_rupiah_as_printed() -> None:
    totals = ["61.000", "Rp. 39.000", "70000.00", "8,250", ["12,750"]]
    found = [expected_total({"gt_parse": {"total": {"total_price": t}}}) for t in totals]
    assert found == [Decimal(61000), Decimal(39000), Decimal(70000), Decimal(8250), Decimal(12750)]
    assert expected_total({"gt_parse": {"total": {"cashprice": "5.000"}}}) is None
    assert expected_total({"gt_parse": {}}) is None


def test_whole_extractor_scores_the_total_and_keeps_item_numbers(tmp_path: Path) -> None:
    right = sample(RECEIPT, MENU)
    right["gt_parse"]["total"] = {"total_price": "61.000"}
    wrong = sample(RECEIPT, MENU)
    wrong["gt_parse"]["total"] = {"total_price": "62.000"}
    write(tmp_path, "validation_0000.json", right)
    write(tmp_path, "validation_0001.json", wrong)
    items_only = evaluate_cord(tmp_path)
    extractor = LocalExtractor(OcrSettings(), LocalSettings(default_currency="IDR"))
    report = evaluate_cord(tmp_path, extract_lines=extractor.extract_lines)
    data = report.to_dict()
    assert {k: v for k, v in data.items() if k not in ("total", "trust")} == items_only.to_dict()
    assert (report.total.expected, report.total.hits) == (2, 1)
    assert data["total"]["misses"][0]["file"] == "validation_0001.json"
    assert data["trust"]["wrong_caught"]["fields"] == ["total"]  # CORD labels no date
    assert data["trust"]["fields"]["total"]["labelled"] == 2
    assert "total" not in items_only.to_dict()
