"""VAT summary tables: which row heads one, and which amount of a rate row is the tax.

European receipts close with a table of rate, net, tax and gross per VAT class ("A 19% 7,31
1,39 8,70", "B 7% 0,75 10,75 11,50", "10,00 % Base: 112,73 Cuota: 11,27"), in whatever column
order the till prints. The columns need no header to be told apart: the tax is the amount
that is the rate's share of another amount on the row (of the net, or of the gross).
"""

from __future__ import annotations

import re
from decimal import Decimal

from receiptflow.extractors.local.vocab import fold, languages, words_of

# US sales tax prints up to three decimals ("SALES TAX 8.875%"); a rate never starts inside
# another number (read from "8.750%" alone, the last two digits made 50 %)
_RATE = re.compile(r"(?<![\d.,])(\d{1,2}(?:[.,]\d{1,3})?)\s?%")
_HUNDRED = Decimal(100)


def rate_of(label: str) -> Decimal | None:
    """The VAT rate printed in a label: "A 19%" -> 19, "TVA 5,5 %" -> 5.5, "TAX 8.875%" ->
    8.875."""
    match = _RATE.search(label)
    return Decimal(match.group(1).replace(",", ".")) if match else None


def is_table_header(text: str) -> bool:
    """A row of VAT-table column heads ("Steuer % Netto Steuer Brutto", "Base IVA Importe"):
    two different table words of one language, and no number."""
    if re.search(r"\d", text):
        return False
    upper = text.upper()
    return any(
        len({fold(match.group()) for match in words_of(code, "tax_table").finditer(upper)}) >= 2
        for code in languages()
    )


def tax_of_rate_row(rate: Decimal, amounts: list[Decimal]) -> Decimal | None:
    """The amount that is ``rate`` percent of another amount on the row (the net), or its
    share of a gross amount; the smallest such amount when several are. None when no two
    amounts of the row relate by the rate (the row is not a VAT row)."""
    if rate <= 0 or len(amounts) < 2:
        return None
    values = [abs(amount) for amount in amounts]
    found: list[Decimal] = []
    for at, tax in enumerate(values):
        tolerance = Decimal("0.02") + tax / 200  # net and tax are rounded separately
        for other, base in enumerate(values):
            if other == at or base <= tax:
                continue
            on_net = base * rate / _HUNDRED
            on_gross = base * rate / (_HUNDRED + rate)
            if min(abs(on_net - tax), abs(on_gross - tax)) <= tolerance:
                found.append(tax)
    return min(found) if found else None
