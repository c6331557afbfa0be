"""Trust: calibrated per-field probabilities and the reject option.

Every extractor fills ``ExtractionResult.confidence`` with, per key field, the probability
that the value is right (calibrated on labelled receipts, see ``calibrator``), plus
``"receipt"`` for the receipt as a whole. ``apply_trust`` then decides: the result is ``ok``
only when it has no error flag and every key field clears its threshold
(``TrustSettings``, ``RECEIPTFLOW_TRUST__*``); otherwise it is ``flagged`` with one
``low_confidence`` error flag per doubtful field. For ``openai`` and ``nemo`` answers the
probabilities come from ``llm`` (the evidence about each value, and a logistic model).
"""

from receiptflow.trust.decision import (
    LOW_CONFIDENCE,
    TRUST_FIELDS,
    apply_trust,
    doubtful_fields,
    low_confidence_flags,
)
from receiptflow.trust.llm import LlmTrustModel, load_llm_model

__all__ = [
    "LOW_CONFIDENCE",
    "TRUST_FIELDS",
    "LlmTrustModel",
    "apply_trust",
    "doubtful_fields",
    "load_llm_model",
    "low_confidence_flags",
]
