"""The words that label money rows, by kind (upper-case patterns; ``\\s*`` where a space may
or may not be printed). English and Malay first, with common German/French/Indonesian ones."""

from __future__ import annotations

import re


def words(alternatives: str) -> re.Pattern[str]:
    """One pattern matching any of the whitespace-separated alternatives as whole words."""
    return re.compile(r"(?<![A-Z])(?:" + "|".join(alternatives.split()) + r")(?![A-Z])")


NOT_MONEY = words(
    r"QTY QUANTITY ITEMS? ITEM\(S\) QTY\(S\) PCS UNITS? POINTS? PTS COUNT NO\.\s*OF"
    r" WEIGHT KG"
)
ROUNDED_TOTAL = words(
    r"ROUNDED\s*TOTAL TOTAL\s*ROUNDED ROUNDED\s*(?:AMT|AMOUNT)"
    r" TOTAL\s*AFTER\s*ROUNDING NETT?\s*TOTAL\s*\(?ROUNDED"
)
ROUNDING = words(r"ROUNDING ROUNDED ROUND RND ROUNDING\s*ADJ\w* ADJUSTMENT ADJ")
SUBTOTAL = words(
    r"SUB\s*-?\s*TOTAL SUBTTL TOTAL\s*\(?\s*EXCL\w* TOTAL\s*BEFORE"
    r" EXCL\w*\s*(?:OF\s*)?(?:GST|SST|VAT|TAX) NET\s*AMOUNT\s*BEFORE TOTAL\s*SALES\s*\(?\s*EXCL\w*"
    r" AMOUNT\s*\(?\s*EXCL\w* ZWISCHENSUMME TAXABLE NET\s*\(?\s*EXCL\w*"
    r" BEFORE\s*(?:GST|TAX|DISC\w*) SOUS\s*-?\s*TOTAL SUBTOTALE SUBTOTAAL SUMME\s*NETTO"
)
GRAND = words(
    r"GRAND\s*TOTAL NETT?\s*TOTAL TOTAL\s*DUE AMOUNT\s*DUE BALANCE\s*DUE TOTAL\s*PAYABLE"
    r" AMOUNT\s*PAYABLE NETT?\s*AMOUNT TOTAL\s*\(?\s*INCL\w*"
    r" INCL\w*\.?\s*(?:OF\s*)?(?:GST|SST|VAT|TAX)"
    r" TOTAL\s*SALES\s*\(?\s*INCL\w* AMOUNT\s*TO\s*PAY TO\s*PAY DUE JUMLAH\s*BESAR GESAMT SUMME"
    r" TOTALE TOTAL\s*TTC NETT TOTAAL TE\s*BETALEN [AÀ]\s*PAYER TOTAL\s*A\s*PAGAR"
)
TOTAL = words(
    r"TOTAL TOTAL\s*AMOUNT TOTAL\s*AMT TOTAL\s*SALES TTL JUMLAH AMOUNT AMT TOTAL\s*RM"
    r" MONTANT BETRAG"
)
TAX = words(r"GST SST VAT TAX PPN MWST MW\s*ST TVA IVA BTW SALES\s*TAX HST PST UST")
TAX_NOT = words(
    r"GST\s*(?:ID|REG|NO) TAX\s*INVOICE TAX\s*CODE GST\s*SUMMARY TAX\s*SUMMARY"
    r" VAT\s*(?:NO|REG|ID)"
)
SERVICE = words(r"SERVICE\s*CHARGE SERVICE\s*CHG SRV\s*CHG SVC\s*CHG SVC SERVICE S/C SC")
TIP = words(r"TIPS? GRATUITY TRINKGELD")
DISCOUNT = words(r"DISCOUNTS? DISC LESS PROMO\w* SAVINGS? MEMBER\s*DISC VOUCHER COUPON RABATT")
CHANGE = words(
    r"CHANGE CHANGE\s*DUE CHG KEMBALI BAKI RÜCKGELD RUECKGELD WISSELGELD RENDU CAMBIO RESTO"
)
CARD = words(
    r"VISA MASTER\w* MASTERCARD AMEX CARD DEBIT CREDIT MAESTRO UNIONPAY EC KARTE DINERS GIROCARD"
    r" JCB"
)
MOBILE = words(
    r"GRAB\s*PAY BOOST TOUCH\s*N\s*GO TNG E-?WALLET APPLE\s*PAY GOOGLE\s*PAY PAYPAL"
    r" ALIPAY WECHAT QR"
)
CASH = words(
    r"CASH TENDERED TENDER PAID PAYMENT TUNAI BAR CASH\s*RECEIVED RECEIVED ACCEPTED"
    r" ESP[EÈ]CES EFECTIVO CONTANTI CONTANT"
)
PAID = words(
    r"CASH TENDERED TENDER PAID PAYMENT ACCEPTED RECEIVED CHANGE CREDIT VISA MASTER\w*"
    r" CARD"
)
SUMMARY = words(r"GST\s*SUMMARY TAX\s*SUMMARY VAT\s*SUMMARY TAX\s*CODE SUMMARY")
# "INCLUSIVE", "INCL.", "INC GST", "INCLUDED", and OCR's "ICLUSIVE"; never "EXCLUSIVE"
INCLUSIVE = re.compile(
    r"(?<![A-Z])(?!EX)[A-Z]{0,2}CLU(?:SIVE|DED?|DING|DES)|INCL\b|INCL\.|\bINC\b|INC\."
)
