"""The trust figures as text tables, printed by ``receiptflow eval`` beside the accuracy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from receiptflow.eval.calibration import BINNING

if TYPE_CHECKING:
    from receiptflow.eval.trust import TrustFigures


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def render_trust(figures: TrustFigures) -> list[Any]:
    """Three tables: the decision (passed, wrong among passed, caught), per-field accuracy
    and calibration, and the reliability bins."""
    return [_decision_table(figures), _field_table(figures), _reliability_table(figures)]


def _decision_table(figures: TrustFigures) -> Any:
    from rich.table import Table

    checked = " or ".join(figures.checked)
    statuses = ", ".join(f"{name} {count}" for name, count in sorted(figures.statuses.items()))
    table = Table(title=f"Trust: does ok mean right? {figures.receipts} receipts ({statuses})")
    for column in ("figure", "receipts", "of", "share"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    rows = [
        ("passed unflagged (status ok)", figures.passed, figures.receipts, figures.passed_share),
        (
            f"wrong {checked} among unflagged",
            figures.wrong_unflagged,
            figures.judged_unflagged,
            figures.unflagged_wrong_share,
        ),
        (
            f"wrong {checked} caught (flagged or failed)",
            figures.caught,
            figures.wrong,
            figures.caught_share,
        ),
    ]
    for name, part, whole, share in rows:
        table.add_row(name, str(part), str(whole), _percent(share))
    table.caption = (
        f"Only labelled fields count: 'of' for the unflagged row is the ok receipts that label "
        f"{checked}. A labelled field left empty is wrong."
    )
    if figures.wrong_unflagged_ids:
        table.caption += f" Passed but wrong: {', '.join(figures.wrong_unflagged_ids)}."
    return table


def _field_table(figures: TrustFigures) -> Any:
    from rich.table import Table

    table = Table(title="Per field: accuracy and calibration of its probability")
    columns = ("field", "labelled", "right", "accuracy", "unflagged wrong", "with p", "mean p")
    for column in (*columns, "ECE"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, trust in figures.fields.items():
        table.add_row(
            name,
            str(trust.labelled),
            str(trust.right),
            _number(trust.accuracy),
            str(trust.unflagged_wrong),
            str(trust.calibration.pairs),
            _number(trust.calibration.mean_probability),
            _number(trust.calibration.ece),
        )
    table.caption = (
        f"ECE over {figures.bins} {BINNING} bins; values without a probability are left out. "
        "'receipt': every labelled field right, judged against confidence['receipt']."
    )
    return table


def _reliability_table(figures: TrustFigures) -> Any:
    from rich.table import Table

    shown = {name: t for name, t in figures.fields.items() if t.calibration.pairs}
    table = Table(title="Reliability: mean probability -> observed accuracy (count) per bin")
    table.add_column("probability")
    for name in shown:
        table.add_column(name, justify="right")
    for index in range(figures.bins):
        cells = []
        low = high = 0.0
        for trust in shown.values():
            current = trust.calibration.bins[index]
            low, high = current.low, current.high
            if current.count:
                cells.append(
                    f"{_number(current.mean_probability)} -> {_number(current.accuracy)} "
                    f"({current.count})"
                )
            else:
                cells.append("")
        if any(cells):
            table.add_row(f"{low:.1f}-{high:.1f}", *cells)
    return table
