"""Training data for the line-role classifier: each dataset's receipts as rows with a role.

Rows are built exactly as extraction builds them (``layout.group_rows`` over OCR lines), then
each row gets the role its labels say:

- WildReceipt photos: our own OCR lines (cached), each labelled box laid over the row it
  overlaps; a row's role follows its strongest value label (total > subtotal > tax > item >
  item price > quantity > date > merchant/address). WildReceipt labels payment and change
  lines "Others"; those rows take the role their words name (cash, card, change).
- SROIE: ground-truth lines (626 receipts) or our OCR (209 scans); the labels are strings, so
  merchant and address rows are the rows whose text lies inside the label, the date row the
  one printing the date, and the total row the rules' total row when it prints the labelled
  amount. Rows the labels cannot speak for (items, payments) get no role and are left out.
- CORD: OCR words with categories; rows follow the categories (menu name -> item, cash ->
  payment, ...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from receiptflow.eval.cord import cord_lines
from receiptflow.eval.ocr_cache import OcrCache
from receiptflow.eval.report import alnum_text
from receiptflow.eval.sroie import sample_lines
from receiptflow.eval.wildreceipt import list_samples as wild_samples
from receiptflow.extractors.local import money_labels as words
from receiptflow.extractors.local.layout import Row, group_rows
from receiptflow.extractors.local.parser import parse_lines
from receiptflow.extractors.local.roles import ROLES
from receiptflow.ingest.document import TextLine
from receiptflow.schemas.parsing import find_amounts, parse_money

__all__ = ["ROLES", "LabelledReceipt", "cord_receipts", "sroie_receipts", "wildreceipt_receipts"]


@dataclass
class LabelledReceipt:
    dataset: str  # "wildreceipt", "sroie", "cord", "synthetic"
    receipt_id: str
    lines: list[TextLine]
    rows: list[Row]  # group_rows(lines), as extraction builds them
    roles: list[str | None]  # per row; None: the labels do not say


def _money_words_role(text: str) -> str | None:
    """Payment and change rows told by their words (for labels that call them "other")."""
    upper = text.upper()
    if not find_amounts(upper):
        return None
    if words.CHANGE.search(upper):
        return "change"
    if words.CARD.search(upper) or words.MOBILE.search(upper) or words.CASH.search(upper):
        return "payment"
    return None


# ---------------------------------------------------------------- WildReceipt

_WILD_VALUE_ROLES = {23: "total", 17: "subtotal", 19: "tax", 7: "date", 1: "merchant", 3: "address"}


def _covered(cell: TextLine, box: tuple[float, float, float, float]) -> bool:
    """Does the labelled box lie mostly inside the OCR cell?"""
    x0, y0, x1, y1 = box
    width = max(0.0, min(cell.box[2], x1) - max(cell.box[0], x0))
    height = max(0.0, min(cell.box[3], y1) - max(cell.box[1], y0))
    area = max((x1 - x0) * (y1 - y0), 1.0)
    return width * height / area >= 0.5


def _wild_role(labels: list[int], text: str) -> str:
    found = set(labels)
    for label in (23, 17, 19):
        if label in found:
            return _WILD_VALUE_ROLES[label]
    if 11 in found:
        return "item"
    if 15 in found:
        return "item_price"
    if 13 in found:
        return "quantity"
    if 7 in found:
        return "date"
    merchant, address = labels.count(1), labels.count(3)
    if merchant or address:
        return "merchant" if merchant >= address else "address"
    return _money_words_role(text) or "other"


def wildreceipt_receipts(directory: Path, cache_dir: Path) -> Iterator[LabelledReceipt]:
    cache = OcrCache(cache_dir)
    for sample in wild_samples(directory):
        found = cache.get(sample.receipt_id)
        if found is None:
            continue
        rows = group_rows(found[0])
        roles: list[str | None] = []
        for row in rows:
            labels = [
                box.label
                for cell in row.cells
                for box in sample.boxes
                if box.label and _covered(cell, (box.x0, box.y0, box.x1, box.y1))
            ]
            roles.append(_wild_role(labels, row.text))
        yield LabelledReceipt("wildreceipt", sample.receipt_id, found[0], rows, roles)


# ---------------------------------------------------------------- SROIE


def _sroie_roles(
    rows: list[Row], labels: dict[str, str], total_row: int | None
) -> list[str | None]:
    company = alnum_text(labels.get("company"))
    address = alnum_text(labels.get("address"))
    date = alnum_text(labels.get("date"))
    total = parse_money(labels.get("total") or "")
    roles: list[str | None] = []
    for index, row in enumerate(rows):
        text = alnum_text(row.text)
        role: str | None = None
        if date and date in text:
            role = "date"
        elif len(text) >= 3 and company and text in company and index < len(rows) // 2:
            role = "merchant"
        elif len(text) >= 4 and address and text in address and index < len(rows) // 2:
            role = "address"
        elif index == total_row:
            role = "total"
        elif (money := _money_words_role(row.text)) is not None:
            role = money
        elif total is not None and any(a.value == total for a in find_amounts(row.text)):
            role = None  # prints the total's amount: a total the rules did not pick, or a tax table
        elif not find_amounts(row.text):
            role = "other" if index < len(rows) // 3 or index > (total_row or len(rows)) else None
        roles.append(role)
    return roles


def sroie_receipts(
    directory: Path, *, ocr_boxes: bool, cache_dir: Path | None = None
) -> Iterator[LabelledReceipt]:
    cache = OcrCache(cache_dir) if cache_dir else None
    for sample, lines in sample_lines(directory, ocr_boxes=ocr_boxes, cache=cache):
        parsed = parse_lines(lines, role_model=None)
        rows = parsed.rows
        total_row = parsed.rules.total_row
        total = parse_money(sample.labels.get("total") or "")
        if total_row is not None and not any(
            a.value == total for a in find_amounts(rows[total_row].text)
        ):
            total_row = None
        source = "sroie" if ocr_boxes else "sroie-ocr"
        roles = _sroie_roles(rows, sample.labels, total_row)
        yield LabelledReceipt(source, sample.receipt_id, lines, rows, roles)


# ---------------------------------------------------------------- CORD

_CORD_ROLES = [
    (re.compile(r"^total\.total_price"), "total"),
    (re.compile(r"^sub_total\.subtotal_price"), "subtotal"),
    (re.compile(r"^sub_total\.tax_price"), "tax"),
    (re.compile(r"^total\.(?:cash|creditcard|emoney)price"), "payment"),
    (re.compile(r"^total\.changeprice"), "change"),
    (re.compile(r"^menu\.nm"), "item"),
    (re.compile(r"^menu\.price"), "item_price"),
    (re.compile(r"^menu\.(?:cnt|unitprice)"), "quantity"),
]


def _cord_role(categories: list[str]) -> str:
    for pattern, role in _CORD_ROLES:
        if any(pattern.match(category) for category in categories):
            return role
    return "other"


def cord_receipts(directory: Path) -> Iterator[LabelledReceipt]:
    for path in sorted(directory.glob("*.json")):
        sample = json.loads(path.read_text(encoding="utf-8"))
        lines = cord_lines(sample)
        categories = _cord_word_categories(sample)
        rows = group_rows(lines)
        roles: list[str | None] = []
        for row in rows:
            found = [cat for cell in row.cells for (box, cat) in categories if _covered(cell, box)]
            roles.append(_cord_role(found))
        yield LabelledReceipt("cord", path.stem, lines, rows, roles)


def _cord_word_categories(
    sample: dict[str, Any],
) -> list[tuple[tuple[float, float, float, float], str]]:
    found = []
    for line in sample.get("valid_line", []):
        for word in line.get("words", []):
            quad = word["quad"]
            xs = [quad[f"x{corner}"] for corner in range(1, 5)]
            ys = [quad[f"y{corner}"] for corner in range(1, 5)]
            found.append(((min(xs), min(ys), max(xs), max(ys)), line["category"]))
    return found


# ---------------------------------------------------------------- synthetic

# line-truth roles (receiptflow/samples) -> classifier roles, strongest first
_SYNTHETIC_PRIORITY: tuple[tuple[str, str], ...] = (
    ("total", "total"),
    ("subtotal", "subtotal"),
    ("tax", "tax"),
    ("tax_table", "tax"),
    ("change", "change"),
    ("payment", "payment"),
    ("card", "payment"),
    ("item", "item"),
    ("deposit", "item"),
    ("item_price", "item_price"),
    ("quantity", "quantity"),
    ("unit_price", "quantity"),
    ("date", "date"),
    ("merchant", "merchant"),
    ("address", "address"),
)


def synthetic_segments(
    truth: dict[str, Any],
) -> list[tuple[int, tuple[float, float, float, float], str]]:
    """(page, box, role) of every printed segment of a ``.lines.json`` truth."""
    return [
        (int(line.get("page", 0)), tuple(segment["box"]), segment["role"])
        for line in truth["lines"]
        for segment in line["segments"]
    ]


def _synthetic_role(found: set[str]) -> str:
    for printed, role in _SYNTHETIC_PRIORITY:
        if printed in found:
            return role
    return "other"


def synthetic_receipts(directory: Path, cache_dir: Path) -> Iterator[LabelledReceipt]:
    """Receipts drawn by ``receiptflow samples generate``: our OCR of each (cached under the
    sample's name), rows labelled from the printed segments they cover."""
    cache = OcrCache(cache_dir)
    for truth_path in sorted(directory.glob("*.lines.json")):
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        found = cache.get(truth["name"])
        if found is None:
            continue
        segments = synthetic_segments(truth)
        rows = group_rows(found[0])
        roles: list[str | None] = []
        for row in rows:
            printed = {
                role
                for cell in row.cells
                for page, box, role in segments
                if page == cell.page and _covered(cell, box)
            }
            roles.append(_synthetic_role(printed))
        yield LabelledReceipt("synthetic", truth["name"], found[0], rows, roles)
