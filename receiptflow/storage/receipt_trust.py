"""The receipt's probability of being right: what the review queue sorts by, riskiest first.

``confidence["receipt"]`` when the extractor gave one (the calibrated probability that the
receipt as a whole is right); otherwise the least likely of its key fields (the ones the reject
option judges, ``receiptflow.trust.TRUST_FIELDS``): a receipt is no more likely right than its
weakest key field. None when there is neither; the queue shows those first, as the riskiest.
Stored in ``receipts.trust`` so sorting and paging happen in SQL.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from receiptflow.trust import TRUST_FIELDS

RECEIPT_KEY = "receipt"


def _probability(value: Any) -> float | None:
    """A stored probability, or None for anything that is not one (old or hand-edited JSON)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def receipt_trust(confidence: Mapping[str, Any] | None) -> float | None:
    """The receipt's probability of being right from its confidence dict (see the module)."""
    if not confidence:
        return None
    whole = _probability(confidence.get(RECEIPT_KEY))
    if whole is not None:
        return whole
    fields = [_probability(confidence.get(name)) for name in TRUST_FIELDS]
    known = [value for value in fields if value is not None]
    return min(known) if known else None
