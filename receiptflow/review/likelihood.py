"""Probabilities in a reviewer's words: "93 % likely right", the doubtful ones highlighted.

The key fields (those the reject option judges) and the receipt as a whole carry a calibrated
probability that the value is right; a value is highlighted when it is below the field's
``RECEIPTFLOW_TRUST__*`` threshold, the one that flags it, or below ``LOW_PROBABILITY``
where the field has none. Other fields carry an uncalibrated extraction score, shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from receiptflow.trust import TRUST_FIELDS

if TYPE_CHECKING:
    from receiptflow.settings import TrustSettings

RECEIPT = "receipt"
LOW_PROBABILITY = 0.8  # highlighted below this where no trust threshold applies


@dataclass(frozen=True)
class Likelihood:
    probability: float
    calibrated: bool  # a probability that the value is right, not a raw score
    low: bool
    threshold: float

    @property
    def percent(self) -> str:
        """Whole percent, never rounded up to a certainty it is not (0.996 -> "99 %")."""
        if self.probability >= 1:
            return "100 %"
        if self.probability <= 0:
            return "0 %"
        return f"{min(max(round(self.probability * 100), 1), 99)} %"

    @property
    def text(self) -> str:
        return f"{self.percent} likely right" if self.calibrated else self.percent

    @property
    def title(self) -> str:
        if not self.calibrated:
            return "extraction score (not a calibrated probability)"
        if self.low:
            return f"doubtful: below {round(self.threshold * 100)} %, check it against the image"
        return "probability that this value is right"


def threshold_for(field: str, trust: TrustSettings) -> float:
    attribute = TRUST_FIELDS.get(field)
    threshold: float | None = getattr(trust, attribute) if attribute else None
    return LOW_PROBABILITY if threshold is None else threshold


def likelihood(field: str, probability: float | None, trust: TrustSettings) -> Likelihood | None:
    """How to show ``field``'s probability (a key field, ``"receipt"`` or any other field)."""
    if probability is None:
        return None
    threshold = threshold_for(field, trust)
    calibrated = field in TRUST_FIELDS or field == RECEIPT
    return Likelihood(probability, calibrated, probability < threshold, threshold)
