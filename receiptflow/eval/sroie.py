"""SROIE (ICDAR 2019 task 3) key-field evaluation: company, date, address, total.

A dataset folder holds ``entities/<id>.json`` labels, ``box/<id>.txt`` ground-truth OCR lines
(``x1,y1,...,x4,y4,transcript``) and ``img/<id>.jpg`` scans. Two scorings side by side:

- ``exact``: the official one, strings equal after trimming, collapsing whitespace and
  upper-casing. Date and total are compared as printed (the extractor's ``evidence``).
- ``normalised``: dates as ISO dates, totals as Decimal amounts, company and address as their
  letters and digits only (spacing and punctuation forgiven).
- ``convention``: what the dataset's README allows: company and address exact, date and total
  normalised. Between the two above; the strictest fair number for a parser of printed dates.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from PIL import Image

from receiptflow.errors import ReceiptflowError
from receiptflow.eval.ceiling import PrintedShare
from receiptflow.eval.ocr_cache import LinesExtractor, OcrCache, extract_cached
from receiptflow.eval.report import (
    Fold,
    Scoreboard,
    Timings,
    alnum_text,
    in_fold,
    official_text,
    render_misses,
    render_scores,
)
from receiptflow.eval.trust import Outcome, TrustFigures, trust_figures
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.ingest.document import Document, Page, TextLine
from receiptflow.schemas.parsing import parse_date, parse_money

FIELDS = ["company", "date", "address", "total"]

Extract = Callable[[Document], ExtractionResult]
LoadDocument = Callable[[Path], Document]


@dataclass(frozen=True)
class SroieSample:
    receipt_id: str
    labels: dict[str, str]
    box_path: Path
    image_path: Path


def list_samples(
    directory: Path, *, ocr_boxes: bool, limit: int | None = None
) -> list[SroieSample]:
    """Labelled receipts that have ground-truth boxes (``ocr_boxes``) or else an image."""
    samples: list[SroieSample] = []
    for label_path in sorted((directory / "entities").glob("*.json")):
        receipt_id = label_path.stem
        box_path = directory / "box" / f"{receipt_id}.txt"
        image_path = directory / "img" / f"{receipt_id}.jpg"
        if not (box_path if ocr_boxes else image_path).exists():
            continue
        labels = json.loads(label_path.read_text(encoding="utf-8", errors="replace"))
        samples.append(SroieSample(receipt_id, labels, box_path, image_path))
    return samples[:limit] if limit else samples


def read_box_lines(path: Path) -> list[TextLine]:
    """Ground-truth lines; the transcript may contain commas, so split on the first eight."""
    lines: list[TextLine] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = raw.split(",", 8)
        if len(parts) < 9 or not parts[8].strip():
            continue
        try:
            coords = [float(value) for value in parts[:8]]
        except ValueError:
            continue
        xs, ys = coords[0::2], coords[1::2]
        lines.append(TextLine(parts[8].strip(), (min(xs), min(ys), max(xs), max(ys))))
    return lines


def sample_lines(
    directory: Path, *, ocr_boxes: bool, cache: OcrCache | None = None
) -> Iterator[tuple[SroieSample, list[TextLine]]]:
    """Each labelled receipt with its text lines: the ground-truth boxes, or (without
    ``ocr_boxes``) the OCR lines kept in ``cache`` (receipts not in it are skipped)."""
    for sample in list_samples(directory, ocr_boxes=ocr_boxes):
        if ocr_boxes:
            yield sample, read_box_lines(sample.box_path)
        elif cache is not None and (found := cache.get(sample.receipt_id)) is not None:
            yield sample, found[0]


def box_document(sample: SroieSample) -> Document:
    """A one-page document whose text layer is the ground-truth lines (no OCR runs)."""
    lines = read_box_lines(sample.box_path)
    width = int(max((line.box[2] for line in lines), default=1)) + 1
    height = int(max((line.box[3] for line in lines), default=1)) + 1
    page = Page(index=0, image=Image.new("RGB", (width, height), "white"), text_lines=lines)
    return Document(
        path=sample.box_path,
        sha256="",
        media_type="text/plain",
        size_bytes=sample.box_path.stat().st_size,
        pages=[page],
    )


def predicted_fields(result: ExtractionResult) -> dict[str, str | None]:
    """Receipt -> SROIE fields; date and total as printed when the extractor kept the text."""
    receipt = result.receipt
    if receipt is None:
        return dict.fromkeys(FIELDS)
    evidence = result.evidence
    date = evidence.get("date") or (receipt.date.isoformat() if receipt.date else None)
    total = evidence.get("total") or (str(receipt.total) if receipt.total is not None else None)
    return {
        "company": receipt.merchant.name,
        "date": date,
        "address": receipt.merchant.address,
        "total": total,
    }


def _same_exact(expected: str, got: str) -> bool:
    return official_text(expected) == official_text(got)


def _same_date(expected: str, got: str) -> bool:
    want = parse_date(expected)
    return want is not None and want == parse_date(got)


def _same_amount(expected: str, got: str) -> bool:
    want = parse_money(expected)
    return want is not None and want == parse_money(got)


def _same_text(expected: str, got: str) -> bool:
    return alnum_text(expected) == alnum_text(got)


def trust_verdicts(labels: dict[str, str], result: ExtractionResult) -> dict[str, bool | None]:
    """Per key field: right or not on the receipt's own values, None when unlabelled. Date
    ISO-equal, total Decimal-equal, merchant name equal to the company label on letters and
    digits. An empty value is wrong."""
    receipt = result.receipt
    date = parse_date(labels.get("date") or "")
    total = parse_money(labels.get("total") or "")
    company = alnum_text(labels.get("company"))
    got_name = alnum_text(receipt.merchant.name) if receipt else ""
    return {
        "merchant.name": (bool(got_name) and got_name == company) if company else None,
        "date": (receipt is not None and receipt.date == date) if date else None,
        "total": (receipt is not None and receipt.total == total) if total is not None else None,
    }


NORMALISED: dict[str, Callable[[str, str], bool]] = {
    "company": _same_text,
    "address": _same_text,
    "date": _same_date,
    "total": _same_amount,
}
DATASET_CONVENTION: dict[str, Callable[[str, str], bool]] = {
    "company": _same_exact,
    "address": _same_exact,
    "date": _same_date,
    "total": _same_amount,
}


@dataclass
class SroieReport:
    source: str  # "gt-boxes" or "ocr:<extractor>"
    exact: Scoreboard = field(default_factory=lambda: Scoreboard(FIELDS))
    normalised: Scoreboard = field(default_factory=lambda: Scoreboard(FIELDS))
    convention: Scoreboard = field(default_factory=lambda: Scoreboard(FIELDS))
    timings: Timings = field(default_factory=Timings)
    failed: list[str] = field(default_factory=list)  # ids whose extraction failed outright
    # ground-truth runs only: labels printed verbatim in the transcript, the exact-match bound
    printed: PrintedShare | None = None
    outcomes: list[Outcome] = field(default_factory=list)  # per receipt, for the trust figures

    def score(self, sample: SroieSample, got: dict[str, str | None]) -> None:
        for name in FIELDS:
            expected = sample.labels.get(name)
            self.exact.record(sample.receipt_id, name, expected, got[name], _same_exact, "exact")
            self.normalised.record(
                sample.receipt_id, name, expected, got[name], NORMALISED[name], "normalised"
            )
            self.convention.record(
                sample.receipt_id, name, expected, got[name], DATASET_CONVENTION[name], "convention"
            )

    def judge(self, sample: SroieSample, result: ExtractionResult) -> None:
        """The receipt's outcome for the trust figures, on the values an accountant sees."""
        outcome = Outcome(sample.receipt_id, str(result.status), confidence=result.confidence)
        for name, right in trust_verdicts(sample.labels, result).items():
            outcome.labelled[name] = right is not None
            outcome.right[name] = bool(right)
        self.outcomes.append(outcome)

    def trust(self) -> TrustFigures:
        return trust_figures(self.outcomes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": "sroie",
            "source": self.source,
            "receipts": len(self.timings.seconds),
            "exact": self.exact.to_dict(),
            "normalised": self.normalised.to_dict(),
            "convention": self.convention.to_dict(),
            "timings": self.timings.to_dict(),
            "failed": self.failed,
            **({"ceiling": self.printed.to_dict()} if self.printed else {}),
            "trust": self.trust().to_dict(),
            "misses": [miss.__dict__ for miss in self.exact.misses + self.normalised.misses],
        }

    def render(self, misses: int = 40) -> list[Any]:
        title = (
            f"SROIE key fields, {len(self.timings.seconds)} receipts, {self.source}; "
            f"{self.timings.median:.3f} s median, {self.timings.mean:.3f} s mean per receipt"
        )
        boards = {"exact": self.exact, "convention": self.convention, "normalised": self.normalised}
        parts = [render_scores(title, boards)]
        if self.printed:
            parts.append(
                f"labels printed verbatim in the transcript (the most an exact match can reach): "
                f"exact F1 <= {self.printed.exact_bound():.3f}, "
                f"convention F1 <= {self.printed.convention_bound():.3f}"
            )
        trust = self.trust().render()
        return [*parts, *trust, render_misses(self.normalised.misses, misses)]


