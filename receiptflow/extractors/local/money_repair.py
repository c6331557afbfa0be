"""OCR's slips inside the amount of a summary row, mended before the row is read.

Phone photos lose currency marks into letters: "$" reads as "S", "£" as "E", and a rupee
prefix sticks to its number ("Rs.2,800.00"). ``find_amounts`` rightly refuses numbers glued
to letters (codes, "A123.45"), so a total row like "Total: E17.99" would show no amount at
all. The mends here are only applied to rows whose words say they hold a summary amount.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

from receiptflow.schemas.parsing import AmountMatch

# one or two letters (and a dot) glued in front of a number printed with decimals
_GLUED = re.compile(r"(?<![^\s:=])[A-Za-z]{1,2}\.?(?=\d[\d,.]*[.,]\d{1,2}\b)")


def unglued(text: str) -> str:
    """``text`` with letters glued in front of a decimal amount blanked out, keeping every
    other character where it was (amounts' positions still point into the printed row)."""
    return _GLUED.sub(lambda match: " " * len(match.group()), text)


# a marked whole number, one space, and two digits: "$43 70", the decimal point lost
_SPLIT_CENTS = re.compile(r"(?<![\d.,])([$£€]\s?\d{1,5}) (\d{2})(?![\d.,%])")


def joined_cents(text: str) -> str:
    """``text`` with a decimal point put back where OCR read it as a space ("Subtotal $43 70"
    -> "Subtotal $43.70"), every character staying where it was."""
    return _SPLIT_CENTS.sub(lambda match: f"{match.group(1)}.{match.group(2)}", text)


def lost_cent(printed: AmountMatch, due: Decimal) -> AmountMatch | None:
    """The total ``due`` by the subtotal and taxes when the printed total is it with its last
    digit lost ("Total: $47.3" over "Subtotal $43.70", "Tax $3.61"); else None."""
    if printed.decimals != 1 or due == printed.value or due <= 0:
        return None
    if due.quantize(Decimal("0.1"), rounding=ROUND_DOWN) != printed.value:
        return None
    return replace(printed, value=due, decimals=2)
