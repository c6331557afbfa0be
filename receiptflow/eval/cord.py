"""CORD line-item evaluation of the local parser's item step.

Each CORD JSON gives OCR words with quads and a row id; the words of one row are joined into
text lines wherever they sit close together (as an OCR engine would print them), and only text
and geometry go in: the category labels are never read. The local parser's item step
(``group_rows`` + ``find_line_items``, IDR) runs on those lines and its items are matched with
``gt_parse.menu`` by description, exactly (upper-case, whitespace collapsed) and fuzzily
(similarity >= 0.8). Only top-level menu entries count: CORD's ``sub`` entries (toppings,
"Less Ice") are options of the entry above them, so a predicted item for one is a false positive.

With ``extract_lines`` (the local extractor's text-lines step, IDR) the whole extractor also
runs on the lines, for its status, total and probabilities: the total is scored against
``gt_parse.total.total_price`` and the trust figures are computed with the total as the only
checked field (CORD labels no date). The item numbers above do not depend on it.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from receiptflow.eval.report import FieldScore, Fold, in_fold, official_text
from receiptflow.eval.trust import Outcome, TrustFigures, trust_figures
from receiptflow.extractors.base import ExtractionResult
from receiptflow.extractors.local.items import find_line_items
from receiptflow.extractors.local.items_tokens import count_value, money_value
from receiptflow.extractors.local.layout import Row, group_rows
from receiptflow.ingest.document import TextLine
from receiptflow.schemas.receipt import LineItem

RowSource = Literal["layout", "row_id"]
FUZZY_RATIO = 0.8
CONFIDENT = 0.9
CURRENCY = "IDR"
TRUST_CHECKED = ("total",)  # CORD labels no date

ExtractLines = Callable[[list[TextLine]], ExtractionResult]


@dataclass
class Expected:
    description: str
    quantity: str | None
    amount: str | None


@dataclass
class Tally(FieldScore):
    """Item counts (expected / given / matched) plus attribute checks on the matched items."""

    quantity_checked: int = 0
    quantity_right: int = 0
    amount_checked: int = 0
    amount_right: int = 0

    def to_dict(self) -> dict[str, float | int]:
        return {
            **super().to_dict(),
            "quantity_accuracy": _share(self.quantity_right, self.quantity_checked),
            "amount_accuracy": _share(self.amount_right, self.amount_checked),
        }


@dataclass
class CordReport:
    rows: RowSource = "layout"
    receipts: int = 0
    exact: Tally = field(default_factory=Tally)
    fuzzy: Tally = field(default_factory=Tally)
    receipts_all_right: int = 0  # every item found and nothing extra (fuzzy match)
    # ItemsResult.confidence against the truth: receipts and all-right receipts per band
    confident: list[int] = field(default_factory=lambda: [0, 0])
    unsure: list[int] = field(default_factory=lambda: [0, 0])
    misses: list[dict[str, str]] = field(default_factory=list)
    # whole-extractor runs only: the total against gt_parse.total.total_price, and outcomes
    total: FieldScore = field(default_factory=FieldScore)
    total_misses: list[dict[str, str]] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def judge(self, path: Path, sample: dict[str, Any], result: ExtractionResult) -> None:
        """Score the extractor's total and keep the receipt's outcome for the trust figures."""
        want = expected_total(sample)
        got = result.receipt.total if result.receipt else None
        right = want is not None and got == want
        self.total.add(has_expected=want is not None, has_given=got is not None, hit=right)
        outcome = Outcome(path.stem, str(result.status), confidence=result.confidence)
        outcome.labelled["total"] = want is not None
        outcome.right["total"] = right
        self.outcomes.append(outcome)
        if want is not None and not right:
            miss = {"file": path.name, "kind": "total", "text": f"{want} | got={got}"}
            self.total_misses.append(miss)

    def trust(self) -> TrustFigures:
        return trust_figures(self.outcomes, checked=TRUST_CHECKED)

    def to_dict(self) -> dict[str, Any]:
        whole = (
            {
                "total": {**self.total.to_dict(), "misses": self.total_misses},
                "trust": self.trust().to_dict(),
            }
            if self.outcomes
            else {}
        )
        return {
            "dataset": "cord",
            "receipts": self.receipts,
            "rows": self.rows,
            "sub_items": "ignored (only top-level menu entries are expected)",
            "exact": self.exact.to_dict(),
            "fuzzy": {"min_ratio": FUZZY_RATIO, **self.fuzzy.to_dict()},
            "receipts_all_right": self.receipts_all_right,
            "calibration": {
                f"confidence>={CONFIDENT}": _band(self.confident),
                f"confidence<{CONFIDENT}": _band(self.unsure),
            },
            **whole,
            "misses": self.misses,
        }

    def render(self, misses: int = 30) -> Any:
        """One rich renderable: the score table, then the first ``misses`` misses."""
        from rich.console import Group
        from rich.table import Table

        table = Table(title=f"CORD line items ({self.receipts} receipts)")
        for column in ("match", "expected", "given", "hits", "P", "R", "F1", "qty acc", "amt acc"):
            table.add_column(column, justify="right" if column != "match" else "left")
        for name, tally in (("exact", self.exact), (f"fuzzy>={FUZZY_RATIO}", self.fuzzy)):
            row = tally.to_dict()
            table.add_row(
                name,
                *(str(row[key]) for key in ("expected", "given", "hits")),
                *(f"{row[key]:.3f}" for key in ("precision", "recall", "f1")),
                *(f"{row[key]:.3f}" for key in ("quantity_accuracy", "amount_accuracy")),
            )
        bands = self.to_dict()["calibration"]
        table.caption = "all items right: " + ", ".join(
            f"{name}: {band['share_all_items_right']:.2f} of {band['receipts']}"
            for name, band in bands.items()
        )
        listed = self.misses + self.total_misses
        shown = Table(title=f"Misses (first {min(misses, len(listed))} of {len(listed)})")
        for column in ("file", "kind", "text"):
            shown.add_column(column)
        for miss in listed[:misses]:
            shown.add_row(miss["file"], miss["kind"], miss["text"])
        if not self.outcomes:
            return Group(table, shown)
        score = self.total
        total = (
            f"total (whole extractor): {score.hits} right of {score.expected} labelled, "
            f"accuracy {score.recall:.3f}, precision {score.precision:.3f}"
        )
        return Group(table, total, *self.trust().render(), shown)


def evaluate_cord(
    directory: Path,
    limit: int | None = None,
    *,
    rows: RowSource = "layout",
    extract_lines: ExtractLines | None = None,
    fold: Fold | None = None,
) -> CordReport:
    """Score the item step on CORD. ``rows="row_id"`` takes CORD's own rows instead of
    ``group_rows`` (an upper bound that shows what row grouping costs on tilted photos).
    ``extract_lines``: also run the whole extractor on the lines (total, trust figures)."""
    report = CordReport(rows=rows)
    paths = [path for path in sorted(Path(directory).glob("*.json")) if in_fold(path.stem, fold)]
    for path in paths[:limit]:
        sample = json.loads(path.read_text(encoding="utf-8"))
        expected = expected_items(sample)
        result = find_line_items(cord_rows(sample, rows), currency=CURRENCY)
        got = result.items
        report.receipts += 1
        _score(report.exact, expected, got, fuzzy=False)
        unmatched = _score(report.fuzzy, expected, got, fuzzy=True)
        all_right = not unmatched[0] and not unmatched[1]
        report.receipts_all_right += all_right
        band = report.confident if result.confidence >= CONFIDENT else report.unsure
        band[0] += 1
        band[1] += all_right
        report.misses += [
            {"file": path.name, "kind": "missed", "text": _show(e)} for e in unmatched[0]
        ]
        report.misses += [
            {"file": path.name, "kind": "extra", "text": _show_got(g)} for g in unmatched[1]
        ]
        if extract_lines is not None:
            report.judge(path, sample, extract_lines(cord_lines(sample)))
    return report


def cord_rows(sample: dict[str, Any], source: RowSource = "layout") -> list[Row]:
    if source == "layout":
        return group_rows([line for row in _row_lines(sample) for line in row])
    rows = [Row(cells=sorted(row, key=lambda line: line.box[0])) for row in _row_lines(sample)]
    return sorted(rows, key=lambda row: (row.top + row.bottom) / 2)


def cord_lines(sample: dict[str, Any]) -> list[TextLine]:
    """Text lines from the OCR words: one row id's words, split where a wide gap separates them."""
    return [line for row in _row_lines(sample) for line in row]


