"""``receiptflow eval``: score an extractor on a labelled dataset (SROIE key fields, CORD items,
WildReceipt photos), with the trust figures (does ``ok`` mean right, are the probabilities
calibrated) beside the accuracy; ``--report DIR`` also writes the JSON and reliability diagrams."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer


class Dataset(StrEnum):
    SROIE = "sroie"
    CORD = "cord"
    WILDRECEIPT = "wildreceipt"
    SYNTHETIC = "synthetic"


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def evaluate(
    directory: Annotated[
        Path,
        typer.Argument(
            help="Dataset folder (SROIE: img/, entities/, box/; CORD: *.json; "
            "WildReceipt: labels.txt, image_files/; synthetic: receiptflow samples generate)",
            exists=True,
            file_okay=False,
        ),
    ],
    dataset: Annotated[
        Dataset, typer.Option(help="Which dataset layout and scoring")
    ] = Dataset.SROIE,
    limit: Annotated[int | None, typer.Option(help="Only the first N receipts")] = None,
    fold: Annotated[
        str | None,
        typer.Option(
            help="Only fold K of N (K/N, e.g. 0/5; by a hash of each receipt's id), for k-fold "
            "cross-validation with models trained without it (scripts/train_models.py --fold)"
        ),
    ] = None,
    ocr_boxes: Annotated[
        bool,
        typer.Option(
            "--ocr-boxes", help="SROIE: read the ground-truth OCR boxes instead of running OCR"
        ),
    ] = False,
    extractor: Annotated[
        str | None, typer.Option(help="Extractor name (default: settings)")
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text table or json")] = (
        OutputFormat.TEXT
    ),
    misses: Annotated[int, typer.Option(help="How many misses the text report lists")] = 40,
    ocr_cache: Annotated[
        Path | None,
        typer.Option(
            help="Scans and photos: keep each one's OCR lines here and reuse them on the next run"
        ),
    ] = None,
    report_dir: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write DIR/report.json and DIR/reliability-<field>.png (needs matplotlib)",
            file_okay=False,
        ),
    ] = None,
) -> None:
    """Precision, recall and F1 per field, the trust figures, seconds per receipt, the misses."""
    from receiptflow.eval.report import Fold

    try:
        subset = (limit, Fold.parse(fold) if fold else None)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--fold") from error
    if dataset is Dataset.CORD:
        report: Any = _run_cord(directory, subset=subset, extractor=extractor)
        _emit(report.to_dict(), [report.render(misses)], output, report_dir)
        return
    if dataset in (Dataset.WILDRECEIPT, Dataset.SYNTHETIC):
        report = _run_photos(
            dataset, directory, subset=subset, extractor=extractor, ocr_cache=ocr_cache
        )
        _emit(report.to_dict(), report.render(misses), output, report_dir)
        return
    report = _run_sroie(
        directory, subset=subset, ocr_boxes=ocr_boxes, extractor=extractor, ocr_cache=ocr_cache
    )
    _emit(report.to_dict(), report.render(misses), output, report_dir)


def _chosen_extractor(extractor: str | None, settings: Any = None) -> tuple[Any, str, Any]:
    from receiptflow.extractors import get_extractor
    from receiptflow.settings import Settings

    settings = settings or Settings()
    name = extractor or settings.extractor
    return settings, name, get_extractor(name, settings)


def _load(path: Path, settings: Any) -> Any:
    from receiptflow.ingest.loader import load_document

    return load_document(path, settings.ingest)


def _cache(directory: Path | None, name: str, chosen: Any, settings: Any) -> Any:
    """The OCR cache and the extractor's OCR/parse steps, when a cache folder was given."""
    from receiptflow.eval.ocr_cache import LinesExtractor, OcrCache

    if directory is None:
        return None
    if not isinstance(chosen, LinesExtractor):
        raise typer.BadParameter(f"extractor {name!r} has no separate OCR step to cache")
    return (OcrCache(directory, settings.ocr.signature()), chosen)


Subset = tuple[int | None, Any]  # (--limit, --fold)


def _run_sroie(
    directory: Path,
    *,
    subset: Subset,
    ocr_boxes: bool,
    extractor: str | None,
    ocr_cache: Path | None,
) -> Any:
    from receiptflow.eval.sroie import evaluate_sroie

    settings, name, chosen = _chosen_extractor(extractor)
    cache = None if ocr_boxes else _cache(ocr_cache, name, chosen, settings)
    return evaluate_sroie(
        directory,
        chosen.extract,
        ocr_boxes=ocr_boxes,
        load_document=lambda path: _load(path, settings),
        limit=subset[0],
        fold=subset[1],
        source=(f"gt-boxes:{name}" if ocr_boxes else f"ocr:{name}")
        + (" (cached OCR)" if cache else ""),
        ocr_cache=cache,
    )


def _run_cord(directory: Path, *, subset: Subset, extractor: str | None) -> Any:
    """CORD's item step as before, plus the whole extractor on the same lines in rupiah."""
    from receiptflow.eval.cord import CURRENCY, evaluate_cord
    from receiptflow.eval.ocr_cache import LinesExtractor
    from receiptflow.settings import Settings

    settings = Settings()
    local = settings.local.model_copy(update={"default_currency": CURRENCY})
    settings = settings.model_copy(update={"local": local})
    _, name, chosen = _chosen_extractor(extractor, settings)
    if not isinstance(chosen, LinesExtractor):
        raise typer.BadParameter(f"extractor {name!r} cannot read CORD's text lines")
    return evaluate_cord(directory, subset[0], extract_lines=chosen.extract_lines, fold=subset[1])


def _run_photos(
    dataset: Dataset,
    directory: Path,
    *,
    subset: Subset,
    extractor: str | None,
    ocr_cache: Path | None,
) -> Any:
    """WildReceipt photos or synthetic receipts: one document per receipt, OCR cacheable."""
    from receiptflow.eval.synthetic import evaluate_synthetic
    from receiptflow.eval.wildreceipt import evaluate_wildreceipt

    run = evaluate_synthetic if dataset is Dataset.SYNTHETIC else evaluate_wildreceipt
    settings, name, chosen = _chosen_extractor(extractor)
    return run(
        directory,
        chosen.extract,
        load_document=lambda path: _load(path, settings),
        limit=subset[0],
        fold=subset[1],
        source=f"ocr:{name}" + (" (cached OCR)" if ocr_cache else ""),
        ocr_cache=_cache(ocr_cache, name, chosen, settings),
    )


def _emit(
    data: dict[str, Any],
    renderables: list[Any],
    output: OutputFormat,
    report_dir: Path | None = None,
) -> None:
    """Print the report, then write the ``--report`` files (exit 1 when that fails)."""
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(data, indent=2, default=str))
    else:
        from rich.console import Console

        console = Console(width=160)
        for renderable in renderables:
            console.print(renderable)
    if report_dir is None:
        return
    from receiptflow.eval.trust_report import ReportError, write_report

    try:
        written = write_report(report_dir, data)
    except ReportError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(f"wrote {path}", err=True)


def register(app: typer.Typer) -> None:
    app.command("eval")(evaluate)
