"""``eval --report DIR``: report.json and valid PNG reliability diagrams, matplotlib only then."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from PIL import Image
from test_cord_eval import MENU, RECEIPT, sample, write
from trust_support import hand_made_outcomes
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.eval.trust import trust_figures
from receiptflow.eval.trust_report import diagram_name, write_report

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _assert_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        image.verify()  # a whole, readable PNG
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > 300 and image.size[1] > 300


def test_report_json_and_one_diagram_per_field_with_probabilities(tmp_path: Path) -> None:
    report = {"dataset": "hand-made", "trust": trust_figures(hand_made_outcomes()).to_dict()}
    written = write_report(tmp_path / "out", report)
    names = sorted(path.name for path in written)
    assert names == [
        "reliability-date.png",
        "reliability-merchant.name.png",
        "reliability-receipt.png",
        "reliability-total.png",
        "report.json",
    ]
    assert json.loads((tmp_path / "out" / "report.json").read_text()) == report
    for path in written:
        if path.suffix == ".png":
            _assert_png(path)


def test_fields_without_probabilities_get_no_diagram(tmp_path: Path) -> None:
    data = trust_figures(hand_made_outcomes()).to_dict()
    for figures in data["fields"].values():
        figures["with_probability"] = 0
    written = write_report(tmp_path, {"dataset": "x", "trust": data})
    assert [path.name for path in written] == ["report.json"]
    assert diagram_name("merchant name/x") == "reliability-merchant_name_x.png"


def _cord_dataset(directory: Path) -> Path:
    receipt = sample(RECEIPT, MENU)
    receipt["gt_parse"]["total"] = {"total_price": "61.000"}
    directory.mkdir()
    write(directory, "validation_0000.json", receipt)
    return directory


def test_eval_report_option_writes_the_json_and_diagrams(tmp_path: Path) -> None:
    dataset = _cord_dataset(tmp_path / "cord")
    out = tmp_path / "report"
    command = ["eval", "--dataset", "cord", str(dataset), "--format", "json", "--report", str(out)]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["trust"]["receipts"] == 1
    assert printed["total"]["hits"] == 1  # the local extractor read 61.000 rupiah
    assert json.loads((out / "report.json").read_text()) == printed
    _assert_png(out / "reliability-total.png")
    assert f"wrote {out / 'report.json'}" in result.stderr


def test_matplotlib_is_imported_only_for_a_report(tmp_path: Path) -> None:
    dataset = _cord_dataset(tmp_path / "cord")
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from receiptflow.cli.main import app\n"
        f"result = CliRunner().invoke(app, ['eval', '--dataset', 'cord', {str(dataset)!r}])\n"
        "assert result.exit_code == 0, result.output\n"
        "assert 'Trust: does ok mean right?' in result.output, result.output\n"
        "print('matplotlib' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
