"""Row predicates shared by the header readers: what a business-name row, a registration
number, an address row and a "the header is over" row look like."""

from __future__ import annotations

import re

from receiptflow.extractors.local.layout import Row
from receiptflow.schemas.parsing import find_date, find_time

LEGAL = re.compile(
    r"(?<![A-Z])(?:SDN\.?\s*BHD|SDNBHD|SDN|BHD|BERHAD|S/B|SB|PLT|LTD|LIMITED|INC|LLC|L\.L\.C|"
    r"GMBH|AG|CORP|CORPORATION|PTE|PTY|CO\.|COMPANY|SRL|S\.A\.|SARL|BV|N\.V\.|PLC|KG)(?![A-Z])"
    # "COMPANY NO: JM0632980-V", "CO. REG": the label of a registration number, no suffix
    r"(?!\s*(?:NO\b|REG\b|NUMBER\b))"
)
TRADE = re.compile(
    r"(?<![A-Z])(?:ENTERPRISES?|TRADING|TRADERS?|RESTAURANT|RESTORAN|SYARIKAT|PERNIAGAAN|KEDAI|"
    r"STORES?|MART|MINIMART|SUPERMARKET|HYPERMARKET|MARKET|SHOP|HARDWARE|STATIONERY|BAKERY|"
    r"CAFE|CAFÉ|COFFEE|PHARMACY|FARMASI|CONFECTIONERY|ELECTRICAL|BOOKS?|BOOKSTORE|FOOD|"
    r"KITCHEN|BISTRO|DINER|PIZZA|BAR|GRILL|HOTEL|PETROL|STATION|AUTO|MOTOR|SERVICES?|"
    r"SUPPLY|SUPPLIES|HOUSE|CENTRE|CENTER|BOUTIQUE|SALON|CLINIC|OUTLET|EMPORIUM|DELI)(?![A-Z])"
)
# A trade word glued to the name when OCR drops the spaces: "SANYUSTATIONERYSHOP"
GLUED_TRADE = re.compile(
    r"[A-Z]{3}(?:ENTERPRISE|TRADING|RESTAURANT|STORE|MART|SHOP|HARDWARE|STATIONERY|BAKERY|"
    r"PHARMACY|CONFECTIONERY|KITCHEN)(?![A-Z])"
)
# "(867388-U)", "789417-W", "002458685-T", "CO-REG:860671-D", "CO. REG. NO: 001011128-T"
REG_NO = re.compile(
    r"\(?\s*(?:(?:CO(?:MPANY)?\.?\s*-?\s*)?REG(?:ISTRATION)?\.?\s*(?:NO\.?)?\s*[:.]?\s*)?"
    r"\b\d{4,12}\s?-?\s?[A-Z]\b\s*\)?"
)
REG_ANY = re.compile(
    r"[(<\[]?\s*(?:(?:CO(?:MPANY)?|ROC|BRN|SSM)\.?\s*-?\s*)?(?:REG(?:ISTRATION)?\.?\s*)?"
    r"(?:NO\.?|NUMBER|#)?\s*[:.]?\s*[(<\[]?\s*(?:(?<![\w/])[A-Z]{1,3}(?=\d))?\d{4,12}\s?[-.]?\s?[A-Z]?\b\s*[)>\]]?"
    r"|\(\s*(?:CO(?:MPANY)?\.?\s*)?(?:REG\.?\s*)?NO\.?\s*[:.]?[^)]*\)",
    re.IGNORECASE,
)
TAX_ID = re.compile(
    r"(?:GST|SST|VAT|TAX|ABN|TIN|NPWP|UST|TVA|IVA|BTW)[\s.\-]*(?:REG(?:ISTRATION)?|ID|NO|NUMBER|#)?"
    r"[\s.]*(?:NO|NR|ID|NUMBER|#)?[\s.]*[:#]?\s*(?P<id>[A-Z]{0,3}\s?\d[\d\s\-]{5,18}\d)",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?:TEL|PHONE|PH|H/P|HP|MOBILE|MOB|T|TELEPHONE|FON|TELEFON)[\s.]*(?:NO\.?)?\s*[:.]?\s*"
    r"(?P<phone>\+?\(?\d[\d\s\-()/]{5,18}\d)",
    re.IGNORECASE,
)
STOP = re.compile(
    r"(?<![A-Z])(?:TEL|TEL\.|PHONE|FAX|H/P|HP|MOBILE|WHATSAPPS?|E-?MAIL|GST|SST|VAT|ABN|"
    r"REG\.?\s*NO|CO\.?\s*-?\s*REG|TAX|INVOICE|RECEIPT|RECIEPT|BILL|DATE|TIME|CASHIER|"
    r"TABLE|ORDER|DOC|WWW|HTTP|WEBSITE|OPEN|WELCOME|THANK|SALES|CASH|MEMBER|TERMINAL|"
    r"OWNED BY)(?![A-Z])|@|\.COM|TAX\s*INV\w*|GUEST\s*CHECK|CHIT"
)
ADDRESS_WORD = re.compile(
    r"(?<![A-Z])(?:JA[LI1]AN|J[LI1]N|JL|LORONG|LRG|PERSIARAN|LEBUH|LEBUHRAYA|TAMAN|TMN|KAWASAN|BANDAR|"
    r"KAMPUNG|KG|SEKSYEN|SEK|LOT|NO|BLOCK|BLK|UNIT|SUITE|LEVEL|TINGKAT|FLOOR|WISMA|MENARA|"
    r"KOMPLEKS|BANGUNAN|PLAZA|MALL|STREET|ST|ROAD|RD|AVENUE|AVE|BOULEVARD|BLVD|LANE|DRIVE|"
    r"HIGHWAY|STRASSE|STR|RUE|VIA|CALLE|SELANGOR|JOHOR|KUALA LUMPUR|PUTRAJAYA|PERAK|PAHANG|"
    r"KEDAH|MELAKA|MALACCA|PENANG|PULAU PINANG|NEGERI SEMBILAN|KELANTAN|TERENGGANU|SABAH|"
    r"SARAWAK|PERLIS|LABUAN|SINGAPORE|MALAYSIA|USA|JAPAN|TOKYO|OSAKA|KYOTO|[A-Z]+-(?:KU|SHI)|"
    r"KUWAIT|BAHRAIN|OMAN)(?![A-Z])"
)
STATE = re.compile(
    r"(?<![A-Z])(?:SELANGOR|JOHOR|KUALA LUMPUR|KL|PUTRAJAYA|PERAK|PAHANG|KEDAH|MELAKA|MALACCA|"
    r"PENANG|PULAU PINANG|NEGERI SEMBILAN|KELANTAN|TERENGGANU|SABAH|SARAWAK|PERLIS|LABUAN|"
    r"MALAYSIA|SINGAPORE|D\.\s?E|DARUL \w+|USA|UK|UNITED KINGDOM|DEUTSCHLAND|GERMANY|FRANCE)"
    r"(?![A-Z])"
)
# A postcode followed by the town (or closing the row), not a lot / house number
POSTCODE_TOWN = re.compile(
    r"(?<![\w.\-/#])(?<!LOT )(?<!NO )(?<!NO\.)(?<!NO\. )\d{5}(?:\s*,?\s*[A-Z]|\s*[,.]?\s*$)"
    r"|\b[A-Z]{2}\s\d{5}(?:-\d{4})?\b"
)
POSTCODE = re.compile(r"(?<!\d)\d{5}(?!\d)|\b[A-Z]{2}\s\d{5}\b|\b\d{4}\s?[A-Z]{2}\b")
TITLE = re.compile(
    r"^\W*(?:TAX INVOICE|SIMPLIFIED TAX INVOICE|INVOICE|RECEIPT|OFFICIAL RECEIPT|CASH RECEIPT|"
    r"CASH BILL|CASH SALES?|BILL|WELCOME|WELCOME TO|COPY|DUPLICATE|REPRINT|TAX RECEIPT)\W*$"
)
HEADER_ROWS = 16
MIN_HEADER_ROWS = 6  # a date printed among the first rows does not end the header


