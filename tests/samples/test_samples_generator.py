"""The sample generator: deterministic, arithmetically exact truth, committed set up to date.

``RECEIPTFLOW_REGEN_SAMPLES=1 pytest tests/samples`` rewrites samples/ from the generator when a
change to it is intended (then look at the images and commit them).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops
from pypdf import PdfReader
from typer.testing import CliRunner

from receiptflow.cli.main import app
from receiptflow.samples import STANDARD_SAMPLES, SampleSpec, generate_sample, random_specs, render
from receiptflow.samples.render import FONTS, fonts_installed
from receiptflow.samples.scenarios import SCENARIOS, build
from receiptflow.schemas.currency import currency_exponent
from receiptflow.schemas.flags import has_errors
from receiptflow.schemas.receipt import Receipt
from receiptflow.schemas.validation import validate_receipt

SAMPLES_DIR = Path(__file__).resolve().parents[2] / "samples"
REGEN = os.environ.get("RECEIPTFLOW_REGEN_SAMPLES") == "1"


def assert_consistent(receipt: Receipt) -> None:
    """The sums a receipt must satisfy, written out with Decimal (not via the validator)."""
    zero = Decimal(0)
    places = currency_exponent(receipt.currency)
    for money in receipt.money_fields().values():
        assert -money.as_tuple().exponent == places, money  # type: ignore[operator]
    for line in receipt.line_items:
        assert line.amount is not None and line.quantity is not None and line.unit_price is not None
        assert abs(line.quantity * line.unit_price - line.amount) <= Decimal(1).scaleb(-places) / 2
    items = sum((line.amount or zero for line in receipt.line_items), zero)
    assert items == receipt.subtotal
    exclusive = sum((t.amount for t in receipt.taxes if not t.inclusive), zero)
    discounts = sum((d.amount for d in receipt.discounts), zero)
    expected_total = (
        items
        + exclusive
        + (receipt.tip or zero)
        + (receipt.service_charge or zero)
        - discounts
        + (receipt.rounding or zero)
    )
    assert expected_total == receipt.total
    if any(t.inclusive for t in receipt.taxes):
        assert exclusive == zero and receipt.tip is None
        assert receipt.total == items - discounts + (receipt.rounding or zero)
        for tax in receipt.taxes:  # inclusive tax is rate/(100+rate) of some part of the total
            assert tax.rate is not None and zero < tax.amount
            assert tax.amount <= receipt.total * tax.rate / (100 + tax.rate) + 1
    payment = receipt.payment
    assert payment is not None and payment.tendered is not None
    if payment.change is not None:
        assert payment.tendered - payment.change == receipt.total
    else:
        assert payment.tendered == receipt.total


@settings(max_examples=60, deadline=None)
@given(scenario=st.sampled_from(sorted(SCENARIOS)), seed=st.integers(0, 10**6))
def test_every_scenario_truth_adds_up(scenario: str, seed: int) -> None:
    receipt = build(scenario, seed).receipt
    assert_consistent(receipt)
    assert not has_errors(validate_receipt(receipt)), validate_receipt(receipt)


def test_scenarios_are_deterministic_and_seeds_differ() -> None:
    for scenario in SCENARIOS:
        assert build(scenario, 11).receipt == build(scenario, 11).receipt
        assert build(scenario, 11).receipt != build(scenario, 12).receipt


def test_malaysian_cash_total_rounds_to_five_sen() -> None:
    for seed in range(30):
        receipt = build("my_shop", seed).receipt
        assert receipt.total is not None and receipt.rounding is not None
        assert receipt.total % Decimal("0.05") == 0
        assert abs(receipt.rounding) <= Decimal("0.02")


@pytest.mark.parametrize("spec", STANDARD_SAMPLES[:2] + STANDARD_SAMPLES[5:7], ids=lambda s: s.name)
def test_generation_is_byte_for_byte_repeatable(spec: SampleSpec, tmp_path: Path) -> None:
    first = generate_sample(spec, tmp_path / "a")
    second = generate_sample(spec, tmp_path / "b")
    assert first.document.read_bytes() == second.document.read_bytes()
    assert first.expected.read_bytes() == second.expected.read_bytes()


def _pages(path: Path) -> list[Image.Image]:
    if path.suffix != ".pdf":
        return [Image.open(path).convert("L")]
    pages = []
    for page in PdfReader(path).pages:
        pages += [Image.open(io.BytesIO(image.data)).convert("L") for image in page.images]
    return pages


def _differing_pixels(ours: Image.Image, theirs: Image.Image) -> int:
    """Quarter-size pixels that clearly differ: blind to anti-aliasing and JPEG encoder
    differences, not to a moved, missing or changed word (a digit is ~15 such pixels)."""
    size = (max(1, ours.width // 4), max(1, ours.height // 4))
    a, b = ours.resize(size, Image.Resampling.BOX), theirs.resize(size, Image.Resampling.BOX)
    histogram = ImageChops.difference(a, b).histogram()
    return sum(histogram[40:])


def test_committed_samples_match_the_generator(tmp_path: Path) -> None:
    assert all(fonts_installed().values()), "install fonts-dejavu-core and fonts-liberation"
    for spec in STANDARD_SAMPLES:
        fresh = generate_sample(spec, tmp_path)
        committed = SAMPLES_DIR / spec.filename
        if REGEN:
            shutil.copyfile(fresh.document, committed)
            shutil.copyfile(fresh.expected, SAMPLES_DIR / fresh.expected.name)
            continue
        expected = (SAMPLES_DIR / fresh.expected.name).read_text(encoding="utf-8")
        assert expected == fresh.expected.read_text(encoding="utf-8"), spec.name
        if spec.variant == "pdf_text":
            assert committed.read_bytes() == fresh.document.read_bytes(), spec.name
            continue
        ours, theirs = _pages(fresh.document), _pages(committed)
        assert [p.size for p in ours] == [p.size for p in theirs], spec.name
        for mine, stored in zip(ours, theirs, strict=True):
            assert _differing_pixels(mine, stored) <= 5, spec.name
    committed_names = {
        p.name for p in SAMPLES_DIR.iterdir() if p.suffix != ".md" and p.suffix != ".py"
    }
    generated = {s.filename for s in STANDARD_SAMPLES} | {
        f"{s.name}.expected.json" for s in STANDARD_SAMPLES
    }
    assert committed_names == generated, "stray or missing files in samples/"


@pytest.mark.parametrize("spec", STANDARD_SAMPLES, ids=lambda s: s.name)
def test_committed_truth_parses_and_adds_up(spec: SampleSpec) -> None:
    data = json.loads((SAMPLES_DIR / f"{spec.name}.expected.json").read_text(encoding="utf-8"))
    receipt = Receipt.model_validate(data)
    assert receipt.model_dump(mode="json") == data
    assert_consistent(receipt)
    flags = validate_receipt(receipt)
    assert not has_errors(flags), flags
    if spec.variant == "pdf_text":  # text only: no picture to open
        assert len(PdfReader(SAMPLES_DIR / spec.filename).pages) == 1
        return
    pages = _pages(SAMPLES_DIR / spec.filename)
    assert pages and all(page.width >= 500 and page.height >= 300 for page in pages)


def test_committed_set_is_small_and_varied() -> None:
    total_bytes = sum(p.stat().st_size for p in SAMPLES_DIR.iterdir())
    assert total_bytes < 3_000_000
    currencies = {build(s.scenario, s.seed).receipt.currency for s in STANDARD_SAMPLES}
    assert currencies == {"USD", "MYR", "EUR", "JPY", "KWD", "GBP"}
    assert {s.variant for s in STANDARD_SAMPLES} >= {
        "photo",
        "rot90",
        "rot180",
        "pdf_pages",
        "pdf_text",
    }
    assert len(PdfReader(SAMPLES_DIR / "uk_supermarket_2pages.pdf").pages) == 2


def test_digital_pdf_has_an_extractable_text_layer() -> None:
    spec = next(s for s in STANDARD_SAMPLES if s.variant == "pdf_text")
    text = subprocess.run(
        ["pdftotext", "-layout", str(SAMPLES_DIR / spec.filename), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    receipt = Receipt.model_validate_json((SAMPLES_DIR / f"{spec.name}.expected.json").read_text())
    assert receipt.merchant.name and receipt.merchant.name in text
    assert f"${receipt.total}" in text
    for line in receipt.line_items:
        assert line.description in text


def test_image_only_pdf_has_no_text_layer() -> None:
    text = subprocess.run(
        ["pdftotext", str(SAMPLES_DIR / "uk_supermarket_2pages.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert text.strip() == ""


def test_random_specs_cover_variety_and_cli_writes_them(tmp_path: Path) -> None:
    specs = random_specs(40, seed=3)
    assert specs == random_specs(40, seed=3)
    assert len({s.scenario for s in specs}) >= 5 and len({s.variant for s in specs}) >= 6
    assert len({s.name.split("_")[0] for s in specs}) >= 6  # locales
    result = CliRunner().invoke(
        app, ["samples", "generate", str(tmp_path), "--count", "3", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    truths = sorted(tmp_path.glob("*.expected.json"))
    assert len(truths) == 3
    for truth in truths:
        assert_consistent(Receipt.model_validate_json(truth.read_text(encoding="utf-8")))
        assert any(
            p.name != truth.name and p.name.startswith(truth.name.split(".")[0])
            for p in tmp_path.iterdir()
        )


@pytest.fixture
def without_system_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """As on a machine without DejaVu/Liberation: every font is Pillow's bundled one."""
    missing = {
        name: ("Absent.ttf", "Absent-Bold.ttf", mono) for name, (_, _, mono) in FONTS.items()
    }
    monkeypatch.setattr(render, "FONTS", missing)
    render.load_font.cache_clear()
    yield
    render.load_font.cache_clear()


@pytest.mark.usefixtures("without_system_fonts")
def test_fallback_font_prints_and_records_ascii(tmp_path: Path) -> None:
    assert not any(fonts_installed().values())
    for spec in (STANDARD_SAMPLES[2], STANDARD_SAMPLES[7]):  # German café, UK pound signs
        sample = generate_sample(spec, tmp_path)
        truth = sample.expected.read_text(encoding="utf-8")
        assert truth.isascii(), truth
        assert_consistent(sample.receipt)
        assert Image.open(sample.document).size[0] >= 600
    assert "Cafe Morgenrot" in (tmp_path / "eu_cafe.expected.json").read_text(encoding="utf-8")
