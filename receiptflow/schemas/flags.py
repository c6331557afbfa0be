"""Validation findings. Validation never raises: it returns Flags, and a receipt with an
error-severity flag is stored as ``flagged`` for a person to review."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Flag(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str  # machine-readable, e.g. "sum_mismatch", "future_date", "missing_total"
    field: str | None = None  # dotted path, e.g. "total", "line_items.2.amount"
    message: str
    severity: Severity = Severity.ERROR


def has_errors(flags: list[Flag]) -> bool:
    return any(flag.severity is Severity.ERROR for flag in flags)
