"""Make a clean receipt image look scanned or photographed (Pillow only, seeded).

Noise comes from ``random.Random.randbytes`` rather than ``Image.effect_noise`` so the same
seed gives the same pixels on every run.
"""

from __future__ import annotations

import random

from PIL import Image, ImageChops, ImageFilter, ImageOps

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


def _lighting(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Uneven light: a lamp off to one side, darker towards the far corner."""
    # Rotate a doubled gradient and keep its centre, so no unfilled corners show.
    ramp = Image.linear_gradient("L").resize((512, 512)).rotate(rng.uniform(0, 360))
    ramp = ramp.crop((128, 128, 384, 384)).resize(size)
    spot = ImageOps.invert(Image.radial_gradient("L")).resize(size)
    light = ImageChops.multiply(
        ramp.point(lambda v: 165 + v * 90 // 255), spot.point(lambda v: 190 + v * 65 // 255)
    )
    return Image.merge("RGB", (light, light, light.point(lambda v: v * 94 // 100)))


def _perspective(
    image: Image.Image, rng: random.Random, background: tuple[int, int, int]
) -> Image.Image:
    """Tilt the paper: map a slightly skewed quadrilateral of the source onto the frame."""
    width, height = image.size

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
    return image.transform(
        image.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC, fillcolor=background
    )


def photograph(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone photo on a desk: tilted, slightly rotated, unevenly lit, soft and noisy."""
    background = (rng.randint(70, 110), rng.randint(55, 85), rng.randint(40, 60))
    paper = ImageOps.colorize(image, black=(30, 30, 36), white=(246, 243, 236))
    pad_x, pad_y = paper.width // 7, paper.width // 9
    canvas = Image.new("RGB", (paper.width + 2 * pad_x, paper.height + 2 * pad_y), background)
    canvas.paste(paper, (pad_x, pad_y))
    canvas = _perspective(canvas, rng, background)
    canvas = canvas.rotate(
        rng.choice((-1, 1)) * rng.uniform(0.8, 2.2),
        Image.Resampling.BICUBIC,
        expand=True,
        fillcolor=background,
    )
    canvas = ImageChops.multiply(canvas, _lighting(canvas.size, rng))
    scale = PHOTO_WIDTH_PX / canvas.width
    canvas = canvas.resize((PHOTO_WIDTH_PX, round(canvas.height * scale)), Image.Resampling.LANCZOS)
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 0.8)))
    return add_noise(canvas, 12, rng)
