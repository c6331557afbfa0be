"""Extraction accuracy in one run: SROIE key fields from ground-truth boxes and from our own
OCR, and CORD line items.

    .venv/bin/python bench/accuracy.py [--data ../shared/datasets] [--ocr-limit N]
        [--ocr-cache DIR] [--extractor local] [--skip-ocr] [--json]

1. SROIE key-field F1 (company, date, address, total) on the ground-truth OCR boxes of every
   labelled receipt (626): the text-to-fields step alone.
2. The same with receiptflow's own OCR on the scans (209), plus seconds per receipt (image
   load + OCR + parse, median and mean). Slow: about 5-10 s per scan on two cores; with
   ``--ocr-cache DIR`` the OCR lines are kept, and a rerun only parses (OCR seconds recorded
   in the cache still count in the per-receipt time).
3. CORD line-item F1 (exact and fuzzy descriptions), when receiptflow.eval.cord is present.

Three SROIE scorings are printed: ``exact`` (official: trimmed, whitespace collapsed,
upper-cased, date and total as printed), ``convention`` (company and address exact, ISO date,
Decimal total) and ``normalised`` (also letters and digits only of company and address); on
the ground-truth boxes also the most an exact match can reach (labels printed verbatim).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

from receiptflow.eval.ocr_cache import LinesExtractor, OcrCache
from receiptflow.eval.sroie import SroieReport, evaluate_sroie
from receiptflow.extractors import get_extractor
from receiptflow.ingest.loader import load_document
from receiptflow.settings import Settings

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "datasets"


def _sroie(
    data: Path, *, ocr_boxes: bool, limit: int | None, extractor: str, cache: Path | None = None
) -> SroieReport:
    settings = Settings()
    chosen = get_extractor(extractor, settings)
    ocr_cache = None
    if cache is not None and isinstance(chosen, LinesExtractor):
        ocr_cache = (OcrCache(cache, settings.ocr.signature()), chosen)
    return evaluate_sroie(
        data / "sroie-dev",
        chosen.extract,
        ocr_boxes=ocr_boxes,
        load_document=lambda path: load_document(path, settings.ingest),
        limit=limit,
        source=("gt-boxes:" if ocr_boxes else "ocr:") + extractor,
        ocr_cache=ocr_cache,
    )


def _summary(report: SroieReport) -> dict[str, Any]:
    data = report.to_dict()
    return {
        "receipts": data["receipts"],
        "exact": {n: f["f1"] for n, f in data["exact"]["fields"].items()}
        | {"overall": data["exact"]["overall"]["f1"]},
        "normalised": {n: f["f1"] for n, f in data["normalised"]["fields"].items()}
        | {"overall": data["normalised"]["overall"]["f1"]},
        "convention": {n: f["f1"] for n, f in data["convention"]["fields"].items()}
        | {"overall": data["convention"]["overall"]["f1"]},
        "median_s": data["timings"]["median_s"],
        "mean_s": data["timings"]["mean_s"],
        "failed": len(data["failed"]),
    } | ({"ceiling": data["ceiling"]} if "ceiling" in data else {})


def _cord(data: Path) -> dict[str, Any] | None:
    if importlib.util.find_spec("receiptflow.eval.cord") is None:
        return None
    from receiptflow.eval.cord import evaluate_cord

    report = evaluate_cord(data / "cord-val-text").to_dict()
    return {
        "receipts": report["receipts"],
        "exact_f1": report["exact"]["f1"],
        "fuzzy_f1": report["fuzzy"]["f1"],
    }


def _print(results: dict[str, Any]) -> None:
    for name in ("sroie_gt_boxes", "sroie_own_ocr"):
        summary = results.get(name)
        if summary is None:
            continue
        print(
            f"{name}: {summary['receipts']} receipts, {summary['median_s']:.3f} s median, "
            f"{summary['mean_s']:.3f} s mean per receipt, {summary['failed']} failed"
        )
        for scoring in ("exact", "convention", "normalised"):
            fields = "  ".join(f"{k} {v:.3f}" for k, v in summary[scoring].items())
            print(f"  {scoring:<10} F1  {fields}")
        if ceiling := summary.get("ceiling"):
            print(
                f"  labels printed verbatim: exact F1 <= {ceiling['exact_f1_max']:.3f}, "
                f"convention F1 <= {ceiling['convention_f1_max']:.3f}"
            )
    cord = results.get("cord_items")
    if cord is not None:
        print(
            f"cord_items: {cord['receipts']} receipts, line-item F1 exact {cord['exact_f1']:.3f}"
            f", fuzzy {cord['fuzzy_f1']:.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--extractor", default="local")
    parser.add_argument("--ocr-limit", type=int, default=None, help="only the first N scans")
    parser.add_argument("--skip-ocr", action="store_true", help="skip the slow OCR run")
    parser.add_argument("--ocr-cache", type=Path, default=None, help="keep/reuse OCR lines here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "sroie_gt_boxes": _summary(
            _sroie(args.data, ocr_boxes=True, limit=None, extractor=args.extractor)
        ),
    }
    if not args.skip_ocr:
        results["sroie_own_ocr"] = _summary(
            _sroie(
                args.data,
                ocr_boxes=False,
                limit=args.ocr_limit,
                extractor=args.extractor,
                cache=args.ocr_cache,
            )
        )
    results["cord_items"] = _cord(args.data)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        _print(results)


if __name__ == "__main__":
    main()
