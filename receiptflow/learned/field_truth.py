"""What each labelled dataset says the key fields are, and whether an extraction got them.

The calibrator learns, per field, how often a value read under given circumstances is right;
this module supplies the "right" side: one ``Truth`` per receipt with the labelled values
(only what the dataset labels: SROIE has no line items, CORD no date or merchant) and
``Truth.judge`` comparing a ``Receipt`` with them. Comparisons are the ones the evaluations
use: amounts as Decimals, dates as dates, merchant names on letters and digits (exactly for
SROIE's typed labels, similarity >= 0.8 for WildReceipt's boxes), line items all found with
their amounts and nothing extra.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path

from receiptflow.eval.cord import cord_lines, expected_items
from receiptflow.eval.ocr_cache import OcrCache
from receiptflow.eval.report import alnum_text
from receiptflow.eval.sroie import sample_lines
from receiptflow.eval.wildreceipt import SUBTOTAL, TAX, label_amount
from receiptflow.eval.wildreceipt import list_samples as wild_samples
from receiptflow.extractors.local.items_tokens import money_value
from receiptflow.ingest.document import TextLine
from receiptflow.schemas.parsing import parse_date, parse_money
from receiptflow.schemas.receipt import Receipt

SIMILAR = 0.8


def _similar(a: str, b: str) -> bool:
    return bool(a and b) and SequenceMatcher(None, a, b).ratio() >= SIMILAR


@dataclass
class Truth:
    totals: set[Decimal] | None = None
    dates: set[dt.date] | None = None
    merchant_exact: str | None = None  # letters and digits; SROIE's typed company label
    merchant_names: list[str] | None = None  # letters and digits; any one similar is right
    subtotals: set[Decimal] | None = None
    tax_totals: set[Decimal] | None = None
    items: list[tuple[str, Decimal | None]] | None = None  # (name letters+digits, amount)
    # synthetic truth is complete: an empty total/date/merchant means "not printed", and a
    # value read for it is wrong (real labels only say what they label)
    absent_means_empty: bool = False

    def judge(self, receipt: Receipt | None) -> dict[str, bool]:
        """field -> right, for the fields this truth labels (a missing value is wrong)."""
        got = receipt or Receipt()
        verdict: dict[str, bool] = {}
        name = alnum_text(got.merchant.name)
        if self.absent_means_empty:
            if self.totals == set():
                verdict["total"] = got.total is None
            if self.dates == set():
                verdict["date"] = got.date is None
            if self.merchant_names == []:
                verdict["merchant.name"] = not name
        if self.totals:
            verdict["total"] = got.total is not None and abs(got.total) in self.totals
        if self.dates:
            verdict["date"] = got.date in self.dates
        if self.merchant_exact:
            verdict["merchant.name"] = name == self.merchant_exact
        elif self.merchant_names:
            verdict["merchant.name"] = any(_similar(want, name) for want in self.merchant_names)
        if self.subtotals:
            verdict["subtotal"] = got.subtotal in self.subtotals
        if self.tax_totals:
            taxes = sum((tax.amount for tax in got.taxes), Decimal(0))
            verdict["taxes"] = bool(got.taxes) and taxes in self.tax_totals
        if self.items:
            verdict["line_items"] = _items_right(self.items, got)
        return verdict


def _items_right(expected: list[tuple[str, Decimal | None]], receipt: Receipt) -> bool:
    """Every labelled item found once, with its amount, and nothing extra."""
    if len(expected) != len(receipt.line_items):
        return False
    left = list(receipt.line_items)
    for name, amount in expected:
        match = next(
            (
                item
                for item in left
                if _similar(name, alnum_text(item.description))
                and (amount is None or (item.amount is not None and abs(item.amount) == amount))
            ),
            None,
        )
        if match is None:
            return False
        left.remove(match)
    return True


@dataclass
class TruthReceipt:
    dataset: str
    receipt_id: str
    lines: list[TextLine]
    truth: Truth = field(default_factory=Truth)


def sroie_truths(
    directory: Path, *, ocr_boxes: bool, cache_dir: Path | None = None
) -> Iterator[TruthReceipt]:
    cache = OcrCache(cache_dir) if cache_dir else None
    for sample, lines in sample_lines(directory, ocr_boxes=ocr_boxes, cache=cache):
        labels = sample.labels
        total = parse_money(labels.get("total") or "")
        date = parse_date(labels.get("date") or "")
        truth = Truth(
            totals={total} if total is not None else None,
            dates={date} if date is not None else None,
            merchant_exact=alnum_text(labels.get("company")) or None,
        )
        yield TruthReceipt("sroie" if ocr_boxes else "sroie-ocr", sample.receipt_id, lines, truth)


def wildreceipt_truths(directory: Path, cache_dir: Path) -> Iterator[TruthReceipt]:
    cache = OcrCache(cache_dir)
    for sample in wild_samples(directory):
        found = cache.get(sample.receipt_id)
        if found is None:
            continue
        amounts = {
            label: {v for box in sample.of(label) if (v := label_amount(box.text)) is not None}
            for label in (SUBTOTAL, TAX)
        }
        truth = Truth(
            totals=sample.totals() or None,
            dates=sample.dates() or None,
            merchant_names=sample.merchant_names() or None,
            subtotals=amounts[SUBTOTAL] or None,
            tax_totals=amounts[TAX] or None,
            items=[(item.name, item.price) for item in sample.items()] or None,
        )
        yield TruthReceipt("wildreceipt", sample.receipt_id, found[0], truth)


def _cord_amount(value: object) -> Decimal | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    amount = money_value(str(value).replace(" ", ""), whole=True)
    return abs(amount) if amount is not None else None


def cord_truths(directory: Path) -> Iterator[TruthReceipt]:
    for path in sorted(directory.glob("*.json")):
        sample = json.loads(path.read_text(encoding="utf-8"))
        parse = sample.get("gt_parse", {})
        total = parse.get("total", {})
        sub = parse.get("sub_total", {})
        total_value = _cord_amount(total.get("total_price")) if isinstance(total, dict) else None
        subtotal = _cord_amount(sub.get("subtotal_price")) if isinstance(sub, dict) else None
        tax = _cord_amount(sub.get("tax_price")) if isinstance(sub, dict) else None
        items = [
            (alnum_text(item.description), _cord_amount(item.amount))
            for item in expected_items(sample)
        ]
        truth = Truth(
            totals={total_value} if total_value is not None else None,
            subtotals={subtotal} if subtotal is not None else None,
            tax_totals={tax} if tax is not None else None,
            items=items or None,
        )
        yield TruthReceipt("cord", path.stem, cord_lines(sample), truth)


def _money_set(value: object) -> set[Decimal]:
    """A truth amount as a one-element set; an empty set for a field known not to be printed."""
    return set() if value is None else {abs(Decimal(str(value)))}


def synthetic_truths(directory: Path, cache_dir: Path) -> Iterator[TruthReceipt]:
    """Receipts drawn by ``receiptflow samples generate``: the expected JSON is exact, and a
    field that damage hid (``hidden`` in the line truth) is known not to be printed, so a
    value read for it is wrong."""
    cache = OcrCache(cache_dir)
    for expected_path in sorted(directory.glob("*.expected.json")):
        name = expected_path.name.removesuffix(".expected.json")
        found = cache.get(name)
        if found is None:
            continue
        expected = json.loads(expected_path.read_text(encoding="utf-8"))
        merchant = alnum_text((expected.get("merchant") or {}).get("name"))
        date = expected.get("date")
        taxes = expected.get("taxes") or []
        items: list[tuple[str, Decimal | None]] = [
            (alnum_text(item["description"]), abs(Decimal(str(item["amount"]))))
            for item in expected.get("line_items") or []
            if item.get("amount") is not None
        ]
        tax_total = sum((Decimal(str(tax["amount"])) for tax in taxes), Decimal(0))
        truth = Truth(
            totals=_money_set(expected.get("total")),
            dates={dt.date.fromisoformat(date)} if date else set(),
            merchant_names=[merchant] if merchant else [],
            subtotals=_money_set(expected.get("subtotal")) or None,
            tax_totals={tax_total} if taxes else None,
            items=items or None,
            absent_means_empty=True,
        )
        yield TruthReceipt("synthetic", name, found[0], truth)
