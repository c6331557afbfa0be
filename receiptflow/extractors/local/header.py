"""The header block: merchant name, address, phone and tax / registration id.

Receipts open with the business name (often carrying a legal suffix such as SDN BHD, LTD, INC,
GMBH or a trade word such as RESTAURANT, TRADING), then the address lines, then phone and tax
ids. The name is the best-scoring row near the top; the address is the block of address-like
rows next to it, ended by a phone / tax-id / title / date row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from receiptflow.extractors.local.address import address_blocks, find_address
from receiptflow.extractors.local.header_rules import (
    HEADER_ROWS,
    LEGAL,
    PHONE,
    TAX_ID,
    TRADE,
    address_start,
    body_start,
    is_reg_row,
    name_like,
    name_score,
    row_upper,
    tidy_spacing,
    without_outlet_number,
    without_reg_no,
)
from receiptflow.extractors.local.layout import Row, ocr_trust


@dataclass
class Header:
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    tax_id: str | None = None
    name_confidence: float = 0.0
    address_confidence: float = 0.0
    name_row: int | None = None
    address_rows: list[int] = field(default_factory=list)


# What OCR does to a printed name: I/l/1 swapped inside a word ("WorId", "D.1.Y"), a
# lower-case first letter ("buardian"), an underscore for a space
_MISREAD = re.compile(r"(?<=[a-z])[IL](?=[a-z])|(?<=[A-Za-z])\.?[10]\.?(?=[A-Za-z])|^[a-z]|_")


# A trade word or legal suffix OCR glued to the word before it, closing the token:
# "SANYUSTATIONERYSHOP", "IMPRESSIONSDN", "MARTS/B". Only words that end the token, so
# "KITCHENETTE" or "BOOKSTORES" stay whole.
_GLUED_TAIL = re.compile(
    r"\b([A-Z]{3,}?)(ENTERPRISES?|TRADING|RESTAURANT|STATIONERY|HARDWARE|BAKERY|PHARMACY|"
    r"CONFECTIONERY|SDN|BHD)(SHOP|STORE|SDN|BHD)?\b|\b([A-Z]{3,})(S/B)\b",
    re.IGNORECASE,
)


# Plain OCR slips in a name: "HUAT_HARDWARE", "D.1.Y.", "MART 5/B", "WorId"
_SLIPS = (
    (re.compile(r"(?<=[A-Za-z])_(?=[A-Za-z])"), " "),
    (re.compile(r"(?<=\b[A-Z]\.)1(?=\.)"), "I"),
    (re.compile(r"(?<=\w )5/B\b"), "S/B"),
    (re.compile(r"(?<=[a-z])I(?=[a-z])"), "l"),
)


def _unglue(name: str) -> str:
    for pattern, replacement in _SLIPS:
        name = pattern.sub(replacement, name)
    return _GLUED_TAIL.sub(lambda match: " ".join(part for part in match.groups() if part), name)


# An accountant's rubber stamp over the name row ("POSTED", "PAID") and a lone bracketed
# letter printed beside it ("(P)"): not part of the name
_STAMPED = re.compile(
    r"(?<![\w-])(?:POSTED|PAID)\b\W*$|^\W*\(\s*[A-Z]{1,2}\s*\)\W*(?=\w)", re.IGNORECASE
)


# Suffixes that close a company name: text printed after them on the row is an outlet, a
# mall or OCR debris ("EIGHT OUNCE COFFEE CO. THE GARDENS MALL", "SDN. BHD. P")
_CLOSING = re.compile(r"SDN\.?\s*BHD|BHD|BERHAD|S/B|CO\.|LTD|LIMITED|PLT|INC")


def _trails_the_name(name: str, suffix: re.Match[str]) -> bool:
    rest = name[suffix.end() :].strip(" .")
    if not rest:
        return False
    if re.search(r"\d", rest):
        return True
    closes = _CLOSING.fullmatch(suffix.group(0)) and re.search(r"\w\W+\w", name[: suffix.start()])
    return bool(closes) and not rest.startswith(("(", "[", "&", "-"))


def _strip_after_legal(text: str) -> str:
    """Drop registration numbers and what follows the legal suffix on the name row:
    "(256864-P)", "273500-U (KJ1)", "(CO. NO:20154-T)"; and "FKA <old name>"."""
    name = re.split(r"\b(?:FKA|F\.K\.A|FORMERLY)\b", text)[0]
    name = re.sub(r"[(<\[][^)>\]]*\d{4,}[^)>\]]*[)>\]]", " ", name)  # "(CO. NO:20154-T)"
    last = None
    for match in LEGAL.finditer(name.upper()):
        last = match
    if last and _trails_the_name(name, last):
        cut = last.end() + (name[last.end() : last.end() + 1] == ".")
        name = name[:cut]
    if re.search(r"\d{4,}", name):
        name = without_reg_no(name)
    return re.sub(r"\s+", " ", name).strip(" ,:;-")


def _find_name(rows: list[Row], end: int, block: list[int]) -> tuple[int | None, float]:
    """The best name row: legal suffix > trade word, plus a bonus for sitting right above
    (or right below) the address block, minus a little per row down the page."""
    above = _name_above(rows, block[0]) if block else None
    below = block[-1] + 1 if block and block[-1] + 1 < end else None
    best: tuple[float, int] | None = None
    for index in range(end):
        text = row_upper(rows[index])
        score = name_score(text)
        if index == above or index == below and score > 0:
            score += 1.0
        if score <= 0 or not name_like(without_reg_no(text)):
            continue
        ranked = score - 0.2 * index
        if best is None or ranked > best[0]:
            best = (ranked, index)
    if best is None:
        return None, 0.0
    return best[1], 0.93 if best[0] >= 3.5 else 0.87 if best[0] >= 2.5 else 0.6


def _name_above(rows: list[Row], address_first: int) -> int | None:
    for index in range(address_first - 1, max(-1, address_first - 4), -1):
        text = row_upper(rows[index])
        if is_reg_row(text) or re.fullmatch(r"\(.*\)", text.strip()):
            continue
        return index if name_like(without_reg_no(text)) else None
    return None


_CONTINUES = re.compile(
    r"^\s*(?:[&(\-+]|[A-Z0-9'.]+\)|(?:CO\.|SDN|BHD|S/B|\(M\)|ENTERPRISES?|TRADING|TRADERS?|"
    r"HOLDINGS?|INDUSTRIES)(?![A-Z]))"
)
_OPEN_ENDED = re.compile(r"(?:[&(\-+,]|\bAND)\s*$")


def _join_name(rows: list[Row], index: int) -> str:
    """The name row, joined with the rows above while it continues them ("POPULAR BOOK" /
    "CO. (M) SDN BHD", "... ENTERPRISE (SETIA" / "ALAM) SDN BHD", a lone "TRADING") and with
    the row below when the name row is left open ("HOME MASTER HARDWARE &")."""
    text = rows[index].text
    upper = text.upper()
    if index + 1 < len(rows) and _OPEN_ENDED.search(without_reg_no(upper)):
        following = row_upper(rows[index + 1])
        if name_like(following) and not address_start(following):
            text = f"{text} {rows[index + 1].text}"
    first = index
    while first > 0 and first > index - 2:
        current = rows[first].text.upper() if first != index else text.upper()
        words = re.sub(r"[^A-Z/ ]", " ", without_reg_no(current)).split()
        rest = [w for w in words if not (LEGAL.fullmatch(w) or TRADE.fullmatch(w) or w == "M")]
        # only suffixes left, give or take a misread "CO." ("CP. (M) SDN BHD")
        suffix_only = len(words) > len(rest) and sum(len(w) for w in rest) <= 2
        previous = row_upper(rows[first - 1])
        if not (suffix_only or _CONTINUES.match(current)) or not name_like(previous):
            break
        first -= 1
        text = f"{rows[first].text} {text}"
    return tidy_spacing(_unglue(_strip_after_legal(without_outlet_number(_STAMPED.sub(" ", text)))))


def _brand_above(rows: list[Row], name_row: int) -> int:
    """The brand printed alone above the name row, when the name row repeats it with the
    branch ("DOMINO'S PIZZA" / "DOMINO'S PIZZA PERMAS JAYA"): the brand is the name."""
    chosen = row_upper(rows[name_row]).strip()
    for index in range(max(0, name_row - 3), name_row):
        brand = row_upper(rows[index]).strip()
        branch = chosen[len(brand) :]
        if (
            len(brand) >= 4
            and chosen.startswith(brand + " ")
            and name_like(brand)
            and not LEGAL.search(branch)
            and not TRADE.search(branch)
        ):
            return index
    return name_row


def find_contacts(rows: list[Row], end: int) -> tuple[str | None, str | None]:
    phone = tax_id = None
    for row in rows[: max(end + 4, HEADER_ROWS)]:
        text = row.text
        if phone is None and (match := PHONE.search(text)):
            phone = re.sub(r"\s+", " ", match["phone"]).strip()
        if tax_id is None and (match := TAX_ID.search(text)):
            tax_id = re.sub(r"\s+", " ", match["id"])  # as printed: "GB 123 4567 89"
    if tax_id is None:
        for row in rows[:end]:
            if match := re.search(r"\b\d{4,12}\s?-\s?[A-Z]\b", row.text.upper()):
                tax_id = re.sub(r"\s+", "", match.group(0))
                break
    return phone, tax_id


def find_header(rows: list[Row]) -> Header:
    end = body_start(rows)
    blocks = address_blocks(rows, end)
    name_row, name_confidence = _find_name(rows, end, blocks[0] if blocks else [])
    if name_row is None:  # nothing better: the first name-like row
        name_row = next((i for i in range(end) if name_like(row_upper(rows[i]))), None)
        name_confidence = 0.35 if name_row is not None else 0.0
    if name_row is not None:
        name_row = _brand_above(rows, name_row)
    header = Header(name_row=name_row, name_confidence=name_confidence)
    if name_row is not None:
        header.name = _join_name(rows, name_row) or None
        header.name_confidence *= ocr_trust(rows[name_row].confidence, len(header.name or ""))
        header.name_confidence *= 0.85 ** len(_MISREAD.findall(header.name or ""))
    if (address := find_address(rows, name_row, end)) is not None:
        header.address, header.address_rows = address.text, address.rows
        lowest = min(rows[index].confidence for index in address.rows)
        trust = ocr_trust(lowest, len(address.text))
        header.address_confidence = address.confidence * trust
    header.phone, header.tax_id = find_contacts(rows, end)
    return header
