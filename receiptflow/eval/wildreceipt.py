"""WildReceipt (phone photos, mostly US) evaluation: total, date, merchant and line items.

A dataset folder holds ``labels.txt`` (one JSON object per photo: ``file_name`` and boxes with
``text`` and a ``label`` index into ``class_list.txt``) and the photos under ``image_files/``.
Box texts have their spaces removed ("CHOEUNKOREAN"), so names are compared on their letters
and digits only. Scoring, per receipt that labels the field:

- ``total``: the extracted total equals (as a Decimal) the amount of a Total_value box.
- ``date``: the extracted date is a reading of a Date_value box (day/month order from the
  receipt: month first for US receipts — a US state and ZIP code (in one box or two), or "$"
  or a US phone number with no sign of another dollar country or currency — except dotted
  dates, which are European; else day first, unless the printed numbers only read one way).
- ``merchant``: the extracted name, letters and digits only, is similar (ratio >= 0.8) to the
  Store_name_value boxes (each alone, or those of one row, or all of them joined).
- line items: an item is a Prod_item_value box with a Prod_price_value box on its row (boxes
  of one row joined; rows found after taking the photo's tilt out, each price given once:
  ``wildreceipt_rows``); an extracted item matches when its description is similar (>= 0.8,
  letters and digits only; with its article number before or after it when the extractor
  read one, as the labels include it) and, for ``items_amount``, its amount is the price.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from receiptflow.eval.ocr_cache import LinesExtractor, OcrCache, score_documents
from receiptflow.eval.report import (
    FieldScore,
    Fold,
    Timings,
    alnum_text,
    in_fold,
    render_miss_rows,
)
from receiptflow.eval.sroie import Extract, LoadDocument
from receiptflow.eval.trust import Outcome, TrustFigures, trust_figures
from receiptflow.eval.wildreceipt_rows import Box, height_rate, priced_rows, rows_of
from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.parsing import find_amounts, find_dates
from receiptflow.schemas.receipt import LineItem

FUZZY_RATIO = 0.8
KEY_FIELDS = ("total", "date", "merchant")

# class_list.txt indices of the value boxes used here
STORE_NAME, ADDRESS, PHONE, DATE, ITEM, PRICE, SUBTOTAL, TAX, TOTAL = 1, 3, 5, 7, 11, 15, 17, 19, 23


# a US state and ZIP code ending an address box, as typed: "IL62704", "Ma02114",
# "GLENELLYN,IL60137US"; or split over two boxes ("GLENELLYN,IL" then "60137"), the address
# boxes being joined with a space (a box ends where the space is)
_US_STATE = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH"
    "|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|PR"
)
_STATE_ZIP = re.compile(
    rf"(?:{_US_STATE})[\s,.-]*\d{{5}}(?:-\d{{4}})?(?:\s*(?:US|USA|U\.S\.A?\.?))?(?=\s|$)",
    re.IGNORECASE,
)
# a US phone number as the boxes type it: "(614)7664494", "305861-2222", "(609)385-0101"; US
# area codes and exchanges begin with 2-9, which keeps out "03-79553655", "0293087346"
_US_PHONE = re.compile(
    r"(?<![\d+])(?:\([2-9]\d{2}\)\s*|[2-9]\d{2}[-.\s]?)[2-9]\d{2}[-.\s]?\d{4}(?!\d)"
)
_OTHER_CURRENCY = re.compile(r"[€£₹]|RM\d")
# GST and ABN are Australian tax words, but box texts have lost their spaces: "GST2" is a US
# check's guest count, "SAVINGSTODAY", "DRUGSTORE" and "KINGSTREET" hold the letters
_OTHER_DOLLAR_COUNTRY = re.compile(
    r"ABN|GST(?![\dO]|S:|REET|RAW)|PTY|AUSTRALIA|(?:NSW|VIC|QLD|TAS)\d{4}(?!\d)|\b(?:WA|ACT)\d{4}|"
    r"CANADA|ONTARIO|QUEBEC|ALBERTA|"
    r"\bHST\b|\b(?:ON|QC|BC|AB)[A-Z]\d[A-Z]|SINGAPORE|NEWZEALAND|HONGKONG|MALAYSIA"
)


@dataclass(frozen=True)
class ExpectedItem:
    name: str
    price: Decimal | None


@dataclass
class WildSample:
    receipt_id: str
    image_path: Path
    boxes: list[Box]

    def of(self, label: int) -> list[Box]:
        return [box for box in self.boxes if box.label == label]

    def totals(self) -> set[Decimal]:
        return {value for box in self.of(TOTAL) if (value := label_amount(box.text)) is not None}

    def month_first(self) -> bool:
        """US receipts print month first: a state and ZIP code in the address ("IL62704",
        spaces being removed from the box texts, or "IL" and "60137" in boxes one after the
        other), or, on a receipt that names no other dollar country (Australia's ABN/GST/PTY
        and states, Canada's provinces and HST) and no other currency, a "$" or a US phone
        number ("(614)7664494") in its phone boxes."""
        address = sorted(self.of(ADDRESS), key=lambda box: (box.centre_y, box.x0))
        if _STATE_ZIP.search(" ".join(box.text.strip() for box in address)):
            return True
        text = " ".join(box.text for box in self.boxes).upper()
        if _OTHER_DOLLAR_COUNTRY.search(text) or _OTHER_CURRENCY.search(text):
            return False
        return "$" in text or any(_US_PHONE.search(box.text) for box in self.of(PHONE))

    def dates(self) -> set[dt.date]:
        month_first = self.month_first()
        found: set[dt.date] = set()
        for box in self.of(DATE):
            # dotted dates are European whatever the currency: "03.08.13" is 3 August
            day_first = not month_first or bool(re.search(r"\d\.\d{1,2}\.\d", box.text))
            for match in find_dates(box.text, day_first=day_first):
                found.add(match.value)
        return found

    def merchant_names(self) -> list[str]:
        boxes = sorted(self.of(STORE_NAME), key=lambda box: (box.centre_y, box.x0))
        names = [alnum_text(box.text) for box in boxes]
        names += [alnum_text("".join(box.text for box in row)) for row in rows_of(boxes)]
        names.append(alnum_text("".join(box.text for box in boxes)))
        return [name for name in dict.fromkeys(names) if name]

    def items(self) -> list[ExpectedItem]:
        """Each row of item-name boxes with the right-most price box on its row, rows and
        row-mates found after taking the photo's tilt out (see ``wildreceipt_rows.priced_rows``)."""
        found: list[ExpectedItem] = []
        names, prices = self.of(ITEM), self.of(PRICE)
        for row, price in priced_rows(names, prices, height_rate([*names, *prices])):
            name = alnum_text("".join(box.text for box in row))
            if name:
                found.append(ExpectedItem(name, label_amount(price.text)))
        return found


def label_amount(text: str) -> Decimal | None:
    """The amount of a labelled money box: "$58.92", "Eur154,40", "AMOUNT:$58.92", "134,999"."""
    cleaned = re.sub(r"(?i)[a-z:$€£¥]+", " ", text).strip()
    amounts = find_amounts(cleaned)
    if not amounts:
        return None
    return abs(amounts[-1].value)


def list_samples(directory: Path, limit: int | None = None) -> list[WildSample]:
    samples: list[WildSample] = []
    lines = (directory / "labels.txt").read_text(encoding="utf-8").splitlines()
    for raw in lines:
        if not raw.strip():
            continue
        record = json.loads(raw)
        boxes = []
        for annotation in record["annotations"]:
            xs, ys = annotation["box"][0::2], annotation["box"][1::2]
            boxes.append(
                Box(annotation["text"], annotation["label"], min(xs), min(ys), max(xs), max(ys))
            )
        path = directory / record["file_name"]
        samples.append(WildSample(_receipt_id(record["file_name"]), path, boxes))
    return samples[:limit] if limit else samples


def _receipt_id(file_name: str) -> str:
    """``image_files/Image_83/7/f6b3….jpeg`` -> ``83-7-f6b3…``: unique and file-name safe."""
    parts = Path(file_name).with_suffix("").parts[-3:]
    return "-".join(part.removeprefix("Image_") for part in parts)


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


@dataclass
class WildReport:
    source: str
    fields: dict[str, FieldScore] = field(
        default_factory=lambda: {name: FieldScore() for name in KEY_FIELDS}
    )
    items: FieldScore = field(default_factory=FieldScore)
    items_amount: FieldScore = field(default_factory=FieldScore)
    outcomes: list[Outcome] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    failed: list[str] = field(default_factory=list)
    misses: list[dict[str, str]] = field(default_factory=list)

    def score(self, sample: WildSample, result: ExtractionResult) -> None:
        receipt = result.receipt
        outcome = Outcome(sample.receipt_id, str(result.status), confidence=result.confidence)
        got_total = receipt.total if receipt else None
        got_date = receipt.date if receipt else None
        got_name = alnum_text(receipt.merchant.name) if receipt and receipt.merchant.name else ""
        totals, dates, names = sample.totals(), sample.dates(), sample.merchant_names()
        checks = {
            "total": (bool(totals), got_total is not None, got_total in totals, got_total),
            "date": (bool(dates), got_date is not None, got_date in dates, got_date),
            "merchant": (
                bool(names),
                bool(got_name),
                any(_similar(name, got_name) >= FUZZY_RATIO for name in names),
                got_name,
            ),
        }
        expected_text = {
            "total": sorted(str(value) for value in totals),
            "date": sorted(str(value) for value in dates),
            "merchant": names[:2],
        }
        for name, (labelled, given, hit, got) in checks.items():
            self.fields[name].add(has_expected=labelled, has_given=given, hit=labelled and hit)
            outcome.labelled[name] = labelled
            outcome.right[name] = labelled and hit
            if labelled and not hit:
                self.misses.append(
                    {
                        "id": sample.receipt_id,
                        "field": name,
                        "expected": " / ".join(expected_text[name]),
                        "got": "" if got is None else str(got),
                    }
                )
        self._score_items(sample.items(), receipt.line_items if receipt else [])
        self.outcomes.append(outcome)

    def _score_items(self, expected: list[ExpectedItem], got: list[LineItem]) -> None:
        for tally, with_amount in ((self.items, False), (self.items_amount, True)):
            tally.expected += len(expected)
            tally.given += len(got)
            pairs = sorted(
                (
                    (max(_similar(want.name, name) for name in _item_names(item)), w, g)
                    for w, want in enumerate(expected)
                    for g, item in enumerate(got)
                    if not with_amount or (item.amount is not None and item.amount == want.price)
                ),
                key=lambda triple: -triple[0],
            )
            used_w: set[int] = set()
            used_g: set[int] = set()
            for ratio, w, g in pairs:
                if ratio >= FUZZY_RATIO and w not in used_w and g not in used_g:
                    used_w.add(w)
                    used_g.add(g)
                    tally.hits += 1

    def accuracy(self, name: str) -> float:
        """Right among receipts that label the field (what "total right on 74 %" means)."""
        score = self.fields[name]
        return score.hits / score.expected if score.expected else 0.0

    def trust(self) -> TrustFigures:
        """Does ``ok`` mean right: date and total checked, merchant name calibrated too."""
        return trust_figures(self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": "wildreceipt",
            "source": self.source,
            "receipts": len(self.outcomes),
            "fields": {
                name: {**score.to_dict(), "accuracy": round(self.accuracy(name), 4)}
                for name, score in self.fields.items()
            },
            "line_items": {
                "match": f"description (with or without sku) similarity >= {FUZZY_RATIO}",
                "name": self.items.to_dict(),
                "name_and_amount": self.items_amount.to_dict(),
            },
            "trust": self.trust().to_dict(),
            "timings": self.timings.to_dict(),
            "failed": self.failed,
            "misses": self.misses,
        }

    def render(self, misses: int = 40) -> list[Any]:
        from rich.table import Table

        table = Table(
            title=f"WildReceipt, {len(self.outcomes)} photos, {self.source}; "
            f"{self.timings.median:.3f} s median per receipt"
        )
        for column in ("field", "labelled", "given", "right", "accuracy", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == "field" else "right")
        rows = [(name, score) for name, score in self.fields.items()]
        rows += [("line items (name)", self.items), ("line items (+amount)", self.items_amount)]
        for name, score in rows:
            accuracy = score.hits / score.expected if score.expected else 0.0
            table.add_row(
                name,
                str(score.expected),
                str(score.given),
                str(score.hits),
                f"{accuracy:.3f}",
                f"{score.precision:.3f}",
                f"{score.recall:.3f}",
                f"{score.f1:.3f}",
            )
        return [table, *self.trust().render(), render_miss_rows(self.misses, misses)]


def evaluate_wildreceipt(
    directory: Path,
    extract: Extract,
    *,
    load_document: LoadDocument,
    limit: int | None = None,
    source: str = "ocr",
    ocr_cache: tuple[OcrCache, LinesExtractor] | None = None,
    fold: Fold | None = None,
) -> WildReport:
    report = WildReport(source=source)
    samples = [
        (sample, sample.image_path)
        for sample in list_samples(directory)
        if in_fold(sample.receipt_id, fold)
    ][:limit]
    score_documents(report, samples, extract, load_document, ocr_cache)
    return report


def _item_names(item: LineItem) -> list[str]:
    """The description, and with the article number the extractor read into ``sku`` (WildReceipt
    labels it as part of the name where the till prints it first: Costco, Ross)."""
    names = [alnum_text(item.description)]
    if item.sku:
        names += [alnum_text(item.sku + item.description), alnum_text(item.description + item.sku)]
    return names
