"""A column of stacked prices that the detector took for one tall box is read row by row."""

from __future__ import annotations

import random

import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from receiptflow.ocr import rapid
from receiptflow.ocr.columns import Column, find_columns, row_boxes
from receiptflow.settings import OcrSettings

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
NAMES = [
    "ALLINSON FLOUR", "KRAFT PHILADELPHIA", "HADDOCK PORTIONS", "ORGANIC CHOCOLATE",
    "WHITE KIDNEY BEANS", "PICKLED EGGS", "NIVEA SHOWER", "CAULDRON TOFU", "VEGETABLE OIL",
    "CAREX", "BOIL IN THE BAG RICE", "DENTEK FLOSSERS", "WHITE THREAD", "HAND CREAM",
    "CUTLERY SET", "ORGANIC MILK", "ALKA SELTZER", "TISSUES", "BABY POWDER", "SIMPLE SOAP",
    "FARM YOGURT", "RYE BREAD",
]  # fmt: skip


def till_roll() -> tuple[Image.Image, list[str]]:
    """A UK supermarket roll as a phone sees it: items a line apart, prices with a VAT
    letter beside each, slightly blurred, 420 px wide."""
    rng = random.Random(3)
    font = ImageFont.truetype(FONT, 30)
    image = Image.new("RGB", (840, 200 + 28 * len(NAMES) + 120), "white")
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "MORRISONS", font=font, fill="black")
    draw.text((40, 90), "DESCRIPTION", font=font, fill="black")
    prices = []
    for row, name in enumerate(NAMES):
        y = 140 + row * 28
        price = f"{rng.randint(20, 399) / 100:.2f}"
        prices.append(price)
        draw.text((40, y), name, font=font, fill="black")
        draw.text((640, y), price, font=font, fill="black")
        draw.text((740, y), rng.choice("AD"), font=font, fill="black")
    draw.text((40, image.height - 80), "TOTAL", font=font, fill="black")
    blurred = image.filter(ImageFilter.GaussianBlur(2))
    return blurred.resize((image.width // 2, image.height // 2)), prices


def prices_read(image: Image.Image, prices: list[str]) -> int:
    lines = rapid.RapidOcrEngine(OcrSettings()).read_pass(image)
    return sum(any(price in line.text for line in lines) for price in prices)


@pytest.mark.ocr
def test_a_price_column_read_as_vertical_text_is_read_row_by_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    image, prices = till_roll()
    assert prices_read(image, prices) >= 18
    monkeypatch.setattr(rapid, "find_columns", lambda boxes, faint: [])
    assert prices_read(image, prices) <= 6  # the detector's own reading loses them


def _row(y: float, right: float = 100.0) -> tuple[float, float, float, float]:
    return (10.0, y, right, y + 10.0)


def test_a_box_many_rows_tall_beside_the_item_rows_is_a_column() -> None:
    rows = [_row(10.0 * i) for i in range(10)]
    letters = (150.0, 0.0, 160.0, 100.0)  # "DDADDA": one character wide, ten rows tall
    faint_prices = (120.0, 0.0, 152.0, 100.0)  # the prices beside it, scored too low to read
    piece = (125.0, 30.0, 145.0, 40.0)  # ".30": a price read on its own
    (column,) = find_columns([*rows, letters, piece], [faint_prices, (300.0, 0, 310.0, 5)])
    assert column == Column((120.0, 0.0, 160.0, 100.0), (10, 11))
    reads = row_boxes([*rows, letters, piece], column, 400.0)
    assert len(reads) == 10  # one per item row, across the column
    assert reads[0] == pytest.approx((117.0, 0.5, 163.0, 9.5))


def test_two_tall_boxes_a_faint_one_bridges_are_one_column() -> None:
    rows = [_row(10.0 * i) for i in range(30)]
    upper, lower = (150.0, 0.0, 160.0, 50.0), (150.0, 70.0, 160.0, 120.0)
    bridge = (120.0, 40.0, 152.0, 80.0)  # overlaps both: the prices between them
    (column,) = find_columns([*rows, upper, lower], [bridge])
    assert column.box == (120.0, 0.0, 160.0, 120.0) and column.members == (30, 31)


def test_no_column_on_a_page_of_words_or_a_page_lying_sideways() -> None:
    words = [_row(10.0 * i) for i in range(10)]
    assert find_columns([*words, (150.0, 0.0, 160.0, 25.0)], []) == []  # two rows: a word
    sideways = [(10.0 * i, 0.0, 10.0 * i + 10.0, 100.0) for i in range(10)]
    assert find_columns([*words[:5], *sideways], []) == []
    assert find_columns(words[:3], []) == []  # too few lines to know their height


def test_one_read_per_row_from_the_right_most_word() -> None:
    column = Column((120.0, 0.0, 160.0, 30.0), ())
    quantity, name = (10.0, 0.0, 20.0, 10.0), (30.0, 0.0, 100.0, 10.0)
    far = (10.0, 50.0, 100.0, 60.0)  # below the column
    reads = row_boxes([quantity, name, _row(10.0), far], column, 400.0)
    assert [read[0] for read in reads] == pytest.approx([117.0, 117.0])
    # a line reaching past the column's middle is no row of it (it crosses the column)
    assert row_boxes([(10.0, 0.0, 145.0, 10.0)], column, 400.0) == []
    # one ending inside it is read from its end on
    assert row_boxes([(10.0, 0.0, 135.0, 10.0)], column, 400.0) == [(137.0, 0.5, 163.0, 9.5)]
