"""Receipt pages -> image parts for a vision model, sized on purpose.

OpenAI bills an image at ``detail="high"`` as a base charge plus a charge per 512-px tile of
the image *after* its own resize (fit inside 2048 x 2048, then shrink so the short side is at
most 768). GPT-4o mini charges 2,833 base + 5,667 per tile (GPT-4o's 85 / 170 times 100/3),
so on mini a tile costs about as much as 5,700 tokens of text: pixels are the bill.

A receipt is narrow and tall, and its small print is what must stay legible. A thermal
receipt holds up to ~48 characters per line, and a glyph stays readable from ~10-11 px
wide, so ~512 px across the receipt is enough (``min_short_side``). We pick, among the
scales between that floor and what OpenAI would keep anyway, the one with the fewest
tiles, and at that tile count the largest scale (sharpest text for the same price).
Pixels OpenAI would throw away are never sent, and a page is never upscaled.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from typing import Literal

from PIL import Image

from receiptflow.llm import pricing
from receiptflow.llm.pricing import FIT_BOX, SHORT_SIDE_CAP, TILE, tiles_for
from receiptflow.settings import ImageTokenRule

__all__ = ["FIT_BOX", "SHORT_SIDE_CAP", "TILE", "image_tokens", "plan_size", "tiles_for"]

Detail = Literal["low", "high", "auto"]


def image_tokens(width: int, height: int, detail: str, model: str | ImageTokenRule) -> int:
    """Prompt tokens one image of this size costs, by the model's family rule
    (``receiptflow.llm.pricing``; low detail on a tile model: the base charge only)."""
    rule = pricing.image_rule(model) if isinstance(model, str) else model
    return pricing.image_tokens(width, height, detail, rule)


def plan_size(
    width: int,
    height: int,
    *,
    detail: Detail = "high",
    min_short_side: int = TILE,
    max_long_side: int = FIT_BOX,
    text_height: float | None = None,
    min_text_height: float = 16.0,
) -> tuple[int, int]:
    """The size to send: fewest tiles that keep small print legible.

    Legible means the OCR'd text lines (median box height ``text_height``, when known) stay
    at least ``min_text_height`` px tall; without OCR, the short side stays >=
    ``min_short_side``."""
    if detail == "low":  # billed flat; OpenAI looks at a 512 x 512 version anyway
        scale = min(1.0, TILE / max(width, height))
        return max(1, round(width * scale)), max(1, round(height * scale))
    short, long_ = min(width, height), max(width, height)
    top = min(1.0, max_long_side / long_, SHORT_SIDE_CAP / short, FIT_BOX / long_)
    wanted = min_text_height / text_height if text_height else min_short_side / short
    floor = min(top, wanted)
    # Candidate scales: the ends of the range, and every scale where a side fills whole tiles.
    candidates = {top, floor}
    for side in (width, height):
        for count in range(1, FIT_BOX // TILE + 1):
            scale = count * TILE / side
            if floor <= scale <= top:
                candidates.add(scale)

    def cost(scale: float) -> tuple[int, float]:
        return tiles_for(_scaled(width, scale), _scaled(height, scale)), -scale

    best = min(candidates, key=cost)
    return _scaled(width, best), _scaled(height, best)


def _scaled(side: int, scale: float) -> int:
    # floor, not round: a side of 512.4 px must not spill into a second tile
    return max(1, math.floor(side * scale + 1e-9))


@dataclass(frozen=True)
class PreparedImage:
    data_url: str
    width: int
    height: int
    tokens: int  # estimated prompt tokens for this image


def prepare_image(
    image: Image.Image,
    *,
    model: str,
    detail: Detail,
    min_short_side: int = TILE,
    max_long_side: int = FIT_BOX,
    text_height: float | None = None,
    min_text_height: float = 16.0,
    jpeg_quality: int = 90,
    rule: ImageTokenRule | None = None,
) -> PreparedImage:
    """Resize per ``plan_size`` and encode as a JPEG data URL; tokens by ``rule`` (default:
    the rule of ``model`` in the built-in table)."""
    width, height = plan_size(
        *image.size,
        detail=detail,
        min_short_side=min_short_side,
        max_long_side=max_long_side,
        text_height=text_height,
        min_text_height=min_text_height,
    )
    resized = image.convert("RGB")
    if (width, height) != image.size:
        resized = resized.resize((width, height), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    resized.save(buffer, format="JPEG", quality=jpeg_quality, optimize=True)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return PreparedImage(
        data_url=f"data:image/jpeg;base64,{encoded}",
        width=width,
        height=height,
        tokens=image_tokens(width, height, detail, rule or model),
    )
