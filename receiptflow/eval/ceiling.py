"""How high can an exact-match score go on these labels? The share printed in the text.

SROIE labels were typed by annotators and do not always copy the receipt: "KAWASAN" where the
ground-truth transcript reads "KWANSAN", "12, JALAN" where it reads "12,JALAN", a town printed
twice, a mall name from elsewhere on the page. An extractor that returns what is printed can
only score an exact hit when the label (trimmed, whitespace collapsed, upper-cased) occurs in
the transcript. Counting those labels gives an upper bound for the exact and dataset-convention
scorings on ``--ocr-boxes`` runs, so a goal can be checked against what is reachable at all.
The bound is loose, never tight: a label found in the text still has to be picked out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from receiptflow.eval.report import official_text

# Fields the convention scoring compares after parsing (ISO date, Decimal amount): the label's
# spelling does not limit them, so their bound there is every label.
PARSED_IN_CONVENTION = frozenset({"date", "total"})


@dataclass
class PrintedShare:
    """Per field: labels, and labels found verbatim in the receipt's transcript."""

    fields: list[str]
    labels: dict[str, int] = field(default_factory=dict)
    printed: dict[str, int] = field(default_factory=dict)

    def add(self, labels: dict[str, str], transcript: list[str]) -> None:
        text = " ".join(official_text(line) for line in transcript)
        for name in self.fields:
            label = official_text(labels.get(name))
            if not label:
                continue
            self.labels[name] = self.labels.get(name, 0) + 1
            self.printed[name] = self.printed.get(name, 0) + (label in text)

    def exact_bound(self) -> float:
        """Highest overall exact F1 (precision = recall = hits / labels when every field is
        answered)."""
        total = sum(self.labels.values())
        return sum(self.printed.values()) / total if total else 0.0

    def convention_bound(self) -> float:
        total = sum(self.labels.values())
        reachable = sum(
            self.labels[name] if name in PARSED_IN_CONVENTION else self.printed[name]
            for name in self.labels
        )
        return reachable / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {
                name: {
                    "labels": self.labels.get(name, 0),
                    "printed": self.printed.get(name, 0),
                    "share": round(self.printed.get(name, 0) / self.labels[name], 4)
                    if self.labels.get(name)
                    else 0.0,
                }
                for name in self.fields
            },
            "exact_f1_max": round(self.exact_bound(), 4),
            "convention_f1_max": round(self.convention_bound(), 4),
        }
