"""Scoring shared by the dataset evaluations: per-field precision/recall/F1, misses, timings.

Counting follows the SROIE task: every (receipt, field) with a label is one expected answer;
every non-empty prediction is one given answer; a given answer that matches is a hit.
Precision = hits / given, recall = hits / expected.
"""

from __future__ import annotations

import hashlib
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fold:
    """One of ``count`` folds of a dataset, by a stable hash of each receipt's id: for k-fold
    cross-validation, models trained without fold ``index`` (``scripts/train_models.py
    --fold``) are scored on it (``receiptflow eval --fold``)."""

    index: int
    count: int

    def holds(self, receipt_id: str) -> bool:
        digest = hashlib.sha256(receipt_id.encode("utf-8")).hexdigest()
        return int(digest, 16) % self.count == self.index

    @classmethod
    def parse(cls, text: str) -> Fold:
        """``"2/5"``: fold 2 (counting from 0) of 5."""
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if match is None or not 0 <= int(match[1]) < int(match[2]):
            raise ValueError(f"{text!r} is not K/N with 0 <= K < N, e.g. 0/5")
        return cls(int(match[1]), int(match[2]))


def in_fold(receipt_id: str, fold: Fold | None) -> bool:
    return fold is None or fold.holds(receipt_id)


def official_text(value: str | None) -> str:
    """The SROIE comparison form: trimmed, whitespace collapsed, upper-cased."""
    return re.sub(r"\s+", " ", value or "").strip().upper()


def alnum_text(value: str | None) -> str:
    """Letters and digits only, upper-cased: forgives spacing and punctuation differences."""
    return re.sub(r"[\W_]+", "", value or "").upper()


def f1_score(precision: float, recall: float) -> float:
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


@dataclass
class FieldScore:
    expected: int = 0  # labelled answers
    given: int = 0  # non-empty predictions
    hits: int = 0

    def add(self, *, has_expected: bool, has_given: bool, hit: bool) -> None:
        self.expected += has_expected
        self.given += has_given
        self.hits += hit

    def __iadd__(self, other: FieldScore) -> FieldScore:
        self.expected += other.expected
        self.given += other.given
        self.hits += other.hits
        return self

    @property
    def precision(self) -> float:
        return self.hits / self.given if self.given else 0.0

    @property
    def recall(self) -> float:
        return self.hits / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.precision, self.recall)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "expected": self.expected,
            "given": self.given,
            "hits": self.hits,
        }


@dataclass(frozen=True)
class Miss:
    receipt_id: str
    field: str
    expected: str | None
    got: str | None
    scoring: str  # which comparison missed: "exact" or "normalised"


Comparator = Callable[[str, str], bool]


@dataclass
class Scoreboard:
    """Scores under one comparison per field, plus the misses."""

    fields: list[str]
    scores: dict[str, FieldScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name in self.fields:
            self.scores.setdefault(name, FieldScore())

    def record(
        self,
        receipt_id: str,
        name: str,
        expected: str | None,
        got: str | None,
        same: Comparator,
        scoring: str,
    ) -> bool:
        has_expected = bool(expected and expected.strip())
        has_given = bool(got and got.strip())
        hit = has_expected and has_given and same(expected or "", got or "")
        self.scores[name].add(has_expected=has_expected, has_given=has_given, hit=hit)
        if not hit and (has_expected or has_given):
            self.misses.append(Miss(receipt_id, name, expected, got, scoring))
        return hit

    @property
    def overall(self) -> FieldScore:
        total = FieldScore()
        for score in self.scores.values():
            total += score
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {name: score.to_dict() for name, score in self.scores.items()},
            "overall": self.overall.to_dict(),
        }


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else 0.0

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds) if self.seconds else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "receipts": len(self.seconds),
            "median_s": round(self.median, 4),
            "mean_s": round(self.mean, 4),
        }


def render_scores(title: str, boards: dict[str, Scoreboard]) -> Any:
    """A rich table: one row per field, precision/recall/F1 per scoring column group."""
    from rich.table import Table

    table = Table(title=title)
    table.add_column("field")
    for scoring in boards:
        for metric in ("P", "R", "F1"):
            table.add_column(f"{scoring} {metric}", justify="right")
    names = next(iter(boards.values())).fields if boards else []
    for name in [*names, "overall"]:
        cells: list[str] = []
        for board in boards.values():
            score = board.overall if name == "overall" else board.scores[name]
            cells += [f"{score.precision:.3f}", f"{score.recall:.3f}", f"{score.f1:.3f}"]
        table.add_row(name, *cells)
    return table


def render_misses(misses: list[Miss], limit: int = 40) -> Any:
    from rich.table import Table

    table = Table(title=f"misses (first {min(limit, len(misses))} of {len(misses)})")
    for column in ("id", "field", "scoring", "expected", "got"):
        table.add_column(column, overflow="fold")
    for miss in misses[:limit]:
        table.add_row(
            miss.receipt_id, miss.field, miss.scoring, miss.expected or "", miss.got or ""
        )
    return table


def render_miss_rows(misses: list[dict[str, str]], limit: int = 40) -> Any:
    """A rich table of misses kept as ``{"id", "field", "expected", "got"}`` rows."""
    from rich.table import Table

    table = Table(title=f"misses (first {min(limit, len(misses))} of {len(misses)})")
    for column in ("id", "field", "expected", "got"):
        table.add_column(column, overflow="fold")
    for miss in misses[:limit]:
        table.add_row(miss["id"], miss["field"], miss["expected"], miss["got"])
    return table
