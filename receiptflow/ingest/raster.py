"""Raster images (JPEG, PNG, WebP, TIFF, BMP, GIF, HEIC) into upright RGB pages for OCR."""

from __future__ import annotations

import functools
import io
import math
import re
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from receiptflow.errors import IngestError
from receiptflow.ingest import detect
from receiptflow.settings import IngestSettings

# Pillow format names allowed per sniffed type, so Pillow cannot re-guess a different decoder.
_PILLOW_FORMATS: dict[str, list[str]] = {
    detect.JPEG: ["JPEG"],  # multi-picture (MPO) camera files come through the JPEG factory
    detect.PNG: ["PNG"],
    detect.GIF: ["GIF"],
    detect.BMP: ["BMP"],
    detect.TIFF: ["TIFF"],
    detect.WEBP: ["WEBP"],
    detect.HEIC: ["HEIF"],
}

_ALPHA_MODES = frozenset({"RGBA", "RGBa", "LA", "La", "PA"})

# Pillow warns (on stderr) about an image over its own MAX_IMAGE_PIXELS; our limit
# (IngestSettings.max_pixels, check_pixel_limit) decides and says so in the file's one-line
# error. A filter, not catch_warnings: that swaps process-wide state and is not thread-safe,
# and batches decode on several threads.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)


@functools.cache
def heic_available() -> bool:
    """Whether the optional ``heic`` extra (pillow-heif) is installed; registers its opener."""
    try:
        import pillow_heif
    except ImportError:
        return False
    pillow_heif.register_heif_opener()
    return True


def load_raster_pages(
    data: bytes, path: Path, media_type: str, settings: IngestSettings
) -> list[Image.Image]:
    """Decode every page of a raster file (all TIFF pages, the first frame of anything else)."""
    label = detect.SUPPORTED_MEDIA_TYPES[media_type]
    if media_type == detect.HEIC and not heic_available():
        raise IngestError(
            path,
            "HEIC images need the optional 'heic' extra: pip install 'receiptflow[heic]'",
            code="unsupported_type",
        )
    try:
        opened = Image.open(io.BytesIO(data), formats=_PILLOW_FORMATS[media_type])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _pillow_bomb(path, exc, settings) from exc
    except UnidentifiedImageError as exc:
        raise IngestError(
            path, f"starts like a {label} file but its header cannot be read", code="corrupt"
        ) from exc
    except Exception as exc:  # Pillow raises many types on hostile headers
        raise _decode_error(path, label, data, media_type, exc) from exc
    with opened:
        frame_count = _frame_count(opened, path, media_type, settings)
        return [
            _decode_frame(opened, index, path, label, data, media_type, settings)
            for index in range(frame_count)
        ]


def _frame_count(image: Image.Image, path: Path, media_type: str, settings: IngestSettings) -> int:
    # An animated GIF/WebP/APNG is not a multi-page receipt: its first frame is the picture.
    if media_type != detect.TIFF:
        return 1
    try:
        count = _count_frames(image, settings.max_pages + 1)
    except Exception as exc:
        label = detect.SUPPORTED_MEDIA_TYPES[media_type]
        raise IngestError(
            path, f"{label} page directory is damaged ({exc})", code="corrupt"
        ) from exc
    if count > settings.max_pages:
        raise IngestError(
            path,
            f"has more than {settings.max_pages} pages; the limit is {settings.max_pages} "
            "(IngestSettings.max_pages, RECEIPTFLOW_INGEST__MAX_PAGES)",
            code="too_many_pages",
        )
    return count


def _count_frames(image: Image.Image, limit: int) -> int:
    """How many frames exist, counting at most ``limit`` (never walks an absurd page list)."""
    for index in range(limit):
        try:
            image.seek(index)
        except EOFError:
            return index
    return limit


def _decode_frame(
    image: Image.Image,
    index: int,
    path: Path,
    label: str,
    data: bytes,
    media_type: str,
    settings: IngestSettings,
) -> Image.Image:
    try:
        image.seek(index)
        check_pixel_limit(image.size, path, settings, page=index)
        if media_type == detect.JPEG:
            _draft_for_max_side(image, settings.max_side)
        image.load()
    except IngestError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _pillow_bomb(path, exc, settings) from exc
    except Exception as exc:
        raise _decode_error(path, label, data, media_type, exc) from exc
    try:
        return normalise_page_image(_upright(image), settings.max_side)
    except (ValueError, OSError) as exc:
        raise IngestError(
            path,
            f"{label} pixel format {image.mode} cannot be converted to RGB ({exc})",
            code="unsupported_type",
        ) from exc


