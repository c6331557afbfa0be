"""``receiptflow eval --report DIR``: the whole JSON report and one reliability diagram per field.

The diagrams are drawn from the report's ``trust`` block (not from live objects), so any
evaluation that writes that block gets them. matplotlib (the ``eval`` extra) is imported here
only, with the Agg backend: no display is needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from receiptflow.errors import ReceiptflowError

REPORT_NAME = "report.json"


class ReportError(ReceiptflowError):
    """The report cannot be written (matplotlib missing, folder not writable)."""


def diagram_name(field: str) -> str:
    """``reliability-<field>.png``, the field kept readable ("merchant.name") but file-safe."""
    return f"reliability-{re.sub(r'[^A-Za-z0-9._-]+', '_', field)}.png"


def write_report(directory: Path, report: dict[str, Any]) -> list[Path]:
    """Write ``report.json`` and a diagram per field that has probabilities; the paths."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        written = [directory / REPORT_NAME]
        text = json.dumps(report, indent=2, default=str)
        written[0].write_text(text + "\n", encoding="utf-8")
    except OSError as error:
        raise ReportError(f"cannot write the report to {directory}: {error}") from error
    fields: dict[str, Any] = report.get("trust", {}).get("fields", {})
    drawable = {
        name: figures for name, figures in fields.items() if figures.get("with_probability")
    }
    if not drawable:
        return written
    pyplot = _pyplot()
    for name, figures in drawable.items():
        path = directory / diagram_name(name)
        _draw(pyplot, name, figures, report.get("dataset", ""), path)
        written.append(path)
    return written


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as error:
        raise ReportError(
            "reliability diagrams need matplotlib: pip install 'receiptflow[eval]'"
        ) from error
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _draw(pyplot: Any, name: str, figures: dict[str, Any], dataset: str, path: Path) -> None:
    """Top: mean predicted probability against observed accuracy per bin (counts beside the
    points) and the diagonal a calibrated field would follow; bottom: receipts per bin."""
    bins = figures["reliability"]
    filled = [b for b in bins if b["count"]]
    figure, (top, bottom) = pyplot.subplots(
        2, 1, figsize=(5.5, 6.5), sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    try:
        top.plot([0, 1], [0, 1], linestyle="--", color="grey", linewidth=1, label="calibrated")
        xs = [b["mean_probability"] for b in filled]
        ys = [b["accuracy"] for b in filled]
        top.plot(xs, ys, marker="o", color="tab:blue", label="observed")
        for x, y, b in zip(xs, ys, filled, strict=True):
            top.annotate(f"n={b['count']}", (x, y), textcoords="offset points", xytext=(4, -12))
        top.set_xlim(0, 1)
        top.set_ylim(0, 1.05)
        top.set_ylabel("observed accuracy")
        top.legend(loc="upper left")
        ece = figures.get("ece")
        shown_ece = "—" if ece is None else f"{ece:.3f}"
        top.set_title(
            # two lines: one would run past the figure's edges with a long dataset name
            f"{dataset} {name}: ECE {shown_ece}\n({len(bins)} equal-width bins, "
            f"{figures['with_probability']} values)".strip()
        )
        width = 1 / len(bins)
        bottom.bar(
            [b["low"] for b in bins],
            [b["count"] for b in bins],
            width=width,
            align="edge",
            color="tab:grey",
            edgecolor="white",
        )
        bottom.set_xlabel("predicted probability that the value is right")
        bottom.set_ylabel("values")
        figure.tight_layout()
        figure.savefig(path, format="png", dpi=100)
    except OSError as error:
        raise ReportError(f"cannot write {path}: {error}") from error
    finally:
        pyplot.close(figure)
