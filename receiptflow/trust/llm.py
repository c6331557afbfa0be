"""Per-field probabilities for LLM answers (``openai``, ``nemo``): evidence -> logistic model.

For each key field the model gave a value for, the evidence that the value can be trusted:

- ``grounded`` / ``ungrounded``: the value is (not) printed in the source text, the OCR lines
  or PDF text layer (both 0 when there is no text to look in; a name's similarity is a degree);
- ``arith_ok`` / ``arith_bad``: a check of the receipt's arithmetic that involves the field
  passed / an error flag stands on the field; ``receipt_bad``: an error flag stands anywhere;
- ``has_logprob`` / ``logprob``: the server returned token logprobs, and the lowest log
  probability among the value's tokens (clipped at ``LOGPROB_FLOOR``);
- ``agrees`` / ``disagrees``: the ``local`` extractor read the same value / another one.

A logistic model per field turns them into the probability that the value is right. Its
coefficients are a JSON file in this package (``llm_model.json``), fitted by
``scripts/fit_llm_trust.py`` and replaceable with a refit (``LlmSettings.trust_model``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from receiptflow.errors import ConfigError
from receiptflow.extractors.base import ExtractionResult
from receiptflow.llm.grounding import SourceText, name_key
from receiptflow.schemas.flags import Flag, Severity
from receiptflow.trust.decision import apply_trust

if TYPE_CHECKING:
    from receiptflow.schemas.receipt import Receipt
    from receiptflow.settings import TrustSettings

KEY_FIELDS = ("merchant.name", "date", "total", "subtotal", "taxes", "line_items")
FEATURES = (
    "grounded",
    "ungrounded",
    "arith_ok",
    "arith_bad",
    "receipt_bad",
    "has_logprob",
    "logprob",
    "agrees",
    "disagrees",
)
LOGPROB_FLOOR = -10.0  # ln(4.5e-5): below this a token is simply "very unlikely"
BUNDLED_MODEL = Path(__file__).with_name("llm_model.json")
Features = dict[str, float]


@dataclass(frozen=True)
class FieldModel:
    intercept: float
    weights: dict[str, float]

    def probability(self, features: Features) -> float:
        score = self.intercept + sum(
            weight * features.get(name, 0.0) for name, weight in self.weights.items()
        )
        return 1.0 / (1.0 + math.exp(-score))


@dataclass(frozen=True)
class LlmTrustModel:
    version: str  # digest of the coefficients: a refit is a new version
    fields: dict[str, FieldModel]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LlmTrustModel:
        fields = {
            name: FieldModel(float(entry["intercept"]), dict(entry["weights"]))
            for name, entry in data["fields"].items()
        }
        unknown = {key for model in fields.values() for key in model.weights} - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features in the trust model: {sorted(unknown)}")
        canonical = json.dumps(data["fields"], sort_keys=True).encode()
        return cls(f"llm-{hashlib.sha256(canonical).hexdigest()[:12]}", fields)

    def probabilities(self, features: dict[str, Features]) -> dict[str, float]:
        return {
            field: round(self.fields[field].probability(values), 4)
            for field, values in features.items()
            if field in self.fields
        }


@functools.cache
def load_llm_model(path: str = "bundled") -> LlmTrustModel:
    """The trust model at ``path`` ("bundled": the one shipped in this package), read once.
    One that cannot be read is a configuration error, found when the extractor is built."""
    file = BUNDLED_MODEL if path == "bundled" else Path(path).expanduser()
    try:
        return LlmTrustModel.from_json(json.loads(file.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(
            f"cannot use the LLM trust model {file} (RECEIPTFLOW_LLM__TRUST_MODEL): {error}"
        ) from error


@functools.cache
def llm_model_version(path: str = "bundled") -> str:
    """The content hash of the LLM trust model file (part of the flow cache key)."""
    file = BUNDLED_MODEL if path == "bundled" else Path(path).expanduser()
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()[:12]
    except OSError:
        return "missing"


# -- evidence per field ----------------------------------------------------------------------


def _present(receipt: Receipt) -> list[str]:
    values = {
        "merchant.name": receipt.merchant.name,
        "date": receipt.date,
        "total": receipt.total,
        "subtotal": receipt.subtotal,
        "taxes": receipt.taxes,
        "line_items": [item for item in receipt.line_items if item.amount is not None],
    }
    return [field for field, value in values.items() if value not in (None, [], "")]


def _field_of(flag: Flag) -> str | None:
    """The key field a flag is about: "line_items.2.amount" -> "line_items"."""
    path = flag.field or ""
    return next((key for key in KEY_FIELDS if path == key or path.startswith(f"{key}.")), None)


def grounding(
    receipt: Receipt, source: SourceText | None
) -> tuple[dict[str, float], dict[str, str]]:
    """Key field -> share of its value printed in ``source`` (0..1), and the printed text."""
    if source is None:
        return {}, {}
    share: dict[str, float] = {}
    printed: dict[str, str] = {}

    def amounts(field: str, values: list[Decimal]) -> None:
        found = [source.amount(value, receipt.currency) for value in values]
        share[field] = sum(text is not None for text in found) / len(values)
        if len(values) == 1 and found[0] is not None:
            printed[field] = found[0]

    for field in ("total", "subtotal"):
        value = getattr(receipt, field)
        if value is not None:
            amounts(field, [value])
    if receipt.taxes:
        amounts("taxes", [tax.amount for tax in receipt.taxes])
    items = [item.amount for item in receipt.line_items if item.amount is not None]
    if items:
        amounts("line_items", items)
    if receipt.date is not None:
        text = source.date(receipt.date)
        share["date"] = float(text is not None)
        if text is not None:
            printed["date"] = text
    if receipt.merchant.name:
        similarity, text = source.name(receipt.merchant.name)
        share["merchant.name"] = similarity
        if text is not None and similarity >= 0.8:
            printed["merchant.name"] = text
    return share, printed


# The receipt's sums and the key fields each one involves: a failed sum speaks against all
# of them (a dropped item and a misread subtotal fail items-vs-subtotal alike).
SUM_CHECKS: dict[str, tuple[str, ...]] = {
    "items_vs_subtotal": ("line_items", "subtotal"),
    "total_mismatch": ("total", "subtotal", "taxes"),
    "items_vs_total": ("total", "line_items", "taxes"),
}


def _sums_run(receipt: Receipt) -> list[str]:
    """The sums ``validate_receipt`` can check on this receipt (see its ``_check_total``)."""
    items = bool(receipt.line_items) and all(i.amount is not None for i in receipt.line_items)
    run = []
    if items and receipt.subtotal is not None:
        run.append("items_vs_subtotal")
    if receipt.total is not None and receipt.subtotal is not None:
        run.append("total_mismatch")
    elif receipt.total is not None and items:
        run.append("items_vs_total")
    return run


def arithmetic(receipt: Receipt, flags: list[Flag]) -> dict[str, int]:
    """Key field -> +1 when a sum that involves it adds up, -1 when an error flag stands on
    it or on a sum it is part of, 0 when nothing checks it."""
    errors = [flag for flag in flags if flag.severity is Severity.ERROR]
    failed = {flag.code for flag in errors}
    bad = {field for code in failed for field in SUM_CHECKS.get(code, ())}
    bad |= {field for flag in errors if (field := _field_of(flag)) is not None}
    good = {
        field for code in _sums_run(receipt) if code not in failed for field in SUM_CHECKS[code]
    }
    return {field: -1 if field in bad else int(field in good) for field in KEY_FIELDS}


def _same(field: str, one: Receipt, other: Receipt) -> bool | None:
    """Whether two receipts read a field the same; None when ``other`` has no value."""
    if field == "merchant.name":
        name = name_key(other.merchant.name)
        return (name_key(one.merchant.name) == name) if name else None
    if field in ("date", "total", "subtotal"):
        value = getattr(other, field)
        return None if value is None else getattr(one, field) == value
    if field == "taxes":
        if not other.taxes:
            return None
        return Counter(t.amount for t in one.taxes) == Counter(t.amount for t in other.taxes)
    theirs = Counter(item.amount for item in other.line_items if item.amount is not None)
    if not theirs:
        return None
    return Counter(item.amount for item in one.line_items if item.amount is not None) == theirs


def assess(
    receipt: Receipt,
    flags: list[Flag],
    *,
    source: SourceText | None = None,
    value_probabilities: dict[str, float] | None = None,
    local: Receipt | None = None,
) -> tuple[dict[str, Features], dict[str, str]]:
    """The evidence about each key field that has a value (see the module docstring), and
    the printed text of the grounded ones."""
    grounded, printed = grounding(receipt, source)
    checks = arithmetic(receipt, flags)
    receipt_bad = float(any(flag.severity is Severity.ERROR for flag in flags))
    features: dict[str, Features] = {}
    for field in _present(receipt):
        values: Features = dict.fromkeys(FEATURES, 0.0)
        if field in grounded:
            values["grounded"] = grounded[field]
            values["ungrounded"] = 1.0 - grounded[field]
        values["arith_ok"] = float(checks[field] > 0)
        values["arith_bad"] = float(checks[field] < 0)
        values["receipt_bad"] = receipt_bad
        probability = (value_probabilities or {}).get(field)
        if probability is not None:
            values["has_logprob"] = 1.0
            values["logprob"] = max(LOGPROB_FLOOR, math.log(max(probability, 1e-300)))
        same = _same(field, receipt, local) if local is not None else None
        values["agrees"] = float(same is True)
        values["disagrees"] = float(same is False)
        features[field] = values
    return features, printed


def judge(
    result: ExtractionResult,
    features: dict[str, Features],
    model: LlmTrustModel,
    trust: TrustSettings,
    printed: dict[str, str] | None = None,
) -> ExtractionResult:
    """The result with its per-field probabilities (and the whole receipt's: their product),
    the printed text behind grounded values, and the reject option applied."""
    confidence = model.probabilities(features)
    if confidence:
        confidence["receipt"] = round(math.prod(confidence.values()), 4)
    evidence = {**result.evidence, **(printed or {})}
    judged = result.model_copy(update={"confidence": confidence, "evidence": evidence})
    return apply_trust(judged, trust)
