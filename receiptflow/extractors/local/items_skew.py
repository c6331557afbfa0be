"""Rows that still hold two printed lines: group their lines again by centre.

``group_rows`` takes the page tilt out and groups lines whose vertical extents overlap. On
tightly printed receipts photographed with tall boxes, a line's box overlaps the next line's
by half, so blocks of items still fuse into one row (two cells one above the other). When
that shows, the item step regroups every line by the distance between (tilt-corrected)
centres instead; other receipts keep their rows.
"""

from __future__ import annotations

import statistics

from receiptflow.extractors.local.layout import Row, page_slope
from receiptflow.ingest.document import TextLine


def straightened(rows: list[Row]) -> tuple[list[Row], list[int]]:
    """Rows regrouped by line centres when a row holds stacked lines, with each new row's
    index in ``rows`` (that of its first line's row); else the rows unchanged."""
    if not _has_stacked_cells(rows):
        return rows, list(range(len(rows)))
    lines = [cell for row in rows for cell in row.cells]
    slope = page_slope(lines)
    origin: dict[int, int] = {
        id(cell): index for index, row in enumerate(rows) for cell in row.cells
    }
    regrouped = _rows_by_centre(lines, slope)
    return regrouped, [min(origin[id(cell)] for cell in row.cells) for row in regrouped]


def _rows_by_centre(lines: list[TextLine], slope: float) -> list[Row]:
    """Group by the distance between centres, not by overlapping extents."""
    tolerance = 0.45 * statistics.median(line.height for line in lines)

    def centre(line: TextLine) -> float:
        return line.center_y - slope * (line.box[0] + line.box[2]) / 2

    rows: list[Row] = []
    centres: list[list[float]] = []
    for line in sorted(lines, key=lambda item: (item.page, centre(item))):
        if (
            rows
            and rows[-1].page == line.page
            and abs(centre(line) - statistics.fmean(centres[-1])) <= tolerance
        ):
            rows[-1].cells.append(line)
            centres[-1].append(centre(line))
        else:
            rows.append(Row(cells=[line]))
            centres.append([centre(line)])
    for row in rows:
        row.cells.sort(key=lambda cell: cell.box[0])
    return rows


def _has_stacked_cells(rows: list[Row]) -> bool:
    """Two cells of one row one above the other (overlapping left to right): fused lines."""
    for row in rows:
        for first, second in zip(row.cells, row.cells[1:], strict=False):
            overlap = min(first.box[2], second.box[2]) - max(first.box[0], second.box[0])
            narrower = min(first.box[2] - first.box[0], second.box[2] - second.box[0])
            if narrower > 0 and overlap > 0.3 * narrower:
                return True
    return False
