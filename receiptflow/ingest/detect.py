"""What a file really is, read from its first bytes: never from its name.

A phone that saves a PDF as ``scan.jpg`` or a mail client that names a text file ``receipt.png``
is common; the name only decides how we phrase the error when the content is unknown.
"""

from __future__ import annotations

JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
BMP = "image/bmp"
TIFF = "image/tiff"
WEBP = "image/webp"
HEIC = "image/heic"
PDF = "application/pdf"

SUPPORTED_MEDIA_TYPES: dict[str, str] = {
    JPEG: "JPEG",
    PNG: "PNG",
    WEBP: "WebP",
    TIFF: "TIFF",
    BMP: "BMP",
    GIF: "GIF",
    PDF: "PDF",
    HEIC: "HEIC",
}

IMAGE_SUFFIXES = frozenset(
    {
        ".jpg",
        ".jpeg",
        ".jpe",
        ".jfif",
        ".png",
        ".webp",
        ".tif",
        ".tiff",
        ".bmp",
        ".dib",
        ".gif",
        ".heic",
        ".heif",
    }
)
SUPPORTED_SUFFIXES = IMAGE_SUFFIXES | {".pdf"}

# ISO-BMFF major/compatible brands of HEIF stills (HEVC-coded); AVIF shares the container.
_HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"}
_AVIF_BRANDS = {b"avif", b"avis"}

# Recognised, but not receipts we can read; named so the error says what the file is.
_KNOWN_UNSUPPORTED: list[tuple[bytes, str]] = [
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "a JPEG 2000 image"),
    (b"\xff\x4f\xff\x51", "a JPEG 2000 codestream"),
    (b"\x00\x00\x00\x0cJXL \r\n\x87\n", "a JPEG XL image"),
    (b"\xff\x0a", "a JPEG XL image"),
    (b"8BPS", "a Photoshop document"),
    (b"{\\rtf", "an RTF document"),
]


def sniff_media_type(data: bytes) -> str | None:
    """The supported media type the bytes start with, or None."""
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"BM") and len(data) >= 26:
        return BMP
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    # PDF readers accept junk before the header (Acrobat looks in the first 1024 bytes).
    if b"%PDF-" in data[:1024]:
        return PDF
    if _ftyp_brands(data) & _HEIC_BRANDS:
        return HEIC
    return None


def describe_unsupported(data: bytes) -> str | None:
    """A phrase for content we recognise but do not read (\"a ZIP archive\"), else None."""
    if _ftyp_brands(data) & _AVIF_BRANDS:
        return "an AVIF image"
    for magic, what in _KNOWN_UNSUPPORTED:
        if data.startswith(magic):
            return what
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "an SVG drawing"
    if head.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    return None


def looks_like_text(data: bytes) -> bool:
    sample = data[:4096]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample is still text.
        try:
            text = sample[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return bool(text) and printable / len(text) > 0.95


def _ftyp_brands(data: bytes) -> set[bytes]:
    """Major and compatible brands of an ISO-BMFF ``ftyp`` box (HEIF, AVIF, MP4)."""
    if len(data) < 16 or data[4:8] != b"ftyp":
        return set()
    box_size = int.from_bytes(data[0:4], "big")
    end = min(max(box_size, 16), len(data), 256)
    brands = {data[8:12]}
    brands.update(data[i : i + 4] for i in range(16, end - 3, 4))
    return brands
