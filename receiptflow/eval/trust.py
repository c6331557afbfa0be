"""Flags you can trust: does ``ok`` mean right, and does a probability mean what it says?

An accountant skips receipts whose status is ``ok``. These figures, computed from one
``Outcome`` per receipt (its status, which key fields the dataset labels, which of them the
extractor got right, and the extractor's probability per field), say what that costs:

- **passed unflagged**: the share of receipts with status ``ok`` (a person never sees them);
- **wrong among unflagged**: of the ``ok`` receipts that label a checked field (date or total
  by default), the share with a checked field wrong. Only labelled fields count: a receipt
  whose dataset labels neither is not judged. A labelled field the extractor left empty is
  wrong;
- **wrong caught**: of the receipts with a checked field wrong, the share that was not ``ok``
  (``flagged`` or ``failed``: either way a person looks at it);
- per field: accuracy on the receipts that label it, and the calibration of its probability
  (``calibration``: reliability bins and expected calibration error). A value with no
  probability (the extractor gave none, or found nothing) is left out of the calibration and
  counted as ``without_probability``.

``"receipt"`` is the receipt as a whole: right when every labelled field of the outcome is
right, judged against ``confidence["receipt"]``.

Any dataset can use this: build ``Outcome``s (or anything with the same attributes) and call
``trust_figures``; ``to_dict()`` is the JSON ``trust`` block, ``render()`` the text tables.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from receiptflow.eval.calibration import (
    BINNING,
    DEFAULT_BINS,
    Calibration,
    calibration,
    rounded,
)

CHECKED_FIELDS = ("date", "total")
RECEIPT = "receipt"
OK = "ok"
# Outcome field names that stand for another confidence key (WildReceipt says "merchant").
PROBABILITY_KEYS = {"merchant": "merchant.name", "company": "merchant.name"}


@dataclass
class Outcome:
    """One receipt's key fields: labelled or not, and right or not."""

    receipt_id: str
    status: str
    labelled: dict[str, bool] = field(default_factory=dict)
    right: dict[str, bool] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)


