"""The merchant's address: the block of address rows next to the business name.

The block opens on a row that reads like an address (a house / lot number, a street word, a
postcode, a line ending in a comma), runs until a phone / tax-id / title / date row, and once
the postcode and town are printed admits only a state or country row (or a numbered branch
row such as "1214-JINJANG UTARA"). Rows are joined with a space, exactly as printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from receiptflow.extractors.local.header_rules import (
    ADDRESS_WORD,
    POSTCODE,
    STATE,
    STOP,
    TITLE,
    address_start,
    has_postcode_town,
    is_reg_row,
    is_stop,
    row_upper,
    tidy_spacing,
)
from receiptflow.extractors.local.layout import Row
from receiptflow.schemas.parsing import find_date

# Rows an address usually opens with: a number, LOT / NO / UNIT / LEVEL, "G-13", "A-16-1"
_STRONG_START = re.compile(
    r"^\W*(?:\d|NO\b|NO\.|LOT\b|UNIT\b|LEVEL\b|BLOCK\b|BLK\b|SUITE\b|[A-Z]{1,2}\s?[-.]?\s?\d)"
)
_STREET = re.compile(
    r"(?<![A-Z])(?:JA[LI1]AN|J[LI1]N|JL|LORONG|LRG|PERSIARAN|LEBUH\w*|STREET|ROAD|AVENUE|LANE|DRIVE|"
    r"HIGHWAY|BOULEVARD)(?![A-Z])"
)
_BRANCH = re.compile(r"^\s*\d{3,4}\s?-?\s?[A-Z][A-Z .'&-]+$")  # "1214-JINJANG UTARA"
_BRACKETED = re.compile(r"\s*[(\[<].*[)\]>]\s*")
# "HQ ADD: LOT 11995", "BR NO.: (124525-H) NO 19-G": a label or a branch number before the street
_LABEL = re.compile(
    r"^(?:.{0,12}\bADD(?:RESS)?\s*[:.]|\s*(?:BR|CO|ROC|REG)\.?\s*NO\.?\s*[:.]?\s*\(?[\w-]+\)?)\s*",
    re.IGNORECASE,
)
_MAX_ROWS = 6
# OCR drops the space between postcode and town: "43200Cheras"
_POSTCODE_GLUED = re.compile(r"(?<![\w-])(\d{5})(?=[A-Za-z]{3})")
# OCR drops the space after LOT / NO before the number: "Lot3", "NO290", "LOTP.T. 2811"
# (the labels print "NO 290" 248 times, "NO290" 5 times)
_NUMBER_LABEL_GLUED = re.compile(r"\b(LOT|NO)(?=\d|P\.)", re.IGNORECASE)
# O read for a zero closing a house number: "NO 29O,"
_O_FOR_ZERO = re.compile(r"(?<=\b\d{2})O(?=[,.]?(?:\s|$))|(?<=\b\d)O(?=\d)")
# Faded commas read as full stops between the parts of an address: "Boulevard. Jalan Kenari 5.
# Bandar" -> "Boulevard, Jalan Kenari 5, Bandar". Only after a word (4+ letters) or a short
# number, and only mid-text: "NO. 3", "D.E." and a closing stop stay.
_STOP_FOR_COMMA = re.compile(r"([A-Za-z]{4}|(?<![\w./-])\d{1,4})\.(?=\s+\w)")


@dataclass
class Address:
    text: str
    rows: list[int]
    confidence: float


def _opens(text: str) -> bool:
    if _BRACKETED.fullmatch(text):
        return False
    return address_start(text) or (
        text.rstrip().endswith(",") and not is_stop(text) and not is_reg_row(text)
    )


def _after_town(text: str) -> bool:
    """May this row follow the postcode-and-town row? Only a state / country or a numbered
    branch; a mall or outlet name printed there is not part of the address."""
    return bool(STATE.search(text) or _BRANCH.match(text))


def _continued(previous: str) -> bool:
    """Is the row above left open: ending on a comma ("39100 BRINCHANG,") or on the postcode
    with the town printed on the next row ("U 13/Q SETIA ALAM 40170" / "SHAH ALAM")."""
    return bool(re.search(r"(?:,|(?<![\d-])\d{5})\s*$", previous))


def _locates_without(rows: list[Row], taken: list[int], first: str) -> bool:
    """Does the block place the shop without its first row? Yes when a postcode and town
    follow or the first row is printed again below; otherwise that row names the mall the
    shop is in ("PARADIGM MALL" / "LOT NO.: 4F-27, 4TH FLOOR") and belongs to the address."""
    rest = [row_upper(rows[index]) for index in taken[1:]]
    return has_postcode_town(" ".join(rest)) or first.strip() in (row.strip() for row in rest)


def address_rows(rows: list[Row], start: int, end: int, name_row: int | None = None) -> list[int]:
    """The address block opening at ``start`` (empty when ``start`` cannot open one)."""
    taken: list[int] = []
    seen_postcode = False
    for index in range(start, end):
        text = row_upper(rows[index])
        if index == name_row or is_stop(text) or TITLE.match(text):
            break
        if not taken and not _opens(text):
            return []
        if is_reg_row(text) or _BRACKETED.fullmatch(text):
            continue
        if seen_postcode and not _after_town(text) and not _continued(row_upper(rows[taken[-1]])):
            break
        taken.append(index)
        if seen_postcode and _BRANCH.match(text):
            break  # the numbered branch closes the address; an item code may follow it
        seen_postcode = seen_postcode or has_postcode_town(text)
        if len(taken) >= _MAX_ROWS:
            break
    joined = " ".join(row_upper(rows[index]) for index in taken)
    listed = len(taken) >= 2 and row_upper(rows[taken[0]]).rstrip().endswith(",")
    if not (
        ADDRESS_WORD.search(joined) or has_postcode_town(joined) or STATE.search(joined) or listed
    ):
        return []  # digits alone do not make an address
    first = row_upper(rows[taken[0]])
    if (
        len(taken) >= 2
        and not re.search(r"\d", first)
        and not _STRONG_START.match(first)
        and not _STREET.search(first)
        and _STRONG_START.match(row_upper(rows[taken[1]]))
        and _locates_without(rows, taken, first)
    ):
        taken = taken[1:]  # a branch or mall name printed above the street line
    return taken


def address_blocks(rows: list[Row], end: int) -> list[list[int]]:
    blocks: list[list[int]] = []
    index = 0
    while index < end:
        taken = address_rows(rows, index, end)
        if taken:
            blocks.append(taken)
            index = taken[-1] + 1
        else:
            index += 1
    return blocks


def _block_near_name(rows: list[Row], name_row: int, end: int) -> list[int]:
    """The first block below the name (registration, tax-id or date rows may sit between),
    else one ending right above it."""
    for start in range(name_row + 1, min(end, name_row + 6)):
        text = row_upper(rows[start])
        if TITLE.match(text) or re.search(r"\b(QTY|DESCRIPTION|ITEMS?|PRICE)\b", text):
            break
        if block := address_rows(rows, start, end, name_row):
            return block
    for start in range(max(0, name_row - _MAX_ROWS), name_row):
        block = address_rows(rows, start, name_row, name_row)
        if block and block[-1] >= name_row - 2:
            return block
    return []


def _beside(rows: list[Row], index: int) -> str | None:
    """Address text sharing the row after the block with a phone or tax id:
    "81750 JOHOR BAHRU, JOHOR, TEL NO.: 07-387 3322" or "TEL: 012-665 1783 | 40170 SHAH ALAM"."""
    if index >= len(rows) or find_date(rows[index].text):
        return None
    cells = [cell.text for cell in rows[index].cells]
    free = [text for text in cells if not is_stop(text.upper())]
    candidate = " ".join(free) if free and len(free) < len(cells) else None
    if candidate is None:
        match = STOP.search(rows[index].text.upper())
        candidate = rows[index].text[: match.start()] if match and match.start() > 0 else None
    if candidate and (has_postcode_town(candidate.upper()) or STATE.search(candidate.upper())):
        return candidate.strip(" ,")
    return None


def _clean(text: str) -> str:
    match = STOP.search(text.upper())
    if match and match.start() > 0:
        text = text[: match.start()].rstrip(" ,")
    return _LABEL.sub("", text)


def tidy_address(text: str) -> str:
    """The joined rows with OCR's spacing and punctuation slips undone."""
    text = re.sub(r"\s+", " ", text).strip()
    text = tidy_spacing(_POSTCODE_GLUED.sub(r"\1 ", text))
    text = _STOP_FOR_COMMA.sub(r"\1,", text)
    text = _O_FOR_ZERO.sub("0", text)
    return _NUMBER_LABEL_GLUED.sub(r"\1 ", text)


def find_address(rows: list[Row], name_row: int | None, end: int) -> Address | None:
    block = _block_near_name(rows, name_row, end) if name_row is not None else []
    if not block:
        blocks = address_blocks(rows, end)
        block = blocks[0] if blocks else []
    if not block:
        return None
    parts = [_clean(rows[index].text) for index in block]
    if (beside := _beside(rows, block[-1] + 1)) is not None:
        parts.append(beside)
    text = tidy_address(" ".join(parts))
    if not text:
        return None
    joined = text.upper()
    has_postcode = bool(POSTCODE.search(joined))
    has_street = bool(ADDRESS_WORD.search(joined))
    confidence = (
        0.85 if has_postcode and has_street else 0.65 if has_postcode or has_street else 0.4
    )
    if name_row is None:
        confidence -= 0.15
    return Address(text=text, rows=block, confidence=confidence)
