"""The words that label money rows, by kind, compiled from the per-language vocabulary files
(``data/vocab/*.toml``, see ``vocab``): every language at once, whole words, case- and
accent-insensitive, a space optional between the words of a phrase. What stays here is
what no language file can say: OCR's mangled spellings of "inclusive", and how strongly a
label claims to be the total or names a payment."""

from __future__ import annotations

import re
from functools import lru_cache

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
# the rows that hold a summary amount: worth mending an amount OCR glued to a letter
SUMMARY_AMOUNT = words(
    "grand_total",
    "total",
    "amount",
    "subtotal",
    "tax",
    "cash",
    "tendered",
    "change",
    "card",
    "mobile",
)
SUMMARY = words("tax_summary")
# "INCLUSIVE", "INCL.", "INC GST", "INCLUDED", and OCR's "ICLUSIVE"; never "EXCLUSIVE"
INCLUSIVE = re.compile(
    r"(?<![A-Z])(?!EX)[A-Z]{0,2}CLU(?:SIVE|DED?|DING|DES)|INCL\b|INCL\.|\bINC\b|INC\.|"
    + words("tax_included").pattern
)


@lru_cache(maxsize=4096)
def label_rank(label: str) -> int:
    """How strongly a money row's label claims the amount due: 0 not a total, 2 AMOUNT,
    3 TOTAL, 4 GRAND / INCL. TAX, 5 the rounded total."""
    if NOT_MONEY.search(label) and not GRAND.search(label):
        return 0
    if ROUNDED_TOTAL.search(label):
        return 5
    if SUBTOTAL.search(label) or DISCOUNT.search(label) or CHANGE.search(label):
        return 0
    if PAID.search(label) and not GRAND.search(label):
        return 0
    inclusive = bool(INCLUSIVE.search(label))
    if TAX.search(label) and not inclusive:
        return 0
    if TAX.search(label) and not TOTAL_WORD.search(label) and not AMOUNT.search(label):
        return 0  # "Incl. of VAT (20%) 22.82", "Includes GST of $1.81": the tax inside the total
    if TAX.search(label) and (
        re.search(r"\bINCLUDES\b", label) or ("%" in label and re.search(r"INCLUDE[SD]?", label))
    ):
        # "TOTAL INCLUDES 6% GST 0.74", Australia's "TOTAL INCLUDES GST $3.98": a sentence
        # stating the tax inside the total (while "TOTAL INCLUDING GST" labels the total)
        return 0
    if TAX.search(label) and re.search(r"\bINCLUDED?\s?IN\b", label):
        return 0  # "VAT included in total: 2.72": the same, the tax named first
    if GRAND.search(label) or (inclusive and TOTAL.search(label)):
        return 4
    if TOTAL_WORD.search(label):
        return 3
    return 2 if AMOUNT.search(label) else 0


def payment_method(label: str) -> str | None:
    if label_rank(label) >= 3:
        return None
    if MOBILE.search(label):
        return "mobile"
    if CARD.search(label):
        return "card"
    if CASH.search(label):
        return "cash"
    return None