class ScoredReceipt(Protocol):
    """What the figures read from a receipt's outcome (``Outcome`` has it)."""

    @property
    def receipt_id(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def labelled(self) -> Mapping[str, bool]: ...

    @property
    def right(self) -> Mapping[str, bool]: ...

    @property
    def confidence(self) -> Mapping[str, float]: ...


def field_key(name: str) -> str:
    """The confidence key an outcome's field is judged by ("merchant" -> "merchant.name")."""
    return PROBABILITY_KEYS.get(name, name)


def _verdicts(outcome: ScoredReceipt) -> dict[str, bool]:
    """Labelled fields under their confidence keys -> right or not."""
    return {
        field_key(name): bool(outcome.right.get(name))
        for name, labelled in outcome.labelled.items()
        if labelled
    }


def _status(outcome: ScoredReceipt) -> str:
    return str(getattr(outcome.status, "value", outcome.status))


@dataclass(frozen=True)
class FieldTrust:
    labelled: int
    right: int
    unflagged_wrong: int  # ok receipts where this labelled field is wrong
    without_probability: int
    calibration: Calibration

    @property
    def accuracy(self) -> float | None:
        return _share(self.right, self.labelled)

    def to_dict(self) -> dict[str, Any]:
        return {
            "labelled": self.labelled,
            "right": self.right,
            "accuracy": rounded(self.accuracy),
            "unflagged_wrong": self.unflagged_wrong,
            "without_probability": self.without_probability,
            **self.calibration.to_dict(),
        }


@dataclass(frozen=True)
class TrustFigures:
    receipts: int
    statuses: dict[str, int]
    checked: tuple[str, ...]
    judged_unflagged: int  # ok receipts that label at least one checked field
    wrong_unflagged: int  # ... of which a checked field is wrong
    wrong: int  # receipts with a checked field wrong, whatever their status
    caught: int  # ... of which not ok
    fields: dict[str, FieldTrust]
    bins: int = DEFAULT_BINS
    # which ok receipts were wrong: the ones to look at when the share is not zero
    wrong_unflagged_ids: tuple[str, ...] = ()

    @property
    def passed(self) -> int:
        return self.statuses.get(OK, 0)

    @property
    def passed_share(self) -> float | None:
        return _share(self.passed, self.receipts)

    @property
    def unflagged_wrong_share(self) -> float | None:
        return _share(self.wrong_unflagged, self.judged_unflagged)

    @property
    def caught_share(self) -> float | None:
        return _share(self.caught, self.wrong)

    def to_dict(self) -> dict[str, Any]:
        checked = " or ".join(self.checked)
        return {
            "receipts": self.receipts,
            "statuses": dict(sorted(self.statuses.items())),
            "passed_unflagged": {"receipts": self.passed, "share": rounded(self.passed_share)},
            "wrong_among_unflagged": {
                "fields": list(self.checked),
                "judged": self.judged_unflagged,
                "wrong": self.wrong_unflagged,
                "share": rounded(self.unflagged_wrong_share),
                "receipt_ids": list(self.wrong_unflagged_ids),
                "note": f"ok receipts that label {checked}; only labelled fields count, "
                "a labelled field left empty is wrong",
            },
            "wrong_caught": {
                "fields": list(self.checked),
                "wrong": self.wrong,
                "caught": self.caught,
                "share": rounded(self.caught_share),
                "note": f"receipts with a labelled {checked} wrong that were flagged or failed",
            },
            "calibration": {
                "bins": self.bins,
                "binning": f"{BINNING} over [0, 1]",
                "without_probability": "labelled values with no probability are left out",
            },
            "fields": {name: figures.to_dict() for name, figures in self.fields.items()},
        }

    def render(self) -> list[Any]:
        from receiptflow.eval.trust_render import render_trust

        return render_trust(self)


def trust_figures(
    outcomes: Iterable[ScoredReceipt],
    *,
    checked: tuple[str, ...] = CHECKED_FIELDS,
    bins: int = DEFAULT_BINS,
) -> TrustFigures:
    """The trust figures of a dataset run; ``checked``: the fields whose being wrong makes a
    receipt wrong (date and total; CORD labels no date, so there only the total counts)."""
    statuses: Counter[str] = Counter()
    judged = wrong_unflagged = wrong = caught = 0
    wrong_unflagged_ids: list[str] = []
    per_field: dict[str, _FieldTally] = {}
    for outcome in outcomes:
        status = _status(outcome)
        statuses[status] += 1
        verdicts = _verdicts(outcome)
        is_wrong = any(not verdicts[name] for name in checked if name in verdicts)
        if status == OK and any(name in verdicts for name in checked):
            judged += 1
            wrong_unflagged += is_wrong
            if is_wrong:
                wrong_unflagged_ids.append(outcome.receipt_id)
        wrong += is_wrong
        caught += is_wrong and status != OK
        if verdicts:
            verdicts[RECEIPT] = all(verdicts.values())
        for name, right in verdicts.items():
            tally = per_field.setdefault(name, _FieldTally())
            tally.add(right, outcome.confidence.get(name), unflagged=status == OK)
    return TrustFigures(
        receipts=sum(statuses.values()),
        statuses=dict(statuses),
        checked=checked,
        judged_unflagged=judged,
        wrong_unflagged=wrong_unflagged,
        wrong=wrong,
        caught=caught,
        fields={name: per_field[name].figures(bins) for name in _ordered(per_field)},
        bins=bins,
        wrong_unflagged_ids=tuple(wrong_unflagged_ids),
    )


@dataclass
class _FieldTally:
    labelled: int = 0
    right: int = 0
    unflagged_wrong: int = 0
    without_probability: int = 0
    pairs: list[tuple[float, bool]] = field(default_factory=list)

    def add(self, right: bool, probability: float | None, *, unflagged: bool) -> None:
        self.labelled += 1
        self.right += right
        self.unflagged_wrong += unflagged and not right
        if probability is None:
            self.without_probability += 1
        else:
            self.pairs.append((float(probability), right))

    def figures(self, bins: int) -> FieldTrust:
        return FieldTrust(
            labelled=self.labelled,
            right=self.right,
            unflagged_wrong=self.unflagged_wrong,
            without_probability=self.without_probability,
            calibration=calibration(self.pairs, bins),
        )


def _ordered(names: Iterable[str]) -> list[str]:
    """Fields in a stable order, the receipt as a whole last."""
    return sorted(names, key=lambda name: (name == RECEIPT, name))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
