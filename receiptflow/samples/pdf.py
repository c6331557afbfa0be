"""A minimal PDF writer: image-only pages (embedded JPEG) and real text pages (Courier).

Pillow can only write image PDFs and stamps them with its version and the current time; this
writer is byte-for-byte deterministic, and its text pages carry a text layer that
``pdftotext`` extracts, like a shop's e-receipt.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from receiptflow.samples.layouts import Cell, PrintLine

POINTS_PER_MM = 72 / 25.4
COURIER_ADVANCE = 0.6  # every Courier glyph is 600/1000 em wide


@dataclass(frozen=True)
class TextCell:
    cell: Cell
    font: str  # "F1" Courier, "F2" Courier-Bold
    size: float  # points
    x: float  # left edge, points from the page's left
    baseline: float  # points from the page's bottom


@dataclass(frozen=True)
class TextPage:
    width_pt: float
    height_pt: float
    lines: list[tuple[PrintLine, list[TextCell]]]


def text_page_layout(lines: list[PrintLine], cols: int, width_pt: float) -> TextPage:
    """Where a text page puts each cell: Courier, so every glyph advances 0.6 em."""
    margin = width_pt * 0.06
    size = (width_pt - 2 * margin) / (cols * COURIER_ADVANCE)
    leading = size * 1.45
    height_pt = 2 * margin + leading * (len(lines) + 1)
    placed = []
    y = height_pt - margin - size
    for line in lines:
        font, scale = (
            ("F2", 1.25)
            if line.kind == "title"
            else (("F2", 1.0) if line.kind == "bold" else ("F1", 1.0))
        )
        line_size = size * scale
        cells = []
        for cell in line.cells:
            text_width = len(cell.text) * COURIER_ADVANCE * line_size
            anchor = margin + cell.col * size * COURIER_ADVANCE
            x = {"l": anchor, "r": anchor - text_width, "c": anchor - text_width / 2}[cell.align]
            cells.append(TextCell(cell, font, line_size, x, y))
        placed.append((line, cells))
        y -= leading * (1.2 if line.kind == "title" else 1.0)
    return TextPage(width_pt, height_pt, placed)


class PdfWriter:
    def __init__(self) -> None:
        self._objects: list[bytes] = []
        self._pages: list[int] = []
        self._pages_ref = self._reserve()
        self._fonts = {
            "F1": self._add(
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>"
            ),
            "F2": self._add(
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold"
                b" /Encoding /WinAnsiEncoding >>"
            ),
        }

    def _reserve(self) -> int:
        self._objects.append(b"")
        return len(self._objects)

    def _add(self, body: bytes) -> int:
        self._objects.append(body)
        return len(self._objects)

    def _stream(self, dictionary: bytes, data: bytes) -> int:
        head = b"<< " + dictionary + b" /Length %d >>\nstream\n" % len(data)
        return self._add(head + data + b"\nendstream")

    def _page(self, width: float, height: float, content: int, resources: bytes) -> None:
        page = self._add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R"
            b" /Resources %s >>" % (self._pages_ref, _num(width), _num(height), content, resources)
        )
        self._pages.append(page)

    def add_image_page(self, image: Image.Image, width_pt: float, quality: int = 80) -> None:
        buffer = io.BytesIO()
        image.convert("L").save(buffer, "JPEG", quality=quality)
        picture = self._stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray"
            b" /BitsPerComponent 8 /Filter /DCTDecode" % image.size,
            buffer.getvalue(),
        )
        height_pt = width_pt * image.height / image.width
        draw = b"q %s 0 0 %s 0 0 cm /Im0 Do Q" % (_num(width_pt), _num(height_pt))
        content = self._stream(b"", draw)
        self._page(width_pt, height_pt, content, b"<< /XObject << /Im0 %d 0 R >> >>" % picture)

    def add_text_page(self, lines: list[PrintLine], cols: int, width_pt: float) -> None:
        """Lay the print lines out in Courier, a cell per text object, as a till's PDF does."""
        page = text_page_layout(lines, cols, width_pt)
        ops = [b"BT"]
        for _, cells in page.lines:
            for cell in cells:
                ops.append(
                    b"/%s %s Tf 1 0 0 1 %s %s Tm (%s) Tj"
                    % (
                        cell.font.encode(),
                        _num(cell.size),
                        _num(cell.x),
                        _num(cell.baseline),
                        _escape(cell.cell.text),
                    )
                )
        ops.append(b"ET")
        content = self._stream(b"", b"\n".join(ops))
        fonts = b" ".join(b"/%s %d 0 R" % (name.encode(), ref) for name, ref in self._fonts.items())
        self._page(width_pt, page.height_pt, content, b"<< /Font << " + fonts + b" >> >>")

    def to_bytes(self, title: str) -> bytes:
        kids = b" ".join(b"%d 0 R" % page for page in self._pages)
        self._objects[self._pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
            kids,
            len(self._pages),
        )
        catalog = self._add(b"<< /Type /Catalog /Pages %d 0 R >>" % self._pages_ref)
        info = self._add(b"<< /Title (%s) /Producer (receiptflow samples) >>" % _escape(title))
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self._objects, start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self._objects) + 1))
        out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
        out.write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self._objects) + 1, catalog, info, xref)
        )
        return out.getvalue()


def _num(value: float) -> bytes:
    return (b"%.2f" % value).rstrip(b"0").rstrip(b".")


def _escape(text: str) -> bytes:
    data = text.encode("cp1252", errors="replace")
    return data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