def _row_lines(sample: dict[str, Any]) -> list[list[TextLine]]:
    rows: dict[int, list[tuple[float, float, float, float, str]]] = {}
    for line in sample.get("valid_line", []):
        for word in line.get("words", []):
            quad = word["quad"]
            xs = [quad[f"x{corner}"] for corner in range(1, 5)]
            ys = [quad[f"y{corner}"] for corner in range(1, 5)]
            box = (min(xs), min(ys), max(xs), max(ys))
            rows.setdefault(word.get("row_id", id(word)), []).append((*box, word["text"]))
    return [_split_at_gaps(sorted(words)) for words in rows.values()]


def _split_at_gaps(words: list[tuple[float, float, float, float, str]]) -> list[TextLine]:
    char = statistics.median((x1 - x0) / max(len(text), 1) for x0, _, x1, _, text in words)
    groups: list[list[tuple[float, float, float, float, str]]] = [[words[0]]]
    for word in words[1:]:
        if word[0] - groups[-1][-1][2] > 2.0 * char:
            groups.append([word])
        else:
            groups[-1].append(word)
    return [
        TextLine(
            text=" ".join(word[4] for word in group),
            box=(
                min(word[0] for word in group),
                min(word[1] for word in group),
                max(word[2] for word in group),
                max(word[3] for word in group),
            ),
        )
        for group in groups
        if any(word[4].strip() for word in group)
    ]


