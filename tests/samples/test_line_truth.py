"""Line truth: every printed piece has a role, its box is where its ink is, and the boxes
follow each variant's geometry into the final pixels."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageStat

from receiptflow.samples import SampleSpec, generate_sample
from receiptflow.samples.geometry import Geometry
from receiptflow.samples.line_truth import (
    PageFrame,
    cell_segments,
    line_records,
)
from receiptflow.samples.photo import PHOTO_WIDTH_PX, photo_geometry, plan_photo
from receiptflow.samples.registry import printed
from receiptflow.samples.render import INK, PAPER, Rendered, render_lines
from receiptflow.samples.roles import ROLE_SET

# (scenario, locale, font): fixed and locale-driven shops, monospace, proportional, bundled
CASES = [
    ("supermarket", "de-DE", "dejavu-sans"),
    ("restaurant", "en-US", "liberation-sans-narrow"),
    ("cafe", "fr-FR", "pillow"),
    ("gas_station", "ms-MY", "dejavu-serif"),
    ("supermarket", "nl-NL", "liberation-mono"),
    ("us_diner", None, "dejavu-mono"),
    ("uk_supermarket", None, "liberation-sans"),
]


def _render(scenario: str, locale: str | None, font: str, seed: int = 3) -> Rendered:
    ascii_only = font == "pillow"
    receipt = printed(scenario, locale, seed, "columns", 42, ascii_only=ascii_only)
    return render_lines(list(receipt.lines), 42, "80mm", font)


@pytest.mark.parametrize(("scenario", "locale", "font"), CASES)
def test_each_segment_box_holds_exactly_the_ink_of_its_text(
    scenario: str, locale: str | None, font: str
) -> None:
    """Drawing a segment's text alone at its recorded origin gives the same pixels inside
    its box as the receipt has there, and no ink of the receipt is outside every box."""
    rendered = _render(scenario, locale, font)
    image = rendered.image
    covered = Image.new("L", image.size, 0)
    for line in rendered.placed:
        for cell in line.cells:
            for segment in cell_segments(cell, line.top):
                assert segment.text and segment.text == segment.text.strip()
                assert segment.text in cell.cell.text
                solo = Image.new("L", image.size, PAPER)
                ImageDraw.Draw(solo).text((segment.x, line.top), segment.text, INK, cell.font)
                x0, y0, x1, y1 = segment.box
                box = (int(x0) - 1, int(y0) - 1, int(x1) + 2, int(y1) + 2)
                difference = ImageChops.difference(image.crop(box), solo.crop(box))
                assert ImageStat.Stat(difference).mean[0] < 8, segment.text
                ImageDraw.Draw(covered).rectangle(box, fill=255)
    ink = image.point(lambda v: 255 if v < 160 else 0)
    stray = ImageChops.subtract(ink, covered)
    assert stray.getbbox() is None, "ink outside every segment box"


def _records(spec: SampleSpec, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    sample = generate_sample(spec, tmp_path, line_truth=True)
    assert sample.lines is not None
    return json.loads(sample.lines.read_text(encoding="utf-8")), sample.document


def _spec(variant: str, scenario: str = "supermarket", locale: str | None = "de-DE") -> SampleSpec:
    return SampleSpec(
        f"{scenario}_{variant}",
        scenario,
        "at",
        "80mm",
        "dejavu-sans",
        variant,  # type: ignore[arg-type]
        11,
        locale=locale,
    )


def _check_document(data: dict[str, Any]) -> None:
    assert data["format"] == "receiptflow-lines/1"
    pages = {page["index"]: (page["width"], page["height"]) for page in data["pages"]}
    for number, line in enumerate(data["lines"]):
        assert line["index"] == number and line["role"] in ROLE_SET
        assert line["text"] == " ".join(segment["text"] for segment in line["segments"])
        width, height = pages[line["page"]]
        for segment in line["segments"]:
            assert segment["role"] in ROLE_SET
            x0, y0, x1, y1 = segment["box"]
            assert -1 <= x0 < x1 <= width + 1 and -1 <= y0 < y1 <= height + 1, segment
            assert len(segment["quad"]) == 4


@pytest.mark.parametrize("variant", ["scan_png", "rot90", "rot180", "photo", "scan_jpeg"])
def test_boxes_lie_inside_the_image_and_on_its_ink(variant: str, tmp_path: Path) -> None:
    data, document = _records(_spec(variant), tmp_path)
    _check_document(data)
    image = Image.open(document).convert("L")
    assert [image.size] == [(p["width"], p["height"]) for p in data["pages"]]
    dark = image.filter(ImageFilter.MinFilter(3))
    for line in data["lines"]:
        for segment in line["segments"]:
            x0, y0, x1, y1 = segment["box"]
            inside = dark.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
            assert inside.getextrema()[0] < 150, (variant, segment["text"])


def test_scan_boxes_are_the_clean_print_boxes(tmp_path: Path) -> None:
    spec = _spec("scan_png")
    data, _ = _records(spec, tmp_path)
    receipt = printed(spec.scenario, spec.locale, spec.seed, spec.layout, 42, ascii_only=False)
    rendered = render_lines(list(receipt.lines), 42, spec.paper, spec.font)
    clean = line_records(rendered.placed, [PageFrame(0, Geometry(rendered.image.size), (0, 1e9))])
    assert [line["segments"] for line in clean] == [line["segments"] for line in data["lines"]]


def test_photo_geometry_follows_pillows_warps() -> None:
    """Dots on a blank print end up, after the photo's own warps, where the geometry says."""
    size = (820, 1500)
    dots = [(100, 100), (700, 200), (400, 1400), (60, 1450), (410, 750)]
    for seed in range(4):
        plan = plan_photo(size, random.Random(seed))
        blank = Image.new("L", size, 0)
        for x, y in dots:
            blank.paste(255, (x - 3, y - 3, x + 3, y + 3))
        canvas = Image.new("L", plan.canvas, 0)
        canvas.paste(blank, plan.pad)
        canvas = canvas.transform(
            canvas.size, Image.Transform.QUAD, plan.quad, Image.Resampling.BICUBIC
        )
        canvas = canvas.rotate(plan.angle, Image.Resampling.BICUBIC, expand=True)
        height = round(canvas.height * PHOTO_WIDTH_PX / canvas.width)
        canvas = canvas.resize((PHOTO_WIDTH_PX, height), Image.Resampling.LANCZOS)
        geometry = photo_geometry(size, plan)
        assert geometry.size == canvas.size
        for dot in dots:
            x, y = geometry.map(dot)
            window = canvas.crop((int(x) - 12, int(y) - 12, int(x) + 12, int(y) + 12))
            found = window.point(lambda v: 255 if v > 60 else 0).getbbox()
            assert found is not None
            centre = (
                int(x) - 12 + (found[0] + found[2]) / 2,
                int(y) - 12 + (found[1] + found[3]) / 2,
            )
            assert abs(centre[0] - x) <= 1.5 and abs(centre[1] - y) <= 1.5, (seed, dot)


