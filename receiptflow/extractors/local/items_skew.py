"""Rows of a tilted or tightly printed receipt: undo the tilt, then group again.

``group_rows`` groups lines whose vertical extents overlap. On a receipt photographed at a
slight angle the amount at the right of one printed line sits as high as the name on the next
line, and tall boxes on tightly printed receipts overlap the next line, so whole blocks of
items fuse into one row. When that shows (a row holds cells one above the other) or the photo
is tilted, the item step estimates the tilt from each text line's nearest neighbour to the
right, shifts every box by it and groups by line centres; other receipts keep their rows.
"""

from __future__ import annotations

import statistics

from receiptflow.extractors.local.layout import Row
from receiptflow.ingest.document import TextLine

MIN_SLOPE = 0.01  # below this (0.6 degrees) the rows are trusted as grouped


def straightened(rows: list[Row]) -> tuple[list[Row], list[int]]:
    """Rows regrouped after removing the tilt, with each new row's index in ``rows`` (its
    first cell's row). Unchanged when the receipt is straight and no row holds two lines."""
    if not rows or (not _has_stacked_cells(rows) and abs(_slope(rows)) < MIN_SLOPE):
        return rows, list(range(len(rows)))
    slope = _best_slope([cell for row in rows for cell in row.cells])
    origin: dict[int, tuple[TextLine, int]] = {}
    shifted: list[TextLine] = []
    for index, row in enumerate(rows):
        for cell in row.cells:
            lift = slope * (cell.box[0] + cell.box[2]) / 2
            x0, y0, x1, y1 = cell.box
            moved = TextLine(cell.text, (x0, y0 - lift, x1, y1 - lift), cell.confidence, cell.page)
            origin[id(moved)] = (cell, index)
            shifted.append(moved)
    regrouped = _rows_by_centre(shifted)
    new_rows = [Row(cells=[origin[id(cell)][0] for cell in row.cells]) for row in regrouped]
    indexes = [min(origin[id(cell)][1] for cell in row.cells) for row in regrouped]
    return new_rows, indexes


def _rows_by_centre(lines: list[TextLine]) -> list[Row]:
    """Group by the distance between centres, not by overlapping extents: tall boxes on a
    tightly printed receipt overlap the next line and would chain into one row."""
    tolerance = 0.45 * statistics.median(line.height for line in lines)
    rows: list[Row] = []
    centres: list[list[float]] = []
    for line in sorted(lines, key=lambda item: (item.page, item.center_y)):
        if (
            rows
            and rows[-1].page == line.page
            and abs(line.center_y - statistics.fmean(centres[-1])) <= tolerance
        ):
            rows[-1].cells.append(line)
            centres[-1].append(line.center_y)
        else:
            rows.append(Row(cells=[line]))
            centres.append([line.center_y])
    for row in rows:
        row.cells.sort(key=lambda cell: cell.box[0])
    return rows


def _best_slope(cells: list[TextLine]) -> float:
    """The tilt that puts the most side-by-side pairs of lines on one height without putting
    lines that overlap left to right (one above the other) there too: a projection search over
    -6..6 degrees, robust where the tilt over the receipt's width nears a line pitch."""
    tolerance = 0.25 * statistics.median(cell.height for cell in cells)
    pairs = [
        (first, second, _apart(first, second))
        for position, first in enumerate(cells)
        for second in cells[position + 1 :]
        if first.page == second.page
    ]
    best, best_score = 0.0, float("-inf")
    for step in range(-50, 51):
        slope = step * 0.002
        score = 0.0
        for first, second, apart in pairs:
            lift = slope * ((first.box[0] + first.box[2]) - (second.box[0] + second.box[2])) / 2
            if abs(first.center_y - second.center_y - lift) <= tolerance:
                score += 1 if apart else -2
        if score > best_score or (score == best_score and abs(slope) < abs(best)):
            best, best_score = slope, score
    return best


def _apart(first: TextLine, second: TextLine) -> bool:
    return first.box[2] <= second.box[0] or second.box[2] <= first.box[0]


def _slope(rows: list[Row]) -> float:
    """Median dy/dx from each text line to its nearest right neighbour on about the same line."""
    cells = [cell for row in rows for cell in row.cells]
    slopes = []
    for cell in cells:
        right = [
            other
            for other in cells
            if other.page == cell.page
            and other.box[0] >= cell.box[2]
            and abs(other.center_y - cell.center_y) < 0.8 * min(other.height, cell.height)
        ]
        if right:
            nearest = min(right, key=lambda other: other.box[0] - cell.box[2])
            run = (nearest.box[0] + nearest.box[2] - cell.box[0] - cell.box[2]) / 2
            slopes.append((nearest.center_y - cell.center_y) / run)
    return statistics.median(slopes) if len(slopes) >= 3 else 0.0


def _has_stacked_cells(rows: list[Row]) -> bool:
    """Two cells of one row one above the other (overlapping left to right): fused lines."""
    for row in rows:
        for first, second in zip(row.cells, row.cells[1:], strict=False):
            overlap = min(first.box[2], second.box[2]) - max(first.box[0], second.box[0])
            narrower = min(first.box[2] - first.box[0], second.box[2] - second.box[0])
            if narrower > 0 and overlap > 0.3 * narrower:
                return True
    return False
