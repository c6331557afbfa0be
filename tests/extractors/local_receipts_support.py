"""Typed-out receipts as text lines with boxes, for the local parser tests.

Each printed row is a string, or a tuple of strings for cells printed apart on one row (label
on the left, amount on the right). Rows are 20 px apart; cells are laid out left to right.
"""

from __future__ import annotations

from receiptflow.ingest.document import TextLine

Printed = str | tuple[str, ...]


def lines_of(rows: list[Printed], *, line_height: float = 16.0) -> list[TextLine]:
    lines: list[TextLine] = []
    for index, row in enumerate(rows):
        cells = (row,) if isinstance(row, str) else row
        top = 20.0 + index * 20.0
        x = 10.0
        for cell in cells:
            width = 8.0 * len(cell)
            lines.append(TextLine(cell, (x, top, x + width, top + line_height)))
            x += width + 60.0
    return lines


MALAYSIAN = [
    "TAN WOON YANN",
    "BOOK TA .K(TAMAN DAYA) SDN BHD",
    "789417-W",
    "NO.53 55,57 & 59, JALAN SAGU 18,",
    "TAMAN DAYA,",
    "81100 JOHOR BAHRU,",
    "JOHOR.",
    "TEL: 07-355 1234",
    "GST ID: 000123456789",
    ("DOCUMENT NO : TD01167104",),
    ("DATE:", "25/12/2018 8:13:39 PM"),
    ("CASHIER:", "MANIS"),
    ("CODE/DESC", "PRICE", "DISC", "AMOUNT"),
    "9556939040116 KF MODELLING CLAY KIDDY FISH",
    ("1 PC", "*", "9.000", "0.00", "9.00"),
    ("TOTAL:", "9.02"),
    ("ROUNDING ADJUSTMENT:", "-0.02"),
    ("ROUNDED TOTAL (RM):", "9.00"),
    ("CASH", "10.00"),
    ("CHANGE", "1.00"),
    "GST SUMMARY",
    ("SR @ 6%", "8.49", "0.51"),
    ("TOTAL", "8.49", "0.51"),
    "GOODS SOLD ARE NOT RETURNABLE, THANK YOU",
]

AMERICAN = [
    "Joe's Corner Diner",
    "1200 Market Street",
    "San Francisco, CA 94102",
    "Tel (415) 555-0199",
    ("Check #4412", "Table 7"),
    ("Dec 30, 2017", "7:42 PM"),
    ("2 Coffee", "$6.00"),
    ("1 Pancakes", "$9.50"),
    ("Subtotal", "$15.50"),
    ("Sales Tax 8.5%", "$1.32"),
    ("Total", "$16.82"),
    ("Tip", "$3.00"),
    ("VISA ************1234", "$19.82"),
    "Thank you!",
]

EUROPEAN = [
    "Bäckerei Müller GmbH",
    "Hauptstraße 12",
    "10115 Berlin",
    "USt-IdNr. DE123456789",
    ("30.12.2017", "08:15"),
    ("Brötchen", "2,40 €"),
    ("Kaffee", "3,20 €"),
    ("SUMME", "5,60 €"),
    ("MwSt 7% enthalten", "0,37 €"),
    ("BAR", "10,00 €"),
    ("Rückgeld", "4,40 €"),
]