def row_upper(row: Row) -> str:
    return row.text.upper()


def name_score(text: str) -> float:
    """How strongly a row reads as a business name (0 when not at all)."""
    if TITLE.match(text) or not re.search(r"[A-Z]{2}", text) or is_reg_row(text):
        return 0.0
    core = without_reg_no(text)
    if LEGAL.search(core):
        return 3.0
    return 2.0 if TRADE.search(core) or GLUED_TRADE.search(core) else 0.0


def without_reg_no(text: str) -> str:
    """The row without its registration numbers: "(CO. NO:20154-T)", "(867388-U)"."""
    return re.sub(r"\s+", " ", REG_ANY.sub(" ", text)).strip(" ,:;-")


def is_reg_row(text: str) -> bool:
    """A row holding only a registration number, like "(867388-U)" or "COMPANY NO: 1234-A"."""
    if not re.search(r"\d{4,}", text):
        return False
    rest = REG_ANY.sub(" ", text)
    return len(re.findall(r"[A-Z]", rest.upper())) < 2


# A phone number, even when OCR garbled its "TEL": 03-6261 2536, 012-373 2096, +603-3362 4137
PHONE_NUMBER = re.compile(r"(?<![\d-])(?:\+?6?0\d{1,2}|\(0\d{1,2}\))\s?-\s?\d{3,4}\s?\d{3,4}(?!\d)")


