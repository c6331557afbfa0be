"""Tile arithmetic and image sizing for the vision extractor."""

from __future__ import annotations

import base64
import io

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from receiptflow.llm.images import image_tokens, plan_size, prepare_image, tiles_for


def test_openai_documented_examples() -> None:
    # OpenAI's vision pricing examples for GPT-4o (85 base + 170 per tile).
    assert image_tokens(1024, 1024, "high", "gpt-4o") == 765  # -> 768 x 768, 4 tiles
    assert image_tokens(2048, 4096, "high", "gpt-4o") == 1105  # -> 768 x 1536, 6 tiles
    assert image_tokens(4096, 8192, "low", "gpt-4o") == 85
    # GPT-4o mini: the same tiles at 2,833 base + 5,667 per tile.
    assert image_tokens(1024, 1024, "high", "gpt-4o-mini") == 2833 + 4 * 5667
    assert image_tokens(4096, 8192, "low", "gpt-4o-mini-2024-07-18") == 2833


def test_tall_receipt_scan_is_sent_at_one_tile_across() -> None:
    # A 1000 x 3000 scan: OpenAI would bill 683 x 2048 = 2 x 4 tiles; 512 x 1536 is 1 x 3.
    assert tiles_for(1000, 3000) == 8
    assert plan_size(1000, 3000) == (512, 1536)
    assert tiles_for(512, 1536) == 3


def test_known_text_height_sets_the_scale() -> None:
    blind = plan_size(1600, 4000)  # no OCR: short side 512
    # Large print (80-px lines) stays legible at 0.2: fewer tiles than the blind plan.
    large = plan_size(1600, 4000, text_height=80.0, min_text_height=16.0)
    assert 80.0 * large[0] / 1600 >= 15.9
    assert tiles_for(*large) < tiles_for(*blind)
    # Small print (20-px lines) needs more pixels than the blind plan gives it.
    small = plan_size(1600, 4000, text_height=20.0, min_text_height=16.0)
    assert small[0] > blind[0] and tiles_for(*small) > tiles_for(*blind)


@given(
    width=st.integers(16, 6000),
    height=st.integers(16, 6000),
    floor=st.integers(64, 1024),
)
def test_plan_never_upscales_never_costs_more_and_keeps_the_floor(
    width: int, height: int, floor: int
) -> None:
    planned = plan_size(width, height, min_short_side=floor)
    assert planned[0] <= width and planned[1] <= height
    assert tiles_for(*planned) <= tiles_for(width, height)
    # what OpenAI keeps of the original is the ceiling; the floor holds unless it exceeds it
    ceiling = min(1.0, 2048 / max(width, height), 768 / min(width, height))
    wanted = min(ceiling, floor / min(width, height))
    assert min(planned) >= int(min(width, height) * wanted) - 1


def test_prepared_image_is_a_jpeg_data_url_of_the_planned_size() -> None:
    page = Image.new("RGB", (1200, 3600), "white")
    prepared = prepare_image(page, model="gpt-4o-mini", detail="high")
    header, _, payload = prepared.data_url.partition(",")
    assert header == "data:image/jpeg;base64"
    decoded = Image.open(io.BytesIO(base64.b64decode(payload)))
    assert decoded.size == (prepared.width, prepared.height) == plan_size(1200, 3600)
    assert prepared.tokens == 2833 + 5667 * tiles_for(prepared.width, prepared.height)
