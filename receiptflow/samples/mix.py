"""Random mixes of receipts for training and evaluation: many locales, shops, layouts,
fonts, papers and variants, a share of them damaged; generated on several processes."""

from __future__ import annotations

import random
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from receiptflow.samples.damage import DAMAGES
from receiptflow.samples.generator import GeneratedSample, SampleSpec, generate_sample
from receiptflow.samples.layouts import LAYOUTS, PAPER_COLUMNS
from receiptflow.samples.locales import LocaleError, available_locales
from receiptflow.samples.registry import FIXED_LOCALES, LOCALE_SCENARIOS, scenario_locales
from receiptflow.samples.render import FONTS, MORE_FONTS
from receiptflow.samples.variants import IMAGE_VARIANTS, Variant

# How often each kind of shop is drawn for a locale; the fixed shops of the committed set
# (one shop each, always the same name) stay a small share.
SCENARIO_WEIGHTS = {"supermarket": 4, "restaurant": 2, "cafe": 2, "gas_station": 2, "fixed": 1}
VARIANT_WEIGHTS: dict[Variant, int] = {
    "photo": 7,
    "scan_jpeg": 4,
    "scan_png": 2,
    "rot90": 1,
    "rot180": 1,
    "pdf_pages": 2,
    "pdf_text": 2,
}
ALL_FONTS = tuple(sorted({*FONTS, *MORE_FONTS}))


def _choices(locales: tuple[str, ...]) -> dict[str, list[tuple[str, int]]]:
    """Per locale: (scenario, weight) it can print."""
    found: dict[str, list[tuple[str, int]]] = {code: [] for code in locales}
    for scenario in LOCALE_SCENARIOS:
        for code in scenario_locales(scenario):
            if code in found:
                found[code].append((scenario, SCENARIO_WEIGHTS[scenario]))
    for scenario, code in sorted(FIXED_LOCALES.items()):
        if code in found:
            found[code].append((scenario, SCENARIO_WEIGHTS["fixed"]))
    return found


def random_specs(
    count: int,
    seed: int,
    *,
    locales: tuple[str, ...] | None = None,
    damage_share: float = 0.0,
) -> list[SampleSpec]:
    """``count`` varied specs drawn from ``seed``: locale, shop, layout, paper, font, variant
    and (for ``damage_share`` of them) a damage. ``locales`` defaults to every locale file;
    the locales only a fixed shop prints in (ja-JP, en-KW) are drawn when asked for."""
    known = set(available_locales()) | set(FIXED_LOCALES.values())
    chosen = available_locales() if locales is None else locales
    unknown = [code for code in chosen if code not in known]
    if unknown:
        raise LocaleError(f"no locale {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    options = _choices(chosen)
    rng = random.Random(f"mix:{seed}")
    variants, weights = zip(*VARIANT_WEIGHTS.items(), strict=True)
    specs = []
    for index in range(count):
        locale = rng.choice(chosen)
        names, odds = zip(*options[locale], strict=True)
        scenario = rng.choices(names, odds)[0]
        variant: Variant = rng.choices(variants, weights)[0]
        damage = rng.choice(DAMAGES) if rng.random() < damage_share else None
        if damage is not None and variant not in IMAGE_VARIANTS:
            variant = rng.choice(IMAGE_VARIANTS)
        if scenario == "uk_supermarket_long":
            variant, damage = "pdf_pages", None
        specs.append(
            SampleSpec(
                name=f"{locale}_{scenario}_{seed}_{index:04d}",
                scenario=scenario,
                layout=rng.choice(LAYOUTS),
                paper=rng.choice(sorted(PAPER_COLUMNS)),
                font=rng.choice(ALL_FONTS),
                variant=variant,
                seed=rng.randrange(1_000_000),
                locale=None if scenario in FIXED_LOCALES else locale,
                damage=damage,
            )
        )
    return specs


def generate_many(outdir: Path, specs: list[SampleSpec], jobs: int = 1) -> list[GeneratedSample]:
    """Every spec with its truth and line truth, on ``jobs`` processes (same files either way)."""
    make = partial(generate_sample, outdir=outdir, line_truth=True)
    if jobs <= 1:
        return [make(spec) for spec in specs]
    outdir.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(make, specs, chunksize=8))
