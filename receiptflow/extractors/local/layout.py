"""Group text lines into visual rows (same baseline), top to bottom, left to right.

OCR engines and ground-truth boxes often split one printed row ("TOTAL:  ...  9.00") into
several boxes; the parser reasons about rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


def _vertical_overlap(a: TextLine, row: Row) -> float:
    top = max(a.box[1], row.top)
    bottom = min(a.box[3], row.bottom)
    height = min(a.height, row.bottom - row.top) or 1.0
    return max(0.0, bottom - top) / height


def group_rows(lines: list[TextLine], min_overlap: float = 0.5) -> list[Row]:
    """Cluster lines whose vertical extents overlap by ``min_overlap`` of the smaller height."""
    rows: list[Row] = []
    for line in sorted(lines, key=lambda item: (item.page, item.center_y, item.box[0])):
        if not line.text.strip():
            continue
        target = rows[-1] if rows and rows[-1].page == line.page else None
        if target is not None and _vertical_overlap(line, target) >= min_overlap:
            target.cells.append(line)
        else:
            rows.append(Row(cells=[line]))
    for row in rows:
        row.cells.sort(key=lambda cell: cell.box[0])
    return rows
