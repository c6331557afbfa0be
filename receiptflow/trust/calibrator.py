"""The shipped calibrator: signals of a reading -> the probability that each field is right.

Per key field, a small LightGBM scorer over the field's signals (``local_signals``) followed
by an isotonic map fitted on scores the scorer made for receipts of datasets it was not
trained on, so its output reads as a frequency: of values given 0.9, about nine in ten are
right. The receipt as a whole gets a logistic model over the fields' probabilities. All of it
is one JSON file (``receiptflow/learned/data/trust_local.json``) written by
``scripts/train_models.py`` and read once.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from receiptflow.learned.files import BUNDLED, ModelFileError, load_model
from receiptflow.learned.trees import TreeEnsemble

MODEL_FILE = "trust_local.json"
RECEIPT = "receipt"
_EPSILON = 1e-4


def logit(probability: float) -> float:
    clipped = min(max(probability, _EPSILON), 1 - _EPSILON)
    return math.log(clipped / (1 - clipped))


@dataclass
class FieldCalibrator:
    signals: tuple[str, ...]
    scorer: TreeEnsemble
    isotonic_x: np.ndarray
    isotonic_y: np.ndarray

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FieldCalibrator:
        return cls(
            tuple(data["signals"]),
            TreeEnsemble.from_flat(data["scorer"]),
            np.asarray(data["isotonic"]["x"], dtype=np.float64),
            np.asarray(data["isotonic"]["y"], dtype=np.float64),
        )

    def probability(self, vector: np.ndarray) -> float:
        score = float(self.scorer.predict(vector.reshape(1, -1))[0])
        return float(np.interp(score, self.isotonic_x, self.isotonic_y))


@dataclass
class ReceiptCalibrator:
    """Logistic model over the fields' log-odds (a missing field counts as very unlikely)."""

    fields: tuple[str, ...]
    coefficients: np.ndarray
    intercept: float

    def probability(self, probabilities: dict[str, float]) -> float:
        values = np.array([logit(probabilities.get(name, 0.0)) for name in self.fields])
        return 1.0 / (1.0 + math.exp(-(float(values @ self.coefficients) + self.intercept)))


class Calibrator:
    def __init__(self, data: dict[str, Any], expected: dict[str, tuple[str, ...]]) -> None:
        self.version = str(data.get("version", ""))
        self.fields: dict[str, FieldCalibrator] = {}
        for name, part in data["fields"].items():
            calibrator = FieldCalibrator.from_json(part)
            if calibrator.signals != expected.get(name):
                raise ModelFileError(
                    f"{MODEL_FILE}: the signals of {name!r} changed since it was trained; "
                    "retrain it (python scripts/train_models.py)"
                )
            self.fields[name] = calibrator
        receipt = data[RECEIPT]
        self.receipt = ReceiptCalibrator(
            tuple(receipt["fields"]),
            np.asarray(receipt["coefficients"], dtype=np.float64),
            float(receipt["intercept"]),
        )

    def probabilities(
        self,
        signals: dict[str, np.ndarray],
        present: set[str],
        contradicted: frozenset[str] = frozenset(),
    ) -> dict[str, float]:
        """Probability per field that has a value (``present``), capped by how it was read
        (``capped``), plus the receipt's."""
        found = capped(
            {
                name: calibrator.probability(signals[name])
                for name, calibrator in self.fields.items()
                if name in present and name in signals
            },
            signals,
            contradicted,
        )
        found = {name: round(value, 4) for name, value in found.items()}
        found[RECEIPT] = round(self.receipt.probability(found), 4)
        return found


# A date read only after undoing OCR's slips in it ("201o" for a year, "Ju119'14", "20Nar'17")
# was right 9 times of 10 on the development photos and scans (the one wrong: "201o" printed
# 2016, an o for a 6). The repair may have guessed the digit the photo lost, so such a date is
# never worth more than that, whatever the scorer learnt: a threshold above it flags it.
REPAIRED_DATE_CEILING = 0.9


# Findings (flag codes) by which another part of the receipt contradicts the flag's field:
# the day of the week printed beside the date is not the date's. Such a field is more likely
# wrong than right, whatever its own reading looks like.
CONTRADICTIONS = frozenset({"weekday_mismatch"})
CONTRADICTED_CEILING = 0.5


def capped(
    probabilities: dict[str, float],
    signals: dict[str, np.ndarray],
    contradicted: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """Each field's probability at most what its reading allows (a repaired date: the
    ceiling; a field the receipt contradicts, ``contradicted``: below one half). Run time and
    training (``learned/calibration``) both call this, so the thresholds training chooses
    judge the probabilities the extractor gives."""
    from receiptflow.trust.local_signals import FIELD_SIGNALS

    found = dict(probabilities)
    date = signals.get("date")
    if "date" in found and date is not None and date[FIELD_SIGNALS["date"].index("repaired")]:
        found["date"] = min(found["date"], REPAIRED_DATE_CEILING)
    for name in contradicted & found.keys():
        found[name] = min(found[name], CONTRADICTED_CEILING)
    return found


@functools.cache
def local_calibrator(source: str = BUNDLED) -> Calibrator:
    """The bundled calibrator of the local extractor, or the model file at path ``source``."""
    from receiptflow.trust.local_signals import FIELD_SIGNALS

    try:
        return Calibrator(load_model(MODEL_FILE, source), FIELD_SIGNALS)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{source}: not a calibrator model file ({error!r})") from error