def _pdf_pages(document: Path, folder: Path) -> list[Image.Image]:
    """The PDF's pages as poppler renders them at the ingest DPI."""
    subprocess.run(
        ["pdftoppm", "-r", "200", "-gray", "-png", str(document), str(folder / "page")],
        check=True,
    )
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page*.png"))]


def _assert_ink_in_boxes(data: dict[str, Any], pages: list[Image.Image]) -> None:
    for spec, page in zip(data["pages"], pages, strict=True):
        assert abs(page.width - spec["width"]) <= 1 and abs(page.height - spec["height"]) <= 1
    for line in data["lines"]:
        page = pages[line["page"]]
        for segment in line["segments"]:
            x0, y0, x1, y1 = segment["box"]
            inside = page.crop((int(x0), int(y0), int(x1) + 1, int(y1) + 1))
            assert inside.getextrema()[0] < 128, segment["text"]


def test_pdf_pages_put_each_line_on_its_page_at_the_ingest_dpi(tmp_path: Path) -> None:
    spec = SampleSpec("long", "uk_supermarket_long", "sku", "80mm", "dejavu-mono", "pdf_pages", 6)
    data, document = _records(spec, tmp_path)
    _check_document(data)
    assert data["coordinates"] == "pdf@200dpi"
    assert {line["page"] for line in data["lines"]} == {0, 1}
    _assert_ink_in_boxes(data, _pdf_pages(document, tmp_path))


def test_text_pdf_boxes_hold_the_text_poppler_draws(tmp_path: Path) -> None:
    data, document = _records(_spec("pdf_text", "restaurant", "en-US"), tmp_path)
    _check_document(data)
    _assert_ink_in_boxes(data, _pdf_pages(document, tmp_path))


def test_every_value_segment_prints_its_truth_field(tmp_path: Path) -> None:
    """A segment that says it prints ``total`` shows the total; items and dates likewise."""
    data, _ = _records(_spec("scan_png", "restaurant", "en-US"), tmp_path)
    truth = json.loads((tmp_path / "restaurant_scan_png.expected.json").read_text())
    by_field = {
        s["field"]: s["text"] for line in data["lines"] for s in line["segments"] if "field" in s
    }
    assert by_field["merchant.name"] == truth["merchant"]["name"]
    assert truth["total"] in by_field["total"].replace(",", "")
    for index, item in enumerate(truth["line_items"]):
        assert by_field[f"line_items.{index}.description"] == item["description"]
        assert item["amount"] in by_field[f"line_items.{index}.amount"]


def test_keys_carry_their_values_role() -> None:
    rendered = _render("supermarket", "de-DE", "dejavu-sans", seed=5)
    for line in rendered.placed:
        segments = [s for c in line.cells for s in cell_segments(c, line.top)]
        keys = [s for s in segments if s.part.key]
        values = [s for s in segments if not s.part.key and s.part.field]
        if line.line.text_role == "total":
            assert keys and values and {s.part.role for s in keys + values} == {"total"}
            assert not any(s.part.field for s in keys)
