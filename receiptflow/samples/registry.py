"""Every shop the generator prints: the fixed shops of the committed set and the
locale-driven ones, behind one ``printed`` call."""

from __future__ import annotations

import random
from collections.abc import Callable

from receiptflow.samples.dining import cafe, restaurant
from receiptflow.samples.layouts import layout_receipt
from receiptflow.samples.locales import Locale, available_locales, load_locale
from receiptflow.samples.printout import Printout
from receiptflow.samples.scenarios import SCENARIOS, build
from receiptflow.samples.shops import gas_station, supermarket

LocaleScenario = Callable[[random.Random, Locale, int], Printout]

LOCALE_SCENARIOS: dict[str, LocaleScenario] = {
    "supermarket": supermarket,
    "cafe": cafe,
    "restaurant": restaurant,
    "gas_station": gas_station,
}
# The catalogue each locale-driven shop needs from a locale file.
NEEDS = {
    "supermarket": ("supermarket",),
    "cafe": ("cafe",),
    "restaurant": ("restaurant",),
    "gas_station": ("fuel",),
}
# The fixed shops of the committed set, and the locale each prints in.
FIXED_LOCALES = {
    "us_diner": "en-US",
    "us_restaurant": "en-US",
    "my_shop": "ms-MY",
    "eu_cafe": "de-DE",
    "jp_konbini": "ja-JP",
    "kw_store": "en-KW",
    "uk_supermarket": "en-GB",
    "uk_supermarket_long": "en-GB",
}


def scenario_locales(scenario: str) -> tuple[str, ...]:
    """The locales a scenario prints in."""
    if scenario in FIXED_LOCALES:
        return (FIXED_LOCALES[scenario],)
    found = []
    for code in available_locales():
        locale = load_locale(code)
        if locale.shops_of(scenario) and all(locale.products(kind) for kind in NEEDS[scenario]):
            found.append(code)
    return tuple(found)


def printed(
    scenario: str, locale: str | None, seed: int, layout: str, cols: int, *, ascii_only: bool
) -> Printout:
    """The receipt of ``scenario`` (in ``locale`` when it is locale-driven) for ``seed``."""
    if scenario in SCENARIOS:
        draft = build(scenario, seed)
        if ascii_only:
            draft = draft.to_ascii()
        lines = tuple(layout_receipt(draft, layout, cols))
        return Printout(draft.receipt, lines, FIXED_LOCALES[scenario])
    if locale is None:
        raise ValueError(f"scenario {scenario!r} needs a locale")
    rng = random.Random(f"{scenario}:{locale}:{seed}")
    printout = LOCALE_SCENARIOS[scenario](rng, load_locale(locale), cols)
    return printout.to_ascii() if ascii_only else printout
