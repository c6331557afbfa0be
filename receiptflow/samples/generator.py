"""Synthetic receipts with known truth: ``<name>.{png,jpg,pdf}`` beside ``<name>.expected.json``.

The expected JSON is exactly ``Receipt.model_dump(mode="json")`` of what was drawn. Everything is
seeded, so a spec always produces the same truth and (with the same fonts and Pillow) the same
pixels.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from receiptflow.samples.damage import Damage, hide
from receiptflow.samples.geometry import Geometry
from receiptflow.samples.layouts import PAPER_COLUMNS
from receiptflow.samples.line_truth import (
    PageFrame,
    document,
    line_records,
    printed_fields,
    text_page_placed,
)
from receiptflow.samples.pdf import POINTS_PER_MM, PdfWriter, text_page_layout
from receiptflow.samples.printout import Printout, without_role
from receiptflow.samples.registry import printed
from receiptflow.samples.render import PlacedLine, draws_all, render_lines
from receiptflow.samples.scenarios import SCENARIOS
from receiptflow.samples.variants import (
    IMAGE_VARIANTS,
    PDF_DPI,
    SUFFIX,
    UNBOUNDED,
    VARIANTS,
    Variant,
    image_sample,
    thermal,
    two_page_pdf,
)
from receiptflow.schemas.receipt import Receipt

__all__ = ["SUFFIX", "VARIANTS", "Variant"]
JPEG_QUALITY = {"scan_jpeg": 85, "photo": 72, "rot180": 85}


@dataclass(frozen=True)
class SampleSpec:
    name: str
    scenario: str
    layout: str
    paper: str  # "58mm" | "80mm"
    font: str
    variant: Variant
    seed: int
    locale: str | None = None  # locale-driven shops only
    damage: Damage | None = None

    def __post_init__(self) -> None:
        if self.damage not in (None, "no_total") and self.variant not in IMAGE_VARIANTS:
            raise ValueError(f"damage {self.damage!r} is drawn on images, not {self.variant}")

    @property
    def filename(self) -> str:
        return self.name + SUFFIX[self.variant]


# The committed set in samples/ (tests compare it with a fresh generation).
STANDARD_SAMPLES: tuple[SampleSpec, ...] = (
    SampleSpec("us_diner", "us_diner", "columns", "80mm", "dejavu-mono", "scan_png", 3),
    SampleSpec("my_shop_photo", "my_shop", "at", "58mm", "liberation-mono", "photo", 2),
    SampleSpec("eu_cafe", "eu_cafe", "columns", "80mm", "dejavu-sans", "scan_jpeg", 7),
    SampleSpec("jp_konbini_rot90", "jp_konbini", "at", "58mm", "dejavu-mono", "rot90", 4),
    SampleSpec("kw_store_rot180", "kw_store", "columns", "80mm", "liberation-mono", "rot180", 5),
    SampleSpec(
        "uk_supermarket_2pages",
        "uk_supermarket_long",
        "sku",
        "80mm",
        "liberation-sans-narrow",
        "pdf_pages",
        6,
    ),
    SampleSpec(
        "us_restaurant_digital", "us_restaurant", "at", "80mm", "dejavu-mono", "pdf_text", 7
    ),
    SampleSpec("uk_supermarket_photo", "uk_supermarket", "sku", "80mm", "dejavu-serif", "photo", 8),
)


@dataclass(frozen=True)
class GeneratedSample:
    spec: SampleSpec
    document: Path
    expected: Path
    receipt: Receipt
    lines: Path | None = None


def truth_json(receipt: Receipt) -> str:
    return json.dumps(receipt.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def _printout(spec: SampleSpec, cols: int) -> Printout:
    args = (spec.scenario, spec.locale, spec.seed, spec.layout, cols)
    printout = printed(*args, ascii_only=False)
    if spec.variant != "pdf_text" and not draws_all(spec.font, printout.text()):
        # Fallback font without accents: print and record the ASCII spelling, so truth = ink.
        printout = printed(*args, ascii_only=True)
    if spec.damage == "no_total":
        printout = without_role(printout, "total")
    return printout


def generate_sample(spec: SampleSpec, outdir: Path, *, line_truth: bool = False) -> GeneratedSample:
    """Render one sample and write it with its truth (and line truth) into ``outdir``."""
    cols = PAPER_COLUMNS[spec.paper]
    printout = _printout(spec, cols)
    rng = random.Random(f"effects:{spec.name}:{spec.seed}")
    outdir.mkdir(parents=True, exist_ok=True)
    path = outdir / spec.filename
    width_pt = int(spec.paper.removesuffix("mm")) * POINTS_PER_MM
    title = printout.receipt.merchant.name or spec.name
    if spec.variant == "pdf_text":
        writer = PdfWriter()
        writer.add_text_page(list(printout.lines), cols, width_pt)
        path.write_bytes(writer.to_bytes(title))
        page = text_page_layout(list(printout.lines), cols, width_pt)
        placed = text_page_placed(page, PDF_DPI)
        size = (round(width_pt * PDF_DPI / 72), round(page.height_pt * PDF_DPI / 72))
        pages, sizes = [PageFrame(0, Geometry(size), (0.0, UNBOUNDED))], [size]
    else:
        rendered = render_lines(list(printout.lines), cols, spec.paper, spec.font)
        if spec.scenario not in SCENARIOS:  # the committed fixed shops keep their look
            paper = thermal(rendered.image, random.Random(f"thermal:{spec.name}:{spec.seed}"))
            rendered = replace(rendered, image=paper)
        placed = rendered.placed
        if spec.variant == "pdf_pages":
            pdf, pages, sizes = two_page_pdf(rendered, width_pt, rng, spec.name)
            path.write_bytes(pdf)
        else:
            damage_rng = random.Random(f"damage:{spec.name}:{spec.seed}")
            framed = image_sample(
                rendered, spec.variant, rng, damage=spec.damage, damage_rng=damage_rng
            )
            _save_image(framed.image, path, spec.variant)
            pages, sizes = framed.pages, [framed.image.size]
    receipt, records, meta = _truth(spec, printout, placed, pages)
    expected = outdir / f"{spec.name}.expected.json"
    expected.write_text(truth_json(receipt), encoding="utf-8")
    lines_path = None
    if line_truth:
        lines_path = outdir / f"{spec.name}.lines.json"
        coordinates = f"pdf@{PDF_DPI}dpi" if path.suffix == ".pdf" else "image"
        data = document(
            name=spec.name,
            filename=spec.filename,
            meta=meta,
            pages=sizes,
            coordinates=coordinates,
            records=records,
        )
        lines_path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    return GeneratedSample(spec, path, expected, receipt, lines_path)


def _truth(
    spec: SampleSpec, printout: Printout, placed: tuple[PlacedLine, ...], pages: list[PageFrame]
) -> tuple[Receipt, list[dict[str, Any]], dict[str, Any]]:
    """The receipt as far as it is visible, its line records and the side file's header."""
    records = line_records(placed, pages)
    receipt = printout.receipt
    hidden: set[str] = set()
    if spec.damage is not None:
        whole = [PageFrame(0, Geometry((1, 1)), (-UNBOUNDED, UNBOUNDED))]
        everything = printed_fields(line_records(placed, whole))
        if spec.damage == "no_total":  # the total was never printed: compare with the till
            everything.add("total")
        hidden = everything - printed_fields(records)
        address = [
            s["text"]
            for line in records
            for s in line["segments"]
            if s.get("field") == "merchant.address"
        ]
        receipt = hide(receipt, hidden, " ".join(address) or None)
    meta = {
        "scenario": spec.scenario,
        "locale": printout.locale,
        "variant": spec.variant,
        "damage": spec.damage,
        "hidden": sorted(hidden),
    }
    return receipt, records, meta


def _save_image(image: Image.Image, path: Path, variant: Variant) -> None:
    if path.suffix == ".png":
        image.save(path, "PNG", optimize=True)
    else:
        image.save(path, "JPEG", quality=JPEG_QUALITY[variant], optimize=True)


def generate_set(
    outdir: Path,
    specs: tuple[SampleSpec, ...] | list[SampleSpec] = STANDARD_SAMPLES,
    *,
    line_truth: bool = False,
) -> list[GeneratedSample]:
    return [generate_sample(spec, outdir, line_truth=line_truth) for spec in specs]
