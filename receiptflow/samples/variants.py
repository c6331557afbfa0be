"""How a clean print becomes the file: scanned, photographed, turned, damaged, or put into a
PDF, with the ``Geometry`` that takes each point of the print to the file's pixels."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageChops

from receiptflow.samples.damage import Damage, crease, cut_box, degrade
from receiptflow.samples.geometry import Geometry, cropped, scale, translate, turned
from receiptflow.samples.line_truth import PageFrame
from receiptflow.samples.pdf import PdfWriter
from receiptflow.samples.photo import develop, photo_geometry, plan_photo, scan
from receiptflow.samples.render import Rendered

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
IMAGE_VARIANTS: tuple[Variant, ...] = ("scan_png", "scan_jpeg", "photo", "rot90", "rot180")
SUFFIX = {
    "scan_png": ".png",
    "scan_jpeg": ".jpg",
    "photo": ".jpg",
    "rot90": ".png",
    "rot180": ".jpg",
    "pdf_pages": ".pdf",
    "pdf_text": ".pdf",
}
PDF_DPI = 200  # the ingest default: PDF line truth is in pixels at this resolution
UNBOUNDED = 1e9


@dataclass(frozen=True)
class Framed:
    image: Image.Image
    pages: list[PageFrame]


def apply_variant(
    variant: Variant, image: Image.Image, rng: random.Random, geometry: Geometry
) -> tuple[Image.Image, Geometry]:
    """The scanned, photographed or turned image and where its points went."""
    if variant == "photo":
        plan = plan_photo(image.size, rng)
        return develop(image, plan, rng), _chain(geometry, photo_geometry(image.size, plan))
    if variant == "scan_png":
        return image, geometry
    # Noise would triple a PNG's size; lossless scans get only the scanner's softness.
    scanned = scan(image, rng, noise=0 if SUFFIX[variant] == ".png" else 10)
    if variant == "rot90":
        return scanned.transpose(Image.Transpose.ROTATE_90), turned(geometry, 1)
    if variant == "rot180":
        return scanned.transpose(Image.Transpose.ROTATE_180), turned(geometry, 2)
    return scanned, geometry


def _chain(first: Geometry, then: Geometry) -> Geometry:
    return Geometry(then.size, (*first.steps, *then.steps))


def thermal(image: Image.Image, rng: random.Random) -> Image.Image:
    """Thermal paper: never quite white, ink that prints lighter on some rolls, and the odd
    worn print-head dot leaving a faint vertical streak."""
    fade = rng.uniform(0.0, 0.35)
    tint = rng.randint(236, 250)
    streaks = Image.new("L", (image.width, 1), 255)
    for _ in range(rng.randint(0, 3)):
        x = rng.randrange(image.width)
        streaks.paste(rng.randint(120, 220), (x, 0, min(image.width, x + rng.randint(1, 4)), 1))
    ink = ImageChops.multiply(ImageChops.invert(image), streaks.resize(image.size))
    ink = ink.point([round(v * (1 - fade)) for v in range(256)])
    return ImageChops.invert(ink).point([min(v, tint) for v in range(256)])


def image_sample(
    rendered: Rendered,
    variant: Variant,
    rng: random.Random,
    *,
    damage: Damage | None,
    damage_rng: random.Random,
) -> Framed:
    """The image file's pixels and the one page frame of its line truth."""
    image = rendered.image
    geometry = Geometry(image.size)
    rows = (0.0, UNBOUNDED)
    if damage in ("crop_top", "crop_bottom"):
        box = cut_box(rendered, damage, damage_rng)
        image, geometry, rows = image.crop(box), cropped(geometry, box), (box[1], box[3])
    if damage == "fold":
        image = crease(image, damage_rng)
    image, geometry = apply_variant(variant, image, rng, geometry)
    if damage in ("blur", "low_res"):
        image, geometry = degrade(image, geometry, damage, damage_rng)
    return Framed(image, [PageFrame(0, geometry, rows)])


def two_page_pdf(
    rendered: Rendered, width_pt: float, rng: random.Random, title: str
) -> tuple[bytes, list[PageFrame], list[tuple[int, int]]]:
    """A long receipt scanned in two halves, cut between print lines near the middle."""
    image = rendered.image
    cut = min(rendered.line_bottoms, key=lambda y: abs(y - image.height / 2))
    writer = PdfWriter()
    frames, sizes = [], []
    k = width_pt * PDF_DPI / 72 / image.width  # clean-print px -> page px at the ingest DPI
    for index, box in enumerate(((0, 0, image.width, cut), (0, cut, image.width, image.height))):
        writer.add_image_page(scan(image.crop(box), rng), width_pt)
        size = (round((box[2] - box[0]) * k), round((box[3] - box[1]) * k))
        geometry = Geometry(image.size).then(translate(0, -box[1]), image.size)
        frames.append(PageFrame(index, geometry.then(scale(k, k), size), (box[1], box[3])))
        sizes.append(size)
    return writer.to_bytes(title), frames, sizes
