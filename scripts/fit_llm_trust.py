"""Fit the LLM trust model (receiptflow/trust/llm_model.json) from labelled rows.

Rows come from ``llm_trust_corpus.py``: one JSON object per (answer, key field) with the
evidence (``features``) and whether the value was right (``right``). One logistic model per
field (scikit-learn, L2, lbfgs; deterministic for the same rows), coefficients rounded to
3 decimals. A feature that never varies in a field's rows is left out of that field's model
(no data, no weight) and listed under ``unfitted``. Rows of the ``--holdout`` dataset are
not fitted on: they measure the model (log loss, Brier score, and what the reject option
does at the default thresholds) on receipts it never saw.

    python scripts/fit_llm_trust.py /tmp/llm-trust.jsonl --holdout wildreceipt \\
        --out receiptflow/trust/llm_model.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from receiptflow.settings import TrustSettings
from receiptflow.trust.decision import TRUST_FIELDS
from receiptflow.trust.llm import FEATURES, FieldModel

REPORT_THRESHOLD = 0.9  # for fields the default settings do not judge


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def fit_field(rows: list[dict[str, Any]], c: float) -> tuple[FieldModel, list[str]]:
    from sklearn.linear_model import LogisticRegression

    varying = [n for n in FEATURES if len({row["features"].get(n, 0.0) for row in rows}) > 1]
    labels = [int(row["right"]) for row in rows]
    if len(set(labels)) < 2:
        raise SystemExit(f"{rows[0]['field']}: needs both right and wrong values to fit")
    matrix = [[row["features"].get(name, 0.0) for name in varying] for row in rows]
    model = LogisticRegression(C=c, solver="lbfgs", max_iter=10_000).fit(matrix, labels)
    weights = {name: round(float(w), 3) for name, w in zip(varying, model.coef_[0], strict=True)}
    unfitted = [name for name in FEATURES if name not in varying]
    return FieldModel(round(float(model.intercept_[0]), 3), weights), unfitted


def measure(model: FieldModel, rows: list[dict[str, Any]], threshold: float) -> dict[str, Any]:
    """Log loss, Brier score, and the reject option at ``threshold`` on ``rows``."""
    probabilities = [model.probability(row["features"]) for row in rows]
    rights = [bool(row["right"]) for row in rows]
    eps = 1e-6
    loss = -sum(
        math.log(max(eps, p if right else 1 - p))
        for p, right in zip(probabilities, rights, strict=True)
    )
    brier = sum((p - right) ** 2 for p, right in zip(probabilities, rights, strict=True))
    accepted = [right for p, right in zip(probabilities, rights, strict=True) if p >= threshold]
    wrong = rights.count(False)
    return {
        "rows": len(rows),
        "right": round(rights.count(True) / len(rows), 3),
        "log_loss": round(loss / len(rows), 3),
        "brier": round(brier / len(rows), 3),
        "threshold": threshold,
        "accepted": round(len(accepted) / len(rows), 3),
        "wrong_in_accepted": round(accepted.count(False) / len(accepted), 3) if accepted else None,
        "wrong_caught": round(1 - accepted.count(False) / wrong, 3) if wrong else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rows", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--holdout", default=None, help="dataset measured, not fitted on")
    parser.add_argument("--c", type=float, default=0.3, help="inverse L2 strength")
    args = parser.parse_args()
    rows = load(args.rows)
    train = [row for row in rows if row["dataset"] != args.holdout]
    held = [row for row in rows if row["dataset"] == args.holdout]
    trust = TrustSettings()
    fields: dict[str, Any] = {}
    report: dict[str, Any] = {}
    for name in TRUST_FIELDS:
        mine = [row for row in train if row["field"] == name]
        if not mine:
            raise SystemExit(f"no rows for {name}: cannot fit it")
        model, unfitted = fit_field(mine, args.c)
        fields[name] = {"intercept": model.intercept, "weights": model.weights}
        if unfitted:
            fields[name]["unfitted"] = unfitted
        threshold = getattr(trust, TRUST_FIELDS[name]) or REPORT_THRESHOLD
        tested = [row for row in held if row["field"] == name]
        report[name] = {
            "fitted_rows (in-sample)": measure(model, mine, threshold),
            f"{args.holdout} (held out)": measure(model, tested, threshold) if tested else None,
        }
    digest = hashlib.sha256(args.rows.read_bytes()).hexdigest()[:16]
    document = {
        "about": "P(value right) per key field of an LLM answer; logistic on the evidence "
        "features of receiptflow.trust.llm. Fitted by scripts/fit_llm_trust.py.",
        "fitted_on": {
            "rows": len(train),
            "datasets": sorted({row["dataset"] for row in train}),
            "corpus_sha256": digest,
            "c": args.c,
        },
        "fields": fields,
    }
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