def expected_total(sample: dict[str, Any]) -> Decimal | None:
    """``gt_parse.total.total_price`` as rupiah ("61.000", "Rp. 39.000", "70000.00")."""
    total = sample.get("gt_parse", {}).get("total")
    printed = _first(total.get("total_price")) if isinstance(total, dict) else None
    if not printed:
        return None
    value = money_value(printed.replace(" ", ""), whole=True)
    return None if value is None else abs(value)


def expected_items(sample: dict[str, Any]) -> list[Expected]:
    menu = sample.get("gt_parse", {}).get("menu", [])
    entries = [menu] if isinstance(menu, dict) else list(menu)
    found = []
    for entry in entries:
        name = entry.get("nm")
        if isinstance(name, list):
            name = " ".join(str(part) for part in name)
        if not name:
            continue
        found.append(Expected(name, _first(entry.get("cnt")), _first(entry.get("price"))))
    return found


normalise = official_text  # upper-case, whitespace collapsed


def _score(
    tally: Tally, expected: list[Expected], got: list[LineItem], *, fuzzy: bool
) -> tuple[list[Expected], list[LineItem]]:
    tally.expected += len(expected)
    tally.given += len(got)
    pairs = sorted(
        (
            (_similarity(want.description, item.description, fuzzy=fuzzy), w, g)
            for w, want in enumerate(expected)
            for g, item in enumerate(got)
        ),
        key=lambda triple: -triple[0],
    )
    used_expected: set[int] = set()
    used_got: set[int] = set()
    for ratio, w, g in pairs:
        if ratio < (FUZZY_RATIO if fuzzy else 1.0) or w in used_expected or g in used_got:
            continue
        used_expected.add(w)
        used_got.add(g)
        tally.hits += 1
        _score_attributes(tally, expected[w], got[g])
    return (
        [want for w, want in enumerate(expected) if w not in used_expected],
        [item for g, item in enumerate(got) if g not in used_got],
    )


def _score_attributes(tally: Tally, want: Expected, item: LineItem) -> None:
    if want.quantity is not None and count_value(want.quantity) is not None:
        tally.quantity_checked += 1
        tally.quantity_right += item.quantity == count_value(want.quantity)
    if want.amount is not None:
        amount = money_value(want.amount.replace(" ", ""), whole=True)
        if amount is not None:
            tally.amount_checked += 1
            tally.amount_right += item.amount is not None and abs(item.amount) == abs(amount)


def _similarity(expected: str, got: str, *, fuzzy: bool) -> float:
    a, b = normalise(expected), normalise(got)
    if not fuzzy:
        return 1.0 if a == b else 0.0
    return SequenceMatcher(None, a, b).ratio()


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def _band(counts: list[int]) -> dict[str, float | int]:
    return {"receipts": counts[0], "share_all_items_right": _share(counts[1], counts[0])}


def _share(right: int, checked: int) -> float:
    return round(right / checked, 4) if checked else 0.0


def _show(want: Expected) -> str:
    return f"{want.description} | cnt={want.quantity} | price={want.amount}"


def _show_got(item: LineItem) -> str:
    return f"{item.description} | qty={item.quantity} | amount={item.amount}"
