"""The honest numbers for receipts of a kind never seen: for each dataset, train the line-role
classifier and the calibrator without it, then evaluate the local extractor on it.

    .venv/bin/python bench/cross_dataset.py [--data ../shared/datasets] [--ocr-cache .cache/ocr]
        [--datasets wildreceipt,sroie,cord] [--json]

Each round runs `scripts/train_models.py --exclude D --out <tmp>/D` and then `receiptflow
eval` on D with RECEIPTFLOW_LOCAL__ROLE_MODEL / __CALIBRATOR set to those files (SROIE: the
209 scans with our OCR, cached). Accuracy and the trust figures (passed unflagged, wrong among
unflagged, wrong caught) come from the eval's JSON. About two minutes per dataset once the OCR
cache is filled.
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
DATA = REPO.parent / "shared" / "datasets"
FOLDERS = {"wildreceipt": "wildreceipt-dev", "sroie": "sroie-dev", "cord": "cord-val-text"}


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return done.stdout


def round_for(dataset: str, data: Path, cache: Path, scratch: Path) -> dict[str, Any]:
    out = scratch / dataset
    python = sys.executable
    _run(
        [
            python,
            "scripts/train_models.py",
            "--data",
            str(data),
            "--ocr-cache",
            str(cache),
            "--exclude",
            dataset,
            "--out",
            str(out),
        ]
    )
    env = dict(os.environ)
    env["RECEIPTFLOW_LOCAL__ROLE_MODEL"] = str(out / "row_roles.json")
    env["RECEIPTFLOW_LOCAL__CALIBRATOR"] = str(out / "trust_local.json")
    command = [
        python,
        "-m",
        "receiptflow",
        "eval",
        str(data / FOLDERS[dataset]),
        "--format",
        "json",
    ]
    if dataset == "wildreceipt":
        command += ["--dataset", "wildreceipt", "--ocr-cache", str(cache / "wildreceipt")]
    elif dataset == "sroie":
        command += ["--ocr-cache", str(cache / "sroie")]
    else:
        command += ["--dataset", "cord"]
    return json.loads(_run(command, env))


def summary(dataset: str, report: dict[str, Any]) -> dict[str, Any]:
    trust = report.get("trust", {})
    figures = {
        key: (trust.get(key) or {}).get("share")
        for key in ("passed_unflagged", "wrong_among_unflagged", "wrong_caught")
    }
    if dataset == "wildreceipt":
        accuracy = {name: field["accuracy"] for name, field in report["fields"].items()}
        accuracy["line_items_f1"] = report["line_items"]["name_and_amount"]["f1"]
    elif dataset == "sroie":
        accuracy = {name: f["f1"] for name, f in report["convention"]["fields"].items()}
    else:
        accuracy = {"line_items_f1": report["fuzzy"]["f1"]}
    return {"accuracy": accuracy, "trust": figures}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--ocr-cache", type=Path, default=REPO / ".cache" / "ocr")
    parser.add_argument("--datasets", default="wildreceipt,sroie,cord")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for dataset in args.datasets.split(","):
            print(f"training without {dataset} ...", file=sys.stderr, flush=True)
            results[dataset] = summary(
                dataset, round_for(dataset, args.data, args.ocr_cache, Path(scratch))
            )
            print(f"{dataset}: {json.dumps(results[dataset])}", file=sys.stderr, flush=True)
    print(
        json.dumps(results, indent=2)
        if args.json
        else "\n".join(f"{name}: {json.dumps(value)}" for name, value in results.items())
    )


if __name__ == "__main__":
    main()
