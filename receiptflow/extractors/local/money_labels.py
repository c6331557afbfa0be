"""The words that label money rows, by kind, compiled from the per-language vocabulary files
(``data/vocab/*.toml``, see ``vocab``): every language at once, whole words, case- and
accent-insensitive, a space optional between the words of a phrase. What stays here is
what no language file can say: OCR's mangled spellings of "inclusive"."""

from __future__ import annotations

import re

from receiptflow.extractors.local.vocab import words

NOT_MONEY = words("not_money")
ROUNDED_TOTAL = words("rounded_total")
ROUNDING = words("rounding")
SUBTOTAL = words("subtotal")
GRAND = words("grand_total")
TOTAL = words("total", "amount")  # "TOTAL", "AMOUNT", "BETRAG": a claim to be the total
TOTAL_WORD = words("total")  # a total proper (rank 3); "AMOUNT" alone is weaker (rank 2)
AMOUNT = words("amount")
ANY_TOTAL = words("grand_total", "total", "amount")
TAX = words("tax")
TAX_NOT = words("not_tax")
TAX_TABLE = words("tax_table")
SERVICE = words("service")
TIP = words("tip")
DISCOUNT = words("discount")
CHANGE = words("change")
CARD = words("card")
MOBILE = words("mobile")
CASH = words("cash", "tendered")  # handing over money reads as cash unless a card is named
PAID = words("cash", "tendered", "change", "card", "mobile")
DEPOSIT = words("deposit")
SUMMARY = words("tax_summary")
# "INCLUSIVE", "INCL.", "INC GST", "INCLUDED", and OCR's "ICLUSIVE"; never "EXCLUSIVE"
INCLUSIVE = re.compile(
    r"(?<![A-Z])(?!EX)[A-Z]{0,2}CLU(?:SIVE|DED?|DING|DES)|INCL\b|INCL\.|\bINC\b|INC\.|"
    + words("tax_included").pattern
)
