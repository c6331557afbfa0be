"""Words of a row with their x positions, and what each word can be (amount, count, code).

OCR engines hand over whole printed lines ("1 PC * 9.000 0.00 9.00") or single words (CORD);
item parsing needs words with positions either way, so a cell's box is shared among its words
in proportion to their characters (receipt fonts are nearly monospaced).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from receiptflow.extractors.local import vocab
from receiptflow.extractors.local.layout import Row
from receiptflow.schemas.currency import currency_exponent
from receiptflow.schemas.parsing import parse_money

# Currencies whose receipts print whole amounts with grouped thousands ("23.000" = 23000).
_WHOLE_AMOUNT_CURRENCIES = frozenset(
    {"IDR", "VND", "KRW", "JPY", "CLP", "COP", "PYG", "IRR", "LAK"}
)

_CURRENCY_WORDS = frozenset(
    {"RM", "RP", "RP.", "IDR", "MYR", "USD", "EUR", "$", "€", "£", "¥", "SGD", "GBP", "JPY"}
    | {"KD", "K.D.", "KWD", "BHD", "OMR", "JOD"}
    | set(vocab.currency_words())  # "EURO", "RINGGIT"
)
_CURRENCY_PREFIX = re.compile(
    r"^(?:RM|Rp\.?|IDR|MYR|USD|EUR|SGD|GBP|JPY|KWD|BHD|OMR|JOD|K\.?D\.?|[$€£¥\\])\s*(?=[\d(-])"
    r"|^S(?=\d{1,4}[.,]\d\d$)",  # OCR's S for $: "S6.99"
    re.IGNORECASE,
)
_TOO_LARGE = Decimal(10) ** 10
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})+$")  # 23.000, 1,250,000
_PLAIN_DECIMAL = re.compile(r"^\d+[.,]\d{1,3}$")  # 9.000 (a unit price with three decimals)
_INTEGER = re.compile(r"^\d+$")
# Counts as printed before or after a description: 2, 2x, x2, 1X, 1Prs, 2 PC, .5
_COUNT = re.compile(
    r"^(?:[xX*@]\s*)?(\d{1,3}(?:[.,]\d{1,3})?|\.\d{1,3})\s*"
    r"(?:[xX*]|pcs?|PCS?|Pcs|prs|Prs|gls|Gls|btl|Btl|ea|EA|UNIT|unit|kg|KG|Kg|Stk|STK)?$"
)
TAX_CODES = frozenset(
    {"SR", "ZR", "S", "Z", "T", "A", "B", "E", "N", "X", "TX", "ES", "*", "#", "D"}
)
# between a count and a price: "2 x 0,35", "0,235 kg à 7,95", "0,320 kg a 2,49"
OPERATORS = frozenset({"x", "X", "@", "*", "=", "-", ":", "à", "À", "a"})
_UNITS = frozenset(vocab.fold(phrase) for phrase in vocab.phrases("unit"))
_PER_UNIT = re.compile(
    r"(?:EUR|USD|RM|[€$£])?\s?/\s?(?:kg|KG|Kg|lb|LB|l|L|I|1|\||100g|Stk|ea)", re.IGNORECASE
)
VOID = vocab.words("void")  # "STORNO", "** VOID **": a line that cancels an item
DEPOSIT = vocab.words("deposit")  # "Pfand", "Leergut", "CRV": an item, even when negative
_DETAIL_LABEL = vocab.words("item_detail")  # "Handeingabe 1,393 kg x 4,99", "QTY 4 @ 10.99"
# a count or weight, an operator and a unit price: the quantity line under an item
DETAIL_ROW = re.compile(
    r"\d(?:[.,]\d+)?\s*(?:[^\W\d_]{1,3}\.?\s*)?(?:[@xX*×àÀ]|\ba\b)\s*(?:[^\d\s]{1,3}\s*)?\d+[.,]\d"
)


def is_operator(text: str) -> bool:
    """Words between a count and a price: "x", "@", "PCS", "Stk", "EUR/kg"."""
    return text in OPERATORS or bool(_PER_UNIT.fullmatch(text))


def is_unit(text: str) -> bool:
    """A unit printed after a count or a weight ("Stk", "PZ", "uds", "kg"), vocabulary
    kind ``unit``; OCR's "Ib" is lb."""
    folded = vocab.fold(text)
    return folded in _UNITS or folded == "IB"


def is_detail_label(text: str) -> bool:
    """Nothing but the labels of a quantity line ("Handeingabe", "NET WT", "PESO") and units
    (OCR's zero for the letter O too: "PES0")."""
    rest = _DETAIL_LABEL.sub(" ", re.sub(r"(?<=[^\W\d_])0|0(?=[^\W\d_])", "O", text.upper()))
    return bool(text.strip()) and all(is_unit(word) for word in rest.split())


