"""What a batch came to: files per outcome, the receipts that need a person, and the cost."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from receiptflow.flows.core import FileOutcome, Outcome

_LISTED = (Outcome.FLAGGED, Outcome.QUARANTINED, Outcome.FAILED)  # names shown in the table
_MAX_NAMES = 50


@dataclass
class BatchSummary:
    outcomes: list[FileOutcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(outcome.outcome.value for outcome in self.outcomes)
        return {kind.value: counted.get(kind.value, 0) for kind in Outcome}

    @property
    def cost_usd(self) -> Decimal | None:
        return _total(outcome.cost_usd for outcome in self.outcomes)

    def of(self, kind: Outcome) -> list[FileOutcome]:
        return [outcome for outcome in self.outcomes if outcome.outcome is kind]

    def table(self) -> list[dict[str, Any]]:
        """One row per outcome plus a total: the Prefect table artifact."""
        rows: list[dict[str, Any]] = []
        for kind in Outcome:
            members = self.of(kind)
            names = [_describe(outcome) for outcome in members] if kind in _LISTED else []
            shown = names[:_MAX_NAMES] + (
                [f"... {len(names) - _MAX_NAMES} more"] if len(names) > _MAX_NAMES else []
            )
            rows.append(
                {
                    "outcome": kind.value,
                    "files": len(members),
                    "cost_usd": _shown(_total(o.cost_usd for o in members)),
                    "files_needing_attention": "; ".join(shown),
                }
            )
        rows.append(
            {
                "outcome": "total",
                "files": len(self.outcomes),
                "cost_usd": _shown(self.cost_usd),
                "files_needing_attention": f"batch took {self.seconds:.1f} s",
            }
        )
        return rows

    def line(self) -> str:
        counts = ", ".join(f"{count} {kind}" for kind, count in self.counts.items() if count)
        return f"{len(self.outcomes)} files ({counts or 'none'}), cost {_shown(self.cost_usd, '$')}"


def _total(costs: Iterable[Decimal | None]) -> Decimal | None:
    """The sum; None (unknown) when any cost is: a model without a price is not $0."""
    total = Decimal("0")
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def _shown(cost: Decimal | None, sign: str = "") -> str:
    return f"{sign}{cost}" if cost is not None else "unknown (a model without a known price)"


def _describe(outcome: FileOutcome) -> str:
    detail = ", ".join(outcome.flags) if outcome.outcome is Outcome.FLAGGED else outcome.error
    return f"{outcome.path.name} ({detail})" if detail else outcome.path.name
