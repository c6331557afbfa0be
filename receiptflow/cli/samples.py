"""``receiptflow samples generate OUTDIR``: synthetic receipts with known truth, offline."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from receiptflow.samples import STANDARD_SAMPLES, generate_many, generate_set, random_specs
from receiptflow.samples.locales import LocaleError


def generate(
    outdir: Annotated[
        Path, typer.Argument(help="Folder to write images/PDFs, *.expected.json and *.lines.json")
    ],
    count: Annotated[
        int | None,
        typer.Option(help="Draw this many random samples; without it, write the standard set"),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for the random samples")] = 0,
    locales: Annotated[
        str | None,
        typer.Option(help="Comma-separated locales to draw from, e.g. de-DE,fr-FR (default: all)"),
    ] = None,
    damage_share: Annotated[
        float,
        typer.Option(help="Share of random samples that are damaged (blur, crop, fold, ...)"),
    ] = 0.0,
    jobs: Annotated[int, typer.Option(help="Processes to render on (same files either way)")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", help="Only the summary line")] = False,
) -> None:
    """Render receipts (many locales, shops, layouts, fonts, photo/scan/PDF variants, damage)
    with their truth; random samples also get their line truth (``<name>.lines.json``)."""
    if count is not None and count < 1:
        raise typer.BadParameter("--count must be at least 1")
    if not 0.0 <= damage_share <= 1.0:
        raise typer.BadParameter("--damage-share must be between 0 and 1")
    started = time.perf_counter()
    if count is None:
        samples = generate_set(outdir, STANDARD_SAMPLES)
    else:
        chosen = tuple(code.strip() for code in locales.split(",")) if locales else None
        try:
            specs = random_specs(count, seed, locales=chosen, damage_share=damage_share)
        except LocaleError as error:
            raise typer.BadParameter(str(error), param_hint="--locales") from error
        samples = generate_many(outdir, specs, jobs=jobs)
    if not quiet:
        for sample in samples:
            damage = f", {sample.spec.damage}" if sample.spec.damage else ""
            typer.echo(
                f"{sample.document}  ({sample.spec.scenario}, {sample.spec.variant}{damage})"
            )
    seconds = time.perf_counter() - started
    typer.echo(f"{len(samples)} samples written to {outdir} in {seconds:.1f} s")


def register(app: typer.Typer) -> None:
    samples_app = typer.Typer(help="Synthetic receipts with known truth.", no_args_is_help=True)
    samples_app.command("generate")(generate)
    app.add_typer(samples_app, name="samples")