def is_void_label(text: str) -> bool:
    """Nothing but a void word: "STORNO", "** VOID **", "Annullo"."""
    return bool(VOID.search(text.upper())) and not re.search(
        r"[^\W\d_]", VOID.sub(" ", text.upper())
    )


def _header_words() -> frozenset[str]:
    """Column heads of the items table (vocabulary kind ``item_header``) as printed, without
    accents and without punctuation ("QTY.", "U/PRICE", "UPRICE", "DESIGNATION")."""
    heads = {"@", "RM", "U\\PRICE"}
    for phrase in vocab.phrases("item_header"):
        upper = phrase.upper()
        heads |= {upper, vocab.strip_accents(upper), vocab.fold(upper)}
    return frozenset(heads)


HEADER_WORDS = _header_words()


# Rows that start with a word of these kinds end the items. Not rounding and service:
# "Round Wagyu", "SC/R Grilled Steak" are items; nor two-letter words ("EC", "CB").
def _starting(*kinds: str) -> str:
    return vocab.whole_phrases(
        phrase for phrase in vocab.phrases(*kinds) if len(vocab.fold(phrase)) >= 3
    ).pattern


_ROW_START = r"^\W*(?:[\d.,]{1,6}%?\s+)?"  # "1 TOTAL", "19% MWST"; not a barcode
# The first words of the rows that end the items: the money summary in any language
# (vocabulary), and what OCR and tills make of it ("T0TAL", "TOT", "NET1", "PB 1", "ITEMS: 3")
_SUMMARY_START = (
    _ROW_START + r"(?:SUB\s*TTL|STTL|T[O0A]T[A4]L|TOT|GRAND|NET\d?\b|"
    r"BALANCE|ITEMS?(?=\s*(?:\(S\))?\s*(?::|COUNT|QTY|\d|$))|TL\b|ROUND(?:ED|\s*OFF|\s+ADJ)|"
    r"ROUND\s+\w?\s*TOTAL|ROUNDING|PB\s*1|SERVICE|SERV|SVC|SRV|SVR|SUC|P\.\s*REST|MASTER|QTY|QUANTITY|"
    r"GROSS)\b|"
    + _ROW_START
    + _starting("grand_total", "total", "subtotal", "rounded_total", "tax", "tip")
)
# "AMOUNT 32.00" sums the items up; "AMOUNT -7,800" under a discount line is the discount's
AMOUNT_START = re.compile(_ROW_START + _starting("amount"), re.IGNORECASE)
# Payment and change ("BAR 50,00", "CARTA DI CREDITO"): a product may start with the word too
# ("CARTA IGIENICA", "BAR SOAP"), which the item step tells apart by its amount
PAYMENT_START = re.compile(
    _ROW_START + _starting("change", "cash", "tendered", "card"), re.IGNORECASE
)
# a label that ends in a summary word before its amount: "Food Subtotal: 21.17", "STATE TAX"
_SUMMARY_END = (
    r"(?:SUB\s*TOTAL|T[O0A]T[A4]L|"
    + _starting("grand_total", "total", "subtotal", "tax")
    + r")\W*[$€£]?\s*-?[\d.,]*\d\s*\S{0,2}$"
)
END_OF_ITEMS = re.compile(_SUMMARY_START + "|" + PAYMENT_START.pattern, re.IGNORECASE)
SUMMARY_START = re.compile(_SUMMARY_START + "|" + _SUMMARY_END, re.IGNORECASE)
# "BARCODE: 10182079", "Beleg-Nr. 89811", "REG No. 0365": a label and its number
LABELLED_NUMBER = re.compile(
    r"^[A-Z][A-Z .#-]*(?::|(?<![A-Z])N[OR]\.|#)\s*[\w-]*\d[\w-]*$", re.IGNORECASE
)
SUMMARY = re.compile(r"\b(?:SUMMARY|STATEMENT)\b", re.IGNORECASE)  # GST summary, loyalty points
TOTAL_ANYWHERE = re.compile(r"\bT[O0A]T[A4]L\b", re.IGNORECASE)  # "EAT-IN TOTAL (INCL GST)"
ITEM_COUNT_LINE = re.compile(r"\d\s*x?\s*ITEMS?\b", re.IGNORECASE)
_COUNT_WORDS = vocab.words("not_money")  # "Posten", "PEZZI", "artículos", "ITEMS SOLD"
ROUNDING_START = re.compile(_ROW_START + _starting("rounding"), re.IGNORECASE)