def evaluate_sroie(
    directory: Path,
    extract: Extract,
    *,
    ocr_boxes: bool,
    load_document: LoadDocument | None = None,
    limit: int | None = None,
    source: str | None = None,
    ocr_cache: tuple[OcrCache, LinesExtractor] | None = None,
    fold: Fold | None = None,
) -> SroieReport:
    """Run ``extract`` over the dataset: on ground-truth boxes, or on the scans via
    ``load_document`` (required without ``ocr_boxes``), reusing cached OCR lines when
    ``ocr_cache`` (a cache and the extractor's OCR/parse steps) is given."""
    if not ocr_boxes and load_document is None:
        raise ValueError("load_document is needed to read the images")
    report = SroieReport(source=source or ("gt-boxes" if ocr_boxes else "ocr"))
    if ocr_boxes:
        report.printed = PrintedShare(FIELDS)
    samples = [
        s for s in list_samples(directory, ocr_boxes=ocr_boxes) if in_fold(s.receipt_id, fold)
    ]
    for sample in samples[:limit]:
        started = time.perf_counter()
        earlier = 0.0  # OCR seconds spent in an earlier run, for cached lines
        try:
            if ocr_boxes:
                document = box_document(sample)
                if report.printed is not None:
                    transcript = [line.text for line in document.pages[0].text_lines or []]
                    report.printed.add(sample.labels, transcript)
                result = extract(document)
            else:
                assert load_document is not None
                if ocr_cache is None:
                    result = extract(load_document(sample.image_path))
                else:
                    image = sample.image_path
                    result, earlier = extract_cached(
                        sample.receipt_id, partial(load_document, image), *ocr_cache
                    )
        except ReceiptflowError as error:
            result = ExtractionResult(
                status=ExtractionStatus.FAILED, method="eval", errors=[str(error)]
            )
        report.timings.seconds.append(time.perf_counter() - started + earlier)
        if result.status is ExtractionStatus.FAILED:
            report.failed.append(sample.receipt_id)
        report.score(sample, predicted_fields(result))
        report.judge(sample, result)
    return report
