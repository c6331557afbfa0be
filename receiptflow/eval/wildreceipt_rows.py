"""WildReceipt's labelled boxes in rows: which price box is on which item name's row.

The labels are axis-aligned rectangles, even on a photo taken a few degrees off. There a price
box at the right edge stands half a row above or below its name at the left, and pairing by
plain vertical overlap gives each name the next row's price; so the rows are found after
taking the tilt out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    text: str
    label: int
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def centre_y(self) -> float:
        return (self.y0 + self.y1) / 2


# slopes (dy per dx) tried for a photo's tilt: -0.15 .. 0.15, about +-8.5 degrees
_SLOPES = sorted((step / 200 for step in range(-30, 31)), key=abs)


def priced_rows(names: list[Box], prices: list[Box], rate: float) -> list[tuple[list[Box], Box]]:
    """The rows of name boxes and the price on each, under the tilt that prices the most
    rows. On a photo a few degrees off, a price box at the right edge stands half a row above
    or below its name at the left, and pairing by plain vertical overlap gives each name the
    next row's price. The boxes' ``height_rate`` tells how steep the tilt is, give or take:
    it bounds the tilts tried (else a tilt that shifts every name onto the price above would
    price as many rows when an unlabelled row's price stands there, "*** Eat In *** 0.00"),
    and on ties the tilt nearest it wins (a tilt of a full row's shift prices as many rows
    as the true one, the last name left without a price either way)."""
    best: list[tuple[list[Box], Box]] = []
    tried = sorted(
        (slope for slope in _SLOPES if abs(slope) <= 1.25 * rate + 0.02),
        key=lambda slope: (abs(abs(slope) - rate), abs(slope)),
    )
    for slope in tried:
        rows = rows_of([_level(box, slope) for box in names], apart=True)
        paired = _pair(rows, [_level(box, slope) for box in prices])
        if len(paired) > len(best):
            best = paired
    return best


def height_rate(boxes: list[Box]) -> float:
    """How steep the photo's tilt is, give or take. The boxes are axis-aligned rectangles,
    and a tilted line's rectangle is taller than its text by |slope| x its width: the median
    rate at which the height of the item and price boxes grows with their width (pairs of
    boxes of clearly different widths); near 0 on a straight photo."""
    rates = [
        ((a.y1 - a.y0) - (b.y1 - b.y0)) / wider
        for index, a in enumerate(boxes)
        for b in boxes[index + 1 :]
        if abs(wider := (a.x1 - a.x0) - (b.x1 - b.x0)) >= 0.2 * max(a.x1 - a.x0, b.x1 - b.x0)
    ]
    return max(statistics.median(rates), 0.0) if rates else 0.0


def _pair(rows: list[list[Box]], prices: list[Box]) -> list[tuple[list[Box], Box]]:
    """Each row with a price on its row (overlapping half its height), each price given once:
    the best overlaps first and, on a row that prints a unit price and an amount, the
    right-most (the amount) first."""
    candidates = sorted(
        (
            (_overlap(min(b.y0 for b in row), max(b.y1 for b in row), price.y0, price.y1), r, p)
            for r, row in enumerate(rows)
            for p, price in enumerate(prices)
        ),
        key=lambda triple: (-round(triple[0], 2), -prices[triple[2]].x1),
    )
    taken: dict[int, int] = {}
    used: set[int] = set()
    for overlap, r, p in candidates:
        if overlap >= 0.5 and r not in taken and p not in used:
            taken[r] = p
            used.add(p)
    return [(row, prices[taken[r]]) for r, row in enumerate(rows) if r in taken]


def _level_height(box: Box, slope: float) -> float:
    """A tilted text's box is taller than the text by |slope| x width."""
    height = box.y1 - box.y0
    return max(height - abs(slope) * (box.x1 - box.x0), 0.4 * height)


def _level_centre(box: Box, slope: float) -> float:
    return box.centre_y - slope * (box.x0 + box.x1) / 2


def _level(box: Box, slope: float) -> Box:
    """The box as it would stand on a straight photo (its text height, its centre moved)."""
    if slope == 0:
        return box
    centre, half = _level_centre(box, slope), _level_height(box, slope) / 2
    return Box(box.text, box.label, box.x0, centre - half, box.x1, centre + half)


def _overlap(top: float, bottom: float, other_top: float, other_bottom: float) -> float:
    shared = min(bottom, other_bottom) - max(top, other_top)
    height = min(bottom - top, other_bottom - other_top) or 1.0
    return max(0.0, shared) / height


def rows_of(boxes: list[Box], *, apart: bool = False) -> list[list[Box]]:
    """Boxes grouped into rows by vertical overlap, top to bottom, left to right; ``apart``:
    a box under or over one of the row's (their x ranges overlapping) starts a row of its own
    (two items' names one above the other; a store name's boxes may be stacked in a logo)."""
    rows: list[list[Box]] = []
    for box in sorted(boxes, key=lambda item: item.centre_y):
        if (
            rows
            and _overlap(rows[-1][0].y0, rows[-1][0].y1, box.y0, box.y1) >= 0.5
            and not (apart and any(_stacked(box, other) for other in rows[-1]))
        ):
            rows[-1].append(box)
        else:
            rows.append([box])
    return [sorted(row, key=lambda box: box.x0) for row in rows]


def _stacked(box: Box, other: Box) -> bool:
    shared = min(box.x1, other.x1) - max(box.x0, other.x0)
    narrower = min(box.x1 - box.x0, other.x1 - other.x0)
    return narrower > 0 and shared > 0.3 * narrower
