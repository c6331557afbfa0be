"""Fitting the shipped models (used by ``scripts/train_models.py``; needs the dev extras).

Everything is seeded and single-threaded where it matters (LightGBM ``deterministic``), so
the same inputs give the same model file. Every fit is also scored across datasets: the
model is refitted without one dataset and tested on it, which is the honest estimate for
receipts from a place the model has never seen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from receiptflow.extractors.local.parser import parse_lines
from receiptflow.extractors.local.roles import ROLES
from receiptflow.extractors.local.row_features import FEATURE_NAMES, row_feature_matrix
from receiptflow.learned.row_labels import LabelledReceipt
from receiptflow.learned.trees import to_flat

SEED = 20261206
ROLE_PARAMS: dict[str, Any] = {
    "objective": "multiclass",
    "num_class": len(ROLES),
    "learning_rate": 0.1,
    "num_leaves": 15,
    "min_data_in_leaf": 10,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": SEED,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 1,
    "verbose": -1,
}
ROLE_ROUNDS = 120


def group_of(dataset: str) -> str:
    """Datasets that share receipts are one group for cross-dataset scores."""
    return "sroie" if dataset.startswith("sroie") else dataset


@dataclass
class RoleSet:
    """Labelled rows: features, role index, and the dataset each came from."""

    matrix: np.ndarray
    labels: np.ndarray
    datasets: np.ndarray
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    receipt_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

    @property
    def groups(self) -> np.ndarray:
        return np.array([group_of(name) for name in self.datasets])


def role_set(receipts: Iterable[LabelledReceipt]) -> RoleSet:
    matrices, labels, datasets, receipt_ids = [], [], [], []
    counts: dict[str, dict[str, int]] = {}
    for receipt in receipts:
        parsed = parse_lines(receipt.lines, role_model=None)
        features = row_feature_matrix(parsed.rows, parsed.rules, decimal_comma=parsed.decimal_comma)
        keep = [index for index, role in enumerate(receipt.roles) if role is not None]
        if not keep:
            continue
        matrices.append(features[keep])
        for index in keep:
            role = receipt.roles[index]
            assert role is not None
            labels.append(ROLES.index(role))
            datasets.append(receipt.dataset)
            receipt_ids.append(receipt.receipt_id)
            tally = counts.setdefault(receipt.dataset, {})
            tally[role] = tally.get(role, 0) + 1
    matrix = np.concatenate(matrices) if matrices else np.zeros((0, len(FEATURE_NAMES)))
    ids = np.array(receipt_ids, dtype=object)
    return RoleSet(matrix, np.array(labels), np.array(datasets), counts, ids)


CROSS_FIT_PARTS = 5


def cross_fit_part(receipt_id: str, parts: int = CROSS_FIT_PARTS) -> int:
    """Which part a receipt falls in for cross-fitting: a hash salted apart from the
    ``--fold`` hash, so every part still holds receipts when a fold is held out."""
    digest = hashlib.sha256(f"cross-fit:{receipt_id}".encode()).hexdigest()
    return int(digest, 16) % parts


def cross_fitted_roles(data: RoleSet, parts: int = CROSS_FIT_PARTS) -> list[dict[str, Any]]:
    """One role model per part, each fitted without that part's receipts: the calibrator
    learns from readings made by a classifier that had not seen the receipt, as a user's
    receipt never was. (Readings by the final classifier on its own training receipts are
    more often right and surer than new receipts' readings, and a calibrator fitted on them
    trusts new receipts too much.)"""
    part_of = np.array([cross_fit_part(str(rid), parts) for rid in data.receipt_ids])
    return [
        {"roles": list(ROLES), "model": to_flat(fit_roles(data, part_of != part).dump_model())}
        for part in range(parts)
    ]


def _weights(groups: np.ndarray) -> np.ndarray:
    """Every dataset group weighs the same in total, whatever its number of rows."""
    names, sizes = np.unique(groups, return_counts=True)
    per_row = {
        name: len(groups) / (len(names) * size) for name, size in zip(names, sizes, strict=True)
    }
    return np.array([per_row[name] for name in groups])


def fit_roles(data: RoleSet, rows: np.ndarray | None = None) -> Any:
    import lightgbm as lgb

    chosen = np.ones(len(data.labels), dtype=bool) if rows is None else rows
    groups = data.groups[chosen]
    dataset = lgb.Dataset(
        data.matrix[chosen],
        data.labels[chosen],
        weight=_weights(groups),
        feature_name=list(FEATURE_NAMES),
        free_raw_data=False,
    )
    return lgb.train(ROLE_PARAMS, dataset, num_boost_round=ROLE_ROUNDS)


def role_scores(truth: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """Accuracy and per-role F1 of predicted role indices."""
    per_role: dict[str, dict[str, float]] = {}
    for index, role in enumerate(ROLES):
        expected = truth == index
        given = predicted == index
        hits = int((expected & given).sum())
        if not expected.any() and not given.any():
            continue
        precision = hits / given.sum() if given.any() else 0.0
        recall = hits / expected.sum() if expected.any() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_role[role] = {"rows": int(expected.sum()), "f1": round(float(f1), 3)}
    accuracy = float((truth == predicted).mean()) if len(truth) else 0.0
    return {"rows": int(len(truth)), "accuracy": round(accuracy, 3), "roles": per_role}


def cross_dataset_roles(data: RoleSet) -> dict[str, Any]:
    """For each dataset group: fit without it, score on it."""
    report: dict[str, Any] = {}
    groups = data.groups
    for held in sorted(set(groups)):
        booster = fit_roles(data, groups != held)
        test = groups == held
        predicted = booster.predict(data.matrix[test]).argmax(axis=1)
        report[held] = role_scores(data.labels[test], predicted)
    return report


def roles_model_file(data: RoleSet, cross: dict[str, Any]) -> dict[str, Any]:
    booster = fit_roles(data)
    return {
        "roles": list(ROLES),
        "model": to_flat(booster.dump_model()),
        "trained": {
            "seed": SEED,
            "params": {k: v for k, v in ROLE_PARAMS.items() if k != "verbose"},
            "rounds": ROLE_ROUNDS,
            "rows": {name: sum(tally.values()) for name, tally in data.counts.items()},
            "roles_per_dataset": data.counts,
            "cross_dataset": cross,
        },
    }
