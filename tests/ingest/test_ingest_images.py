"""Every raster format loads into upright, RGB, size-capped pages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from ingest_factories import (
    RED,
    animated_gif,
    encode,
    exif_rotated_jpeg,
    multipage_tiff,
    receipt_image,
)
from PIL import Image

from receiptflow.ingest import heic_available, load_document, load_document_bytes
from receiptflow.settings import IngestSettings

SETTINGS = IngestSettings()


def _rgb(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel


def _is_red(pixel: tuple[int, ...]) -> bool:
    return pixel[0] > 150 and pixel[1] < 90 and pixel[2] < 90


@pytest.mark.parametrize(
    ("fmt", "suffix", "media_type"),
    [
        ("JPEG", ".jpg", "image/jpeg"),
        ("PNG", ".png", "image/png"),
        ("WEBP", ".webp", "image/webp"),
        ("TIFF", ".tif", "image/tiff"),
        ("BMP", ".bmp", "image/bmp"),
        ("GIF", ".gif", "image/gif"),
    ],
)
def test_each_format_loads_as_one_rgb_page(
    tmp_path: Path, fmt: str, suffix: str, media_type: str
) -> None:
    data = encode(receipt_image(), fmt)
    path = tmp_path / f"receipt{suffix}"
    path.write_bytes(data)

    document = load_document(path, SETTINGS)

    assert document.path == path
    assert document.media_type == media_type
    assert document.size_bytes == len(data)
    assert document.sha256 == hashlib.sha256(data).hexdigest()
    assert len(document.pages) == 1
    page = document.pages[0]
    assert page.index == 0
    assert page.image.mode == "RGB"
    assert page.size == (240, 160)
    assert _is_red(_rgb(page.image, (5, 5)))
    assert page.image.getpixel((230, 5)) == pytest.approx((255, 255, 255), abs=30)
    assert page.text_lines is None


def test_heic_loads_through_pillow_heif(tmp_path: Path) -> None:
    assert heic_available()  # pillow-heif is in the dev environment: test it for real
    data = encode(receipt_image(), "HEIF", quality=90)
    assert data[4:12] in (b"ftypheic", b"ftypmif1")
    path = tmp_path / "IMG_0001.HEIC"
    path.write_bytes(data)

    document = load_document(path, SETTINGS)

    assert document.media_type == "image/heic"
    assert document.pages[0].size == (240, 160)
    assert _is_red(_rgb(document.pages[0].image, (5, 5)))


@pytest.mark.parametrize(
    ("orientation", "red_corner"),
    [(6, "top_right"), (8, "bottom_left"), (3, "bottom_right"), (1, "top_left")],
)
def test_exif_orientation_is_applied(orientation: int, red_corner: str) -> None:
    document = load_document_bytes(exif_rotated_jpeg(orientation), "phone.jpg", SETTINGS)

    image = document.pages[0].image
    assert image.size == ((100, 200) if orientation in (6, 8) else (200, 100))
    width, height = image.size
    corners = {
        "top_left": (3, 3),
        "top_right": (width - 4, 3),
        "bottom_left": (3, height - 4),
        "bottom_right": (width - 4, height - 4),
    }
    red = [name for name, xy in corners.items() if _is_red(_rgb(image, xy))]
    assert red == [red_corner]


def test_multipage_tiff_gives_every_page() -> None:
    document = load_document_bytes(multipage_tiff(3), "scan.tiff", SETTINGS)

    assert [page.index for page in document.pages] == [0, 1, 2]
    colours = [page.image.getpixel((1, 1)) for page in document.pages]
    assert colours == [(0, 255, 128), (10, 245, 128), (20, 235, 128)]


def test_animated_gif_is_one_page_its_first_frame() -> None:
    document = load_document_bytes(animated_gif(), "anim.gif", SETTINGS)

    assert len(document.pages) == 1
    assert document.pages[0].image.getpixel((1, 1)) == (200, 0, 0)


def test_transparent_png_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (50, 50), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (0, 0, 10, 10))
    document = load_document_bytes(encode(image, "PNG"), "alpha.png", SETTINGS)

    page = document.pages[0].image
    assert page.mode == "RGB"
    assert page.getpixel((30, 30)) == (255, 255, 255)
    assert page.getpixel((5, 5)) == (0, 0, 0)


def test_palette_with_transparency_is_flattened_onto_white() -> None:
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    image.paste(1, (0, 0, 5, 5))
    data = encode(image, "PNG", transparency=0)

    page = load_document_bytes(data, "palette.png", SETTINGS).pages[0].image
    assert page.getpixel((15, 15)) == (255, 255, 255)
    assert page.getpixel((2, 2)) == (0, 0, 255)


def test_sixteen_bit_greyscale_keeps_its_contrast() -> None:
    ramp = Image.new("I;16", (256, 10))
    ramp.putdata([x * 256 for _ in range(10) for x in range(256)])
    data = encode(ramp, "PNG")

    page = load_document_bytes(data, "scan16.png", SETTINGS).pages[0].image
    assert page.mode == "RGB"
    assert _rgb(page, (0, 0))[0] < 5
    assert _rgb(page, (255, 0))[0] > 250
    assert 100 < _rgb(page, (128, 0))[0] < 155  # scaled, not clipped at 255


def test_cmyk_jpeg_becomes_rgb() -> None:
    data = encode(receipt_image(mode="CMYK"), "JPEG", quality=95)

    page = load_document_bytes(data, "cmyk.jpg", SETTINGS).pages[0].image
    assert page.mode == "RGB"
    assert _is_red(_rgb(page, (5, 5)))


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_large_photo_is_downscaled_keeping_aspect(fmt: str) -> None:
    settings = IngestSettings(max_side=500)
    data = encode(receipt_image((1600, 1200)), fmt)

    page = load_document_bytes(data, f"big.{fmt.lower()}", settings).pages[0].image
    assert page.size == (500, 375)
    assert _is_red(_rgb(page, (10, 10)))


@pytest.mark.parametrize(
    ("max_side", "decoded", "page_size"),
    [
        (1000, (1000, 500), (1000, 500)),  # libjpeg's 1/4 scale is exactly the cap
        (1500, (2000, 1000), (1500, 750)),  # 1/4 would be too small: 1/2, then downscaled
        (2500, (4000, 2000), (2500, 1250)),  # 1/2 would be too small: decoded in full
    ],
)
def test_big_jpeg_is_decoded_at_the_smallest_scale_that_still_fills_max_side(
    monkeypatch: pytest.MonkeyPatch,
    max_side: int,
    decoded: tuple[int, int],
    page_size: tuple[int, int],
) -> None:
    from PIL.JpegImagePlugin import JpegImageFile

    drafted: list[tuple[int, int]] = []
    draft = JpegImageFile.draft

    def spy(self: JpegImageFile, mode: str | None, size: tuple[int, int] | None) -> object:
        result = draft(self, mode, size)
        drafted.append(self.size)  # what libjpeg will decode
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    data = encode(receipt_image((4000, 2000)), "JPEG", quality=90)

    page = load_document_bytes(data, "scan.jpg", IngestSettings(max_side=max_side)).pages[0]
    assert drafted == [decoded]
    assert page.size == page_size
    assert _is_red(_rgb(page.image, (10, 10)))


def test_drafted_jpeg_still_follows_its_exif_orientation() -> None:
    data = exif_rotated_jpeg(6, size=(2000, 1000))

    image = load_document_bytes(data, "phone.jpg", IngestSettings(max_side=500)).pages[0].image
    assert image.size == (250, 500)  # decoded at 1/4 (500 x 250), then turned upright
    assert _is_red(_rgb(image, (250 - 10, 10)))  # the red corner moved top right
    assert not _is_red(_rgb(image, (10, 10)))


def test_type_comes_from_the_bytes_not_the_name() -> None:
    png_named_jpg = load_document_bytes(encode(receipt_image(), "PNG"), "x.jpg", SETTINGS)
    assert png_named_jpg.media_type == "image/png"


def test_red_constant_matches_the_factory() -> None:
    assert receipt_image().getpixel((0, 0)) == RED
