"""Synthetic receipts (``receiptflow samples generate DIR --count N``) scored per locale.

A folder holds ``<name>.{png,jpg,pdf}`` beside ``<name>.expected.json`` (the truth of what is
*visible*: a damaged receipt's hidden fields are null) and ``<name>.lines.json`` (its locale
and damage). Scoring, per receipt whose truth has the field:

- ``total``: the extracted total equals the truth as a Decimal.
- ``date``: the extracted date equals the truth.
- ``merchant``: the names, letters and digits only, are similar (ratio >= 0.8).
- ``currency``: the ISO codes are equal.
- ``item_count``: exactly as many line items as the truth lists.
- line items: an extracted item matches a truth item when the descriptions (letters and
  digits only) are similar (>= 0.8); for ``name_and_amount`` the amounts must be equal too.
  Precision, recall and F1 over all items.

A field the truth leaves null but the extractor fills counts as given and not right, so a
reader that invents a cut-off total loses precision. The same tallies are kept per locale and
per damage, and each receipt's ``Outcome`` (status, labelled/right per field, confidence;
which fields it filled that the truth leaves null), from which the trust figures are drawn.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
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
from receiptflow.extractors.base import ExtractionResult
from receiptflow.schemas.receipt import LineItem, Receipt

FUZZY_RATIO = 0.8
FIELDS = ("total", "date", "merchant", "currency", "item_count")
DOCUMENT_SUFFIXES = (".png", ".jpg", ".jpeg", ".pdf")
NO_DAMAGE = "none"


@dataclass(frozen=True)
class SyntheticSample:
    receipt_id: str
    document: Path
    truth: Receipt
    locale: str
    damage: str


@dataclass
class SyntheticOutcome(Outcome):
    locale: str = ""
    damage: str = NO_DAMAGE
    invented: dict[str, bool] = field(default_factory=dict)  # filled where the truth is null


def list_samples(directory: Path, limit: int | None = None) -> list[SyntheticSample]:
    samples = []
    for expected in sorted(directory.glob("*.expected.json")):
        name = expected.name.removesuffix(".expected.json")
        document = next(
            (p for s in DOCUMENT_SUFFIXES if (p := directory / f"{name}{s}").exists()), None
        )
        if document is None:
            continue
        truth = Receipt.model_validate_json(expected.read_text(encoding="utf-8"))
        side = directory / f"{name}.lines.json"
        meta = json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}
        locale = meta.get("locale") or "unknown"
        samples.append(
            SyntheticSample(name, document, truth, locale, meta.get("damage") or NO_DAMAGE)
        )
    return samples[:limit] if limit else samples


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def matched_items(want: list[LineItem], got: list[LineItem], *, with_amount: bool) -> int:
    """How many extracted items pair off with truth items (best description ratio first)."""
    candidates = []
    for w, truth in enumerate(want):
        for g, given in enumerate(got):
            if with_amount and (given.amount is None or given.amount != truth.amount):
                continue
            ratio = _similar(alnum_text(truth.description), alnum_text(given.description))
            if ratio >= FUZZY_RATIO:
                candidates.append((-ratio, w, g))
    taken_w: set[int] = set()
    taken_g: set[int] = set()
    for _, w, g in sorted(candidates):
        if w not in taken_w and g not in taken_g:
            taken_w.add(w)
            taken_g.add(g)
    return len(taken_w)


@dataclass
class Tally:
    """Field scores and item scores of one group of receipts."""

    receipts: int = 0
    fields: dict[str, FieldScore] = field(
        default_factory=lambda: {name: FieldScore() for name in FIELDS}
    )
    items: FieldScore = field(default_factory=FieldScore)
    items_amount: FieldScore = field(default_factory=FieldScore)

    def accuracy(self, name: str) -> float:
        score = self.fields[name]
        return score.hits / score.expected if score.expected else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "receipts": self.receipts,
            "fields": {
                name: {**score.to_dict(), "accuracy": round(self.accuracy(name), 4)}
                for name, score in self.fields.items()
            },
            "line_items": {
                "match": f"description similarity >= {FUZZY_RATIO}",
                "name": self.items.to_dict(),
                "name_and_amount": self.items_amount.to_dict(),
            },
        }


Check = tuple[bool, bool, bool, str, str]  # labelled, given, right, expected, got


def _check(want: object, got: object, same: bool) -> Check:
    labelled, given = want not in (None, ""), got not in (None, "")
    shown = ("" if want is None else str(want), "" if got is None else str(got))
    return (labelled, given, labelled and given and same, *shown)


def _checks(truth: Receipt, got: Receipt | None) -> dict[str, Check]:
    extracted = got or Receipt()
    name, got_name = alnum_text(truth.merchant.name), alnum_text(extracted.merchant.name)
    count, got_count = len(truth.line_items) or None, len(extracted.line_items) or None
    return {
        "total": _check(truth.total, extracted.total, extracted.total == truth.total),
        "date": _check(truth.date, extracted.date, extracted.date == truth.date),
        "merchant": _check(name, got_name, _similar(name, got_name) >= FUZZY_RATIO),
        "currency": _check(
            truth.currency, extracted.currency, extracted.currency == truth.currency
        ),
        "item_count": _check(count, got_count, count == got_count),
    }


@dataclass
class SyntheticReport:
    source: str
    overall: Tally = field(default_factory=Tally)
    locales: dict[str, Tally] = field(default_factory=dict)
    damages: dict[str, Tally] = field(default_factory=dict)
    outcomes: list[SyntheticOutcome] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    failed: list[str] = field(default_factory=list)
    misses: list[dict[str, str]] = field(default_factory=list)

    @property
    def fields(self) -> dict[str, FieldScore]:
        return self.overall.fields

    def accuracy(self, name: str) -> float:
        return self.overall.accuracy(name)

    def trust(self) -> TrustFigures:
        """Does ``ok`` mean right: date and total checked, every field calibrated."""
        return trust_figures(self.outcomes)

    def score(self, sample: SyntheticSample, result: ExtractionResult) -> None:
        got = result.receipt
        outcome = SyntheticOutcome(
            sample.receipt_id,
            str(result.status),
            confidence=result.confidence,
            locale=sample.locale,
            damage=sample.damage,
        )
        groups = [
            self.overall,
            self.locales.setdefault(sample.locale, Tally()),
            self.damages.setdefault(sample.damage, Tally()),
        ]
        for name, (labelled, given, hit, want, gave) in _checks(sample.truth, got).items():
            for tally in groups:
                tally.fields[name].add(has_expected=labelled, has_given=given, hit=hit)
            outcome.labelled[name], outcome.right[name] = labelled, hit
            outcome.invented[name] = given and not labelled
            if (labelled or given) and not hit:
                self.misses.append(
                    {"id": sample.receipt_id, "field": name, "expected": want, "got": gave}
                )
        truth_items, extracted = sample.truth.line_items, got.line_items if got else []
        hits = matched_items(truth_items, extracted, with_amount=False)
        hits_amount = matched_items(truth_items, extracted, with_amount=True)
        for tally in groups:
            tally.receipts += 1
            for score, matched in ((tally.items, hits), (tally.items_amount, hits_amount)):
                score += FieldScore(expected=len(truth_items), given=len(extracted), hits=matched)
        self.outcomes.append(outcome)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": "synthetic",
            "source": self.source,
            **self.overall.to_dict(),
            "locales": {code: tally.to_dict() for code, tally in sorted(self.locales.items())},
            "damage": {kind: tally.to_dict() for kind, tally in sorted(self.damages.items())},
            "trust": self.trust().to_dict(),
            "timings": self.timings.to_dict(),
            "failed": self.failed,
            "misses": self.misses,
        }

    def render(self, misses: int = 40) -> list[Any]:
        from rich.table import Table

        table = Table(
            title=f"Synthetic receipts, {self.overall.receipts}, {self.source}; "
            f"{self.timings.median:.3f} s median per receipt (accuracy among receipts that "
            "show the field; items: F1)"
        )
        columns = ("group", "receipts", *FIELDS, "items F1", "items+amount F1")
        for column in columns:
            table.add_column(column, justify="left" if column == "group" else "right")
        rows = [("all", self.overall)]
        rows += [(f"locale {code}", t) for code, t in sorted(self.locales.items())]
        rows += [(f"damage {kind}", t) for kind, t in sorted(self.damages.items())]
        for label, tally in rows:
            cells = [
                f"{tally.accuracy(name):.3f}" if tally.fields[name].expected else "-"
                for name in FIELDS
            ]
            cells += [f"{tally.items.f1:.3f}", f"{tally.items_amount.f1:.3f}"]
            table.add_row(label, str(tally.receipts), *cells)
        return [table, *self.trust().render(), render_miss_rows(self.misses, misses)]


def evaluate_synthetic(
    directory: Path,
    extract: Extract,
    *,
    load_document: LoadDocument,
    limit: int | None = None,
    source: str = "ocr",
    ocr_cache: tuple[OcrCache, LinesExtractor] | None = None,
    fold: Fold | None = None,
) -> SyntheticReport:
    report = SyntheticReport(source=source)
    samples = [
        (sample, sample.document)
        for sample in list_samples(directory)
        if in_fold(sample.receipt_id, fold)
    ][:limit]
    score_documents(report, samples, extract, load_document, ocr_cache)
    return report
