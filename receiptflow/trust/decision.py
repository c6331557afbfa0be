"""The reject option: ``ok`` only when every key field's probability clears its threshold.

A field's probability is ``ExtractionResult.confidence[field]``. A key field without a value
is not judged here: validation already flags a missing date or total as an error, and an
optional field (subtotal, taxes) that the receipt does not print is simply absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.schemas.flags import Flag, Severity, has_errors

if TYPE_CHECKING:
    from receiptflow.settings import TrustSettings

LOW_CONFIDENCE = "low_confidence"
# Arithmetic findings that are evidence about a field rather than a verdict on the receipt:
# items that do not add up to the subtotal usually mean an item was misread, not that the
# total is wrong. The calibrator weighs them into each field's probability, so under the
# reject option they stay on the receipt as warnings and the probabilities decide.
ARITHMETIC = frozenset(
    {
        "items_vs_total",
        "items_vs_subtotal",
        "total_mismatch",
        "line_amount_mismatch",
        "tax_rate_mismatch",
        "change_mismatch",
    }
)
# confidence keys judged by the reject option, with the TrustSettings attribute of each
TRUST_FIELDS: dict[str, str] = {
    "merchant.name": "merchant_name",
    "date": "date",
    "total": "total",
    "subtotal": "subtotal",
    "taxes": "taxes",
    "line_items": "line_items",
}


def doubtful_fields(result: ExtractionResult, trust: TrustSettings) -> dict[str, float]:
    """Key fields whose probability is below their threshold (the thresholds of the
    result's method, ``TrustSettings.for_method``): field -> probability."""
    trust = trust.for_method(result.method)
    doubtful: dict[str, float] = {}
    for field, attribute in TRUST_FIELDS.items():
        threshold: float | None = getattr(trust, attribute)
        probability = result.confidence.get(field)
        if threshold is None or probability is None:
            continue
        if probability < threshold:
            doubtful[field] = probability
    return doubtful


def low_confidence_flags(result: ExtractionResult, trust: TrustSettings) -> list[Flag]:
    """One error flag per doubtful field, naming the field, its probability, the threshold
    and the printed text it was read from."""
    flags = []
    for field, probability in doubtful_fields(result, trust).items():
        threshold = getattr(trust.for_method(result.method), TRUST_FIELDS[field])
        printed = result.evidence.get(field)
        message = f"{field}: probability {probability:.2f} is below {threshold:.2f}"
        if printed:
            message += f" (read from {printed!r})"
        flags.append(Flag(code=LOW_CONFIDENCE, field=field, message=message))
    return flags


def _as_evidence(flag: Flag) -> Flag:
    if flag.code in ARITHMETIC and flag.severity is Severity.ERROR:
        return flag.model_copy(update={"severity": Severity.WARNING})
    return flag


def apply_trust(result: ExtractionResult, trust: TrustSettings) -> ExtractionResult:
    """The result with its ``low_confidence`` flags replaced and its status decided again:
    ``flagged`` when any error flag stands, ``ok`` otherwise; ``failed`` stays failed.
    Arithmetic findings (``ARITHMETIC``) become warnings: the probabilities weigh them."""
    if result.status is ExtractionStatus.FAILED or not trust.enabled:
        return result
    kept = [_as_evidence(flag) for flag in result.flags if flag.code != LOW_CONFIDENCE]
    flags = [*kept, *low_confidence_flags(result, trust)]
    status = ExtractionStatus.FLAGGED if has_errors(flags) else ExtractionStatus.OK
    return result.model_copy(update={"flags": flags, "status": status})
