"""Row grouping, including photos taken a few degrees off."""

from __future__ import annotations

import pytest

from receiptflow.extractors.local.layout import group_rows, page_slope
from receiptflow.ingest.document import TextLine

GLYPH = 20.0  # text height in px


def tilted(rows: list[list[tuple[str, float, float]]], slope: float) -> list[TextLine]:
    """Cells (text, x0, x1) on rows 30 px apart, as the axis-aligned boxes of lines tilted by
    ``slope``: a wide line's box is taller than its text by |slope| x width."""
    lines = []
    for index, cells in enumerate(rows):
        for text, x0, x1 in cells:
            y_left = 100 + index * 30 + slope * x0
            y_right = 100 + index * 30 + slope * x1
            top = min(y_left, y_right)
            lines.append(TextLine(text, (x0, top, x1, top + GLYPH + abs(y_right - y_left))))
    return lines


RECEIPT = [
    [("LIGHTROOM GALLERY SDN BHD", 100, 600)],
    [("NO: 28, JALAN ASTANA 1C,", 120, 560)],
    [("BANDAR BUKIT RAJA, 41050", 110, 580)],
    [("KLANG SELANGOR D.E, MALAYSIA", 90, 610)],
    [("SUB TOTAL :", 40, 250), ("68.87", 520, 600)],
    [("GST 6% :", 40, 200), ("4.13", 530, 600)],
    [("TOTAL :", 40, 170), ("73.00", 520, 600)],
]


@pytest.mark.parametrize("slope", [0.0, 0.06, -0.06])
def test_tilted_rows_stay_apart_and_cells_stay_together(slope: float) -> None:
    rows = group_rows(tilted(RECEIPT, slope))
    assert [row.text for row in rows] == [
        "LIGHTROOM GALLERY SDN BHD",
        "NO: 28, JALAN ASTANA 1C,",
        "BANDAR BUKIT RAJA, 41050",
        "KLANG SELANGOR D.E, MALAYSIA",
        "SUB TOTAL : 68.87",
        "GST 6% : 4.13",
        "TOTAL : 73.00",
    ]


def test_page_slope_is_measured_from_rows_with_two_cells() -> None:
    assert page_slope(tilted(RECEIPT, 0.06)) == pytest.approx(0.06, abs=0.01)
    assert page_slope(tilted(RECEIPT, -0.06)) == pytest.approx(-0.06, abs=0.01)
    assert page_slope(tilted(RECEIPT, 0.0)) == 0.0


def test_blank_lines_are_dropped_and_pages_kept_apart() -> None:
    lines = [
        TextLine("A", (0, 0, 10, 10), page=0),
        TextLine("  ", (20, 0, 30, 10), page=0),
        TextLine("B", (0, 0, 10, 10), page=1),
    ]
    rows = group_rows(lines)
    assert [(row.text, row.page) for row in rows] == [("A", 0), ("B", 1)]


def test_tall_boxes_of_tightly_printed_lines_stay_separate_rows() -> None:
    # a low-resolution photo: boxes 19-20 px tall, lines 10 px apart, each line's box
    # overlapping the next by half its height
    lines = [
        TextLine("Cumberland Farms", (47, 41, 217, 60)),
        TextLine("498 COUNTY ROAD 111", (77, 50, 185, 70)),
        TextLine("MANORVILLE , NY 1194", (77, 60, 189, 80)),
        TextLine("1682-3264", (79, 71, 133, 88)),
    ]
    assert [row.text for row in group_rows(lines)] == [
        "Cumberland Farms",
        "498 COUNTY ROAD 111",
        "MANORVILLE , NY 1194",
        "1682-3264",
    ]


def test_an_amount_joins_the_row_whose_centre_is_nearest() -> None:
    # a skewed photo (WildReceipt 28-14-3823): each amount sits a little above its item line,
    # overlapping the section heading above by just over half its height
    lines = [
        TextLine("BEBIDAS", (71, 367, 133, 391)),
        TextLine("4,00", (328, 379, 366, 402)),
        TextLine("2 COPA RIOJA", (99, 381, 199, 409)),
        TextLine("2,40", (327, 397, 368, 423)),
        TextLine("2 CAFES CON LECHE", (98, 399, 238, 428)),
        TextLine("ENTRANTES", (71, 422, 147, 446)),
        TextLine("2,50", (329, 434, 369, 460)),
        TextLine("1 TAPA MOJAMA DE BARBATE", (101, 436, 291, 463)),
    ]
    assert [row.text for row in group_rows(lines)] == [
        "BEBIDAS",
        "2 COPA RIOJA 4,00",
        "2 CAFES CON LECHE 2,40",
        "ENTRANTES",
        "1 TAPA MOJAMA DE BARBATE 2,50",
    ]


def test_a_steep_photo_whose_prices_line_up_with_the_next_row_too() -> None:
    """A phone photo about 7 degrees off (slope 0.12) of a bill whose prices stand 250 px
    right of the names: the tilt drops a price by 30 px, one full row, so under no tilt at
    all each line below lines up with the price of the line above just as well ("Thank you"
    with the last price). The boxes tell them apart: the long names' boxes are the tall ones."""
    dishes = ["Wonton Soup", "Tofu Miso Soup", "Hot Tea", "Shirley Temple", "Combo Fried Rice"]
    prices = ["2.00", "2.50", "4.50", "1.00", "3.00"]
    rows = [
        [(dish, 20, 20 + 13 * len(dish)), (price, 300, 350)]
        for dish, price in zip(dishes, prices, strict=True)
    ]
    lines = tilted([*rows, [("Thank you", 20, 137)]], 0.12)
    assert abs(page_slope(lines) - 0.12) <= 0.02
    assert [row.text for row in group_rows(lines)] == [
        *(f"{dish} {price}" for dish, price in zip(dishes, prices, strict=True)),
        "Thank you",
    ]


def test_tightly_printed_amounts_a_little_higher_than_their_names_stay_on_their_rows() -> None:
    """Lines 14 px apart in 20 px boxes, on a photo a little off: each amount, 220 px right of
    its name, stands 3 px higher. Every slope from -0.02 to 0 lines up as many pairs; at the
    edge of that run (0) each amount joined the row above, the heading first."""
    boxes = [
        ("**", (105, 178, 131, 192)),
        ("DINE-IN **", (131, 177, 229, 194)),
        ("1 SOFT DRINK", (41, 187, 126, 207)),
        ("2.09", (199, 190, 231, 209)),
        ("2.09", (254, 185, 288, 204)),
        ("1 SOFT DRINK", (41, 203, 126, 220)),
        ("2.09", (200, 203, 233, 222)),
        ("2.09", (256, 198, 290, 217)),
        ("1 HOT TURK SAND/MP", (37, 214, 164, 236)),
        ("9.19", (199, 212, 236, 238)),
        ("9.19", (258, 212, 293, 231)),
        ("1 CRAB CAKE SND/FF", (36, 228, 178, 253)),
        ("8.75", (203, 231, 236, 250)),
        ("8.75", (260, 225, 297, 247)),
        ("Sub Total", (159, 276, 227, 297)),
        ("22.12", (261, 268, 307, 293)),
    ]
    lines = [TextLine(text, box) for text, box in boxes]
    assert [row.text for row in group_rows(lines)] == [
        "** DINE-IN **",
        "1 SOFT DRINK 2.09 2.09",
        "1 SOFT DRINK 2.09 2.09",
        "1 HOT TURK SAND/MP 9.19 9.19",
        "1 CRAB CAKE SND/FF 8.75 8.75",
        "Sub Total 22.12",
    ]
