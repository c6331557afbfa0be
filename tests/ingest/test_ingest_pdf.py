"""PDFs: rendered pages, the digital text layer in pixel coordinates, and the PDF refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from ingest_factories import blank_pdf, image_pdf, text_pdf
from PIL import Image

from receiptflow.errors import IngestError
from receiptflow.ingest import load_document, load_document_bytes
from receiptflow.ingest.document import TextLine
from receiptflow.settings import IngestSettings

SETTINGS = IngestSettings(pdf_dpi=144)
RECEIPT_LINES: list[tuple[float, float, str]] = [
    (20, 360, "CORNER SHOP"),
    (20, 300, "MILK 1.20"),
    (20, 280, "TOTAL 12.50"),
]


def _ink_inside(image: Image.Image, line: TextLine) -> bool:
    x0, y0, x1, y1 = (round(v) for v in line.box)
    darkest = image.convert("L").crop((x0, y0, x1, y1)).getextrema()[0]
    return isinstance(darkest, int) and darkest < 100


def test_text_layer_lines_are_in_rendered_pixels(tmp_path: Path) -> None:
    path = tmp_path / "ereceipt.pdf"
    path.write_bytes(text_pdf([RECEIPT_LINES]))

    document = load_document(path, SETTINGS)

    assert document.media_type == "application/pdf"
    page = document.pages[0]
    assert page.size == (452, 800)  # 226 x 400 pt at 144 dpi
    assert page.text_lines is not None
    assert [line.text for line in page.text_lines] == ["CORNER SHOP", "MILK 1.20", "TOTAL 12.50"]
    assert all(line.confidence == 1.0 and line.page == 0 for line in page.text_lines)
    assert all(_ink_inside(page.image, line) for line in page.text_lines)
    # 12 pt Helvetica at 144 dpi is ~22 px tall; "TOTAL" sits 120 pt below the top
    total = page.text_lines[2]
    assert 18 < total.height < 30
    assert total.box[1] == pytest.approx((400 - 280 - 9) * 2, abs=8)
    assert document.has_text_layer


def test_text_layer_follows_a_rotated_page() -> None:
    document = load_document_bytes(text_pdf([RECEIPT_LINES], rotate=90), "rot.pdf", SETTINGS)

    page = document.pages[0]
    assert page.size == (800, 452)
    assert page.text_lines is not None
    assert all(_ink_inside(page.image, line) for line in page.text_lines)


def test_multipage_pdf_keeps_text_per_page_and_blank_pages_get_none() -> None:
    data = text_pdf([[(20, 300, "PAGE ONE")], [], [(20, 300, "PAGE THREE")]])

    document = load_document_bytes(data, "three.pdf", SETTINGS)

    assert [page.index for page in document.pages] == [0, 1, 2]
    first, blank, third = document.pages
    assert first.text_lines is not None and [t.text for t in first.text_lines] == ["PAGE ONE"]
    assert blank.text_lines is None
    assert third.text_lines is not None and third.text_lines[0].page == 2
    assert not document.has_text_layer


def test_scanned_pdf_has_no_text_layer_so_ocr_runs() -> None:
    document = load_document_bytes(image_pdf(2), "scan.pdf", SETTINGS)

    assert len(document.pages) == 2
    assert all(page.text_lines is None for page in document.pages)
    red = document.pages[0].image.getpixel((10, 10))
    assert isinstance(red, tuple) and red[0] > 150 and red[1] < 90


def test_pdf_named_jpg_is_read_as_pdf() -> None:
    document = load_document_bytes(text_pdf([RECEIPT_LINES]), "photo.jpg", SETTINGS)
    assert document.media_type == "application/pdf"


def test_huge_page_is_rendered_within_max_side() -> None:
    data = text_pdf([[(100, 1500, "FAR DOWN")]], size=(1000, 2000))

    page = load_document_bytes(data, "poster.pdf", IngestSettings(max_side=1000)).pages[0]

    assert page.size == (500, 1000)  # 36 dpi instead of 200
    assert page.text_lines is not None and _ink_inside(page.image, page.text_lines[0])


def test_encrypted_pdf_with_empty_user_password_opens() -> None:
    document = load_document_bytes(blank_pdf(1, user_password=""), "owner-only.pdf", SETTINGS)
    assert len(document.pages) == 1


def test_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(blank_pdf(1, user_password="secret"))

    with pytest.raises(IngestError) as caught:
        load_document(path, SETTINGS)

    assert caught.value.code == "encrypted_pdf"
    assert caught.value.path == path
    assert str(path) in str(caught.value) and "password" in str(caught.value)


def test_thousand_page_pdf_is_refused_before_rendering(tmp_path: Path) -> None:
    path = tmp_path / "book.pdf"
    path.write_bytes(blank_pdf(1000))

    with pytest.raises(IngestError) as caught:
        load_document(path, SETTINGS)

    assert caught.value.code == "too_many_pages"
    assert str(path) in str(caught.value)
    assert "1000 pages" in str(caught.value) and "limit is 50" in str(caught.value)


def test_render_timeout_is_a_typed_error() -> None:
    with pytest.raises(IngestError) as caught:
        load_document_bytes(image_pdf(1), "slow.pdf", IngestSettings(pdf_timeout_s=1e-9))

    assert caught.value.code == "pdf_render_failed"
    assert "slow.pdf" in str(caught.value) and "timed out" in str(caught.value)


def test_damaged_pdf_is_a_typed_error() -> None:
    data = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\ntrailer\n<<>>\n%%EOF"

    with pytest.raises(IngestError) as caught:
        load_document_bytes(data, "broken.pdf", SETTINGS)

    assert caught.value.code in {"corrupt", "empty", "pdf_render_failed"}
    assert "broken.pdf" in str(caught.value)


def test_truncated_pdf_says_truncated(tmp_path: Path) -> None:
    data = image_pdf(2)
    path = tmp_path / "half.pdf"
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(IngestError) as caught:
        load_document(path, SETTINGS)

    assert caught.value.code == "truncated"
    assert str(path) in str(caught.value) and "%%EOF" in str(caught.value)
