"""The line-role classifier: what each printed row of a receipt is.

A small gradient-boosted tree model (LightGBM, trained by ``scripts/train_models.py`` on
WildReceipt photos, SROIE scans, CORD and synthetic receipts in eight languages) reads each
row's ``row_features`` and gives a probability per role in ``ROLES``. The rules stay: they
find candidates and their decisions are features; the roles settle what the rules cannot
(which of several totals is due, which top row is the shop, which rows are items).
"""

from __future__ import annotations

import functools

import numpy as np

from receiptflow.extractors.local.layout import Row
from receiptflow.extractors.local.row_features import FEATURE_NAMES, RuleView, row_feature_matrix
from receiptflow.learned.files import BUNDLED, ModelFileError, load_model
from receiptflow.learned.trees import TreeEnsemble

ROLES: tuple[str, ...] = (
    "other",
    "merchant",
    "address",
    "date",
    "item",
    "item_price",
    "quantity",
    "subtotal",
    "tax",
    "total",
    "payment",
    "change",
)
MODEL_FILE = "row_roles.json"


class RoleModel:
    def __init__(self, ensemble: TreeEnsemble, version: str) -> None:
        if tuple(ensemble.feature_names) != FEATURE_NAMES:
            raise ModelFileError(
                f"{MODEL_FILE} was trained on other row features; retrain it "
                "(python scripts/train_models.py)"
            )
        self.ensemble = ensemble
        self.version = version

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Role probabilities, rows x ``ROLES``."""
        if not len(features):
            return np.zeros((0, len(ROLES)))
        return self.ensemble.predict(features)


@functools.cache
def role_model(source: str = BUNDLED) -> RoleModel:
    """The bundled classifier, or the model file at path ``source``."""
    data = load_model(MODEL_FILE, source)
    if tuple(data.get("roles", ())) != ROLES:
        raise ModelFileError(f"{source}: not a line-role model with the roles {ROLES}")
    try:
        ensemble = TreeEnsemble.from_flat(data["model"])
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{source}: not a line-role model ({error!r})") from error
    return RoleModel(ensemble, data["version"])


@functools.cache
def role_index(role: str) -> int:
    return ROLES.index(role)


def row_roles(
    rows: list[Row], rules: RuleView, *, decimal_comma: bool | None, source: str = BUNDLED
) -> np.ndarray:
    """Probability of each role for each row (rows x ``ROLES``)."""
    features = row_feature_matrix(rows, rules, decimal_comma=decimal_comma)
    return role_model(source).predict(features)
