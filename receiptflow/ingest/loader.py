"""Files and uploads into Documents, or an IngestError that names the file and the reason."""

from __future__ import annotations

import hashlib
from pathlib import Path

from receiptflow.errors import IngestError
from receiptflow.ingest import detect
from receiptflow.ingest.document import Document, Page
from receiptflow.ingest.files import check_size, open_regular_file
from receiptflow.ingest.raster import load_raster_pages
from receiptflow.settings import IngestSettings


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def load_document(path: Path, settings: IngestSettings) -> Document:
    """Read a receipt file (image or PDF) from disk into normalised pages."""
    path = Path(path)
    data = _read_bounded(path, settings)
    return _load(data, path, settings)


def load_document_bytes(data: bytes, name: str, settings: IngestSettings) -> Document:
    """Same as load_document for bytes already in memory (an upload); ``name`` labels errors."""
    return _load(data, Path(name), settings)


def _read_bounded(path: Path, settings: IngestSettings) -> bytes:
    with open_regular_file(path, settings.max_bytes) as handle:
        try:
            # One byte over the limit tells us the file grew after it was checked.
            return handle.read(settings.max_bytes + 1)
        except OSError as exc:
            raise IngestError(path, f"cannot be read: {exc.strerror or exc}") from exc


def _load(data: bytes, path: Path, settings: IngestSettings) -> Document:
    check_size(path, len(data), settings.max_bytes)
    media_type = check_media_type(data, path)
    pages: list[Page]
    if media_type == detect.PDF:
        # pypdf and pdf2image cost a noticeable part of the start of `receiptflow extract`;
        # a run over photos and scans never needs them.
        from receiptflow.ingest.pdf import load_pdf_pages

        pages = load_pdf_pages(data, path, settings)
    else:
        images = load_raster_pages(data, path, media_type, settings)
        pages = [Page(index=index, image=image) for index, image in enumerate(images)]
    return Document(
        path=path,
        sha256=sha256_bytes(data),
        media_type=media_type,
        size_bytes=len(data),
        pages=pages,
    )


def check_media_type(data: bytes, path: Path) -> str:
    """The supported media type ``data`` (the whole file, or its first 4 KiB) starts with;
    else the IngestError that says what the content is instead."""
    media_type = detect.sniff_media_type(data)
    if media_type is None:
        raise _unknown_content(data, path)
    return media_type


def _unknown_content(data: bytes, path: Path) -> IngestError:
    supported = ", ".join(detect.SUPPORTED_MEDIA_TYPES.values())
    known = detect.describe_unsupported(data)
    if known is not None:
        return IngestError(
            path,
            f"content is {known}, which is not supported (supported: {supported})",
            code="unsupported_type",
        )
    what = "text" if detect.looks_like_text(data) else "unrecognised binary data"
    if path.suffix.lower() in detect.SUPPORTED_SUFFIXES:
        return IngestError(
            path,
            f"named like a {path.suffix.lower().lstrip('.').upper()} file but the content is "
            f"{what}, not a supported image or PDF",
            code="not_an_image",
        )
    return IngestError(
        path, f"content is {what}; supported formats are {supported}", code="unsupported_type"
    )
