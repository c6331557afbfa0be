"""Accuracy and trust on receipts the shipped models were not trained on, two ways.

    .venv/bin/python bench/heldout.py folds    [--folds 5] [--ocr-cache .cache/ocr] [--json]
    .venv/bin/python bench/heldout.py datasets [--datasets wildreceipt,sroie,cord] [--json]
        [--report DIR]   (report.json and reliability diagrams per dataset, merged over rounds)

``folds``: k-fold cross-validation. For each fold K, `scripts/train_models.py --fold K/N`
trains the line-role classifier and the calibrator without fold K of every dataset (by a hash
of the receipt ids), and `receiptflow eval --fold K/N` scores exactly those receipts with
them; the counts are summed over the folds. This estimates new receipts of the kinds trained
on, such as the held-out halves of WildReceipt and SROIE.

``datasets``: leave one dataset out. The models are trained without a whole dataset and
scored on it: the estimate for receipts of a kind never seen (another country, another
camera).

Both use `receiptflow eval` on the datasets' cached OCR (SROIE: the 209 scans; WildReceipt:
the 229 photos; CORD: its OCR words), with RECEIPTFLOW_LOCAL__ROLE_MODEL and
__CALIBRATOR pointing at the models of the round. About five minutes per round on two cores
once the OCR cache is filled (`scripts/train_models.py` fills it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from receiptflow.eval.calibration import merge_reliability  # noqa: E402

DATA = REPO.parent / "shared" / "datasets"
FOLDERS = {"wildreceipt": "wildreceipt-dev", "sroie": "sroie-dev", "cord": "cord-val-text"}


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"failed: {' '.join(command)}")
    return done.stdout


def _train(args: argparse.Namespace, out: Path, *extra: str) -> None:
    env = dict(os.environ, RECEIPTFLOW_TRAIN_SKIP_REPORTS="1")  # the models, not their reports
    _run(
        [
            sys.executable,
            "scripts/train_models.py",
            "--data",
            str(args.data),
            "--ocr-cache",
            str(args.ocr_cache),
            "--out",
            str(out),
            *extra,
        ],
        env,
    )


def _evaluate(args: argparse.Namespace, dataset: str, models: Path, *extra: str) -> dict[str, Any]:
    env = dict(os.environ)
    env["RECEIPTFLOW_LOCAL__ROLE_MODEL"] = str(models / "row_roles.json")
    env["RECEIPTFLOW_LOCAL__CALIBRATOR"] = str(models / "trust_local.json")
    command = [
        sys.executable,
        "-m",
        "receiptflow",
        "eval",
        str(args.data / FOLDERS[dataset]),
        "--format",
        "json",
        *extra,
    ]
    if dataset == "wildreceipt":
        command += ["--dataset", "wildreceipt", "--ocr-cache", str(args.ocr_cache / "wildreceipt")]
    elif dataset == "sroie":
        command += ["--ocr-cache", str(args.ocr_cache / "sroie")]
    else:
        command += ["--dataset", "cord"]
    return dict(json.loads(_run(command, env)))


class Tally:
    """Counts summed over rounds, then turned into the report's shares; each field's
    calibration blocks are kept to be merged (the rounds score disjoint receipts)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.calibration: dict[str, list[dict[str, Any]]] = {}
        self.wrong_unflagged_ids: list[str] = []

    def add(self, key: str, value: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + int(value)

    def share(self, part: str, whole: str) -> float | None:
        total = self.counts.get(whole, 0)
        return round(self.counts.get(part, 0) / total, 4) if total else None


def _collect(tally: Tally, dataset: str, report: dict[str, Any]) -> None:
    if dataset == "wildreceipt":
        for name, field in report["fields"].items():
            tally.add(f"{name}.right", field["hits"])
            tally.add(f"{name}.labelled", field["expected"])
        items = report["line_items"]["name_and_amount"]
    elif dataset == "sroie":
        for name, field in report["convention"]["fields"].items():
            tally.add(f"{name}.right", field["hits"])
            tally.add(f"{name}.labelled", field["expected"])
        items = None
    else:
        items = report["fuzzy"]
        total = report.get("total") or {}
        if total:
            tally.add("total.right", total.get("hits", 0))
            tally.add("total.labelled", total.get("expected", 0))
    if items is not None:
        for key in ("expected", "given", "hits"):
            tally.add(f"items.{key}", items[key])
    trust = report.get("trust") or {}
    tally.add("receipts", trust.get("receipts", 0))
    tally.add("passed", (trust.get("passed_unflagged") or {}).get("receipts", 0))
    wrong_among = trust.get("wrong_among_unflagged") or {}
    tally.add("judged", wrong_among.get("judged", 0))
    tally.add("wrong_passed", wrong_among.get("wrong", 0))
    tally.wrong_unflagged_ids += wrong_among.get("receipt_ids", [])
    caught = trust.get("wrong_caught") or {}
    tally.add("wrong", caught.get("wrong", 0))
    tally.add("caught", caught.get("caught", 0))
    for name, figures in (trust.get("fields") or {}).items():
        tally.calibration.setdefault(name, []).append(figures)


def _summary(tally: Tally) -> dict[str, Any]:
    fields = sorted({key.split(".")[0] for key in tally.counts if key.endswith(".labelled")})
    summary: dict[str, Any] = {
        name: tally.share(f"{name}.right", f"{name}.labelled") for name in fields
    }
    if "items.expected" in tally.counts:
        precision = tally.share("items.hits", "items.given") or 0.0
        recall = tally.share("items.hits", "items.expected") or 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        summary["line_items_f1"] = round(f1, 4)
    summary["passed_unflagged"] = tally.share("passed", "receipts")
    summary["wrong_among_unflagged"] = tally.share("wrong_passed", "judged")
    summary["wrong_unflagged_ids"] = sorted(tally.wrong_unflagged_ids)
    summary["wrong_caught"] = tally.share("caught", "wrong")
    merged = {name: merge_reliability(blocks) for name, blocks in tally.calibration.items()}
    summary["ece"] = {name: figures["ece"] for name, figures in merged.items()}
    summary["counts"] = tally.counts
    summary["calibration"] = merged
    return summary


def write_reports(directory: Path, mode: str, results: dict[str, Any]) -> None:
    """Per dataset: report.json and a reliability diagram per field, drawn from the merged
    rounds (every probability from models that did not see its receipt)."""
    from receiptflow.eval.trust_report import write_report

    for dataset, summary in results.items():
        title = f"{dataset} ({'k-fold' if mode == 'folds' else 'unseen dataset'})"
        report = {
            "dataset": title,
            "summary": {key: value for key, value in summary.items() if key != "calibration"},
            "trust": {"fields": summary["calibration"]},
        }
        for path in write_report(directory / f"{mode}-{dataset}", report):
            print(f"wrote {path}", file=sys.stderr)


def folds(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    tallies = {dataset: Tally() for dataset in args.datasets}
    for index in range(args.folds):
        fold = f"{index}/{args.folds}"
        models = scratch / f"fold{index}"
        print(f"fold {fold}: training ...", file=sys.stderr, flush=True)
        _train(args, models, "--fold", fold)
        for dataset in args.datasets:
            _collect(tallies[dataset], dataset, _evaluate(args, dataset, models, "--fold", fold))
    return {dataset: _summary(tally) for dataset, tally in tallies.items()}


def datasets(args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    results = {}
    for dataset in args.datasets:
        models = scratch / dataset
        print(f"without {dataset}: training ...", file=sys.stderr, flush=True)
        _train(args, models, "--exclude", dataset)
        tally = Tally()
        _collect(tally, dataset, _evaluate(args, dataset, models))
        results[dataset] = _summary(tally)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("mode", choices=["folds", "datasets"])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--ocr-cache", type=Path, default=REPO / ".cache" / "ocr")
    parser.add_argument("--datasets", default="wildreceipt,sroie,cord")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--report", type=Path, help="write report.json and reliability diagrams per dataset here"
    )
    args = parser.parse_args()
    args.datasets = args.datasets.split(",")
    with tempfile.TemporaryDirectory() as scratch:
        run = folds if args.mode == "folds" else datasets
        results = run(args, Path(scratch))
    if args.report:
        write_reports(args.report, args.mode, results)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for dataset, summary in results.items():
        shown = {
            key: value for key, value in summary.items() if key not in {"counts", "calibration"}
        }
        print(f"{dataset}: {json.dumps(shown)}")


if __name__ == "__main__":
    main()
