"""Reading order for OCR boxes: rows top to bottom, boxes left to right within a row.

Engines return one TextLine per detected box; the parser groups rows itself, so this only
orders the boxes and never merges them."""

from __future__ import annotations

from collections.abc import Iterable

from receiptflow.ingest.document import TextLine

# Two boxes share a row when their vertical overlap is at least this share of the shorter one;
# half a line height tolerates the slight tilt of a scanned receipt without merging rows.
_ROW_OVERLAP = 0.5


def _overlap(a: TextLine, b: TextLine) -> float:
    shared = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    shorter = max(min(a.height, b.height), 1e-6)
    return shared / shorter


def sort_reading_order(lines: Iterable[TextLine]) -> list[TextLine]:
    """Lines in reading order: grouped into rows by vertical overlap, each row left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: (item.center_y, item.box[0])):
        # Compare with the row's last box, not its first, so a gently sloping row stays one row.
        if rows and _overlap(rows[-1][-1], line) >= _ROW_OVERLAP:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda item: item.box[0])]


def page_text(lines: Iterable[TextLine]) -> str:
    """The page as one string in reading order, whitespace collapsed (for scoring and checks)."""
    words = (" ".join(line.text.split()) for line in sort_reading_order(lines))
    return " ".join(word for word in words if word)
