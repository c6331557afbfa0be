"""Damaged receipts: the truth is what stays visible, and the side file says what happened."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from receiptflow.samples import SampleSpec, generate_sample
from receiptflow.samples.damage import DAMAGES
from receiptflow.schemas.receipt import Receipt

SCALARS = {
    "merchant.name": lambda r: r.merchant.name,
    "merchant.phone": lambda r: r.merchant.phone,
    "date": lambda r: r.date,
    "time": lambda r: r.time,
    "receipt_number": lambda r: r.receipt_number,
    "total": lambda r: r.total,
    "tip": lambda r: r.tip,
    "service_charge": lambda r: r.service_charge,
    "rounding": lambda r: r.rounding,
}


def _spec(damage: str | None, scenario: str, locale: str | None, seed: int) -> SampleSpec:
    return SampleSpec(
        f"{scenario}_{damage}_{seed}",
        scenario,
        "at",
        "80mm",
        "dejavu-sans",
        "photo" if seed % 2 else "scan_png",
        seed,
        locale=locale,
        damage=damage,  # type: ignore[arg-type]
    )


def _made(spec: SampleSpec, folder: Path) -> tuple[Receipt, dict[str, Any], Image.Image]:
    sample = generate_sample(spec, folder, line_truth=True)
    assert sample.lines is not None
    side = json.loads(sample.lines.read_text(encoding="utf-8"))
    truth = Receipt.model_validate_json(sample.expected.read_text(encoding="utf-8"))
    return truth, side, Image.open(sample.document)


def _printed(side: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in side["lines"]:
        for segment in line["segments"]:
            if "field" in segment:
                found.setdefault(segment["field"], []).append(segment["text"])
    return found


CASES = [
    ("supermarket", "de-DE", 1),
    ("restaurant", "en-US", 2),
    ("cafe", "es-ES", 3),
    ("gas_station", "en-AU", 4),
    ("us_diner", None, 5),
]
FAST = 2  # the other cases run with the slow tests


Whole = Callable[[str, str | None, int], tuple[Receipt, Image.Image]]


@pytest.fixture(scope="module")
def undamaged(tmp_path_factory: pytest.TempPathFactory) -> Whole:
    """Each case without damage, made once for all six damages."""
    folder = tmp_path_factory.mktemp("undamaged")
    made: dict[tuple[str, int], tuple[Receipt, Image.Image]] = {}

    def whole(scenario: str, locale: str | None, seed: int) -> tuple[Receipt, Image.Image]:
        if (scenario, seed) not in made:
            truth, _, image = _made(_spec(None, scenario, locale, seed), folder)
            made[(scenario, seed)] = (truth, image)
        return made[(scenario, seed)]

    return whole


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize(
    ("scenario", "locale", "seed"),
    [
        pytest.param(*case, marks=() if i < FAST else pytest.mark.slow)
        for i, case in enumerate(CASES)
    ],
)
def test_truth_holds_what_is_still_printed(
    damage: str,
    scenario: str,
    locale: str | None,
    seed: int,
    tmp_path: Path,
    undamaged: Whole,
) -> None:
    whole, whole_image = undamaged(scenario, locale, seed)
    truth, side, image = _made(_spec(damage, scenario, locale, seed), tmp_path)
    assert side["damage"] == damage
    printed = _printed(side)
    for path, read in SCALARS.items():
        assert (read(truth) is not None) == (path in printed), path
        if read(truth) is None and read(whole) is not None:
            assert path in side["hidden"], path
    address = " ".join(printed.get("merchant.address", [])) or None
    assert truth.merchant.address == address
    assert truth.line_items == whole.line_items and truth.subtotal == whole.subtotal
    if damage == "crop_top":
        assert truth.merchant.name is None and image.height < whole_image.height
    elif damage == "crop_bottom":
        assert truth.total is None and truth.payment is None
        assert not [line for line in side["lines"] if line["role"] in ("payment", "change")]
    elif damage == "no_total":
        assert truth.total is None and "total" in side["hidden"]
        assert not [line for line in side["lines"] if line["role"] == "total"]
        assert truth.payment == whole.payment
    else:
        assert truth == whole and side["hidden"] == []
        if damage == "low_res":
            assert image.width < whole_image.width * 0.6


def test_image_damage_on_a_pdf_is_refused() -> None:
    with pytest.raises(ValueError, match="crop_top"):
        replace(_spec("crop_top", "cafe", "it-IT", 1), variant="pdf_text")
