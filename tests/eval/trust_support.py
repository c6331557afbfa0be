"""Hand-made outcomes for the trust-figure tests: six receipts, each a case that matters."""

from __future__ import annotations

from receiptflow.eval.trust import Outcome


def outcome(
    receipt_id: str,
    status: str,
    right: dict[str, bool | None],
    confidence: dict[str, float] | None = None,
) -> Outcome:
    """``right``: field -> True/False when labelled, None when the dataset has no label."""
    return Outcome(
        receipt_id=receipt_id,
        status=status,
        labelled={name: value is not None for name, value in right.items()},
        right={name: bool(value) for name, value in right.items()},
        confidence=confidence or {},
    )


def hand_made_outcomes() -> list[Outcome]:
    return [
        # A: ok and right
        outcome(
            "A",
            "ok",
            {"date": True, "total": True, "merchant": True},
            {"date": 0.95, "total": 0.9, "merchant.name": 0.8, "receipt": 0.9},
        ),
        # B: ok but the date is wrong: the accountant would skip a wrong receipt
        outcome("B", "ok", {"date": False, "total": True}, {"date": 0.7, "total": 0.92}),
        # C: ok, labels neither date nor total: not judged
        outcome("C", "ok", {"date": None, "total": None, "merchant": True}, {"merchant.name": 0.6}),
        # D: flagged, total labelled but left empty (wrong), no probability for it
        outcome("D", "flagged", {"date": None, "total": False}),
        # E: failed outright: both labelled fields wrong
        outcome("E", "failed", {"date": False, "total": False}),
        # F: flagged although right (a false alarm)
        outcome("F", "flagged", {"date": True, "total": True}, {"date": 0.85, "total": 0.55}),
    ]
