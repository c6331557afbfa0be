"""One row of the items region, read into description, count, unit price and line amount.

A row is read right to left: the line amount is the right-most amount (tax codes such as
"SR"/"ZR" may follow it), the unit price and count are the pair of numbers whose product is
that amount, and the words that are left over are the description. When no pair multiplies
out, a small number at the start ("2 Latte") or just before the amount ("Latte 2") is the count.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from receiptflow.extractors.local.items_tokens import (
    DEPOSIT,
    Word,
    count_value,
    is_code,
    is_currency_word,
    is_detail_label,
    is_negative_amount,
    is_operator,
    is_tax_code,
    is_unit,
    money_value,
    strip_currency,
)
from receiptflow.extractors.local.vocab import words

_LETTER = re.compile(r"[^\W\d_]")
_GST_CODE = re.compile(r"^[\[(]?[SZ]R[\])]?[:.]?$")  # Malaysian GST: standard / zero rated
_FLAG = re.compile(r"([A-Z])\1{0,4}")  # one capital, repeated when the print smears: "E", "EE"
_PRICE = re.compile(r"[$€£]?[1-9]\d{0,3}[.,]\d\d")  # money with cents; not a size "Saft 0,25"
# "/kg", "/l" (OCR: "/I", "/1", "/|"), "/ea"
_UNIT_PRICE_SUFFIX = re.compile(r"/(?:kg|KG|Kg|lb|LB|l|L|I|1|\||ea|EA|pc|PC)$")


@dataclass
class ItemRow:
    index: int
    amount: Decimal | None = None
    amount_word: Word | None = None
    description: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    sku: str | None = None
    negative: bool = False
    words: list[Word] = field(default_factory=list)
    description_x: float | None = None  # where the description starts: modifiers sit indented
    char_width: float = 0.0
    off_column: bool = False  # the amount stands left of the receipt's amount column
    trailing_count: str | None = None  # the count read from the name's end ("x2", "X4")
    # the blank between the name's end and the amount right after it (no count or unit price
    # column between), in characters: how long a word the printer could still have put there
    room: float | None = None

    @property
    def has_text(self) -> bool:
        return bool(_LETTER.search(self.description))


def find_amount(words: list[Word], *, whole: bool) -> int | None:
    """Index of the line amount: the right-most amount, allowing tax codes after it."""
    for position in range(len(words) - 1, -1, -1):
        text = words[position].text
        if is_tax_code(text) or is_currency_word(text) or _is_speck(text):
            continue
        if position == len(words) - 1 and _is_scrap(words, position):
            continue
        if not whole and _is_code_after_amount(words, position):
            continue
        if text.startswith("@") or (text.endswith("%") and money_value(text, whole=whole) is None):
            return None
        if _after_operator(words, position):
            return None  # "NAME BADGE (H) @ 0.5500": a unit price, the amount is elsewhere
        if position >= 2 and _SAVED.fullmatch(words[position - 1].text.upper()):
            before = find_amount(words[: position - 1], whole=whole)  # "2.19F SAVED .30"
            return position if before is None else before
        value = money_value(text, whole=whole)
        if value is None:
            return None
        if whole and re.fullmatch(r"\d{1,2}", text) and value != 0:
            return None  # "Nasi Putih 2": a count, not two rupiah
        return position
    return None


def _after_operator(words: list[Word], position: int) -> bool:
    """A price after "@", or after "x" that follows a count ("2 x 0,35"); not the amount of
    a name cut short before its pack size ("CROISSANTS X 7,47")."""
    before = words[position - 1].text if position > 0 else ""
    if before == "@":
        return True
    if before not in {"X", "x", "*"}:
        return False
    counted = [word.text for word in words[max(position - 3, 0) : position - 1]]
    if counted and is_unit(counted[-1]):  # "2,423 KG X 3,99"
        counted = counted[:-1]
    return position < 2 or (bool(counted) and count_value(counted[-1]) is not None)


def left_of_column(words: list[Word], at: int, column: float | None) -> bool:
    """The amount stands well left of the receipt's amount column (its median right edge)."""
    if column is None:
        return False
    width = max(word.x1 for word in words) - min(word.x0 for word in words)
    char = (words[at].x1 - words[at].x0) / max(len(words[at].text), 1)
    return words[at].x1 < column - max(6 * char, 0.05 * width)


_SAVED = words("discount")  # "YOU SAVED .30" after the line amount


