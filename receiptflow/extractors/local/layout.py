"""Group text lines into visual rows (same baseline), top to bottom, left to right.

OCR engines and ground-truth boxes often split one printed row ("TOTAL:  ...  9.00") into
several boxes; the parser reasons about rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import numpy as np

from receiptflow.ingest.document import TextLine


@dataclass
class Row:
    cells: list[TextLine] = field(default_factory=list)  # left to right

    @property
    def text(self) -> str:
        return " ".join(cell.text for cell in self.cells)

    @property
    def top(self) -> float:
        return min(cell.box[1] for cell in self.cells)

    @property
    def bottom(self) -> float:
        return max(cell.box[3] for cell in self.cells)

    @property
    def left(self) -> float:
        return min(cell.box[0] for cell in self.cells)

    @property
    def right(self) -> float:
        return max(cell.box[2] for cell in self.cells)

    @property
    def page(self) -> int:
        return self.cells[0].page

    @property
    def confidence(self) -> float:
        return min(cell.confidence for cell in self.cells)


@dataclass(frozen=True)
class _Band:
    """A line's vertical extent once the page's tilt is taken out."""

    line: TextLine
    top: float
    bottom: float


# how much nearer (in text heights) another row's centre must be for a cell to move there
_MOVE_MARGIN = 0.2
_SLOPES = np.arange(-30, 31) / 200  # -0.15 .. 0.15, about +-8.5 degrees


def page_slope(lines: list[TextLine]) -> float:
    """The page's tilt (dy per dx): the slope under which the most side-by-side boxes line up
    into shared rows, the middle of the run of such slopes (0 for a straight scan, whose run
    is centred on 0), or on a clearly tilted photo the one its boxes' heights tell. Photos
    of receipts are often a few degrees off."""
    ordered = sorted(lines, key=lambda item: item.center_y)
    pairs = [
        (a.box, b.box)
        for index, a in enumerate(ordered)
        for b in ordered[index + 1 : index + 10]
        if b.box[0] >= a.box[2] or a.box[0] >= b.box[2]
    ]
    if len(pairs) < 3:
        return 0.0
    boxes = np.array(pairs, dtype=float)  # pairs x 2 x 4
    slopes = _SLOPES[:, None, None]  # slopes x 1 x 1, against pairs x 2
    width = boxes[:, :, 2] - boxes[:, :, 0]
    height = np.maximum(
        boxes[:, :, 3] - boxes[:, :, 1] - np.abs(slopes) * width,
        0.4 * (boxes[:, :, 3] - boxes[:, :, 1]),
    )
    centre = (boxes[:, :, 1] + boxes[:, :, 3]) / 2 - slopes * (boxes[:, :, 0] + boxes[:, :, 2]) / 2
    # centres within a third of the text height: a tall (tilted) box earns no slack
    apart = np.abs(centre[..., 0] - centre[..., 1])
    aligned = (apart <= 0.3 * np.minimum(height[..., 0], height[..., 1])).sum(axis=1)
    best = aligned == aligned.max()
    steep = height_rate(lines)
    if steep >= _STEEP:
        # tall boxes of a clearly tilted photo line up under two slopes as well (a name with
        # its own price, and with the next row's): the boxes' heights tell which
        return float(min(_SLOPES[best], key=lambda slope: abs(abs(slope) - steep)))
    return _middle_of_run(best, int(np.argmin(np.where(best, np.abs(_SLOPES), np.inf))))


def _middle_of_run(best: np.ndarray, at: int) -> float:
    """The middle of the run of best slopes around ``at``: the count of lined-up pairs is a
    step function of the slope, flat over the slopes the boxes' heights leave room for, and
    the true slope lies inside that run, not at its edge (an amount column a few pixels
    higher than the names on a photo half a degree off joins the row above at its edge)."""
    low, high = at, at
    while low > 0 and best[low - 1]:
        low -= 1
    while high < len(best) - 1 and best[high + 1]:
        high += 1
    return float(_SLOPES[(low + high) // 2])


# the height rate above which a photo counts as clearly tilted (about 6 degrees): lower, a
# rate says more about the fonts than the tilt
_STEEP = 0.1


def height_rate(lines: list[TextLine]) -> float:
    """How fast the boxes' heights grow with their widths: OCR boxes are axis-aligned, and a
    line tilted by a slope s stands in a box taller than its text by |s| x its width, so on
    a clearly tilted photo the long lines' boxes are the tall ones (the median rate over
    pairs of nearby lines of clearly different widths)."""
    ordered = sorted(lines, key=lambda item: item.center_y)
    rates = [
        (a.height - b.height) / wider
        for index, a in enumerate(ordered)
        for b in ordered[index + 1 : index + 20]
        if abs(wider := (a.box[2] - a.box[0]) - (b.box[2] - b.box[0]))
        >= 0.3 * max(a.box[2] - a.box[0], b.box[2] - b.box[0])
    ]
    return float(np.median(rates)) if rates else 0.0


def _bands(lines: list[TextLine], slope: float) -> list[_Band]:
    bands: list[_Band] = []
    for line in lines:
        width = line.box[2] - line.box[0]
        # A tilted line's box is taller than its text by |slope| x width; shrink it back
        height = max(line.height - abs(slope) * width, 0.4 * line.height)
        centre = line.center_y - slope * (line.box[0] + line.box[2]) / 2
        bands.append(_Band(line, centre - height / 2, centre + height / 2))
    return bands


def _overlap(band: _Band, row: list[_Band]) -> float:
    """Overlap with the row's typical band (median top and bottom of its cells), so a row
    does not grow with every cell it takes in and swallow the next one."""
    tops = sorted(other.top for other in row)
    bottoms = sorted(other.bottom for other in row)
    row_top, row_bottom = tops[len(tops) // 2], bottoms[len(bottoms) // 2]
    shared = min(band.bottom, row_bottom) - max(band.top, row_top)
    height = min(band.bottom - band.top, row_bottom - row_top) or 1.0
    return max(0.0, shared) / height


def _stacked(band: _Band, row: list[_Band]) -> bool:
    """The line stands above or below a cell of the row (their x ranges overlap): tall boxes
    of tightly printed lines overlap in height, but two cells of one printed row never share
    their x range."""
    x0, x1 = band.line.box[0], band.line.box[2]
    for other in row:
        shared = min(x1, other.line.box[2]) - max(x0, other.line.box[0])
        narrower = min(x1 - x0, other.line.box[2] - other.line.box[0])
        if narrower > 0 and shared > 0.3 * narrower:
            return True
    return False


def group_rows(lines: list[TextLine], min_overlap: float = 0.5) -> list[Row]:
    """Cluster lines whose vertical extents overlap by ``min_overlap`` of the smaller height,
    after taking the page's tilt out (see ``page_slope``); rows top to bottom, cells left to
    right."""
    rows: list[Row] = []
    for page in sorted({line.page for line in lines}):
        on_page = [line for line in lines if line.page == page and line.text.strip()]
        bands = _bands(on_page, page_slope(on_page))
        grouped: list[list[_Band]] = []
        for band in sorted(bands, key=lambda item: (item.top + item.bottom, item.line.box[0])):
            if (
                grouped
                and _overlap(band, grouped[-1]) >= min_overlap
                and not _stacked(band, grouped[-1])
            ):
                grouped[-1].append(band)
            else:
                grouped.append([band])
        _move_to_nearest(grouped)
        for group in grouped:
            if not group:
                continue
            rows.append(Row(cells=sorted((b.line for b in group), key=lambda c: c.box[0])))
    return rows


def _centre(band: _Band) -> float:
    return (band.top + band.bottom) / 2


def _move_to_nearest(grouped: list[list[_Band]]) -> None:
    """Move a cell to the row above or below when its (tilt-corrected) centre is clearly
    nearer that row's: grouping takes the first row a line overlaps enough, so on a slightly
    skewed photo an amount printed a little above its name ("BEBIDAS" / "4,00" / "2 COPA
    RIOJA") joins the row above. The cell must sit beside that row's cells, not under one."""
    for index, group in enumerate(grouped):
        for band in list(group):
            others = [other for other in group if other is not band]
            if not others:
                continue
            own = abs(_centre(band) - statistics.median(_centre(other) for other in others))
            for near in (index - 1, index + 1):
                if not 0 <= near < len(grouped) or not grouped[near]:
                    continue
                target = grouped[near]
                apart = abs(_centre(band) - statistics.median(_centre(other) for other in target))
                height = band.bottom - band.top
                if apart < own - _MOVE_MARGIN * height and not _stacked(band, target):
                    group.remove(band)
                    target.append(band)
                    break


def ocr_trust(confidence: float, length: int = 10) -> float:
    """The chance that a field of ``length`` characters read from OCR text of this confidence
    is right as a whole: longer strings have more characters to get wrong. 1 for ground-truth
    lines and digital text layers (confidence 1)."""
    return max(0.3, float(min(1.0, confidence) ** (max(length, 1) / 20)))
