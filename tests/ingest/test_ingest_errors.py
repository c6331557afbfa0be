"""Bad input gives an IngestError naming the file, the reason and a code: never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_factories import (
    encode,
    exif_rotated_jpeg,
    image_pdf,
    multipage_tiff,
    png_claiming_size,
    receipt_image,
    text_pdf,
)
from PIL import Image

from receiptflow.errors import IngestError
from receiptflow.ingest import load_document, load_document_bytes
from receiptflow.settings import IngestSettings

SETTINGS = IngestSettings()


def _refused(path: Path, settings: IngestSettings = SETTINGS) -> IngestError:
    with pytest.raises(IngestError) as caught:
        load_document(path, settings)
    error = caught.value
    assert error.path == path
    assert str(path) in str(error)
    assert error.reason and error.reason in str(error)
    return error


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_zero_bytes(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "empty.jpg", b""))
    assert error.code == "empty" and "0 bytes" in error.reason


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "BMP", "GIF", "WEBP"])
def test_truncated_image(tmp_path: Path, fmt: str) -> None:
    data = encode(Image.effect_noise((300, 200), 60).convert("RGB"), fmt)
    error = _refused(_write(tmp_path, f"cut.{fmt.lower()}", data[: len(data) // 2]))
    assert error.code == "truncated" and "truncated" in error.reason


def test_text_file_named_jpg(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "receipt.jpg", b"TOTAL 12.50\nThank you!\n" * 20))
    assert error.code == "not_an_image"
    assert "JPG" in error.reason and "text" in error.reason


def test_text_file_with_a_text_name_is_unsupported(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "notes.txt", b"just some notes\n"))
    assert error.code == "unsupported_type"


def test_zip_named_pdf_says_what_it_is(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "receipt.pdf", b"PK\x03\x04" + b"\x00" * 100))
    assert error.code == "unsupported_type" and "ZIP" in error.reason


def test_png_claiming_100k_by_100k_is_a_bomb(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "bomb.png", png_claiming_size(100_000, 100_000)))
    assert error.code == "decompression_bomb"
    assert "decompression bomb" in error.reason
    assert "10,000,000,000 pixels" in error.reason and "80,000,000" in error.reason


def test_bomb_guard_does_not_rely_on_pillows_global(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # someone disabled Pillow's guard
    path = _write(tmp_path, "bomb.png", png_claiming_size(100_000, 100_000))
    assert _refused(path).code == "decompression_bomb"
    photo = _write(tmp_path, "photo.jpg", exif_rotated_jpeg())
    error = _refused(photo, IngestSettings(max_pixels=10_000))  # 200x100 = 20,000 pixels
    assert error.code == "decompression_bomb" and "200x100" in error.reason


def test_file_over_max_bytes(tmp_path: Path) -> None:
    path = _write(tmp_path, "big.png", encode(receipt_image(), "PNG"))
    error = _refused(path, IngestSettings(max_bytes=100))
    assert error.code == "too_large" and "max_bytes" in error.reason


def test_upload_over_max_bytes() -> None:
    with pytest.raises(IngestError) as caught:
        load_document_bytes(b"x" * 101, "upload.jpg", IngestSettings(max_bytes=100))
    assert caught.value.code == "too_large" and "upload.jpg" in str(caught.value)


def test_tiff_with_too_many_pages(tmp_path: Path) -> None:
    error = _refused(_write(tmp_path, "fax.tif", multipage_tiff(4)), IngestSettings(max_pages=3))
    assert error.code == "too_many_pages" and "3" in error.reason


def test_missing_file_folder_and_pipe(tmp_path: Path) -> None:
    assert _refused(tmp_path / "gone.jpg").code == "not_found"
    assert _refused(tmp_path).code == "not_a_file"
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    assert _refused(fifo).code == "not_a_file"  # opening it would block forever


def test_heic_brand_with_garbage_body(tmp_path: Path) -> None:
    data = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    assert _refused(_write(tmp_path, "x.heic", data)).code == "corrupt"


def _valid_samples() -> list[bytes]:
    image = receipt_image((60, 40))
    return [
        *(encode(image, fmt) for fmt in ("JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF")),
        encode(image, "HEIF"),
        multipage_tiff(2, (30, 20)),
        image_pdf(1),
        text_pdf([[(20, 360, "TOTAL 1.00")]]),
    ]


SAMPLES = _valid_samples()
MAGICS = [
    b"",
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
    b"%PDF-1.7\n",
    b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(
    magic=st.sampled_from(MAGICS),
    body=st.binary(max_size=600),
    name=st.sampled_from(["a.jpg", "b.png", "c.pdf", "d.heic", "e.tif", "f"]),
)
def test_random_bytes_never_raise_anything_but_ingest_error(
    magic: bytes, body: bytes, name: str
) -> None:
    try:
        document = load_document_bytes(magic + body, name, SETTINGS)
    except IngestError as error:
        assert name in str(error) and error.code
    else:  # a few random bodies are valid (BMP/GIF are forgiving): they must be real pages
        assert document.pages and all(p.image.mode == "RGB" for p in document.pages)


@FUZZ
@given(sample=st.sampled_from(SAMPLES), data=st.data())
def test_damaged_real_files_never_raise_anything_but_ingest_error(
    sample: bytes, data: st.DataObject
) -> None:
    cut = data.draw(st.integers(1, len(sample)), label="cut")
    flips = data.draw(
        st.lists(st.tuples(st.integers(0, cut - 1), st.integers(0, 255)), max_size=8), label="flips"
    )
    damaged = bytearray(sample[:cut])
    for offset, value in flips:
        damaged[offset] = value
    try:
        document = load_document_bytes(
            bytes(damaged), "damaged.bin", IngestSettings(pdf_timeout_s=20)
        )
    except IngestError as error:
        assert "damaged.bin" in str(error) and error.code
    else:
        assert document.pages and all(p.image.mode == "RGB" for p in document.pages)