def is_count_line(text: str) -> bool:
    """How many items the receipt lists ("Posten: 15", "4 ARTICOLI", "Nº artículos: 14",
    "# ITEMS SOLD 20"): a count word and one whole number, and no other word."""
    upper = text.upper()
    if not _COUNT_WORDS.search(upper) or re.search(r"\d[.,]\d", text):
        return False
    rest = TOTAL_ANYWHERE.sub(" ", _COUNT_WORDS.sub(" ", upper))
    return len(re.findall(r"\d+", rest)) == 1 and not re.search(r"[^\W\d_]{3}", rest)


_DISCOUNT_START = r"^\W*(?:\d+\s+)?"
DISCOUNT = re.compile(
    _DISCOUNT_START + r"(?:MEMBER|DIS\d+)\b|" + _DISCOUNT_START + vocab.words("discount").pattern,
    re.IGNORECASE,
)
NOT_ITEM = re.compile(
    r"\b(?:TEL|PHONE|FAX|DATE|TIME|INVOICE|RECEIPT|CASHIER|TABLE|GST\s*(?:ID|REG|NO)|"
    r"THANK|TILL|REG\.?\s*NO)\b|(?<![\w-])\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})\b|\d{1,2}:\d{2}|\s:\s|"
    r"(?<![\w.,-])\d{1,2}\.\d{1,2}\.(?:\d{4}|\d{2})\b|"  # "24.06.2024"
    + vocab.words("date_label").pattern  # "DATUM 16 NOV", "Fecha: 12", not "LE MINERAL"
    + r"\W{0,3}\d",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float


def row_words(row: Row) -> list[Word]:
    """The row's words left to right, each with an x range estimated inside its cell."""
    words: list[Word] = []
    for cell in row.cells:
        text = cell.text.replace("×", "x")  # the multiplication sign: "2 × GULA @ 2.85"
        x0, x1 = cell.box[0], cell.box[2]
        per_char = (x1 - x0) / max(len(text), 1)
        for match in re.finditer(r"\S+", text):
            words.append(
                Word(match.group(), x0 + match.start() * per_char, x0 + match.end() * per_char)
            )
    return words


def whole_amounts(currency: str | None) -> bool:
    return currency is not None and (
        currency.upper() in _WHOLE_AMOUNT_CURRENCIES or currency_exponent(currency) == 0
    )


def strip_currency(text: str) -> str:
    return _CURRENCY_PREFIX.sub("", text)


def is_currency_word(text: str) -> bool:
    return text.upper().strip("()") in _CURRENCY_WORDS


def is_tax_code(text: str) -> bool:
    """GST/VAT codes printed after an amount: "SR", "ZRL", "SVC", "*", "T"."""
    code = text.upper().strip("()[]+")
    return code in TAX_CODES or bool(re.fullmatch(r"[A-Z]{1,3}\d?\*?", text.strip("()[]+")))


def money_value(text: str, *, whole: bool) -> Decimal | None:
    """A printed amount as Decimal, or None. ``whole``: "23.000" means 23000 (IDR style);
    otherwise a bare integer ("2") is a count, not an amount."""
    core = strip_currency(text.strip()).strip()
    negative = is_negative_amount(core)
    core = core.strip("-()").lstrip("@").strip()
    # tax codes glued on: "75.00SR", "9.50*", "6,50T1", a VAT rate "26,254%"
    core = re.sub(r"(?<=\d[.,]\d\d)(?:[A-Z]{1,3}|[A-Z]\d|\*|\d{1,2}%)$", "", core)
    if whole and _GROUPED.match(core):
        value = _decimal(re.sub(r"[.,]", "", core))
    elif _INTEGER.match(core.replace("O", "0")) and (
        not whole or re.fullmatch(r"0+[1-9]\d*", core)
    ):
        return None  # a count, a number ("NIF 95009142O"), or "REG No. 0365"
    elif whole and _PLAIN_DECIMAL.match(core) and len(re.split(r"[.,]", core)[-1]) == 3:
        return None  # "1234.567" cannot be rupiah
    else:
        value = parse_money(core, decimal_comma=None)
    if value is None or abs(value) >= _TOO_LARGE:
        return None  # a barcode or a phone number, not money
    return -abs(value) if negative else abs(value)


def is_negative_amount(text: str) -> bool:
    core = strip_currency(text.strip())
    return core.startswith(("-", "(")) or core.endswith(("-", ")"))


def count_value(text: str) -> Decimal | None:
    """A printed count ("2", "2x", "x2", "1Prs", "0.456kg"), or None."""
    match = _COUNT.match(text.strip())
    if match is None:
        return None
    value = _decimal(match.group(1).replace(",", "."))
    return value if value is not None and value > 0 else None


def is_code(text: str) -> bool:
    """An article number / barcode printed before or above the description."""
    return bool(re.fullmatch(r"[A-Z]{0,2}\d{4,14}-?", text))


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


# printed without spaces: "4x0,69", "X2,49", "2x@"; a barcode and the name "6313426185217LECHE"; a
# volume whose "l" OCR reads as I or | ("65,37|*1,929", "19.81I@", "LX", "|x€")
_GLUED = (
    re.compile(r"^(\d{1,3}[xX*]|[xX@*])(@)?(\d+[.,]\d{2,3})?$"),  # and "2x@", "2x@1.25"
    re.compile(r"^(\d{8,14})([^\W\d_]{2}.*)$"),
    re.compile(r"^(\d{5,7})([A-Z]{3}.*)$"),  # an article number and the name: "519639LIPT"
    # a quantity and a price whose space OCR read as a point: "1.00.110.00"
    re.compile(r"^(\d{1,3}\.\d\d)\.(\d+\.\d\d)$"),
    re.compile(r"^([A-Z]{1,2}\d?)([$€£]\d+[.,]\d\d)$"),  # a tax class before: "T2$10.00"
    re.compile(r"^(\d+[.,]\d+)?([lIL|])([xX*@])([$€£]?\d*[.,]?\d*[€$£]?)$"),
)
_LITRE_OCR = frozenset({"I", "|", "L"})
_CENTS_AND_CODE = re.compile(r"-?\.\d\d[A-Z]")


def split_glued(words: list[Word]) -> list[Word]:
    """Words printed (or read) without the spaces between them, split apart."""
    split: list[Word] = []
    for word in words:
        if _CENTS_AND_CODE.fullmatch(word.text):  # ".99B": cents with no leading zero, a code
            word = Word(re.sub(r"^(-?)\.", r"\g<1>0.", word.text), word.x0, word.x1)
        match = next((m for pattern in _GLUED if (m := pattern.match(word.text))), None)
        parts = [part for part in match.groups() if part] if match else []
        if len(parts) < 2:
            split.append(word)
            continue
        per_char = (word.x1 - word.x0) / len(word.text)
        x = word.x0
        for part in parts:
            text = "l" if part in _LITRE_OCR else part
            split.append(Word(text, x, x + per_char * len(part)))
            x += per_char * len(part)
    return split


def join_spaced_thousands(words: list[Word]) -> list[Word]:
    """ "18 000" read as two words at the end of a row is one amount (rupiah, dong)."""
    if len(words) >= 2 and re.fullmatch(r"\d{3}", words[-1].text):
        before, last = words[-2], words[-1]
        char = (last.x1 - last.x0) / 3
        if re.fullmatch(r"\d{1,3}", before.text) and last.x0 - before.x1 <= 1.5 * char:
            return [*words[:-2], Word(before.text + "." + last.text, before.x0, last.x1)]
    return words


def split_class_digit(words: list[Word]) -> list[Word]:
    """ "2,291": the amount 2,29 and the VAT class 1 printed after it without a space."""
    if not words or not re.fullmatch(r"-?\d+[.,]\d{3}", words[-1].text):
        return words
    last = words[-1]
    cut = last.x1 - (last.x1 - last.x0) / len(last.text)
    return [*words[:-1], Word(last.text[:-1], last.x0, cut), Word(last.text[-1], cut, last.x1)]


def join_spaced_cents(words: list[Word]) -> list[Word]:
    """ "$8 39": the amount with a space read for its point (after a currency mark)."""
    at = next((i for i in range(len(words) - 1, 0, -1) if not is_tax_code(words[i].text)), 0)
    if at and re.fullmatch(r"\d\d", words[at].text):
        before = words[at - 1]
        if re.fullmatch(r"[$€£S]\d{1,4}", before.text):
            joined = Word(before.text + "." + words[at].text, before.x0, words[at].x1)
            return [*words[: at - 1], joined, *words[at + 1 :]]
    return words


def looks_whole(all_words: list[list[Word]]) -> bool:
    """Amounts printed like 23.000 / 16,500 and never with cents: a whole-number currency."""
    grouped = cents = 0
    for words in all_words:
        for word in words:
            text = word.text.lstrip("@-(").rstrip(")")
            if re.fullmatch(r"(?:Rp\.?)?(?:\d{1,3}(?:[.,]\d{3})+|\d{4,7})", text):
                grouped += 1
            elif re.fullmatch(r"\d+[.,]\d{2}", text):
                cents += 1
    return grouped > cents
