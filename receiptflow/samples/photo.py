"""Make a clean receipt image look scanned or photographed (Pillow only, seeded).

Noise comes from ``random.Random.randbytes`` rather than ``Image.effect_noise`` so the same
seed gives the same pixels on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageFilter, ImageOps

from receiptflow.samples.geometry import (
    Geometry,
    quad_warped,
    resized,
    rotated,
    translate,
)

PHOTO_WIDTH_PX = 900


def _noise(size: tuple[int, int], amplitude: int, rng: random.Random) -> Image.Image:
    """Gray noise centred on 128 with values within +-amplitude."""
    raw = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    return raw.point(lambda v: 128 + (v - 128) * amplitude // 128)


def add_noise(image: Image.Image, amplitude: int, rng: random.Random) -> Image.Image:
    bands = [
        ImageChops.add(band, _noise(image.size, amplitude, rng), offset=-128)
        for band in image.split()
    ]
    return Image.merge(image.mode, bands)


def scan(image: Image.Image, rng: random.Random, noise: int = 10) -> Image.Image:
    """A flatbed scan: a touch of blur and sensor noise, still grayscale."""
    softened = image.filter(ImageFilter.GaussianBlur(0.5))
    return add_noise(softened, noise, rng) if noise else softened


def _lighting(size: tuple[int, int], angle: float) -> Image.Image:
    """Uneven light: a lamp off to one side, darker towards the far corner."""
    # Rotate a doubled gradient and keep its centre, so no unfilled corners show.
    ramp = Image.linear_gradient("L").resize((512, 512)).rotate(angle)
    ramp = ramp.crop((128, 128, 384, 384)).resize(size)
    spot = ImageOps.invert(Image.radial_gradient("L")).resize(size)
    light = ImageChops.multiply(
        ramp.point(lambda v: 165 + v * 90 // 255), spot.point(lambda v: 190 + v * 65 // 255)
    )
    return Image.merge("RGB", (light, light, light.point(lambda v: v * 94 // 100)))


@dataclass(frozen=True)
class PhotoPlan:
    """Everything random about one photo but its noise, drawn up front in a fixed order."""

    background: tuple[int, int, int]
    pad: tuple[int, int]
    canvas: tuple[int, int]
    quad: tuple[float, ...]  # the skewed source quadrilateral: NW, SW, SE, NE corners
    angle: float
    light_angle: float
    blur: float


def plan_photo(size: tuple[int, int], rng: random.Random) -> PhotoPlan:
    background = (rng.randint(70, 110), rng.randint(55, 85), rng.randint(40, 60))
    pad_x, pad_y = size[0] // 7, size[0] // 9
    width, height = size[0] + 2 * pad_x, size[1] + 2 * pad_y

    def jitter(limit: float) -> float:
        return rng.uniform(-limit, limit)

    dx, dy = width * 0.04, height * 0.015
    quad = (
        jitter(dx),
        jitter(dy),  # upper left
        jitter(dx),
        height + jitter(dy),  # lower left
        width + jitter(dx),
        height + jitter(dy),  # lower right
        width + jitter(dx),
        jitter(dy),  # upper right
    )
    angle = rng.choice((-1, 1)) * rng.uniform(0.8, 2.2)
    light_angle = rng.uniform(0, 360)
    return PhotoPlan(
        background, (pad_x, pad_y), (width, height), quad, angle, light_angle, rng.uniform(0.5, 0.8)
    )


def photo_geometry(size: tuple[int, int], plan: PhotoPlan) -> Geometry:
    """Where ``photograph`` moves each point of the clean print."""
    geometry = Geometry(size).then(translate(*plan.pad), plan.canvas)
    geometry = rotated(quad_warped(geometry, plan.quad), plan.angle)
    width, height = geometry.size
    return resized(geometry, (PHOTO_WIDTH_PX, round(height * PHOTO_WIDTH_PX / width)))


def photograph(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo on a desk: tilted, slightly rotated, unevenly lit, soft and noisy."""
    return develop(image, plan_photo(image.size, rng), rng)


def develop(image: Image.Image, plan: PhotoPlan, rng: random.Random) -> Image.Image:
    """The photo ``plan`` describes (``rng`` draws only its sensor noise)."""
    paper = ImageOps.colorize(image, black=(30, 30, 36), white=(246, 243, 236))
    canvas = Image.new("RGB", plan.canvas, plan.background)
    canvas.paste(paper, plan.pad)
    canvas = canvas.transform(
        canvas.size,
        Image.Transform.QUAD,
        plan.quad,
        Image.Resampling.BICUBIC,
        fillcolor=plan.background,
    )
    canvas = canvas.rotate(
        plan.angle, Image.Resampling.BICUBIC, expand=True, fillcolor=plan.background
    )
    canvas = ImageChops.multiply(canvas, _lighting(canvas.size, plan.light_angle))
    scale = PHOTO_WIDTH_PX / canvas.width
    canvas = canvas.resize((PHOTO_WIDTH_PX, round(canvas.height * scale)), Image.Resampling.LANCZOS)
    canvas = canvas.filter(ImageFilter.GaussianBlur(plan.blur))
    return add_noise(canvas, 12, rng)