_DIGIT_OR_RATE = re.compile(r"\(?(?:\d|\d{1,2}(?:[.,]\d{1,2})?\s?%)\)?")
_WITH_CENTS = re.compile(r"-?\(?(?:[$€£]|EUR|RM)?\s?-?\d+[.,]\d\d-?\)?")


def _is_code_after_amount(words: list[Word], position: int) -> bool:
    """A VAT class printed as a digit or as its rate after the amount: "1,05 1" (French
    tills), "8,94 22%" (Italian)."""
    if position == 0 or not _DIGIT_OR_RATE.fullmatch(words[position].text):
        return False
    return bool(_WITH_CENTS.fullmatch(words[position - 1].text))


def _zeros_as_o(word: str) -> str:
    """OCR's zero inside a word of letters is the letter O: "MIL0", "0ats", "Ch0c"."""
    if not re.fullmatch(r"[^\W\d_]*0[^\W\d_0]*(?:0[^\W\d_]*)*", word) or len(word) < 3:
        return word
    if len(_LETTER.findall(word)) < 2:
        return word
    return re.sub(r"(?<=[^\W\d_])0(?=[a-z])|(?<=[a-z])0", "o", word).replace("0", "O")


def _is_scrap(words: list[Word], position: int) -> bool:
    """A scrap of lower-case letters after the amount at the end of the row ("30.00 plu",
    "24.00 bou"): the edge of something beside the receipt in a photo, or of the facing
    page; tills print their tax codes in capitals ("T1", "SR")."""
    return (
        position > 0
        and re.fullmatch(r"[a-z]{1,3}", words[position].text) is not None
        and _WITH_CENTS.fullmatch(words[position - 1].text) is not None
    )


def _is_speck(text: str) -> bool:
    """A lone non-ASCII mark after the amount: a smudge OCR read as a glyph, "円", "※"."""
    return len(text) == 1 and not text.isascii()


def read_row(index: int, words: list[Word], *, whole: bool, amount_at: int | None) -> ItemRow:
    row = ItemRow(index=index, words=words)
    rest = list(words)
    if amount_at is not None:
        amount_word = words[amount_at]
        row.amount = money_value(amount_word.text, whole=whole)
        row.amount_word = amount_word
        row.negative = is_negative_amount(amount_word.text)
        rest = [word for word in words[:amount_at] if not is_currency_word(word.text)]
    rest = _drop_tax_codes(rest)
    if len(rest) > 2 and _FLAG.fullmatch(rest[0].text) and is_code(rest[1].text):
        rest = rest[1:]  # "E 325112 ICE TEA": a flag before the article number ("EE": smeared)
    barcode = next((w for w in rest if re.fullmatch(r"-?\d{8,14}", w.text)), None)
    if barcode is not None and len(rest) > 1:  # "BANANAS 000000004011 F", "1 SR 9555586101265"
        row.sku = barcode.text.lstrip("-")  # "RECIPE CRDS 4X6 F -400100960608"
        rest = _drop_tax_codes([w for w in rest if w is not barcode])
        if rest and re.fullmatch(r"[A-Z]", rest[-1].text):
            rest = rest[:-1]  # the department / food-stamp flag printed after the code
    elif len(rest) > 1 and is_code(rest[0].text):
        row.sku, rest = rest[0].text.rstrip("-"), rest[1:]
    elif len(rest) > 1 and count_value(rest[0].text) is not None and is_code(rest[1].text):
        row.sku, rest = rest[1].text.rstrip("-"), [rest[0], *rest[2:]]  # "1X 000007996511"
    texts = [word.text for word in rest]
    used = _take_count_and_unit(row, texts, whole=whole)
    if row.quantity is None:
        used |= _take_loose_count(row, texts, whole=whole)
    used |= {p + 1 for p in used if p + 1 < len(texts) and is_unit(texts[p + 1])}
    kept = _trim_operators([word for position, word in enumerate(rest) if position not in used])
    kept = [word for word in kept if not _GST_CODE.match(word.text)]
    while len(kept) > 1 and not whole and _PRICE.fullmatch(kept[-1].text):
        kept = kept[:-1]  # "SOFT DRINK 2.09  2.09": a price left before the amount, no name
    measured = row.quantity is not None and row.unit_price is not None
    if measured and is_detail_label(" ".join(_zeros_as_o(word.text) for word in kept)):
        kept = []  # "Handeingabe 1,393 kg x 4,99", "QTY 4 @ 10.99": the quantity line's label
    if len(kept) == 1 and re.fullmatch(r"[^\W\d_]", kept[0].text):
        kept = []  # "1 D 70.00 SR": a one-letter department or tax code, not a name
    if not _LETTER.search(" ".join(word.text for word in kept)):
        if kept and row.sku is None and row.amount is not None and kept[0].text.isdigit():
            row.sku = kept[0].text  # "238 1 10.00 10.00": a short article number
        kept = []  # leftover numbers of a "code qty price price amount" row: no description
    row.description = " ".join(_zeros_as_o(word.text) for word in kept)
    row.description_x = kept[0].x0 if kept else None
    if words:
        row.char_width = statistics.median((w.x1 - w.x0) / max(len(w.text), 1) for w in words)
    if kept and amount_at is not None:
        row.room = _room(words, kept[-1], amount_at, row.char_width)
    return row


