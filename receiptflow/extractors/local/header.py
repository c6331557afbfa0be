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
    r"(?<![A-Z])(?:SDN\.?\s*BHD|SDNBHD|SDN|BHD|BERHAD|S/B|SB|PLT|LTD|LIMITED|INC|LLC|L\.L\.C|"
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
_REG_ANY = re.compile(
    r"[(<\[]?\s*(?:(?:CO(?:MPANY)?|ROC|BRN|SSM)\.?\s*-?\s*)?(?:REG(?:ISTRATION)?\.?\s*)?"
    r"(?:NO\.?|NUMBER|#)?\s*[:.]?\s*(?:(?<![\w/])[A-Z]{1,3}(?=\d))?\d{4,12}\s?-?\s?[A-Z]?\b\s*[)>\]]?"
    r"|\(\s*(?:CO(?:MPANY)?\.?\s*)?(?:REG\.?\s*)?NO\.?\s*[:.]?[^)]*\)",
    re.IGNORECASE,
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
    if _TITLE.match(text) or not re.search(r"[A-Z]{2}", text) or is_reg_row(text):
        return 0.0
    core = without_reg_no(text)
    if _LEGAL.search(core):
        return 3.0
    return 2.0 if _TRADE.search(core) else 0.0


def without_reg_no(text: str) -> str:
    """The row without its registration numbers: "(CO. NO:20154-T)", "(867388-U)"."""
    return re.sub(r"\s+", " ", _REG_ANY.sub(" ", text)).strip(" ,:;-")


def is_reg_row(text: str) -> bool:
    """A row holding only a registration number, like "(867388-U)" or "COMPANY NO: 1234-A"."""
    if not re.search(r"\d{4,}", text):
        return False
    rest = _REG_ANY.sub(" ", text)
    return len(re.findall(r"[A-Z]", rest.upper())) < 2


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


_NAME_STOP = re.compile(
    r"(?<![A-Z])(?:TEL|FAX|PHONE|H/P|GST|SST|VAT|REG|TAX|INVOICE|RECEIPT|DATE|CASHIER|TABLE|"
    r"THANK|WELCOME|RETURNABLE|REFUND|EXCHANGE|SOLD|PLEASE|VISIT|CHECK|ORDER|MEMBER|"
    r"FORMERLY|KNOWN AS|LICENSEE|TERMINAL|SLIP|COPY)(?![A-Z])|@|HTTP|WWW"
)


def _name_like(text: str) -> bool:
    """Could this row be (part of) a business name: mostly letters, not a notice, not a title,
    not a contact / tax / registration row, not wholly in brackets."""
    letters = sum(char.isalpha() for char in text)
    return (
        letters >= 3
        and letters >= 0.5 * len(text.replace(" ", ""))
        and not _NAME_STOP.search(text)
        and not is_reg_row(text)
        and not _TITLE.match(text)
        and not re.fullmatch(r"\s*[(\[<].*[)\]>]\s*", text)
        and find_date(text) is None
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
    """Drop registration numbers and what follows the legal suffix on the name row:
    "(256864-P)", "273500-U (KJ1)", "(CO. NO:20154-T)"."""
    name = re.split(r"\b(?:FKA|F\.K\.A|FORMERLY)\b", without_reg_no(text))[0]
    last = None
    for match in _LEGAL.finditer(name.upper()):
        last = match
    if last and re.search(r"\d", name[last.end() :]):
        name = name[: last.end()]
    return re.sub(r"\s+", " ", name).strip(" ,:;-")


def _find_name(rows: list[Row], end: int, block: list[int]) -> tuple[int | None, float]:
    """The best name row: legal suffix > trade word, plus a bonus for sitting right above
    (or right below) the address block, minus a little per row down the page."""
    above = _name_above(rows, block[0]) if block else None
    below = block[-1] + 1 if block and block[-1] + 1 < end else None
    best: tuple[float, int] | None = None
    for index in range(end):
        text = _upper(rows[index])
        score = name_score(text)
        if index == above or index == below and score > 0:
            score += 1.0
        if score <= 0 or not _name_like(without_reg_no(text)):
            continue
        ranked = score - 0.2 * index
        if best is None or ranked > best[0]:
            best = (ranked, index)
    if best is None:
        return None, 0.0
    return best[1], 0.9 if best[0] >= 3.5 else 0.8 if best[0] >= 2.5 else 0.6


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


def _address_blocks(rows: list[Row], end: int) -> list[list[int]]:
    blocks: list[list[int]] = []
    index = 0
    while index < end:
        taken = _address_rows(rows, index, end)
        if taken:
            blocks.append(taken)
            index = taken[-1] + 1
        else:
            index += 1
    return blocks


def _find_address(rows: list[Row], name_row: int | None, blocks: list[list[int]]) -> list[int]:
    """The address block just below the name (a reg-number or branch row may sit between),
    else the one just above it, else the first one."""
    if name_row is None:
        return blocks[0] if blocks else []
    for block in blocks:
        between = range(name_row + 1, block[0])
        if (
            block[0] > name_row
            and len(between) <= 2
            and not any(is_stop(_upper(rows[i])) for i in between)
        ):
            return block
    for block in blocks:
        if block[-1] == name_row - 1:
            return block
    return []


def _cut_at_stop(text: str) -> str:
    match = _STOP.search(text.upper())
    return text[: match.start()].strip(" ,") if match and match.start() > 0 else text


def _name_above(rows: list[Row], address_first: int) -> int | None:
    for index in range(address_first - 1, max(-1, address_first - 4), -1):
        text = _upper(rows[index])
        if is_reg_row(text) or re.fullmatch(r"\(.*\)", text.strip()):
            continue
        return index if _name_like(without_reg_no(text)) else None
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
        following = _upper(rows[index + 1])
        if _name_like(following) and not address_start(following):
            text = f"{text} {rows[index + 1].text}"
    first = index
    while first > 0 and first > index - 2:
        current = rows[first].text.upper() if first != index else text.upper()
        words = re.sub(r"[^A-Z/ ]", " ", without_reg_no(current)).split()
        suffix_only = bool(words) and all(_LEGAL.fullmatch(w) or _TRADE.fullmatch(w) for w in words)
        previous = _upper(rows[first - 1])
        if not (suffix_only or _CONTINUES.match(current)) or not _name_like(previous):
            break
        first -= 1
        text = f"{rows[first].text} {text}"
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
    blocks = _address_blocks(rows, end)
    name_row, name_confidence = _find_name(rows, end, blocks[0] if blocks else [])
    if name_row is None:  # nothing better: the first name-like row
        name_row = next((i for i in range(end) if _name_like(_upper(rows[i]))), None)
        name_confidence = 0.35 if name_row is not None else 0.0
    address = _find_address(rows, name_row, blocks)
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
