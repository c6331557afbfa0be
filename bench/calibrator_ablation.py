"""What a group of calibrator signals is worth: the calibrator fitted with and without them.

    .venv/bin/python bench/calibrator_ablation.py --ocr-cache .cache/ocr \
        [--drop rival_gap,rival_role,... [--drop ...]] [--field total] [--json]

Reads every training receipt once, as ``scripts/train_models.py`` does (cross-fitted: each
receipt read with a line-role classifier not trained on it; the OCR cache must be filled,
which that script does), then fits the calibrator with every signal of ``--field``, and
once without each ``--drop`` group (default: the total's rivals, ``trust/total_rivals.py``,
but for the three that were signals before them). For each fit it prints the field's
5-fold AUC per dataset, the thresholds training would choose and the out-of-fold pass rates
at them. Nothing is written; the bundled models are not touched. About 5 minutes on two
cores.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import train_models  # noqa: E402

from receiptflow.learned import calibration  # noqa: E402
from receiptflow.trust.local_signals import FIELD_SIGNALS  # noqa: E402
from receiptflow.trust.total_rivals import RIVAL_SIGNALS  # noqa: E402

# the rivals' signals that the calibrator had before trust/total_rivals.py
EARLIER = ("equals_subtotal_despite_tax", "larger_claim_below", "amount_rows_below")


def without(judged: list[Any], field: str, drop: tuple[str, ...]) -> list[Any]:
    """Copies of the readings with ``drop`` cut from ``field``'s signal vectors (positions
    as in the full ``FIELD_SIGNALS``)."""
    keep = [i for i, name in enumerate(FIELD_SIGNALS[field]) if name not in drop]
    cut = []
    for item in judged:
        copied = copy.copy(item)
        copied.signals = dict(item.signals)
        if field in copied.signals:
            copied.signals[field] = item.signals[field][keep]
        cut.append(copied)
    return cut


def fit(judged: list[Any], field: str, drop: tuple[str, ...]) -> dict[str, Any]:
    readings = without(judged, field, drop)  # before the names are cut below
    full = FIELD_SIGNALS[field]
    FIELD_SIGNALS[field] = tuple(name for name in full if name not in drop)
    try:
        names = calibration.all_fields(readings)
        fits = {name: calibration.fit_field(readings, name) for name in names}
        report = calibration.in_distribution_report(readings, fits[field], field)
        probabilities = calibration.probabilities(readings, fits)
        thresholds, rates = calibration.choose_thresholds(readings, probabilities)
    finally:
        FIELD_SIGNALS[field] = full
    return {
        "dropped": list(drop),
        "auc": {group: part["auc"] for group, part in report.items()},
        "thresholds": thresholds,
        "pass_rates": rates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=train_models.DATA)
    parser.add_argument("--ocr-cache", type=Path, default=REPO / ".cache" / "ocr")
    parser.add_argument("--synthetic-count", type=int, default=1000)
    parser.add_argument("--field", default="total", choices=sorted(FIELD_SIGNALS))
    parser.add_argument(
        "--drop",
        action="append",
        help="comma-separated signals to fit without; repeat for several fits "
        "(default: the total's rivals added after the EARLIER ones)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    drops = [
        tuple(name for name in group.split(",") if name)
        for group in args.drop or [",".join(n for n in RIVAL_SIGNALS if n not in EARLIER)]
    ]
    unknown = [name for drop in drops for name in drop if name not in FIELD_SIGNALS[args.field]]
    if unknown:
        parser.error(f"not signals of {args.field}: {', '.join(unknown)}")
    os.environ[train_models.SKIP_REPORTS] = "1"
    rows = train_models.role_rows(args.data, args.ocr_cache, args.synthetic_count, None)
    judged = train_models.cross_fitted_readings(
        args.data, args.ocr_cache, args.synthetic_count, rows, None
    )
    results = [fit(judged, args.field, drop) for drop in [(), *drops]]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for result in results:
        print(f"{args.field} without: {', '.join(result['dropped']) or '(all signals)'}")
        print(f"  5-fold AUC: {result['auc']}")
        print(f"  thresholds: {result['thresholds']}")
        for group, rate in result["pass_rates"].items():
            print(
                f"  {group:12s} passed {rate['passed']:.1%}, "
                f"wrong among passed {rate['wrong_among_passed']:.2%}"
            )


if __name__ == "__main__":
    main()
