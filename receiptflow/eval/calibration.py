"""Is a probability of 0.9 right nine times in ten? Reliability bins and expected calibration error.

Pairs of (probability the value is right, whether it was right) are put into ``bins``
equal-width bins over [0, 1] (bin i holds probabilities in [i/bins, (i+1)/bins); the last one
also holds 1.0). Per bin: how many pairs, their mean probability and the share that was right.
The expected calibration error (ECE) is the count-weighted mean of |accuracy - mean
probability| over the bins: 0 when every bin is right exactly as often as it claims.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_BINS = 10
BINNING = "equal-width"


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_probability: float | None  # None for an empty bin
    accuracy: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "count": self.count,
            "mean_probability": rounded(self.mean_probability),
            "accuracy": rounded(self.accuracy),
        }


@dataclass(frozen=True)
class Calibration:
    bins: list[ReliabilityBin]
    pairs: int

    @property
    def ece(self) -> float | None:
        """Expected calibration error; None when there is nothing to judge."""
        if not self.pairs:
            return None
        gaps = (
            b.count * abs(b.accuracy - b.mean_probability)
            for b in self.bins
            if b.accuracy is not None and b.mean_probability is not None
        )
        return sum(gaps) / self.pairs

    @property
    def mean_probability(self) -> float | None:
        if not self.pairs:
            return None
        weighted = (b.count * (b.mean_probability or 0.0) for b in self.bins)
        return sum(weighted) / self.pairs

    def to_dict(self) -> dict[str, Any]:
        return {
            "with_probability": self.pairs,
            "ece": rounded(self.ece),
            "mean_probability": rounded(self.mean_probability),
            "reliability": [b.to_dict() for b in self.bins],
        }


def bin_index(probability: float, bins: int = DEFAULT_BINS) -> int:
    """Which of ``bins`` equal-width bins holds ``probability`` (clamped to [0, 1]).
    Rounded first so 0.7 lands in [0.7, 0.8) although 0.7 * 10 is 7.000000000000001 or
    6.999999999999999 depending on how it was computed."""
    scaled = round(min(max(probability, 0.0), 1.0) * bins, 9)
    return min(math.floor(scaled), bins - 1)


def calibration(pairs: Iterable[tuple[float, bool]], bins: int = DEFAULT_BINS) -> Calibration:
    """Reliability bins and ECE for (probability, right) pairs."""
    if bins < 1:
        raise ValueError("bins must be at least 1")
    counts = [0] * bins
    probability_sums = [0.0] * bins
    right_counts = [0] * bins
    for probability, right in pairs:
        index = bin_index(probability, bins)
        counts[index] += 1
        probability_sums[index] += probability
        right_counts[index] += bool(right)
    return _from_sums(counts, probability_sums, [float(right) for right in right_counts])


def _from_sums(
    counts: list[int], probability_sums: list[float], right_sums: list[float]
) -> Calibration:
    """Equal-width bins from each bin's count, sum of probabilities and of rights."""
    bins = len(counts)
    return Calibration(
        bins=[
            ReliabilityBin(
                low=index / bins,
                high=(index + 1) / bins,
                count=count,
                mean_probability=probability_sums[index] / count if count else None,
                accuracy=right_sums[index] / count if count else None,
            )
            for index, count in enumerate(counts)
        ],
        pairs=sum(counts),
    )


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def merge_reliability(blocks: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One field's calibration figures (``Calibration.to_dict()`` blocks of several runs over
    disjoint receipts, such as the folds of a cross-validation) as if from one run: the bins'
    counts add up, their means are count-weighted."""
    counts: list[int] = []
    probability_sums: list[float] = []
    right_sums: list[float] = []
    for block in blocks:
        reliability = block["reliability"]
        if not counts:
            counts = [0] * len(reliability)
            probability_sums = [0.0] * len(reliability)
            right_sums = [0.0] * len(reliability)
        if len(reliability) != len(counts):
            raise ValueError("cannot merge reliability blocks with different bin counts")
        for index, item in enumerate(reliability):
            count = int(item["count"])
            counts[index] += count
            probability_sums[index] += count * (item["mean_probability"] or 0.0)
            right_sums[index] += count * (item["accuracy"] or 0.0)
    return _from_sums(counts, probability_sums, right_sums).to_dict()
