"""Fitting the local extractor's calibrator (``trust/calibrator.py``) and choosing thresholds.

For each key field: a LightGBM scorer on the field's signals, then scikit-learn's isotonic
regression fitted on out-of-dataset scores (each dataset group scored by a scorer trained
without it), so the probabilities carry over to receipts unlike the training ones as well
as the data allows. The honest report is nested: for a held-out dataset the scorer *and* the
isotonic map are fitted without it, then it is scored.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from receiptflow.learned.training import SEED, group_of
from receiptflow.learned.trees import to_flat
from receiptflow.trust.calibrator import capped, logit
from receiptflow.trust.local_signals import FIELD_SIGNALS

SCORER_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.05,
    "num_leaves": 7,
    "min_data_in_leaf": 20,
    "lambda_l2": 5.0,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
SCORER_ROUNDS = 150
RECEIPT_FIELDS = ("total", "date", "merchant.name")
BINS = 10


@dataclass
class Judged:
    """One extraction: its dataset, signals per present field, and what was right."""

    dataset: str
    receipt_id: str
    signals: dict[str, np.ndarray]
    present: set[str]
    right: dict[str, bool]
    status_without_trust: str = "ok"
    contradicted: frozenset[str] = frozenset()  # fields the receipt itself contradicts

    @property
    def group(self) -> str:
        return group_of(self.dataset)


@dataclass
class FieldFit:
    scorer: Any
    isotonic: Any
    oof: dict[int, float] = field(
        default_factory=dict
    )  # example index -> calibrated, out-of-dataset


def _examples(
    judged: list[Judged], name: str
) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    chosen = [i for i, item in enumerate(judged) if name in item.right and name in item.present]
    if not chosen:
        return [], np.zeros((0, len(FIELD_SIGNALS[name]))), np.zeros(0), np.zeros(0, dtype=str)
    matrix = np.array([judged[i].signals[name] for i in chosen])
    right = np.array([judged[i].right[name] for i in chosen], dtype=float)
    groups = np.array([judged[i].group for i in chosen])
    return chosen, matrix, right, groups


def _weights(groups: np.ndarray) -> np.ndarray:
    names, sizes = np.unique(groups, return_counts=True)
    per = {n: len(groups) / (len(names) * s) for n, s in zip(names, sizes, strict=True)}
    return np.array([per[g] for g in groups])


def _scorer(
    matrix: np.ndarray, right: np.ndarray, groups: np.ndarray, names: tuple[str, ...]
) -> Any:
    import lightgbm as lgb

    data = lgb.Dataset(matrix, right, weight=_weights(groups), feature_name=list(names))
    return lgb.train(SCORER_PARAMS, data, num_boost_round=SCORER_ROUNDS)


def _isotonic(scores: np.ndarray, right: np.ndarray, groups: np.ndarray) -> Any:
    from sklearn.isotonic import IsotonicRegression

    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    return model.fit(scores, right, sample_weight=_weights(groups))


FOLDS = 5


def folds_of(count: int) -> np.ndarray:
    """Receipts dealt into ``FOLDS`` folds at random (seeded)."""
    return np.random.default_rng(SEED).permutation(count) % FOLDS


def _out_of_group_scores(
    matrix: np.ndarray, right: np.ndarray, groups: np.ndarray, names: tuple[str, ...]
) -> np.ndarray:
    scores = np.zeros(len(right))
    for held in np.unique(groups):
        train = groups != held
        if len(np.unique(right[train])) < 2:
            scores[~train] = right[train].mean() if train.any() else 0.5
            continue
        scores[~train] = _scorer(matrix[train], right[train], groups[train], names).predict(
            matrix[~train]
        )
    return scores


def fit_field(judged: list[Judged], name: str) -> FieldFit:
    """Scorer on everything; isotonic map on 5-fold out-of-fold scores (receipts held out,
    every dataset seen), which is what held-out receipts of these same kinds look like.

    The out-of-fold probabilities (``FieldFit.oof``, on which the thresholds are chosen)
    put each fold's scores through a map fitted without that fold. A map fitted on the very
    receipts it is then asked about places its steps around their own wrong answers: on
    those probabilities thresholds looked safe (photos 0 wrong among 48 % passed) that
    let 5 of 131 photos through wrong end to end, each read by models without it (an
    experiment of 2026-12-07, not shipped)."""
    chosen, matrix, right, groups = _examples(judged, name)
    names = FIELD_SIGNALS[name]
    folds = folds_of(len(judged))[chosen].astype(str)
    oof_scores = _out_of_group_scores(matrix, right, folds, names)
    isotonic = _isotonic(oof_scores, right, groups)
    scorer = _scorer(matrix, right, groups, names)
    calibrated = np.empty(len(oof_scores))
    for fold in np.unique(folds):
        held = folds == fold
        inner = _isotonic(oof_scores[~held], right[~held], groups[~held])
        calibrated[held] = inner.predict(oof_scores[held])
    return FieldFit(scorer, isotonic, dict(zip(chosen, calibrated.tolist(), strict=True)))


def in_distribution_report(judged: list[Judged], fit: FieldFit, name: str) -> dict[str, Any]:
    """Per dataset group: the 5-fold out-of-fold probabilities against the truth: the
    estimate for new receipts of a kind in the training data."""
    report: dict[str, Any] = {}
    for group in sorted({judged[i].group for i in fit.oof}):
        members = [i for i in fit.oof if judged[i].group == group]
        probability = np.array([fit.oof[i] for i in members])
        right = np.array([judged[i].right[name] for i in members], dtype=float)
        report[group] = calibration_report(probability, right)
    return report


def calibration_report(probability: np.ndarray, right: np.ndarray) -> dict[str, Any]:
    """Accuracy, expected calibration error (10 equal-width bins) and the reliability bins."""
    bins = np.minimum((probability * BINS).astype(int), BINS - 1)
    table = []
    ece = 0.0
    for index in range(BINS):
        members = bins == index
        if not members.any():
            continue
        mean, observed = float(probability[members].mean()), float(right[members].mean())
        ece += abs(mean - observed) * members.sum() / len(probability)
        table.append(
            {
                "bin": index,
                "count": int(members.sum()),
                "mean_probability": round(mean, 4),
                "accuracy": round(observed, 4),
            }
        )
    auc = None
    if 0 < right.sum() < len(right):
        from sklearn.metrics import roc_auc_score

        auc = round(float(roc_auc_score(right, probability)), 4)
    return {
        "receipts": int(len(right)),
        "accuracy": round(float(right.mean()), 4) if len(right) else None,
        "mean_probability": round(float(probability.mean()), 4) if len(right) else None,
        "ece": round(ece, 4),
        "auc": auc,
        "bins": table,
    }


def nested_report(judged: list[Judged], name: str) -> dict[str, Any]:
    """Per held-out dataset group: scorer and isotonic map fitted without it (the map on
    out-of-fold scores of the other datasets), then scored on it: the estimate for receipts
    of a kind never seen."""
    chosen, matrix, right, groups = _examples(judged, name)
    names = FIELD_SIGNALS[name]
    folds = folds_of(len(judged))[chosen].astype(str)
    report: dict[str, Any] = {}
    for held in np.unique(groups):
        train, test = groups != held, groups == held
        if len(np.unique(right[train])) < 2:
            continue
        inner = _out_of_group_scores(matrix[train], right[train], folds[train], names)
        isotonic = _isotonic(inner, right[train], groups[train])
        scorer = _scorer(matrix[train], right[train], groups[train], names)
        probability = isotonic.predict(scorer.predict(matrix[test]))
        report[str(held)] = calibration_report(probability, right[test])
    return report


def field_json(fit: FieldFit, name: str) -> dict[str, Any]:
    return {
        "signals": list(FIELD_SIGNALS[name]),
        "scorer": to_flat(fit.scorer.dump_model()),
        "isotonic": {
            "x": [round(float(x), 6) for x in fit.isotonic.X_thresholds_],
            "y": [round(float(y), 6) for y in fit.isotonic.y_thresholds_],
        },
    }


def fit_receipt(judged: list[Judged], oof: dict[str, dict[int, float]]) -> dict[str, Any]:
    """Logistic regression over the fields' out-of-dataset log-odds; target: every labelled
    one of ``RECEIPT_FIELDS`` right."""
    from sklearn.linear_model import LogisticRegression

    rows, targets, groups = [], [], []
    for index, item in enumerate(judged):
        labelled = [name for name in RECEIPT_FIELDS if name in item.right]
        if not labelled:
            continue
        probabilities = capped(
            {name: oof[name][index] for name in RECEIPT_FIELDS if index in oof[name]},
            item.signals,
            item.contradicted,
        )
        rows.append(
            [
                logit(probabilities.get(name, 0.0)) if name in labelled else logit(0.99)
                for name in RECEIPT_FIELDS
            ]
        )
        targets.append(all(item.right[name] for name in labelled))
        groups.append(item.group)
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(np.array(rows), np.array(targets), sample_weight=_weights(np.array(groups)))
    return {
        "fields": list(RECEIPT_FIELDS),
        "coefficients": [round(float(c), 6) for c in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def probabilities(judged: list[Judged], fits: dict[str, FieldFit]) -> list[dict[str, float]]:
    """Per receipt and present field: the out-of-dataset probability where the field is
    labelled, else the final model's (it was not trained on that field of that receipt),
    capped as the extractor caps it at run time."""
    found: list[dict[str, float]] = []
    for index, item in enumerate(judged):
        values = {}
        for name, fit in fits.items():
            if name not in item.present:
                continue
            if index in fit.oof:
                values[name] = fit.oof[index]
            else:
                score = fit.scorer.predict(item.signals[name].reshape(1, -1))
                values[name] = float(fit.isotonic.predict(score)[0])
        found.append(capped(values, item.signals, item.contradicted))
    return found


def pass_rates(
    judged: list[Judged], probs: list[dict[str, float]], thresholds: dict[str, float]
) -> dict[str, Any]:
    """As the reject option decides with these thresholds: per dataset group, the share
    passed unflagged, the share of those with a wrong date or total (labelled ones), and the
    share of wrong receipts caught."""
    report: dict[str, Any] = {}
    for group in sorted({item.group for item in judged}):
        members = [(i, item) for i, item in enumerate(judged) if item.group == group]
        passed = wrong = wrong_passed = 0
        for index, item in members:
            clear = item.status_without_trust == "ok" and all(
                probs[index].get(name, 1.0) >= threshold for name, threshold in thresholds.items()
            )
            is_wrong = not all(item.right.get(name, True) for name in ("total", "date"))
            passed += clear
            wrong += is_wrong
            wrong_passed += clear and is_wrong
        report[group] = {
            "receipts": len(members),
            "passed": round(passed / len(members), 4) if members else 0.0,
            "wrong_among_passed": round(wrong_passed / passed, 4) if passed else 0.0,
            "wrong_caught": round(1 - wrong_passed / wrong, 4) if wrong else None,
        }
    return report


def all_fields(judged: Iterable[Judged]) -> list[str]:
    present = {name for item in judged for name in item.right}
    return [name for name in FIELD_SIGNALS if name in present]


def judge_all(extractor: Any, receipts: Iterable[Any]) -> list[Judged]:
    """Run the local extractor's assessment on every truth receipt (``field_truth``); the
    status it would have before the probabilities are judged: flagged by an error that is
    not arithmetic (those are evidence, see ``trust.decision.ARITHMETIC``)."""
    from receiptflow.schemas.flags import Severity
    from receiptflow.trust.decision import ARITHMETIC

    judged = []
    for item in receipts:
        assessment = extractor.assess(item.lines)
        judged.append(
            Judged(
                dataset=item.dataset,
                receipt_id=item.receipt_id,
                signals=assessment.signals,
                present=assessment.present,
                right=item.truth.judge(assessment.parsed.receipt),
                status_without_trust="flagged"
                if any(
                    flag.severity is Severity.ERROR and flag.code not in ARITHMETIC
                    for flag in assessment.flags
                )
                else "ok",
                contradicted=assessment.contradicted,
            )
        )
    return judged


THRESHOLD_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.94, 0.95, 0.955, 0.96, 0.97, 0.98, 0.99)
MERCHANT_GRID: tuple[float | None, ...] = (None, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9)
# the merchant threshold may only spend pass rate the goals do not need, with this margin
# left, so the date/total goal is not put at risk for the merchant on receipts not seen
MERCHANT_SLACK = 0.10


def choose_thresholds(
    judged: list[Judged],
    probs: list[dict[str, float]],
    *,
    max_wrong: float = 0.01,
    goals: dict[str, float] | None = None,
) -> tuple[dict[str, float | None], dict[str, Any]]:
    """The total and date thresholds, then the merchant's, for the goal: at most
    ``max_wrong`` wrong dates or totals among passed receipts in every dataset group that
    has dates, and as many passed as that allows.

    Total and date: of the grid pairs that keep the wrong share, the one whose worst pass
    rate relative to its goal (``goals``) is highest. The calibrated probabilities take few
    distinct values (isotonic steps), so several pairs usually pass exactly the same
    receipts; of those, the middle one of each field's tied values is taken, as far as the
    grid allows from the steps on either side. Merchant: the strictest threshold that keeps
    every goal group's pass rate ``MERCHANT_SLACK`` above its goal and the wrong share
    kept; none when even the mildest does not."""
    goals = goals or {"sroie": 0.60, "wildreceipt": 0.45}
    dated = {item.group for item in judged if "date" in item.right}

    def keeps_wrong(rates: dict[str, Any]) -> bool:
        return all(rates[g]["wrong_among_passed"] <= max_wrong for g in dated)

    def slack(rates: dict[str, Any], margin: float = 0.0) -> float:
        met = [rates[g]["passed"] - goal - margin for g, goal in goals.items() if g in rates]
        return min(met, default=0.0)

    scored: dict[tuple[float, float], float] = {}
    for total, date in itertools.product(THRESHOLD_GRID, THRESHOLD_GRID):
        rates = pass_rates(judged, probs, {"total": total, "date": date})
        if keeps_wrong(rates):
            scored[(total, date)] = slack(rates)
    if scored:
        best = max(scored.values())
        tied = [pair for pair, value in scored.items() if value == best]
        total = _middle(sorted({pair[0] for pair in tied}))
        date = _middle(sorted({pair[1] for pair in tied if pair[0] == total}))
    else:
        total = date = THRESHOLD_GRID[-1]
    result: dict[str, float | None] = {"total": total, "date": date, "merchant.name": None}
    for merchant in MERCHANT_GRID[1:]:
        thresholds = {"total": total, "date": date, "merchant.name": merchant}
        rates = pass_rates(judged, probs, thresholds)  # type: ignore[arg-type]
        if keeps_wrong(rates) and slack(rates, MERCHANT_SLACK) >= 0:
            result["merchant.name"] = merchant
    applied = {name: value for name, value in result.items() if value is not None}
    return result, pass_rates(judged, probs, applied)


def _middle(values: list[float]) -> float:
    return values[(len(values) - 1) // 2]
