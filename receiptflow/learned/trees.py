"""Gradient-boosted trees trained by LightGBM, evaluated with numpy alone.

The training script turns ``Booster.dump_model()`` into flat arrays (``to_flat``) and stores
them as JSON inside the package; extraction reads that file once and scores rows here, so it
never imports LightGBM (whose import also pulls in scikit-learn: over a second on two cores).
The decisions follow LightGBM's own rules for numerical splits (``value <= threshold`` goes
left; a missing value, NaN or zero by the split's missing type, goes the default way), and a
test checks the scores against LightGBM's ``predict`` on real models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

_MISSING = {"None": 0, "Zero": 1, "NaN": 2}
_ZERO = 1e-35  # LightGBM's kZeroThreshold


def _flatten(root: dict[str, Any]) -> dict[str, list[Any]]:
    """One tree as node rows ``[feature, threshold, left, right, default_left, missing]``
    and leaf values; a child index below zero is leaf ``-(index + 1)``."""
    nodes: list[list[Any]] = []
    leaves: list[float] = []

    def walk(node: dict[str, Any]) -> int:
        if "leaf_value" in node:
            leaves.append(float(node["leaf_value"]))
            return -len(leaves)
        if node.get("decision_type", "<=") != "<=":
            raise ValueError("only numerical splits are supported")
        index = len(nodes)
        nodes.append([])
        left, right = walk(node["left_child"]), walk(node["right_child"])
        nodes[index] = [
            int(node["split_feature"]),
            float(node["threshold"]),
            left,
            right,
            int(bool(node["default_left"])),
            _MISSING[node["missing_type"]],
        ]
        return index

    walk(root)
    return {"nodes": nodes, "leaves": leaves}


def to_flat(dump: dict[str, Any]) -> dict[str, Any]:
    """``Booster.dump_model()`` -> a compact JSON-ready dict of per-tree node arrays."""
    objective = str(dump.get("objective", ""))
    return {
        "format": "receiptflow-trees/1",
        "objective": objective.split()[0],
        "num_class": int(dump["num_class"]),
        "feature_names": list(dump["feature_names"]),
        "trees": [_flatten(info["tree_structure"]) for info in dump["tree_info"]],
    }


@dataclass
class TreeEnsemble:
    """All trees padded into (trees x nodes) arrays, walked together one level at a time."""

    objective: str
    num_class: int
    feature_names: list[str]
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    default_left: np.ndarray
    missing: np.ndarray
    leaf_value: np.ndarray
    start: np.ndarray  # the first node of each tree (-1 for a tree that is a single leaf)

    @classmethod
    def from_flat(cls, flat: dict[str, Any]) -> TreeEnsemble:
        if flat.get("format") != "receiptflow-trees/1":
            raise ValueError(f"unknown model format {flat.get('format')!r}")
        trees = flat["trees"]
        width = max((len(tree["nodes"]) for tree in trees), default=0) or 1
        leaves = max(len(tree["leaves"]) for tree in trees)
        shape = (len(trees), width)
        feature = np.zeros(shape, dtype=np.int32)
        threshold = np.zeros(shape, dtype=np.float64)
        left = np.full(shape, -1, dtype=np.int32)
        right = np.full(shape, -1, dtype=np.int32)
        default_left = np.zeros(shape, dtype=bool)
        missing = np.zeros(shape, dtype=np.int8)
        leaf_value = np.zeros((len(trees), leaves), dtype=np.float64)
        start = np.zeros(len(trees), dtype=np.int32)
        for index, tree in enumerate(trees):
            for position, node in enumerate(tree["nodes"]):
                (
                    feature[index, position],
                    threshold[index, position],
                    left[index, position],
                    right[index, position],
                    default_left[index, position],
                    missing[index, position],
                ) = node
            leaf_value[index, : len(tree["leaves"])] = tree["leaves"]
            start[index] = 0 if tree["nodes"] else -1
        return cls(
            str(flat["objective"]),
            int(flat["num_class"]),
            list(flat["feature_names"]),
            feature,
            threshold,
            left,
            right,
            default_left,
            missing,
            leaf_value,
            start,
        )

    def raw_scores(self, matrix: np.ndarray) -> np.ndarray:
        """Summed leaf values per class: (rows x classes)."""
        values = np.asarray(matrix, dtype=np.float64)
        if values.ndim != 2 or values.shape[1] != len(self.feature_names):
            raise ValueError(f"expected (rows, {len(self.feature_names)}) features")
        rows, trees = values.shape[0], len(self.start)
        node = np.broadcast_to(self.start, (rows, trees)).copy()
        tree_index = np.broadcast_to(np.arange(trees), (rows, trees))
        row_index = np.broadcast_to(np.arange(rows)[:, None], (rows, trees))
        while True:
            inner = node >= 0
            if not inner.any():
                break
            t, r, n = tree_index[inner], row_index[inner], node[inner]
            value = values[r, self.feature[t, n]]
            kind = self.missing[t, n]
            nan = np.isnan(value)
            value = np.where(nan & (kind != 2), 0.0, value)
            is_missing = ((kind == 1) & (np.abs(value) <= _ZERO)) | ((kind == 2) & nan)
            go_left = np.where(is_missing, self.default_left[t, n], value <= self.threshold[t, n])
            node[inner] = np.where(go_left, self.left[t, n], self.right[t, n])
        leaves = self.leaf_value[tree_index, -node - 1]
        per_class = leaves.reshape(rows, trees // self.num_class, self.num_class)
        return np.asarray(per_class.sum(axis=1))

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """Probabilities: (rows x classes) for multiclass, (rows,) for binary."""
        raw = self.raw_scores(matrix)
        if self.objective == "multiclass":
            shifted = np.exp(raw - raw.max(axis=1, keepdims=True))
            return np.asarray(shifted / shifted.sum(axis=1, keepdims=True))
        if self.objective == "binary":
            return np.asarray(1.0 / (1.0 + np.exp(-raw[:, 0])))
        return np.asarray(raw[:, 0])