def _room(words: list[Word], last: Word, amount_at: int, char_width: float) -> float | None:
    """Characters between the name's last word and the amount, when only a currency sign
    stands between them; None when a count or unit price column does (a name column of its
    own may wrap at a width of its own)."""
    at = next((i for i, word in enumerate(words) if word is last), None)
    if at is None or char_width <= 0:
        return None
    if any(not is_currency_word(word.text) for word in words[at + 1 : amount_at]):
        return None
    return (words[amount_at].x0 - last.x1) / char_width


def _drop_tax_codes(words: list[Word]) -> list[Word]:
    """GST codes around a description ("SR", "[ZR]", "SR:") are not part of the name."""
    while words and _GST_CODE.match(words[-1].text):
        words = words[:-1]
    if len(words) > 1 and _GST_CODE.match(words[0].text):
        words = words[1:]
    elif words and re.match(r"^[SZ]R[:.]\S", words[0].text):  # "SR:2" LAMBWOOL"
        first = words[0]
        words = [Word(first.text[3:], first.x0, first.x1), *words[1:]]
    return words


def _take_count_and_unit(row: ItemRow, texts: list[str], *, whole: bool) -> set[int]:
    """Find count x unit price = amount; returns the positions used (and numbers after them)."""
    # "P. Montrachet (4 @114.00) 456.00": the count and unit price in brackets after the name
    texts = [re.sub(r"^\((?=\d)|(?<=\d)\)$", "", text) for text in texts]
    units = [(position, _unit_value(text, whole=whole)) for position, text in enumerate(texts)]
    for position in range(len(texts) - 1):
        if texts[position] == "@" and units[position + 1][1] is not None:
            units[position] = (position, None)  # "@ 0.5500": the price after a lone "@"
            texts = [*texts[: position + 1], "@" + texts[position + 1], *texts[position + 2 :]]
    counts = [(position, count_value(text)) for position, text in enumerate(texts)]
    for unit_at, unit in reversed(units):
        if unit is None:
            continue
        if row.amount is None:
            after_operator = unit_at > 0 and texts[unit_at - 1] in {"@", "x", "X", "*"}
            if texts[unit_at].startswith("@") or after_operator:  # "3X @6500", "2 X 13,000"
                row.unit_price = unit
                count_at = _nearest_count(counts, unit_at)
                if count_at is not None:
                    row.quantity = counts[count_at][1]
                    return {unit_at, count_at}
                return {unit_at}
            continue
        # the nearest count, but a bare "1" before "1KG" (a pack size in the name)
        by_preference = sorted(
            counts, key=lambda pair: (bool(_LETTER.search(texts[pair[0]])), abs(pair[0] - unit_at))
        )
        for count_at, count in by_preference:
            if count is None or count_at == unit_at:
                continue
            if _multiplies(count, unit, row.amount, whole=whole):
                row.quantity, row.unit_price = count, unit
                first = min(unit_at, count_at)
                numbers_after = {
                    position
                    for position in range(first, len(texts))
                    if _is_number(texts[position], whole=whole)
                    and not (position < unit_at and _in_name(texts, first, position))
                }
                return {unit_at, count_at} | numbers_after
    deposit = DEPOSIT.search(" ".join(texts).upper())  # "Pfand 0,25  0,25": the name says it
    for unit_at, unit in reversed(units):
        if unit is not None and row.amount is not None and unit == row.amount and unit_at > 0:
            if deposit:
                break
            row.unit_price = unit  # "Nasi 20,000 20,000": unit price column, count not printed
            return {unit_at}
    return set()


