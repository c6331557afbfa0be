"""Columns of stacked amounts that the detector took for one tall box of vertical text.

On a tightly printed till roll ("ALLINSON FLOUR 1.52 D" above "KRAFT PHILADELPHIA 1.33 D",
two pixels apart) DB detection can merge a whole column of prices, or of the tax letters
beside them, into one box many rows tall and a character wide: read as vertical text it
gives "DDDADDADDA", and the prices, whose merged box scores below the usual threshold, are
not read at all. Every item of the receipt then has no amount. The column is read again
here one row at a time: the rows are the page's horizontal boxes to its left (the item
names), and each is read from its right end across the column.

Plain geometry on axis-aligned boxes (x0, y0, x1, y1); the engine (``rapid``) crops and
recognises.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

Box = tuple[float, float, float, float]

# A box taller than wide by RapidOCR's ratio for vertical text (so read turned on its side)
# and this many times the page's median line height is a column of rows, not a word:
# vertical text on receipts is a word or two at most
TALL_RATIO = 1.5
LINE_HEIGHTS = 4.0
# Columns are a page's exception: on a page whose boxes are mostly tall, the page lies
# sideways and orientation handling turns it
MAX_TALL_SHARE = 0.1
# Around a row's read: a little of the height on each side of the column, not the row above
_PAD = 0.3
_HALF_ROW = 0.45
_MIN_HEIGHT = 4.0  # px: the detector keeps no box this thin either


@dataclass(frozen=True)
class Column:
    box: Box  # the tall boxes that overlap, merged
    members: tuple[int, ...]  # indices of the read boxes it replaces (faint boxes are unread)


def _height(box: Box) -> float:
    return box[3] - box[1]


def _wide(box: Box) -> bool:
    """Wider than tall: a horizontal line of text, as an item name's box is."""
    return box[2] - box[0] > _height(box)


def _tall(box: Box, line_height: float) -> bool:
    height, width = _height(box), box[2] - box[0]
    return height >= TALL_RATIO * max(width, 1.0) and height >= LINE_HEIGHTS * line_height


def _overlap(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def find_columns(boxes: list[Box], faint: list[Box]) -> list[Column]:
    """Columns: the tall boxes among the page's read ``boxes`` and its ``faint`` ones
    (scored below the detector's threshold, never read), merged where they overlap, then
    widened by the faint boxes that overlap them (the prices beside a column of tax letters
    merge into a box too wide to be tall). A column replaces the read boxes that lie inside
    it (the tall ones, and pieces such as ".30")."""
    line_height = _line_height(boxes)
    if line_height is None:
        return []
    tall = [box for box in boxes if _tall(box, line_height)]
    if len(tall) > MAX_TALL_SHARE * len(boxes):
        return []
    regions: list[Box] = []
    for box in sorted([*tall, *(box for box in faint if _tall(box, line_height))]):
        regions = _merged(regions, box)
    for box in faint:
        if any(_overlap(box, region) for region in regions):
            regions = _merged(regions, box)
    return [
        Column(region, tuple(i for i, box in enumerate(boxes) if _inside(box, region)))
        for region in regions
    ]


def _merged(regions: list[Box], box: Box) -> list[Box]:
    """``regions`` with ``box`` added: joined with every region it overlaps (and with those
    the joined region then overlaps), or on its own."""
    apart = [region for region in regions if not _overlap(box, region)]
    if len(apart) == len(regions):
        return [*regions, box]
    joined = box
    for region in regions:
        if _overlap(box, region):
            joined = (
                min(joined[0], region[0]),
                min(joined[1], region[1]),
                max(joined[2], region[2]),
                max(joined[3], region[3]),
            )
    return _merged(apart, joined)


def _inside(box: Box, region: Box) -> bool:
    middle_x, middle_y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return region[0] <= middle_x <= region[2] and region[1] <= middle_y <= region[3]


def _line_height(boxes: list[Box]) -> float | None:
    heights = [_height(box) for box in boxes if _wide(box)]
    return statistics.median(heights) if len(heights) >= 5 else None


def row_boxes(boxes: list[Box], column: Column, page_width: float) -> list[Box]:
    """Where to read each row of ``column``: from the right end of the last box left of the
    column on that row, across the column. Rows are the boxes whose middle lies within the
    column's height; one box per row (the right-most), top to bottom."""
    left, top, right, bottom = column.box
    middle = (left + right) / 2
    rows: list[Box] = []
    beside = [
        box
        for index, box in enumerate(boxes)
        if index not in column.members
        and top <= (box[1] + box[3]) / 2 <= bottom
        and box[2] < middle
        and _wide(box)
    ]
    for box in sorted(beside, key=lambda box: (box[1] + box[3]) / 2):
        centre, height = (box[1] + box[3]) / 2, _height(box)
        if rows and abs((rows[-1][1] + rows[-1][3]) / 2 - centre) < _HALF_ROW * height:
            if box[2] <= rows[-1][2]:
                continue  # another word of a row already kept, further left
            rows.pop()
        rows.append(box)
    found = []
    for box in rows:
        centre, height = (box[1] + box[3]) / 2, _height(box)
        start = max(box[2] + 0.2 * height, left - _PAD * height)
        end = min(page_width, right + _PAD * height)
        if end - start > height >= _MIN_HEIGHT:
            found.append((start, centre - _HALF_ROW * height, end, centre + _HALF_ROW * height))
    return found
