"""A receipt as printed: its truth and the print lines (with roles) that show it."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from receiptflow.samples.layouts import Cell, PrintLine
from receiptflow.samples.style import ASCII_FOLD
from receiptflow.schemas.receipt import Receipt

# Currency signs a font without them prints as codes, without the old generator's spacing.
_SIGNS = str.maketrans({"€": "EUR", "£": "GBP", "¥": "JPY"})


def fold(text: str) -> str:
    """The ASCII spelling a till with an ASCII-only font prints: ä -> ae, é -> e, € -> EUR."""
    text = text.translate(_SIGNS).translate(ASCII_FOLD)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii())


@dataclass(frozen=True)
class Printout:
    receipt: Receipt
    lines: tuple[PrintLine, ...]
    locale: str

    def text(self) -> str:
        return "".join(cell.text for line in self.lines for cell in line.cells)

    def to_ascii(self) -> Printout:
        """The same receipt in ASCII spelling, truth included, for a font without accents."""
        receipt = Receipt.model_validate_json(fold(self.receipt.model_dump_json()))
        return replace(self, receipt=receipt, lines=tuple(_fold_line(line) for line in self.lines))


def _fold_line(line: PrintLine) -> PrintLine:
    cells = tuple(
        Cell.of(
            tuple(replace(part, text=fold(part.text)) for part in cell.parts), cell.col, cell.align
        )
        if cell.parts
        else Cell(fold(cell.text), cell.col, cell.align)
        for cell in line.cells
    )
    return replace(line, cells=cells)


def without_role(printout: Printout, role: str) -> Printout:
    """The receipt with every line of ``role`` left unprinted (a till that skips it)."""
    kept = tuple(line for line in printout.lines if line.text_role != role)
    return replace(printout, lines=kept)
