"""The header block: merchant name, address, phone and tax / registration id.

Receipts open with the business name (often carrying a legal suffix such as SDN BHD, LTD, INC,
GMBH or a trade word such as RESTAURANT, TRADING), then the address lines, then phone and tax
ids. The name is the best-scoring row near the top; the address is the block of address-like
rows next to it, ended by a phone / tax-id / title / date row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from receiptflow.extractors.local.layout import Row
from receiptflow.schemas.parsing import find_date, find_time

_LEGAL = re.compile(
    r"(?<![A-Z])(?:SDN\.?\s*BHD|SDNBHD|SDN|BHD|BERHAD|S/B|PLT|LTD|LIMITED|INC|LLC|L\.L\.C|"
    r"GMBH|AG|CORP|CORPORATION|PTE|PTY|CO\.|COMPANY|SRL|S\.A\.|SARL|BV|N\.V\.|PLC|KG)(?![A-Z])"
)
_TRADE = re.compile(
    r"(?<![A-Z])(?:ENTERPRISES?|TRADING|TRADERS?|RESTAURANT|RESTORAN|SYARIKAT|PERNIAGAAN|KEDAI|"
    r"STORES?|MART|MINIMART|SUPERMARKET|HYPERMARKET|MARKET|SHOP|HARDWARE|STATIONERY|BAKERY|"
    r"CAFE|CAFÉ|COFFEE|PHARMACY|FARMASI|CONFECTIONERY|ELECTRICAL|BOOKS?|BOOKSTORE|FOOD|"
    r"KITCHEN|BISTRO|DINER|PIZZA|BAR|GRILL|HOTEL|PETROL|STATION|AUTO|MOTOR|SERVICES?|"
    r"SUPPLY|SUPPLIES|HOUSE|CENTRE|CENTER|BOUTIQUE|SALON|CLINIC|OUTLET|EMPORIUM|DELI)(?![A-Z])"
)
# "(867388-U)", "789417-W", "002458685-T", "CO-REG:860671-D", "CO. REG. NO: 001011128-T"
_REG_NO = re.compile(
    r"\(?\s*(?:(?:CO(?:MPANY)?\.?\s*-?\s*)?REG(?:ISTRATION)?\.?\s*(?:NO\.?)?\s*[:.]?\s*)?"
    r"\b\d{4,12}\s?-?\s?[A-Z]\b\s*\)?"
)
_TAX_ID = re.compile(
    r"(?:GST|SST|VAT|TAX|ABN|TIN|NPWP|UST|TVA|IVA|BTW)[\s.]*(?:REG(?:ISTRATION)?|ID|NO|NUMBER|#)?"
    r"[\s.]*(?:NO|ID|NUMBER|#)?[\s.]*[:#]?\s*(?P<id>[A-Z]{0,3}\s?\d[\d\s\-]{5,18}\d)",
    re.IGNORECASE,
)
_PHONE = re.compile(
    r"(?:TEL|PHONE|PH|H/P|HP|MOBILE|MOB|T|TELEPHONE|FON|TELEFON)[\s.]*(?:NO\.?)?\s*[:.]?\s*"
    r"(?P<phone>\+?\(?\d[\d\s\-()/]{5,18}\d)",
    re.IGNORECASE,
)
_STOP = re.compile(
    r"(?<![A-Z])(?:TEL|TEL\.|PHONE|FAX|H/P|HP|MOBILE|WHATSAPPS?|E-?MAIL|GST|SST|VAT|ABN|"
    r"REG\.?\s*NO|CO\.?\s*-?\s*REG|TAX|INVOICE|RECEIPT|RECIEPT|BILL|DATE|TIME|CASHIER|"
    r"TABLE|ORDER|DOC|WWW|HTTP|WEBSITE|OPEN|WELCOME|THANK|SALES|CASH|MEMBER|TERMINAL|"
    r"OWNED BY)(?![A-Z])|@|\.COM"
)
_ADDRESS_WORD = re.compile(
    r"(?<![A-Z])(?:JALAN|JLN|JL|LORONG|LRG|PERSIARAN|LEBUH|LEBUHRAYA|TAMAN|TMN|KAWASAN|BANDAR|"
    r"KAMPUNG|KG|SEKSYEN|SEK|LOT|NO|BLOCK|BLK|UNIT|SUITE|LEVEL|TINGKAT|FLOOR|WISMA|MENARA|"
    r"KOMPLEKS|BANGUNAN|PLAZA|MALL|STREET|ST|ROAD|RD|AVENUE|AVE|BOULEVARD|BLVD|LANE|DRIVE|"
    r"HIGHWAY|STRASSE|STR|RUE|VIA|CALLE|SELANGOR|JOHOR|KUALA LUMPUR|PUTRAJAYA|PERAK|PAHANG|"
    r"KEDAH|MELAKA|MALACCA|PENANG|PULAU PINANG|NEGERI SEMBILAN|KELANTAN|TERENGGANU|SABAH|"
    r"SARAWAK|PERLIS|LABUAN|SINGAPORE|MALAYSIA|USA)(?![A-Z])"
)
_POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)|\b[A-Z]{2}\s\d{5}\b|\b\d{4}\s?[A-Z]{2}\b")
_TITLE = re.compile(
    r"^\W*(?:TAX INVOICE|SIMPLIFIED TAX INVOICE|INVOICE|RECEIPT|OFFICIAL RECEIPT|CASH RECEIPT|"
    r"CASH BILL|CASH SALES?|BILL|WELCOME|WELCOME TO|COPY|DUPLICATE|REPRINT|TAX RECEIPT)\W*$"
)
_HEADER_ROWS = 16


@dataclass
class Header:
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    tax_id: str | None = None
    name_confidence: float = 0.0
    address_confidence: float = 0.0
    name_row: int | None = None


def _upper(row: Row) -> str:
    return row.text.upper()


def name_score(text: str) -> float:
    """How strongly a row reads as a business name (0 when not at all)."""
    if _TITLE.match(text) or not re.search(r"[A-Z]{2}", text):
        return 0.0
    if _LEGAL.search(text):
        return 3.0
    return 2.0 if _TRADE.search(text) else 0.0


def is_reg_row(text: str) -> bool:
    """A row holding only a company registration number, like "(867388-U)"."""
    return bool(_REG_NO.fullmatch(text.strip())) or bool(
        re.fullmatch(r"\(?\s*(?:CO\.?\s*)?(?:REG\.?|COMPANY)\s*(?:NO\.?)?\s*[:.]?.*\)?", text)
        and re.search(r"\d{4,}", text)
    )


def is_stop(text: str) -> bool:
    return bool(_STOP.search(text)) or find_date(text) is not None or find_time(text) is not None


def address_start(text: str) -> bool:
    """A row that can open an address: a street number, a street word, a postcode."""
    if is_stop(text) or is_reg_row(text):
        return False
    return bool(
        re.match(r"\W*(?:\d|[A-Z]{1,2}-?\d)", text)
        or _ADDRESS_WORD.search(text)
        or _POSTCODE.search(text)
    )


def _name_like(text: str) -> bool:
    letters = sum(char.isalpha() for char in text)
    return (
        letters >= 3
        and letters >= 0.5 * len(text.replace(" ", ""))
        and not is_stop(text)
        and not is_reg_row(text)
        and not _TITLE.match(text)
    )


def _body_start(rows: list[Row]) -> int:
    """Index of the first row past the header (a date, or a column header), capped."""
    limit = min(len(rows), _HEADER_ROWS)
    for index, row in enumerate(rows[:limit]):
        text = _upper(row)
        if index > 0 and (find_date(text) or re.search(r"\b(QTY|DESCRIPTION|ITEM)\b", text)):
            return index
    return limit


def _strip_after_legal(text: str) -> str:
    """Drop what follows the legal suffix on the name row: "(256864-P)", "273500-U (KJ1)"."""
    last = None
    for match in _LEGAL.finditer(text):
        last = match
    name = text[: last.end()] if last and re.search(r"\d", text[last.end() :]) else text
    name = _REG_NO.sub("", name) if re.search(r"\d{4,}", name) else name
    return re.sub(r"\s+", " ", name).strip(" ,:;-")


def _find_name(rows: list[Row], end: int) -> tuple[int | None, float]:
    best: tuple[float, int] | None = None
    for index in range(end):
        score = name_score(_upper(rows[index]))
        if score <= 0:
            continue
        ranked = score - 0.3 * index
        if best is None or ranked > best[0]:
            best = (ranked, index)
    if best is None:
        return None, 0.0
    return best[1], 0.9 if best[0] >= 2.5 else 0.8 if best[0] >= 1.5 else 0.6


def _address_rows(rows: list[Row], start: int, end: int) -> list[int]:
    """Consecutive address rows from ``start``: open on an address-like row, stop at a phone /
    tax / title / date row, and after the postcode row keep at most one short state row."""
    taken: list[int] = []
    seen_postcode = False
    for index in range(start, end):
        text = _upper(rows[index])
        if is_stop(text) or _TITLE.match(text):
            break
        if not taken and not address_start(text):
            return []
        if seen_postcode and (re.search(r"\d", text) or len(text.split()) > 3):
            break
        taken.append(index)
        seen_postcode = seen_postcode or bool(_POSTCODE.search(text))
        if len(taken) >= 6:
            break
    return taken


def _find_address(rows: list[Row], name_row: int | None, end: int) -> list[int]:
    if name_row is not None:
        for skip in range(name_row + 1, min(name_row + 4, end)):
            text = _upper(rows[skip])
            if is_stop(text) or _TITLE.match(text):
                break
            if is_reg_row(text):
                continue
            taken = _address_rows(rows, skip, end)
            if taken:
                return taken
        for start in range(max(0, name_row - 6), name_row):  # address printed above the name
            taken = _address_rows(rows, start, name_row)
            if taken and taken[-1] == name_row - 1:
                return taken
        return []
    for start in range(end):
        taken = _address_rows(rows, start, end)
        if taken:
            return taken
    return []


def _cut_at_stop(text: str) -> str:
    match = _STOP.search(text.upper())
    return text[: match.start()].strip(" ,") if match and match.start() > 0 else text


def _name_above(rows: list[Row], address_first: int) -> int | None:
    for index in range(address_first - 1, -1, -1):
        text = _upper(rows[index])
        if is_reg_row(text):
            continue
        return index if _name_like(text) else None
    return None


def _join_name(rows: list[Row], index: int) -> str:
    """The name row, joined with the row above when the name row is only a suffix
    ("TSH POWER HARDWARE" / "TRADING")."""
    text = rows[index].text
    words = re.sub(r"[^A-Z/ ]", " ", text.upper()).split()
    suffix_only = words and all(_LEGAL.fullmatch(w) or _TRADE.fullmatch(w) for w in words)
    if suffix_only and index > 0 and _name_like(_upper(rows[index - 1])):
        text = f"{rows[index - 1].text} {text}"
    return _strip_after_legal(text)


def find_contacts(rows: list[Row], end: int) -> tuple[str | None, str | None]:
    phone = tax_id = None
    for row in rows[: max(end + 4, _HEADER_ROWS)]:
        text = row.text
        if phone is None and (match := _PHONE.search(text)):
            phone = re.sub(r"\s+", " ", match["phone"]).strip()
        if tax_id is None and (match := _TAX_ID.search(text)):
            tax_id = re.sub(r"\s+", "", match["id"])
    if tax_id is None:
        for row in rows[:end]:
            if match := re.search(r"\b\d{4,12}\s?-\s?[A-Z]\b", row.text.upper()):
                tax_id = re.sub(r"\s+", "", match.group(0))
                break
    return phone, tax_id


def find_header(rows: list[Row]) -> Header:
    end = _body_start(rows)
    name_row, name_confidence = _find_name(rows, end)
    address = _find_address(rows, name_row, end)
    if name_row is None and address:
        name_row = _name_above(rows, address[0])
        name_confidence = 0.6 if name_row is not None else 0.0
    if name_row is None:  # nothing better: the first name-like row
        name_row = next((i for i in range(end) if _name_like(_upper(rows[i]))), None)
        name_confidence = 0.35 if name_row is not None else 0.0
    header = Header(name_row=name_row, name_confidence=name_confidence)
    if name_row is not None:
        header.name = _join_name(rows, name_row) or None
    if address:
        parts = [_cut_at_stop(rows[index].text) for index in address]
        header.address = re.sub(r"\s+", " ", " ".join(parts)).strip() or None
        has_postcode = any(_POSTCODE.search(rows[index].text.upper()) for index in address)
        header.address_confidence = 0.85 if has_postcode else 0.55
    header.phone, header.tax_id = find_contacts(rows, end)
    return header
