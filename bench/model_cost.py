"""What the shipped models cost per receipt: the line-role classifier and the calibrator.

    .venv/bin/python bench/model_cost.py [--n 200] [--repeat 3] [--data ../shared/datasets]

On SROIE's ground-truth OCR lines (no OCR runs, so only the parser is timed), per receipt:
- *rules only*: ``parse_lines`` without the line-role classifier;
- *with classifier*: ``parse_lines`` with the bundled classifier (row features, the model,
  the merchant and total choices it informs); the difference is the classifier's cost;
- *calibrator*: the calibrated probabilities from the extractor's signals
  (``local_calibrator(...).probabilities``), after ``assess``.
Each receipt is timed ``--repeat`` times and its fastest run kept (the least disturbed by
other work on the machine); the median, mean and 95th percentile over receipts are printed.
The issue's budget: at most 50 ms per receipt for the learned step."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from receiptflow.eval.sroie import list_samples, read_box_lines  # noqa: E402
from receiptflow.extractors.local import LocalExtractor  # noqa: E402
from receiptflow.extractors.local.parser import parse_lines  # noqa: E402
from receiptflow.learned.files import BUNDLED  # noqa: E402
from receiptflow.settings import Settings  # noqa: E402
from receiptflow.trust.calibrator import local_calibrator  # noqa: E402


def fastest(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def describe(name: str, seconds: list[float]) -> str:
    ms = sorted(value * 1000 for value in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{name:<18} median {statistics.median(ms):6.1f} ms  mean {statistics.fmean(ms):6.1f} ms"
        f"  p95 {p95:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "datasets")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    extractor = LocalExtractor(settings.ocr, settings.local, settings.trust)
    calibrator = local_calibrator(settings.local.calibrator)
    samples = list_samples(args.data / "sroie-dev", ocr_boxes=True)[: args.n]
    rules, classified, calibrated = [], [], []
    for sample in samples:
        lines = read_box_lines(sample.box_path)
        rules.append(fastest(partial(parse_lines, lines, role_model=None), args.repeat))
        classified.append(fastest(partial(parse_lines, lines, role_model=BUNDLED), args.repeat))
        assessment = extractor.assess(lines)
        probabilities = partial(calibrator.probabilities, assessment.signals, assessment.present)
        calibrated.append(fastest(probabilities, args.repeat))
    print(f"{len(samples)} SROIE receipts (ground-truth lines), fastest of {args.repeat} each")
    print(describe("rules only", rules))
    print(describe("with classifier", classified))
    extra = [with_model - alone for with_model, alone in zip(classified, rules, strict=True)]
    print(describe("classifier cost", extra))
    print(describe("calibrator", calibrated))
    learned = [a + b for a, b in zip(extra, calibrated, strict=True)]
    print(describe("both models", learned))


if __name__ == "__main__":
    main()
