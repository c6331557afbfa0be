"""Orientation logic with a scripted OCR pass: which rotations are tried, which one is kept."""

from __future__ import annotations

import pytest
from PIL import Image

from receiptflow.ingest.document import TextLine
from receiptflow.ocr.orientation import looks_sideways, read_upright, text_confidence, upright_image


def wide(text: str, confidence: float) -> TextLine:
    return TextLine(text, (0.0, 0.0, 200.0, 30.0), confidence)


def tall(text: str, confidence: float) -> TextLine:
    return TextLine(text, (0.0, 0.0, 30.0, 200.0), confidence)


class ScriptedPass:
    """Answers by the rotation the marked corner pixel reveals."""

    def __init__(self, by_rotation: dict[int, list[TextLine]]) -> None:
        self.by_rotation = by_rotation
        self.seen: list[int] = []

    def __call__(self, image: Image.Image) -> list[TextLine]:
        rotation = 90 * int(image.getpixel((0, 0))[0])  # type: ignore[index]
        self.seen.append(rotation)
        return self.by_rotation.get(rotation, [])


def marked_page() -> Image.Image:
    """A page whose top-left pixel's red value becomes the rotation applied to it, in quarters."""
    image = Image.new("RGB", (100, 300), (0, 0, 0))
    corners = {(0, 0): 0, (99, 0): 90, (99, 299): 180, (0, 299): 270}
    for xy, rotation in corners.items():
        image.putpixel(xy, (rotation // 90, 0, 0))
    return image


def test_upright_confident_page_costs_one_pass() -> None:
    read = ScriptedPass({0: [wide("TOTAL 5.00", 0.95)] * 4})
    result = read_upright(read, marked_page(), min_confidence=0.8)
    assert (result.rotation, result.passes, read.seen) == (0, 1, [0])


def test_upside_down_page_is_turned_when_clearly_better() -> None:
    read = ScriptedPass({0: [wide("ʇɐʇo", 0.5)] * 4, 180: [wide("TOTAL", 0.95)] * 4})
    result = read_upright(read, marked_page(), min_confidence=0.8)
    assert result.rotation == 180 and read.seen == [0, 180]
    assert result.lines[0].text == "TOTAL"


def test_low_confidence_page_that_is_not_upside_down_stays() -> None:
    read = ScriptedPass({0: [wide("faded", 0.6)] * 4, 180: [wide("junk", 0.62)] * 4})
    result = read_upright(read, marked_page(), min_confidence=0.8)
    assert result.rotation == 0 and result.lines[0].text == "faded"


@pytest.mark.parametrize("good", [90, 270])
def test_sideways_page_tries_quarter_turns_only(good: int) -> None:
    read = ScriptedPass(
        {0: [tall("TOTAL", 0.9)] * 4, good: [wide("TOTAL", 0.93)] * 4, 360 - good: [wide("x", 0.3)]}
    )
    result = read_upright(read, marked_page(), min_confidence=0.8)
    assert result.rotation == good
    assert 180 not in read.seen and read.seen[0] == 0
    # Each line says how its page was turned (the extraction records it for the review app).
    assert {line.rotation for line in result.lines} == {good}


def test_quarter_turns_when_engine_asks() -> None:
    read = ScriptedPass(
        {0: [wide("garbage", 0.3)] * 4, 180: [wide("junk", 0.3)] * 4, 90: [wide("TOTAL", 0.9)] * 4}
    )
    result = read_upright(read, marked_page(), min_confidence=0.55, quarter_turns=True)
    assert result.rotation == 90 and read.seen == [0, 180, 90]


def test_blank_page_is_not_retried() -> None:
    read = ScriptedPass({})
    result = read_upright(read, marked_page(), min_confidence=0.8)
    assert result.lines == [] and read.seen == [0]


def test_helpers() -> None:
    assert looks_sideways([tall("ab", 1.0)] * 3 + [wide("ab", 1.0)] * 2)
    assert not looks_sideways([tall("a", 1.0)] * 5)  # single characters are tall anywhere
    assert text_confidence([wide("ab", 1.0), wide("abcd", 0.25)]) == pytest.approx(0.5)
    assert text_confidence([]) == 0.0
    assert upright_image(Image.new("RGB", (10, 20)), 90).size == (20, 10)
