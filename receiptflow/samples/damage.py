"""Damaged receipts, for teaching a reader when to doubt itself.

- ``blur``: heavily out of focus; ``low_res``: a small, blocky image; ``fold``: a crease
  across the paper. Everything is still printed, so the truth is unchanged.
- ``crop_top``: the top is cut off below the shop's name (merchant gone, maybe the address
  and the stamp too); ``crop_bottom``: cut off just above the total (total, payment and
  whatever follows gone); ``no_total``: the till printed no total line at all.

The truth records what is visible: the generator compares the fields the line truth prints
before and after the damage, and ``hide`` nulls (or drops from lists) what is gone.
"""

from __future__ import annotations

import random
from typing import Any, Literal

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from receiptflow.samples.geometry import Geometry, resized
from receiptflow.samples.render import Rendered
from receiptflow.schemas.receipt import Receipt

Damage = Literal["blur", "crop_top", "crop_bottom", "fold", "low_res", "no_total"]
DAMAGES: tuple[Damage, ...] = ("blur", "crop_top", "crop_bottom", "fold", "low_res", "no_total")
_ITEM_BLOCK = {"header", "item", "quantity", "deposit", "void", "discount"}


def cut_box(rendered: Rendered, damage: Damage, rng: random.Random) -> tuple[int, int, int, int]:
    """Where a torn-off or badly framed receipt ends: between two print lines."""
    width, height = rendered.image.size
    roles = [placed.line.text_role for placed in rendered.placed]
    tops = [round(placed.top) for placed in rendered.placed]
    if damage == "crop_top":
        name = roles.index("merchant")
        first_item = next(i for i, role in enumerate(roles) if role in _ITEM_BLOCK)
        below = rng.randint(name + 1, first_item)
        return (0, tops[below] - 2, width, height)
    total = next(i for i, role in enumerate(roles) if role == "total")
    return (0, 0, width, tops[total] - 1)


def crease(image: Image.Image, rng: random.Random) -> Image.Image:
    """A fold across the (grayscale) paper: a dark crease line, one side in shadow."""
    width, height = image.size
    left = rng.uniform(0.3, 0.7) * height
    right = left + rng.uniform(-0.05, 0.05) * width
    shade = Image.new("L", image.size, 255)
    draw = ImageDraw.Draw(shade)
    draw.polygon(
        [(0, left), (width, right), (width, height), (0, height)], fill=rng.randint(200, 230)
    )
    draw.line([(0, left), (width, right)], fill=rng.randint(95, 140), width=rng.randint(2, 4))
    shade = shade.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 2.0)))
    return ImageChops.multiply(image, shade)


def degrade(
    image: Image.Image, geometry: Geometry, damage: Damage, rng: random.Random
) -> tuple[Image.Image, Geometry]:
    """The damage done to the finished image: blur or a smaller, blockier copy."""
    if damage == "blur":
        return image.filter(ImageFilter.GaussianBlur(rng.uniform(1.6, 2.8))), geometry
    if damage == "low_res":
        factor = rng.uniform(0.3, 0.5)
        size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
        return image.resize(size, Image.Resampling.BILINEAR), resized(geometry, size)
    return image, geometry


def hide(receipt: Receipt, hidden: set[str], address: str | None) -> Receipt:
    """The truth of what is still visible: hidden scalars null, hidden list entries dropped,
    the address only its visible lines (``address``)."""
    data: dict[str, Any] = receipt.model_dump(mode="json")
    dropped: dict[str, set[int]] = {"line_items": set(), "taxes": set(), "discounts": set()}
    for path in hidden:
        head, *rest = path.split(".")
        if head in dropped:
            if rest[-1] in ("amount", "description"):
                dropped[head].add(int(rest[0]))
        elif head in ("merchant", "payment") and data[head] is not None:
            data[head][rest[0]] = None
        elif not rest:
            data[head] = None
    if "merchant.address" in hidden or receipt.merchant.address != address:
        data["merchant"]["address"] = address
    for name, indexes in dropped.items():
        data[name] = [entry for i, entry in enumerate(data[name]) if i not in indexes]
    payment = data.get("payment")
    if payment is not None and all(value is None for value in payment.values()):
        data["payment"] = None
    return Receipt.model_validate(data)
