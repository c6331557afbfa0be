"""``receiptflow samples generate OUTDIR``: synthetic receipts with known truth, offline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from receiptflow.samples import STANDARD_SAMPLES, generate_set, random_specs


def generate(
    outdir: Annotated[Path, typer.Argument(help="Folder to write images/PDFs and *.expected.json")],
    count: Annotated[
        int | None,
        typer.Option(help="Draw this many random samples; without it, write the standard set"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the random samples")] = 0,
) -> None:
    """Render receipts (several shops, layouts, fonts, photo/scan/PDF variants) with their truth."""
    if count is not None and count < 1:
        raise typer.BadParameter("--count must be at least 1")
    specs = STANDARD_SAMPLES if count is None else tuple(random_specs(count, seed))
    for sample in generate_set(outdir, specs):
        typer.echo(f"{sample.document}  ({sample.spec.scenario}, {sample.spec.variant})")
    typer.echo(f"{len(specs)} samples written to {outdir}")


def register(app: typer.Typer) -> None:
    samples_app = typer.Typer(help="Synthetic receipts with known truth.", no_args_is_help=True)
    samples_app.command("generate")(generate)
    app.add_typer(samples_app, name="samples")
