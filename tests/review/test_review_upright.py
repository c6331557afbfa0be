"""Sideways originals are shown upright: the page image is turned the way the extraction's OCR
found the page readable (and EXIF orientation is applied as the file is loaded)."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from review_support import sample_path, sample_receipt

from receiptflow.extractors.base import ExtractionResult, ExtractionStatus
from receiptflow.extractors.local import LocalExtractor
from receiptflow.ingest import load_document
from receiptflow.ingest.document import TextLine
from receiptflow.settings import Settings
from receiptflow.storage import Store


def _shown(client: TestClient, receipt_id: int) -> Image.Image:
    response = client.get(f"/receipts/{receipt_id}/pages/1.jpg")
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.content))


def _record(store: Store, path: Path, rotations: dict[int, int], sample: str) -> int:
    document = store.save_input(path, source="cli")
    result = ExtractionResult(
        status=ExtractionStatus.OK,
        receipt=sample_receipt(sample),
        method="local",
        page_rotations=rotations,
    )
    record = store.record_extraction(document.id, result, pages=1)
    assert record is not None
    return record.id


def test_a_sideways_original_is_shown_upright(
    client: TestClient, reviewer: str, store: Store
) -> None:
    path = sample_path("jp_konbini_rot90")
    with Image.open(path) as original:
        assert original.width > original.height  # the receipt lies on its side
    receipt_id = _record(
        store, path, {0: 270}, "jp_konbini_rot90"
    )  # as the local extractor's OCR found it
    shown = _shown(client, receipt_id)
    assert shown.height > shown.width
    # A receipt whose OCR needed no turn is shown as it is.
    other = _record(store, sample_path("us_diner"), {}, "us_diner")
    with Image.open(sample_path("us_diner")) as diner:
        assert (_shown(client, other).width > _shown(client, other).height) == (
            diner.width > diner.height
        )


def test_exif_orientation_is_applied(client: TestClient, reviewer: str, store: Store) -> None:
    with Image.open(sample_path("us_diner")) as upright:
        turned = upright.convert("RGB").transpose(Image.Transpose.ROTATE_90)  # stored sideways
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to view": the camera held upright, sensor sideways
    buffer = io.BytesIO()
    turned.save(buffer, "JPEG", exif=exif)
    path = store.archive.root.parent / "phone.jpg"
    path.write_bytes(buffer.getvalue())
    receipt_id = _record(store, path, {}, "eu_cafe")
    shown = _shown(client, receipt_id)
    assert (shown.width > shown.height) == (upright.width > upright.height)


class _SidewaysEngine:
    """An OCR engine that found the page readable after a 270° turn."""

    name = "scripted"

    def is_available(self) -> bool:
        return True

    def read(self, image: Image.Image, page: int = 0) -> list[TextLine]:
        return [
            TextLine("HAPPY MART", (0, 0, 200, 20), 0.9, page, rotation=270),
            TextLine("TOTAL 1,102", (0, 30, 200, 50), 0.9, page, rotation=270),
        ]


def test_the_local_extractor_records_how_pages_were_turned(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    extractor = LocalExtractor(settings.ocr, settings.local, settings.trust)
    extractor._engine = _SidewaysEngine()  # type: ignore[assignment]
    document = load_document(sample_path("jp_konbini_rot90"), settings.ingest)
    assert extractor.extract(document).page_rotations == {0: 270}
