"""Trust: calibrated per-field probabilities and the reject option.

Every extractor fills ``ExtractionResult.confidence`` with, per key field, the probability
that the value is right (calibrated on labelled receipts, see ``calibrator``), plus
``"receipt"`` for the receipt as a whole. ``apply_trust`` then decides: the result is ``ok``
only when it has no error flag and every key field clears its threshold
(``TrustSettings``, ``RECEIPTFLOW_TRUST__*``); otherwise it is ``flagged`` with one
``low_confidence`` error flag per doubtful field.
"""

from receiptflow.trust.decision import (
    LOW_CONFIDENCE,
    TRUST_FIELDS,
    apply_trust,
    doubtful_fields,
    low_confidence_flags,
)

__all__ = [
    "LOW_CONFIDENCE",
    "TRUST_FIELDS",
    "apply_trust",
    "doubtful_fields",
    "low_confidence_flags",
]