def is_stop(text: str) -> bool:
    """Does this row end the address: a phone, tax or title row, a date or a time."""
    return (
        bool(STOP.search(text) or PHONE_NUMBER.search(text))
        or find_date(text) is not None
        or find_time(text) is not None
    )


def address_start(text: str) -> bool:
    """A row that can open an address: a street number, a street word, a postcode."""
    if is_stop(text) or is_reg_row(text) or LEGAL.search(without_reg_no(text)):
        return False
    return bool(
        re.match(r"\W*(?:\d|[A-Z]{1,2}\s?[-.]*\s?\d)", text)
        or ADDRESS_WORD.search(text)
        or re.search(r"\w(?:STRASSE|STR\.|WEG|PLATZ|ALLEE|GASSE|DAMM)\s*\d", text)
        or POSTCODE.search(text)
    )


NAME_STOP = re.compile(
    r"(?<![A-Z])(?:TEL|FAX|PHONE|H/P|GST|GSTIN|SST|VAT|REG|TAX|INVOICE|RECEIPT|DATE|CASHIER|TABLE|"
    r"THANK|WELCOME|RETURNABLE|REFUND|EXCHANGE|SOLD|PLEASE|VISIT|CHECK|ORDER|MEMBER|"
    r"FORMERLY|KNOWN AS|LICENSEE|TERMINAL|SLIP|COPY)(?![A-Z])|@|HTTP|WWW"
)


# "STORE NUMBER 322", "SHOP #12": the outlet's number, no name
_OUTLET = r"\W*(?:STORE|SHOP|BRANCH|OUTLET)\s*(?:#|NO\.?|NUMBER|NR\.?)?\s*:?\s*\d+"
_OUTLET_NUMBER = re.compile(_OUTLET + r"\W*")
_OUTLET_FIRST = re.compile("^" + _OUTLET + r"\s+(?=\w)", re.I)


def without_outlet_number(text: str) -> str:
    """The name without the outlet's number printed before it: "Store 1 G.W.P.LLC"."""
    return _OUTLET_FIRST.sub("", text)


# a price closing the row, maybe with its tax class ("SB SCHINKENSPECK 300G 2,29 B"): an item
_PRICED = re.compile(r"(?<![\d.,])\d{1,5}[.,]\d{2}(?:\s?[A-Z*])?\s*$")


def name_like(text: str) -> bool:
    """Could this row be (part of) a business name: mostly letters, not a notice, not a title,
    not a contact / tax / registration row, not wholly in brackets, not an outlet's number,
    not an item with its price."""
    letters = sum(char.isalpha() for char in text)
    return (
        letters >= 3
        and letters >= 0.5 * len(text.replace(" ", ""))
        and not NAME_STOP.search(text)
        and not is_reg_row(text)
        and not TITLE.match(text)
        and not re.fullmatch(r"\s*[(\[<].*[)\]>]\s*", text)
        and not _OUTLET_NUMBER.fullmatch(text)
        and not _PRICED.search(text)
        and find_date(text) is None
    )


def body_start(rows: list[Row]) -> int:
    """Index of the first row past the header (a date, or a column header), capped."""
    limit = min(len(rows), HEADER_ROWS)
    for index, row in enumerate(rows[:limit]):
        text = row.text.upper()
        if re.search(r"\b(QTY|DESCRIPTION|ITEMS?|PRICE)\b", text):
            return max(index, 1)
        if index >= MIN_HEADER_ROWS and find_date(text):
            return index
    return limit


def has_postcode_town(text: str) -> bool:
    """A postcode followed by the town (or ending the row), not a lot or house number."""
    for match in POSTCODE_TOWN.finditer(text):
        digits = match.start() + re.search(r"\d", match.group(0)).start()  # type: ignore[union-attr]
        if not re.search(r"(?:LOT|NO|P\.?\s?T\.?|PTD|#)\W*$", text[:digits]):
            return True
    return False


# How receipts print (and SROIE labels) the brackets and dotted abbreviations in names and
# addresses, where OCR tends to drop the space: "ENTERPRISE(SETIA ALAM)SDN BHD" ->
# "ENTERPRISE (SETIA ALAM) SDN BHD", "MR.D.I.Y." -> "MR. D.I.Y.", "LOT P.T.2811" -> "P.T. 2811"
_SPACING = (
    (re.compile(r"(?<=[A-Za-z0-9.])\("), " ("),
    (re.compile(r"\)(?=[A-Za-z0-9])"), ") "),
    (re.compile(r"\b((?:MR|MRS|MS|DR)\.)(?=[A-Z])", re.IGNORECASE), r"\1 "),
    (re.compile(r"\b((?:[A-Z]\.){2,})(?=\d)"), r"\1 "),
)


def tidy_spacing(text: str) -> str:
    for pattern, replacement in _SPACING:
        text = pattern.sub(replacement, text)
    return text
