"""``<name>.lines.json``: every printed line, its role, and its segments with their boxes.

Boxes are measured on the clean print (the font's ink box of each segment, placed where the
renderer drew it) and carried through the variant's ``Geometry`` into final image pixels; a
``quad`` keeps the four corners (top-left, top-right, bottom-right, bottom-left) where a photo
tilts them, ``box`` is their axis-aligned hull. PDF pages are measured in pixels at the ingest
DPI. The format is documented in ``samples/README.md``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from receiptflow.samples.geometry import Geometry, Point
from receiptflow.samples.layouts import PrintLine
from receiptflow.samples.pdf import COURIER_ADVANCE, TextPage
from receiptflow.samples.render import PlacedCell, PlacedLine
from receiptflow.samples.roles import Part

FORMAT = "receiptflow-lines/1"
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Segment:
    part: Part
    text: str  # the part's text without surrounding spaces
    box: Box  # clean-print pixels
    x: float  # where the text starts (its advance origin), clean-print pixels


@dataclass(frozen=True)
class PageFrame:
    """One output page: the clean-print rows it shows and how they map onto its pixels."""

    index: int
    geometry: Geometry
    rows: tuple[float, float]  # clean-print y range on this page (a crop narrows it)


def cell_segments(placed: PlacedCell, top: float) -> Iterator[Segment]:
    """The cell's non-blank parts with the ink box of each, where the renderer drew them."""
    text, font, start = placed.cell.text, placed.font, 0
    for part in placed.cell.segments():
        begin, end = start, start + len(part.text)
        start = end
        stripped = part.text.strip()
        if not stripped:
            continue
        begin += len(part.text) - len(part.text.lstrip())
        x = placed.x + float(font.getlength(text[:begin]))
        left, upper, right, lower = font.getbbox(stripped)
        yield Segment(part, stripped, (x + left, top + upper, x + right, top + lower), x)


def line_segments(placed: PlacedLine) -> list[Segment]:
    found = [s for cell in placed.cells for s in cell_segments(cell, placed.top)]
    return sorted(found, key=lambda segment: segment.box[0])


def line_text(segments: list[Segment]) -> str:
    return " ".join(segment.text for segment in segments)


def _corners(box: Box) -> tuple[Point, Point, Point, Point]:
    x0, y0, x1, y1 = box
    return (x0, y0), (x1, y0), (x1, y1), (x0, y1)


def _mapped(box: Box, geometry: Geometry) -> tuple[list[float], list[list[float]]]:
    quad = [geometry.map(corner) for corner in _corners(box)]
    xs, ys = [x for x, _ in quad], [y for _, y in quad]
    hull = [round(min(xs), 1), round(min(ys), 1), round(max(xs), 1), round(max(ys), 1)]
    return hull, [[round(x, 1), round(y, 1)] for x, y in quad]


def _segment_record(segment: Segment, geometry: Geometry) -> dict[str, Any]:
    box, quad = _mapped(segment.box, geometry)
    record: dict[str, Any] = {"text": segment.text, "role": segment.part.role}
    if segment.part.key:
        record["key"] = True
    if segment.part.field:
        record["field"] = segment.part.field
    record.update(box=box, quad=quad)
    return record


def _line_record(
    line: PrintLine, segments: list[Segment], page: PageFrame, number: int
) -> dict[str, Any]:
    records = [_segment_record(segment, page.geometry) for segment in segments]
    hull = (
        min(r["box"][0] for r in records),
        min(r["box"][1] for r in records),
        max(r["box"][2] for r in records),
        max(r["box"][3] for r in records),
    )
    record: dict[str, Any] = {
        "index": number,
        "page": page.index,
        "text": line_text(segments),
        "role": line.text_role,
    }
    if line.item is not None:
        record["item"] = line.item
    record.update(box=list(hull), segments=records)
    return record


def line_records(placed: tuple[PlacedLine, ...], pages: list[PageFrame]) -> list[dict[str, Any]]:
    """Every printed line that lies wholly on one of ``pages``, top to bottom."""
    records: list[dict[str, Any]] = []
    for line in placed:
        segments = line_segments(line)
        if not segments:
            continue  # a blank line
        top = min(s.box[1] for s in segments)
        bottom = max(s.box[3] for s in segments)
        page = next((p for p in pages if p.rows[0] <= top and bottom <= p.rows[1]), None)
        if page is not None:
            records.append(_line_record(line.line, segments, page, len(records)))
    return records


# Courier's ascender and descender, in em (Adobe's AFM): the vertical extent of a text cell.
COURIER_ASCENT, COURIER_DESCENT = 0.629, 0.157


class CourierMetrics:
    """Courier at ``size`` px: every glyph advances 0.6 em; boxes span ascender to descender."""

    def __init__(self, size: float) -> None:
        self.size = size

    def getlength(self, text: str) -> float:
        return len(text) * COURIER_ADVANCE * self.size

    def getbbox(self, text: str) -> tuple[float, float, float, float]:
        height = (COURIER_ASCENT + COURIER_DESCENT) * self.size
        return (0.0, 0.0, self.getlength(text), height)


def text_page_placed(page: TextPage, dpi: int) -> tuple[PlacedLine, ...]:
    """A text page's cells in pixels at ``dpi``, as a renderer would have placed them."""
    k = dpi / 72
    placed = []
    for line, cells in page.lines:
        if not cells:
            continue
        top = (page.height_pt - cells[0].baseline - COURIER_ASCENT * cells[0].size) * k
        placed.append(
            PlacedLine(
                line,
                top,
                tuple(PlacedCell(c.x * k, c.cell, CourierMetrics(c.size * k)) for c in cells),
            )
        )
    return tuple(placed)


def printed_fields(records: list[dict[str, Any]]) -> set[str]:
    return {s["field"] for line in records for s in line["segments"] if "field" in s}


def document(
    *,
    name: str,
    filename: str,
    meta: dict[str, Any],
    pages: list[tuple[int, int]],
    coordinates: str,
    records: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "name": name,
        "document": filename,
        **meta,
        "coordinates": coordinates,
        "pages": [{"index": i, "width": w, "height": h} for i, (w, h) in enumerate(pages)],
        "lines": records,
    }
