"""Which currency a receipt is in, and how it writes its decimals.

Printed marks decide (RM, €, Rp, "(MYR)", "EURO"); a bare "$" needs the country, read from
the header (SDN BHD and Malaysian states -> MYR, PTE LTD / Singapore -> SGD, ...). Without any
mark the country alone gives a weaker answer, the receipt's language (German -> EUR, Malay ->
MYR; English says nothing) a weaker one, and the configured default a weaker one still.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.vocab import Language, currency_word_pattern, currency_words, fold
from receiptflow.schemas.currency import currency_exponent
from receiptflow.schemas.parsing import CURRENCY_MARKS

_CODES = re.compile(
    r"(?<![A-Z])(MYR|USD|EUR|GBP|SGD|IDR|JPY|AUD|CAD|HKD|NZD|INR|KRW|THB|PHP|CHF|VND|CNY|RMB)"
    r"(?![A-Z])"
)
_MARKS = re.compile(r"(?<![A-Z])(RM|Rp\.?|RP)(?=[\s\d(.:)]|$)|(US\$|S\$|A\$|C\$|HK\$|[$€£¥₹₩฿₱₫])")
# Marks that read as currency only beside an amount: "KD 23.875" (Kuwaiti dinar), "\1,102"
# (the yen sign in an ASCII font), "BHD 1.250" (never the BHD of "SDN BHD").
_AMOUNT_MARKS = re.compile(
    r"(?<![A-Z])(?<!SDN )(?<!SDN\. )(K\.?D\.?|KWD|BHD|OMR|JOD|YEN) ?(?=\d)"
    r"|(?<=\d) ?(K\.?D|KWD|BHD|OMR|JOD|YEN)(?![A-Z])"
    r"|(\\)(?=\d)"
)
_AMOUNT_MARK_CODES = {"KD": "KWD", "K.D": "KWD", "YEN": "JPY", "\\": "JPY"}
_COUNTRY: list[tuple[str, re.Pattern[str]]] = [
    (
        "MYR",
        re.compile(
            r"(?<![A-Z])(SDN\.?\s*BHD|S/B|BHD|BERHAD|MALAYSIA|SELANGOR|JOHOR|KUALA LUMPUR|"
            r"PULAU PINANG|PENANG|PERAK|PAHANG|KEDAH|MELAKA|SABAH|SARAWAK|NEGERI SEMBILAN|"
            r"PUTRAJAYA|KELANTAN|TERENGGANU|JALAN|TAMAN)(?![A-Z])"
        ),
    ),
    ("SGD", re.compile(r"(?<![A-Z])(SINGAPORE|PTE\.?\s*LTD)(?![A-Z])")),
    ("IDR", re.compile(r"(?<![A-Z])(INDONESIA|JAKARTA|PT\.|NPWP|TBK)(?![A-Z])")),
    ("AUD", re.compile(r"(?<![A-Z])(AUSTRALIA|ABN|PTY\.?\s*LTD|NSW|VIC|QLD)(?![A-Z])")),
    ("KWD", re.compile(r"(?<![A-Z])(KUWAIT|SALMIYA|HAWALLI)(?![A-Z])|\+965")),
    ("BHD", re.compile(r"(?<![A-Z])(BAHRAIN|MANAMA)(?![A-Z])|\+973")),
    ("OMR", re.compile(r"(?<![A-Z])(OMAN|MUSCAT)(?![A-Z])|\+968")),
    # not JORDAN alone: a first name as often as the country ("SALES ASSOCIATE : JORDAN")
    ("JOD", re.compile(r"(?<![A-Z])(AMMAN|HASHEMITE)(?![A-Z])|\+962")),
    ("JPY", re.compile(r"(?<![A-Z])(JAPAN|TOKYO|OSAKA|KYOTO|[A-Z]+-KU)(?![A-Z])|\+81")),
    ("GBP", re.compile(r"(?<![A-Z])(UNITED KINGDOM|LONDON|VAT REG NO)(?![A-Z])")),
    ("CAD", re.compile(r"(?<![A-Z])(CANADA|ONTARIO|QUEBEC|HST)(?![A-Z])")),
    ("USD", re.compile(r"(?<![A-Z])(USA|U\.S\.A|SALES TAX|[A-Z]{2} \d{5}(?:-\d{4})?)(?![A-Z\d])")),
]
_DOT_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d,]|\.\d)")
_COMMA_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d.]|,\d)")
_COMMA_DECIMAL = re.compile(r"(?<![\d.,])\d+,\d{2}(?![\d.,])")
_MILS = re.compile(r"(?<![\d.,])0\.(?!000)\d{3}(?![\d.,])")
_DOT_DECIMAL = re.compile(r"(?<![\d.,])\d+\.\d{2}(?![\d.,])")


@dataclass
class CurrencyGuess:
    code: str | None
    confidence: float
    decimal_comma: bool | None
    whole_amounts: bool = False  # amounts printed without minor units: "23.000", "45,500"
    country: str | None = None  # the currency the address/company words point to
    minor_digits: int = 2  # decimals of an amount: 3 for the dinars ("KD 23.875"), 0 for yen


def _country(text: str) -> str | None:
    scores = Counter({code: len(pattern.findall(text)) for code, pattern in _COUNTRY})
    code, count = scores.most_common(1)[0]
    return code if count else None


def guess_currency(
    rows: list[Row], *, default_currency: str | None = None, language: Language | None = None
) -> CurrencyGuess:
    text = "\n".join(row.text for row in rows)
    upper = text.upper()
    votes: Counter[str] = Counter()
    dollar = 0
    for match in _MARKS.finditer(text):
        mark = match.group(0).upper().rstrip(".")
        code = CURRENCY_MARKS.get(mark, CURRENCY_MARKS.get(match.group(0)))
        if code:
            votes[code] += 1
        elif mark == "$":
            dollar += 1
    for match in _AMOUNT_MARKS.finditer(upper):
        mark = next(group for group in match.groups() if group).rstrip(".")
        votes[_AMOUNT_MARK_CODES.get(mark, mark)] += 2
    for match in _CODES.finditer(upper):
        votes["CNY" if match.group(1) == "RMB" else match.group(1)] += 2
    named = Counter(currency_words()[fold(m[0])] for m in currency_word_pattern().finditer(upper))
    if votes or not dollar:  # "EURO" as a word; but "$" amounts at the "Euro Deli" are dollars
        votes.update({code: 2 * count for code, count in named.items()})
    country = _country(upper)
    if votes:
        code = votes.most_common(1)[0][0]
        confidence = 0.95 if country in (None, code) else 0.8
    elif dollar:
        code = {"MYR": "MYR", "SGD": "SGD", "AUD": "AUD", "CAD": "CAD"}.get(country or "", "USD")
        confidence = 0.8 if country else 0.6
    elif country:
        code, confidence = country, 0.7
    elif language is not None and language.currency:
        code, confidence = language.currency, 0.6
    elif default_currency:
        code, confidence = default_currency.upper(), 0.5
    else:
        code, confidence = None, 0.0
    mils = code is None and _three_decimals(text)
    whole = not mils and _whole_amounts(text, code)
    minor = 3 if mils else currency_exponent(code)
    decimal_comma = _decimal_comma(text, code, whole)
    mixed = decimal_comma is False and bool(_COMMA_DECIMAL.search(text))
    if mixed and language is not None and language.decimal_comma:
        decimal_comma = None  # "7,31" beside "8.70": OCR mixes them up; read both
    return CurrencyGuess(code, confidence, decimal_comma, whole, country, minor)


def _three_decimals(text: str) -> bool:
    """Amounts like "0.725" and "23.875" and none with cents: a three-decimal currency (KWD,
    BHD, OMR, JOD) whose mark was not read. "0.725" cannot be a thousands group."""
    if _DOT_DECIMAL.search(text) or _COMMA_DECIMAL.search(text):
        return False
    return bool(_MILS.search(text))


def _whole_amounts(text: str, code: str | None) -> bool:
    """Does the receipt print whole amounts with thousands groups (IDR, JPY, KRW, VND) rather
    than amounts with cents?"""
    if code is not None and currency_exponent(code) != 0 and code not in ("IDR", "VND"):
        return False
    if code is not None and currency_exponent(code) == 0 and not _DOT_DECIMAL.search(text):
        return True  # yen and won have no minor unit: "\214" is an amount
    grouped = len(_DOT_THOUSANDS.findall(text)) + len(_COMMA_THOUSANDS.findall(text))
    cents = len(_COMMA_DECIMAL.findall(text)) + len(_DOT_DECIMAL.findall(text))
    return grouped >= 2 and cents * 4 <= grouped


def _decimal_comma(text: str, code: str | None, whole: bool) -> bool | None:
    """True when the receipt writes 12,50 (or 23.000 for twenty-three thousand), False for
    12.50 (or 23,000)."""
    if whole:
        return len(_DOT_THOUSANDS.findall(text)) > len(_COMMA_THOUSANDS.findall(text))
    commas, dots = len(_COMMA_DECIMAL.findall(text)), len(_DOT_DECIMAL.findall(text))
    if commas > dots:
        return True
    return False if dots else None
