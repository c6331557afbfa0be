"""A blank page or a photo that is not a receipt is quarantined with the reason (as the README
says), not stored as an empty flagged receipt for a person to clear; the real local extractor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from receiptflow.flows.core import NO_RECEIPT, Outcome
from receiptflow.flows.routing import ERROR_SUFFIX, Destinations, process_and_route
from receiptflow.flows.steps import PlainSteps, forget_resources, store_for
from receiptflow.settings import Settings

pytestmark = [pytest.mark.ocr, pytest.mark.timeout(300)]


def _pictures(folder: Path) -> list[Path]:
    blank = folder / "blank.png"
    Image.new("RGB", (800, 1100), "white").save(blank)
    photo = folder / "holiday.jpg"  # shapes and colour, no writing
    image = Image.new("RGB", (900, 600), (90, 140, 200))
    draw = ImageDraw.Draw(image)
    for step in range(12):
        box = (40 + step * 60, 80 + step * 20, 140 + step * 60, 220 + step * 25)
        draw.ellipse(box, fill=(20 * step % 255, 200 - 10 * step, 60 + 15 * step))
    image.save(photo, quality=90)
    return [blank, photo]


def test_blank_pages_and_photos_are_quarantined_as_no_receipt(tmp_path: Path) -> None:
    forget_resources()
    settings = Settings(home=tmp_path / "home", extractor="local")
    destinations = Destinations(tmp_path / "processed", tmp_path / "quarantine")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    steps = PlainSteps(settings, source="watcher")
    for picture in _pictures(inbox):
        outcome = process_and_route(picture, steps, destinations)
        assert outcome.outcome is Outcome.QUARANTINED, outcome
        assert (outcome.stage, outcome.code, outcome.error) == ("extract", "no_receipt", NO_RECEIPT)
        report = destinations.quarantine / f"{picture.name}{ERROR_SUFFIX}"
        assert json.loads(report.read_text())["error"].startswith("no receipt found")
    assert not destinations.processed.exists()
    assert store_for(settings).count_receipts() == 0
    forget_resources()
