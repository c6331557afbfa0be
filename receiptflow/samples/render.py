"""Print lines -> a clean, scan-like grayscale image of thermal paper (Pillow only).

Fonts: DejaVu and Liberation (Debian ``fonts-dejavu-core``, ``fonts-liberation``) when installed,
else Pillow's bundled default font, so generation works anywhere Pillow does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from PIL import Image, ImageDraw, ImageFont

from receiptflow.samples.layouts import Cell, PrintLine

FontType = ImageFont.FreeTypeFont | ImageFont.ImageFont

# name -> (regular file, bold file, monospace?)
FONTS: dict[str, tuple[str, str, bool]] = {
    "dejavu-mono": ("DejaVuSansMono.ttf", "DejaVuSansMono-Bold.ttf", True),
    "liberation-mono": ("LiberationMono-Regular.ttf", "LiberationMono-Bold.ttf", True),
    "dejavu-sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", False),
    "liberation-sans-narrow": (
        "LiberationSansNarrow-Regular.ttf",
        "LiberationSansNarrow-Bold.ttf",
        False,
    ),
    "dejavu-serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", False),
}
# More faces for the random mixes (the committed set draws only from FONTS). "pillow" is
# Pillow's bundled font: ASCII only, so text it cannot draw is printed in ASCII spelling.
MORE_FONTS: dict[str, tuple[str, str, bool]] = {
    "liberation-sans": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", False),
    "liberation-serif": ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", False),
    "dejavu-condensed": ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", False),
    "pillow": ("", "", False),
}
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/liberation",
    "/usr/share/fonts/truetype/liberation2",
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/liberation",
)
PAPER_WIDTH_PX = {"58mm": 600, "80mm": 820}
INK = 38
PAPER = 252
_SIZE_SAMPLE = "Subtotal 12.50 TOTAL 1,234.00 Coffee x2"


@lru_cache(maxsize=64)
def load_font(name: str, size: int, bold: bool = False) -> FontType:
    """The named font at ``size`` px, or Pillow's bundled font when it isn't installed."""
    regular, bold_file, _ = FONTS[name] if name in FONTS else MORE_FONTS[name]
    filename = bold_file if bold else regular
    if not filename:
        return ImageFont.load_default(size=size)
    for folder in FONT_DIRS:
        try:
            return ImageFont.truetype(f"{folder}/{filename}", size)
        except OSError:
            continue
    try:  # Pillow also searches the system font folders by bare file name
        return ImageFont.truetype(filename, size)
    except OSError:
        return ImageFont.load_default(size=size)


def fonts_installed() -> dict[str, bool]:
    """Which named fonts resolve to a real file here (else the fallback font is used)."""
    found = {}
    for name, (regular, _, _) in FONTS.items():
        font = load_font(name, 20)
        found[name] = isinstance(font, ImageFont.FreeTypeFont) and regular in str(font.path)
    return found


def draws_all(font_name: str, text: str) -> bool:
    """Whether the font has a glyph for every character (Pillow's bundled font is ASCII-only)."""
    font = load_font(font_name, 24)
    missing = _glyph(font, "\U0010fffd")
    return all(_glyph(font, char) != missing for char in set(text) if not char.isspace())


def _glyph(font: FontType, char: str) -> bytes:
    canvas = Image.new("L", (48, 48))
    ImageDraw.Draw(canvas).text((4, 4), char, fill=255, font=font)
    return canvas.tobytes()


class FontMetrics(Protocol):
    """What the line truth measures with: a Pillow font, or Courier's fixed metrics."""

    def getlength(self, text: str) -> float: ...

    def getbbox(self, text: str) -> tuple[float, float, float, float]: ...


@dataclass(frozen=True)
class PlacedCell:
    x: float  # where the cell's text was drawn (left edge of its advance box)
    cell: Cell  # as drawn (a rule's dashes fill the paper)
    font: FontMetrics


@dataclass(frozen=True)
class PlacedLine:
    line: PrintLine
    top: float
    cells: tuple[PlacedCell, ...]


@dataclass(frozen=True)
class Rendered:
    image: Image.Image  # mode "L"
    line_bottoms: tuple[int, ...]  # y below each print line, for splitting into pages
    placed: tuple[PlacedLine, ...] = ()  # where every cell went: the line truth's boxes


def _text_width(font: FontType, text: str) -> float:
    return float(font.getlength(text))


def _fit_size(font_name: str, char_width: float) -> int:
    """Font size whose average character advance is ``char_width`` px."""
    probe = load_font(font_name, 100)
    advance = _text_width(probe, _SIZE_SAMPLE) / len(_SIZE_SAMPLE)
    return max(8, int(char_width * 100 / advance))


def render_lines(lines: list[PrintLine], cols: int, paper: str, font_name: str) -> Rendered:
    """Draw the lines; shrinks the font until no two cells of a line overlap."""
    width = PAPER_WIDTH_PX[paper]
    margin = width // 22
    char_width = (width - 2 * margin) / cols
    size = _fit_size(font_name, char_width)
    while True:
        rendered = _draw(lines, cols, width, margin, font_name, size)
        if rendered is not None or size <= 8:
            break
        size -= 1
    if rendered is None:
        raise ValueError("receipt lines do not fit the paper width")
    return rendered


def _fonts_for(font_name: str, size: int) -> dict[str, FontType]:
    return {
        "normal": load_font(font_name, size),
        "bold": load_font(font_name, size, bold=True),
        "title": load_font(font_name, round(size * 1.35), bold=True),
        "small": load_font(font_name, round(size * 0.85)),
    }


def _fill_rules(cells: tuple[Cell, ...], font: FontType, room: float) -> tuple[Cell, ...]:
    """A dashed rule spans the paper whatever the font's dash width."""
    if len(cells) == 1 and cells[0].text and set(cells[0].text) <= {"-", "="}:
        char = cells[0].text[0]
        return (Cell(char * int(room // _text_width(font, char)), 0),)
    return cells


def _draw(
    lines: list[PrintLine], cols: int, width: int, margin: int, font_name: str, size: int
) -> Rendered | None:
    fonts = _fonts_for(font_name, size)
    char_width = (width - 2 * margin) / cols
    placed: list[tuple[int, list[tuple[float, Cell, FontType]]]] = []
    y = margin
    for line in lines:
        font = fonts[line.kind]
        spans: list[tuple[float, float]] = []
        cells = []
        for cell in _fill_rules(line.cells, font, width - 2 * margin):
            text_width = _text_width(font, cell.text)
            anchor = margin + cell.col * char_width
            x = {"l": anchor, "r": anchor - text_width, "c": anchor - text_width / 2}[cell.align]
            if x < margin - 1 or x + text_width > width - margin + 1:
                return None
            spans.append((x, x + text_width))
            cells.append((x, cell, font))
        spans.sort()
        if any(
            a_end + char_width * 0.5 > b_start
            for (_, a_end), (b_start, _) in zip(spans, spans[1:], strict=False)
        ):
            return None
        placed.append((y, cells))
        y += round(size * (1.75 if line.kind == "title" else 1.35))
    image = Image.new("L", (width, y + margin * 2), PAPER)
    draw = ImageDraw.Draw(image)
    bottoms = []
    where = []
    for line, (top, cells), nxt in zip(
        lines, placed, [*(p[0] for p in placed[1:]), y], strict=True
    ):
        for x, cell, font in cells:
            draw.text((round(x), top), cell.text, fill=INK, font=font)
        bottoms.append(nxt)
        where.append(PlacedLine(line, top, tuple(PlacedCell(round(x), c, f) for x, c, f in cells)))
    return Rendered(image, tuple(bottoms), tuple(where))
