"""OCR's slips inside the amount of a summary row, mended before the row is read.

Phone photos lose currency marks into letters: "$" reads as "S", "£" as "E", and a rupee
prefix sticks to its number ("Rs.2,800.00"). ``find_amounts`` rightly refuses numbers glued
to letters (codes, "A123.45"), so a total row like "Total: E17.99" would show no amount at
all. The mends here are only applied to rows whose words say they hold a summary amount.
"""

from __future__ import annotations

import re

# one or two letters (and a dot) glued in front of a number printed with decimals
_GLUED = re.compile(r"(?<![^\s:=])[A-Za-z]{1,2}\.?(?=\d[\d,.]*[.,]\d{1,2}\b)")


def unglued(text: str) -> str:
    """``text`` with letters glued in front of a decimal amount blanked out, keeping every
    other character where it was (amounts' positions still point into the printed row)."""
    return _GLUED.sub(lambda match: " " * len(match.group()), text)
