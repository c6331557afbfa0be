"""What a model costs: dollars per million tokens (input, cached input, output) and how many
tokens an image is billed at, per model family; and which models reason (their requests differ).

The built-in table is OpenAI's list prices (https://platform.openai.com/docs/pricing) and the
image-token rules of the "Images and vision" guide
(https://platform.openai.com/docs/guides/images-vision#calculating-costs, "Calculating costs"):

- tiles (GPT-4o, GPT-4o mini): the image is fitted into 2048 x 2048, shrunk to a short side
  of at most 768, then billed a base charge plus a charge per 512-px tile: 85 / 170 tokens on
  GPT-4o, 2,833 / 5,667 on GPT-4o mini (the same dollars as 4o at mini's lower token price).
- patches (GPT-4.1 mini / nano, GPT-5 mini): the image is covered by 32 x 32 px patches, at
  most 1,536 (a larger image is scaled down until it fits), times a multiplier per model:
  1.62 (4.1-mini, 5-mini), 2.46 (4.1-nano). ``detail`` does not change this. The guide's 1.62
  for gpt-5-mini is what is used here; the OpenAI community has measured 1.2 on the wire
  (https://community.openai.com/t/gpt-5-mini-image-input-token-calculation-discrepancy-with-official-faq-formula/1344040):
  the estimate errs high, the bill uses the server's own ``usage``.

``RECEIPTFLOW_LLM__PRICES`` adds models or replaces rows (merged over this table). A model
found in neither has no price: its cost is ``None`` (unknown) with a warning, never $0.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from decimal import Decimal

from receiptflow.settings import ImageTokenRule, ModelPrice

log = logging.getLogger("receiptflow.llm")

MILLION = Decimal(1_000_000)
BATCH_FACTOR = Decimal("0.5")  # the Batch API bills every token at half price

TILE = 512
FIT_BOX = 2048
SHORT_SIDE_CAP = 768
PATCH = 32
MAX_PATCHES = 1536


def _row(
    inp: str, cached: str, out: str, image: ImageTokenRule, *, reasoning: bool = False
) -> ModelPrice:
    return ModelPrice(
        input_per_million=Decimal(inp),
        cached_input_per_million=Decimal(cached),
        output_per_million=Decimal(out),
        image=image,
        reasoning=reasoning,
    )


def _tiles(base: int, tile: int) -> ImageTokenRule:
    return ImageTokenRule(rule="tiles", base_tokens=base, tile_tokens=tile)


def _patches(multiplier: str) -> ImageTokenRule:
    return ImageTokenRule(rule="patches", multiplier=Decimal(multiplier))


# USD per 1M tokens: input, cached input, output (platform.openai.com/docs/pricing, standard tier)
PRICE_TABLE: dict[str, ModelPrice] = {
    "gpt-4o-mini": _row("0.15", "0.075", "0.60", _tiles(2833, 5667)),
    "gpt-4o": _row("2.50", "1.25", "10.00", _tiles(85, 170)),
    "gpt-4.1-mini": _row("0.40", "0.10", "1.60", _patches("1.62")),
    "gpt-4.1-nano": _row("0.10", "0.025", "0.40", _patches("2.46")),
    "gpt-5-mini": _row("0.25", "0.025", "2.00", _patches("1.62"), reasoning=True),
}

_DATED = re.compile(r"-\d{4}-\d{2}-\d{2}$")  # a snapshot: gpt-4o-mini-2024-07-18
_REASONING = re.compile(r"^(gpt-5|o\d)")  # gpt-5*, o1, o3, o4-mini...


def is_reasoning(model: str, row: ModelPrice | None = None) -> bool:
    """Reasoning models take ``max_completion_tokens`` and refuse ``temperature``."""
    if row is not None and row.reasoning is not None:
        return row.reasoning
    return bool(_REASONING.match(model))


def lookup(model: str, overrides: dict[str, ModelPrice] | None = None) -> ModelPrice | None:
    """The price row of ``model`` (or of the snapshot's base name), settings first; None when
    unknown. Exact names only: "gpt-5-nano" is not priced as "gpt-5"."""
    table = {**PRICE_TABLE, **(overrides or {})}
    for name in (model, _DATED.sub("", model)):
        if name in table:
            return table[name]
    return None


@dataclass(frozen=True)
class Price:
    """Dollars for the tokens of one model; ``factor`` 0.5 on the Batch API."""

    input_per_million: Decimal
    output_per_million: Decimal
    cached_input_per_million: Decimal | None = None  # None: cached tokens at the input price
    factor: Decimal = Decimal(1)

    def cost(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> Decimal:
        """Exact (no rounding): ``prompt_tokens`` includes the ``cached_tokens``."""
        cached_rate = (
            self.cached_input_per_million
            if self.cached_input_per_million is not None
            else self.input_per_million
        )
        cached = min(cached_tokens, prompt_tokens)
        dollars = (
            (prompt_tokens - cached) * self.input_per_million
            + cached * cached_rate
            + completion_tokens * self.output_per_million
        ) / MILLION
        return dollars * self.factor

    def batch(self) -> Price:
        return Price(
            self.input_per_million,
            self.output_per_million,
            self.cached_input_per_million,
            factor=self.factor * BATCH_FACTOR,
        )

    @classmethod
    def of(cls, row: ModelPrice) -> Price:
        return cls(row.input_per_million, row.output_per_million, row.cached_input_per_million)


FREE = Price(Decimal(0), Decimal(0))

_warned: set[str] = set()


def price_for(model: str, overrides: dict[str, ModelPrice] | None = None) -> Price | None:
    """The price of ``model``, or None (cost unknown) with a warning, once per model."""
    row = lookup(model, overrides)
    if row is not None:
        return Price.of(row)
    if model not in _warned:
        _warned.add(model)
        log.warning(
            "no price for model %r: its cost is reported as null (unknown); add it with "
            'RECEIPTFLOW_LLM__PRICES=\'{"%s": {"input_per_million": "...", '
            '"output_per_million": "..."}}\' (or map an Azure deployment to a known model in '
            "RECEIPTFLOW_OPENAI__AZURE_DEPLOYMENTS)",
            model,
            model,
        )
    return None


# --- image tokens -------------------------------------------------------------------------

DEFAULT_RULE = _tiles(85, 170)  # an unpriced model: GPT-4o's arithmetic, for the estimate


def image_rule(model: str, overrides: dict[str, ModelPrice] | None = None) -> ImageTokenRule:
    row = lookup(model, overrides)
    return row.image if row is not None and row.image is not None else DEFAULT_RULE


def tile_resized(width: int, height: int) -> tuple[int, int]:
    """The size OpenAI bills at high detail (tile rule) for an image sent at this size."""
    scale = min(1.0, FIT_BOX / max(width, height))
    short = min(width, height) * scale
    if short > SHORT_SIDE_CAP:
        scale *= SHORT_SIDE_CAP / short
    return max(1, round(width * scale)), max(1, round(height * scale))


def tiles_for(width: int, height: int) -> int:
    billed_w, billed_h = tile_resized(width, height)
    return math.ceil(billed_w / TILE) * math.ceil(billed_h / TILE)


def patches_for(width: int, height: int, max_patches: int = MAX_PATCHES) -> int:
    """32-px patches covering the image, after scaling down to at most ``max_patches``."""
    patches = math.ceil(width / PATCH) * math.ceil(height / PATCH)
    if patches <= max_patches:
        return patches
    shrink = math.sqrt(max_patches * PATCH * PATCH / (width * height))
    # then whole patches along the tighter side, as the guide's worked example does
    # (1800 x 2400 -> 1056 x 1408 = 33 x 44 = 1,452 patches)
    fit = min(
        math.floor(side * shrink / PATCH) / (side * shrink / PATCH) for side in (width, height)
    )
    shrink *= fit
    # (less a hair: 33.000000001 patches across are 33)
    return math.ceil(width * shrink / PATCH - 1e-9) * math.ceil(height * shrink / PATCH - 1e-9)


def image_tokens(width: int, height: int, detail: str, rule: ImageTokenRule) -> int:
    """Prompt tokens one image of this size is billed at under ``rule``."""
    if rule.rule == "patches":
        multiplier = rule.multiplier or Decimal(1)
        return math.ceil(patches_for(width, height, rule.max_patches) * multiplier)
    if detail == "low":
        return rule.base_tokens
    return rule.base_tokens + rule.tile_tokens * tiles_for(width, height)
