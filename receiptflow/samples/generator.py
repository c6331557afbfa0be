"""Synthetic receipts with known truth: ``<name>.{png,jpg,pdf}`` beside ``<name>.expected.json``.

The expected JSON is exactly ``Receipt.model_dump(mode="json")`` of what was drawn. Everything is
seeded, so a spec always produces the same truth and (with the same fonts and Pillow) the same
pixels.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image

from receiptflow.samples.layouts import LAYOUTS, PAPER_COLUMNS, PrintLine, layout_receipt
from receiptflow.samples.pdf import POINTS_PER_MM, PdfWriter
from receiptflow.samples.photo import photograph, scan
from receiptflow.samples.render import FONTS, draws_all, render_lines
from receiptflow.samples.scenarios import SCENARIOS, build
from receiptflow.schemas.receipt import Receipt

Variant = Literal["scan_png", "scan_jpeg", "photo", "rot90", "rot180", "pdf_pages", "pdf_text"]
VARIANTS: tuple[Variant, ...] = (
    "scan_png",
    "scan_jpeg",
    "photo",
    "rot90",
    "rot180",
    "pdf_pages",
    "pdf_text",
)
SUFFIX = {
    "scan_png": ".png",
    "scan_jpeg": ".jpg",
    "photo": ".jpg",
    "rot90": ".png",
    "rot180": ".jpg",
    "pdf_pages": ".pdf",
    "pdf_text": ".pdf",
}
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


def truth_json(receipt: Receipt) -> str:
    return json.dumps(receipt.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def generate_sample(spec: SampleSpec, outdir: Path) -> GeneratedSample:
    """Render one sample and write it with its truth into ``outdir``."""
    draft = build(spec.scenario, spec.seed)
    cols = PAPER_COLUMNS[spec.paper]
    lines = layout_receipt(draft, spec.layout, cols)
    if spec.variant != "pdf_text" and not draws_all(spec.font, _all_text(lines)):
        # Fallback font without accents: print and record the ASCII spelling, so truth = ink.
        draft = draft.to_ascii()
        lines = layout_receipt(draft, spec.layout, cols)
    rng = random.Random(f"effects:{spec.name}:{spec.seed}")
    outdir.mkdir(parents=True, exist_ok=True)
    document = outdir / spec.filename
    width_pt = int(spec.paper.removesuffix("mm")) * POINTS_PER_MM
    if spec.variant == "pdf_text":
        writer = PdfWriter()
        writer.add_text_page(lines, cols, width_pt)
        document.write_bytes(writer.to_bytes(draft.receipt.merchant.name or spec.name))
    else:
        rendered = render_lines(lines, cols, spec.paper, spec.font)
        if spec.variant == "pdf_pages":
            document.write_bytes(
                _two_page_pdf(rendered.image, rendered.line_bottoms, width_pt, rng, spec.name)
            )
        else:
            _save_image(_apply_variant(spec.variant, rendered.image, rng), document, spec.variant)
    expected = outdir / f"{spec.name}.expected.json"
    expected.write_text(truth_json(draft.receipt), encoding="utf-8")
    return GeneratedSample(spec, document, expected, draft.receipt)


def _all_text(lines: list[PrintLine]) -> str:
    return "".join(cell.text for line in lines for cell in line.cells)


def _apply_variant(variant: Variant, image: Image.Image, rng: random.Random) -> Image.Image:
    if variant == "photo":
        return photograph(image, rng)
    if variant == "scan_png":
        return image
    # Noise would triple a PNG's size; lossless scans get only the scanner's softness.
    scanned = scan(image, rng, noise=0 if SUFFIX[variant] == ".png" else 10)
    if variant == "rot90":
        return scanned.transpose(Image.Transpose.ROTATE_90)
    if variant == "rot180":
        return scanned.transpose(Image.Transpose.ROTATE_180)
    return scanned


def _save_image(image: Image.Image, path: Path, variant: Variant) -> None:
    if path.suffix == ".png":
        image.save(path, "PNG", optimize=True)
    else:
        image.save(path, "JPEG", quality=JPEG_QUALITY[variant], optimize=True)


def _two_page_pdf(
    image: Image.Image, bottoms: tuple[int, ...], width_pt: float, rng: random.Random, title: str
) -> bytes:
    """A long receipt scanned in two halves, cut between print lines near the middle."""
    cut = min(bottoms, key=lambda y: abs(y - image.height / 2))
    writer = PdfWriter()
    for box in ((0, 0, image.width, cut), (0, cut, image.width, image.height)):
        writer.add_image_page(scan(image.crop(box), rng), width_pt)
    return writer.to_bytes(title)


def random_specs(count: int, seed: int) -> list[SampleSpec]:
    """``count`` varied specs: scenario, layout, paper, font and variant drawn from ``seed``."""
    rng = random.Random(f"specs:{seed}")
    specs = []
    for index in range(count):
        scenario = rng.choice(sorted(SCENARIOS))
        variant = rng.choice(VARIANTS)
        if scenario == "uk_supermarket_long":
            variant = "pdf_pages"
        specs.append(
            SampleSpec(
                name=f"{scenario}_{seed}_{index:03d}",
                scenario=scenario,
                layout=rng.choice(LAYOUTS),
                paper=rng.choice(sorted(PAPER_COLUMNS)),
                font=rng.choice(sorted(FONTS)),
                variant=variant,
                seed=rng.randrange(1_000_000),
            )
        )
    return specs


def generate_set(
    outdir: Path,
    specs: tuple[SampleSpec, ...] | list[SampleSpec] = STANDARD_SAMPLES,
) -> list[GeneratedSample]:
    return [generate_sample(spec, outdir) for spec in specs]
