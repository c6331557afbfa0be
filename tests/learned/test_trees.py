"""The numpy tree walker scores exactly as LightGBM does on real models."""

from __future__ import annotations

import json

import lightgbm as lgb  # a dev dependency: trains the shipped models
import numpy as np
import pytest

from receiptflow.learned.trees import TreeEnsemble, to_flat


def _data(seed: int, rows: int = 600) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    matrix = rng.normal(size=(rows, 6)).astype(np.float32)
    matrix[:, 3] = rng.integers(0, 2, size=rows)  # a 0/1 flag, like the keyword features
    matrix[rng.random(rows) < 0.1, 4] = np.nan  # some missing values
    labels = (matrix[:, 0] + 2 * matrix[:, 3] - np.nan_to_num(matrix[:, 4]) > 0.5).astype(int)
    labels += (matrix[:, 1] > 1).astype(int)
    return matrix, labels


@pytest.mark.parametrize("objective", ["binary", "multiclass"])
def test_scores_match_lightgbm(objective: str) -> None:
    matrix, labels = _data(1)
    params = {"objective": objective, "num_leaves": 7, "verbose": -1, "seed": 3}
    if objective == "binary":
        labels = (labels > 0).astype(int)
    else:
        params["num_class"] = 3
    booster = lgb.train(params, lgb.Dataset(matrix, labels), num_boost_round=30)
    flat = json.loads(json.dumps(to_flat(booster.dump_model())))  # through JSON, as shipped
    ensemble = TreeEnsemble.from_flat(flat)
    fresh, _ = _data(2, rows=300)
    fresh[:5, 4] = 0.0
    np.testing.assert_allclose(
        ensemble.predict(fresh), booster.predict(fresh), rtol=1e-9, atol=1e-12
    )


def test_zero_as_missing_goes_the_default_way() -> None:
    matrix, labels = _data(4)
    matrix[:, 2] = np.where(np.arange(len(matrix)) % 3 == 0, 0.0, matrix[:, 2])
    params = {"objective": "binary", "num_leaves": 5, "verbose": -1, "zero_as_missing": True}
    booster = lgb.train(params, lgb.Dataset(matrix, (labels > 0).astype(int)), num_boost_round=10)
    ensemble = TreeEnsemble.from_flat(to_flat(booster.dump_model()))
    np.testing.assert_allclose(ensemble.predict(matrix), booster.predict(matrix), rtol=1e-9)


def test_wrong_shapes_and_formats_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown model format"):
        TreeEnsemble.from_flat({"format": "pickle"})
    matrix, labels = _data(5)
    booster = lgb.train({"objective": "binary", "verbose": -1}, lgb.Dataset(matrix, labels > 0), 3)
    ensemble = TreeEnsemble.from_flat(to_flat(booster.dump_model()))
    with pytest.raises(ValueError, match="features"):
        ensemble.predict(np.zeros((2, 4)))