def _in_name(texts: list[str], first: int, position: int) -> bool:
    """A number before the unit price that belongs to the name: "DATES KHALAS 1KG",
    "Tea Bags 80" (words come before it), unlike "238 1 10.00 10.00"."""
    return bool(_LETTER.search(texts[position])) or any(
        _LETTER.search(text) for text in texts[first + 1 : position]
    )


def _take_loose_count(row: ItemRow, texts: list[str], *, whole: bool) -> set[int]:
    """A count with no unit price: "Nasi Goreng  2  30.000" (QTY column) or "2 Nasi Goreng
    30.000"; a count that does not divide the amount ("489 TIGER BEER 108.50") is a code."""
    candidates: list[tuple[int, bool]] = []  # (position, must divide the amount)
    last = len(texts) - 1
    trailing = last > 0 and _LETTER.search(" ".join(texts[:-1])) and _is_small_count(texts[-1])
    if trailing and _in_own_column(row.words, texts[-1]):
        candidates.append((last, False))  # a QTY column: GST may blur the division
    if len(texts) >= 2 and _LETTER.search(" ".join(texts[1:])):
        candidates.append((0, True))
    if trailing and re.search(r"[xX]", texts[-1]):
        candidates.append((last, True))  # "Cha Keaw L... x2"
    if len(texts) == 1:
        candidates.append((0, True))
    if len(texts) > 1 and all(
        not _LETTER.search(text) or is_operator(text) or is_unit(text) for text in texts
    ):
        candidates.append((0, False))  # "@3 X RM 3.38", "17 0.85 0.90 15.25": numbers only
    for position, must_divide in candidates:
        count = count_value(texts[position])
        must_divide = must_divide or (count is not None and count > 10)  # "Tea Bags 80"
        if count is not None and (not must_divide or _divides(count, row.amount, whole=whole)):
            row.quantity = count
            if position == len(texts) - 1 and position > 0:
                row.trailing_count = texts[position]  # "YAOURT NATURE X4": a count or a pack
            return {position}
    return set()


def _divides(count: Decimal, amount: Decimal | None, *, whole: bool) -> bool:
    if amount is None or count <= 1:
        return True
    share = abs(amount) / count
    return share == share.quantize(Decimal(1) if whole else Decimal("0.01"))


def _in_own_column(words: list[Word], text: str) -> bool:
    """A count printed in a QTY column stands apart from the description before it."""
    at = next((i for i in range(len(words) - 1, 0, -1) if words[i].text == text), None)
    if at is None:
        return False
    char = statistics.median((w.x1 - w.x0) / max(len(w.text), 1) for w in words)
    return words[at].x0 - words[at - 1].x1 >= 1.2 * char


def _nearest_count(counts: list[tuple[int, Decimal | None]], unit_at: int) -> int | None:
    found = [position for position, count in counts if count is not None and position != unit_at]
    return min(found, key=lambda position: abs(position - unit_at)) if found else None


def _unit_value(text: str, *, whole: bool) -> Decimal | None:
    core = _UNIT_PRICE_SUFFIX.sub("", text.lstrip("@").strip())
    if not core:
        return None
    value = money_value(core, whole=whole)
    if value is None and whole and re.fullmatch(r"\d{3,}", core):
        value = Decimal(core)
    if not whole and re.fullmatch(r"\d{1,2},\d{3}", strip_currency(core)):
        value = Decimal(strip_currency(core).replace(",", "."))  # "1,929 EUR/l": fuel, per litre
    return value if value is None or value >= 0 else None


def _multiplies(count: Decimal, unit: Decimal, amount: Decimal, *, whole: bool) -> bool:
    # a GST-inclusive amount may be off by a rounding step: 17 x 0.90 printed as 15.25
    tolerance = max(Decimal(1) if whole else Decimal("0.011"), abs(amount) / 200)
    return abs(count * unit - abs(amount)) <= tolerance


def _is_number(text: str, *, whole: bool) -> bool:
    return money_value(text, whole=whole) is not None or count_value(text) is not None


def _is_small_count(text: str) -> bool:
    return bool(re.fullmatch(r"(?:[xX]\s*)?\d{1,3}(?:\s*[xX])?", text))


def _trim_operators(words: list[Word]) -> list[Word]:
    """Drop "x", "@", "PC" left at the ends once the count and unit price are taken out."""
    while words and is_operator(words[0].text):
        words = words[1:]
    while words and is_operator(words[-1].text):
        words = words[:-1]
    return words
