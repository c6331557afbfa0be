"""Builders for every kind of ingest input, made fresh in each test (no fixtures on disk)."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image, ImageDraw
from pypdf import PdfWriter

RED = (220, 20, 20)


def receipt_image(size: tuple[int, int] = (240, 160), mode: str = "RGB") -> Image.Image:
    """White page with a red block in the top-left corner and a dark bar below it."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] // 4, size[1] // 4), fill=RED)
    draw.rectangle((size[0] // 8, size[1] // 2, size[0] - 10, size[1] // 2 + 8), fill="black")
    return image.convert(mode) if mode != "RGB" else image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    if fmt == "HEIF":
        import pillow_heif  # installed in dev; the test fails loudly if it is not

        pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def multipage_tiff(count: int, size: tuple[int, int] = (120, 80)) -> bytes:
    shades = [Image.new("RGB", size, (10 * i, 255 - 10 * i, 128)) for i in range(count)]
    return encode(shades[0], "TIFF", save_all=True, append_images=shades[1:])


def animated_gif() -> bytes:
    frames = [Image.new("P", (60, 40), color) for color in (1, 2, 3)]
    for frame in frames:
        frame.putpalette([255, 255, 255, 200, 0, 0, 0, 200, 0, 0, 0, 200] + [0] * 756)
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)


def exif_rotated_jpeg(orientation: int = 6, size: tuple[int, int] = (200, 100)) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(receipt_image(size), "JPEG", exif=exif, quality=95)


def png_claiming_size(width: int, height: int) -> bytes:
    """A syntactically valid PNG header that claims ``width`` x ``height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def text_pdf(
    pages: list[list[tuple[float, float, str]]],
    size: tuple[float, float] = (226, 400),
    rotate: int = 0,
) -> bytes:
    """A minimal hand-written PDF with Helvetica text at (x, y) points from the bottom-left."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, lines in enumerate(pages):
        stream = "".join(f"BT /F1 12 Tf {x} {y} Td ({t}) Tj ET\n" for x, y, t in lines).encode()
        rotation = f" /Rotate {rotate}" if rotate else ""
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size[0]} {size[1]}]{rotation} "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def image_pdf(count: int = 1) -> bytes:
    pages = [receipt_image((200, 300)) for _ in range(count)]
    return encode(pages[0], "PDF", resolution=72, save_all=True, append_images=pages[1:])


def blank_pdf(count: int, user_password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=200, height=300)
    if user_password is not None:
        writer.encrypt(
            user_password=user_password, owner_password="owner-secret", algorithm="AES-128"
        )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