def check_pixel_limit(
    size: tuple[int, int], path: Path, settings: IngestSettings, *, page: int = 0
) -> None:
    """Refuse before decoding: the header's size is known while Image.open is still lazy.

    Our own limit, so the guard holds whatever someone left in Image.MAX_IMAGE_PIXELS."""
    width, height = size
    if width <= 0 or height <= 0:
        raise IngestError(
            path, f"page {page + 1} claims a size of {width}x{height}", code="corrupt"
        )
    if width * height > settings.max_pixels:
        raise _bomb(
            path,
            f"page {page + 1} is {width}x{height} = {width * height:,} pixels, over the limit of "
            f"{settings.max_pixels:,}",
        )


def normalise_page_image(image: Image.Image, max_side: int) -> Image.Image:
    """RGB, alpha flattened onto white, 16-bit/palette/CMYK converted, long side <= max_side."""
    image = _to_8bit(image)
    if image.mode in _ALPHA_MODES or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # A 48-megapixel phone photo costs OCR seconds and ~150 MB per page but reads no better
    # than 2500 px on the long side; thumbnail keeps the aspect ratio and never upscales.
    if max(image.size) > max_side:
        image = image.copy() if image.readonly else image
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def _to_8bit(image: Image.Image) -> Image.Image:
    """16/32-bit greyscale to 8-bit by its own range (convert() alone would clip at 255)."""
    if image.mode.startswith("I;16"):
        image = image.convert("I")
    if image.mode not in ("I", "F"):
        return image
    extrema = image.getextrema()  # (low, high) for a single band
    low, high = float(extrema[0]), float(extrema[1])  # type: ignore[arg-type]
    if not (math.isfinite(low) and math.isfinite(high)):
        low, high = 0.0, 255.0
    if low >= 0 and high <= 255:
        scale, offset = 1.0, 0.0
    else:
        scale = 255.0 / (high - low) if high > low else 0.0
        offset = -low * scale
    return image.point(lambda value: value * scale + offset).convert("L")


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation; unreadable EXIF must not cost the receipt, so keep as is."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:
        return image.copy()


def _draft_for_max_side(image: Image.Image, max_side: int) -> None:
    """Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the page will be downscaled anyway."""
    width, height = image.size
    if max(width, height) <= max_side:
        return
    scale = max_side / max(width, height)
    image.draft(image.mode, (math.ceil(width * scale), math.ceil(height * scale)))


def _bomb(path: Path, detail: str) -> IngestError:
    return IngestError(
        path,
        f"refused as a possible decompression bomb: {detail} "
        "(IngestSettings.max_pixels, RECEIPTFLOW_INGEST__MAX_PIXELS)",
        code="decompression_bomb",
    )


def _pillow_bomb(path: Path, exc: Exception, settings: IngestSettings) -> IngestError:
    """Pillow's own guard fired first (at Image.open); say it in terms of our setting."""
    claimed = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = int(claimed.group(1)) if claimed else 0
    if pixels > settings.max_pixels:
        return _bomb(
            path, f"the image claims {pixels:,} pixels, over the limit of {settings.max_pixels:,}"
        )
    return _bomb(path, f"Pillow's own limit (PIL.Image.MAX_IMAGE_PIXELS) refused it: {exc}")


def _decode_error(
    path: Path, label: str, data: bytes, media_type: str, exc: Exception
) -> IngestError:
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if (
        isinstance(exc, EOFError)
        or "truncated" in str(exc)
        or _shorter_than_declared(data, media_type)
    ):
        return IngestError(
            path, f"{label} data ends early; the file is truncated ({detail})", code="truncated"
        )
    return IngestError(
        path, f"{label} data is damaged and cannot be decoded ({detail})", code="corrupt"
    )


def _shorter_than_declared(data: bytes, media_type: str) -> bool:
    """WebP and BMP headers state the file length: a shorter file was cut off."""
    if media_type == detect.WEBP and len(data) >= 8:
        return len(data) < int.from_bytes(data[4:8], "little") + 8
    if media_type == detect.BMP and len(data) >= 6:
        return len(data) < int.from_bytes(data[2:6], "little")
    return False
