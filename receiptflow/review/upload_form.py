"""Reading an upload form (``multipart/form-data``) as it streams in.

Starlette's own form parser spools every file whole before anyone can look at it; here each
file part is written to a temporary file while its bytes are counted, and once a part passes
``IngestSettings.max_bytes`` nothing more of it is kept (its bytes are only counted, so the
error can say how large it was, in the CLI's words). The whole request is bounded too: more
than ``max_files`` files, or a body beyond what they could add up to, ends the reading.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from python_multipart.multipart import MultipartParser, parse_options_header

from receiptflow.errors import IngestError, ReceiptflowError
from receiptflow.ingest.files import check_size

FILES_FIELD = "files"
_MAX_FIELD_BYTES = 4096  # the CSRF token and the like; nothing else is read from the form
_HEADROOM = 64 * 1024  # part headers and boundaries beside the files' own bytes


class UploadRefused(ReceiptflowError):
    """The request as a whole cannot be read as an upload form. ``fields``: the small fields
    read before that (the CSRF token comes first), so the refusal is only shown to the user
    whose form it was."""

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


@dataclass
class UploadedFile:
    name: str  # the browser's file name, without any folder
    path: Path | None  # a temporary file holding the bytes; None when refused
    size: int = 0
    error: IngestError | None = None


@dataclass
class UploadForm:
    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        """Remove the temporary files (after they were archived, or when refused)."""
        for uploaded in self.files:
            if uploaded.path is not None:
                uploaded.path.unlink(missing_ok=True)


def client_file_name(raw: str) -> str:
    """The last part of whatever path a browser sends (old IE sends ``C:\\...\\x.jpg``)."""
    name = PureWindowsPath(PurePosixPath(raw).name).name.strip()
    return name[:255] or "upload"


class _Reader:
    def __init__(self, max_bytes: int, max_files: int, folder: Path) -> None:
        self.max_bytes = max_bytes
        self.max_files = max_files
        self.folder = folder
        self.form = UploadForm()
        self._headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._field: str | None = None
        self._value = b""
        self._file: UploadedFile | None = None
        self._handle: BinaryIO | None = None

    # -- python-multipart callbacks ----------------------------------------------------------

    def on_part_begin(self) -> None:
        self._headers = {}
        self._field, self._value, self._file = None, b"", None

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self._field = name
            return
        filename = options[b"filename"].decode("utf-8", "replace")
        if name != FILES_FIELD or not filename:
            return  # another file field, or the picker left empty: nothing to keep
        if len(self.form.files) >= self.max_files:
            raise UploadRefused(f"more than {self.max_files} files in one upload; send fewer")
        descriptor, temp = tempfile.mkstemp(dir=self.folder, prefix="upload-")
        self._handle = os.fdopen(descriptor, "wb")
        self._file = UploadedFile(name=client_file_name(filename), path=Path(temp))
        self.form.files.append(self._file)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self._file.size += end - start
            if self._handle is not None and self._file.size <= self.max_bytes:
                self._handle.write(data[start:end])
            elif self._handle is not None:  # over the limit: stop keeping it
                self._close_file()
                assert self._file.path is not None
                self._file.path.unlink(missing_ok=True)
                self._file.path = None
        elif self._field is not None:
            self._value += data[start:end]
            if len(self._value) > _MAX_FIELD_BYTES:
                raise UploadRefused(f"form field {self._field!r} is too long")

    def on_part_end(self) -> None:
        if self._file is not None:
            self._close_file()
            try:
                check_size(Path(self._file.name), self._file.size, self.max_bytes)
            except IngestError as error:  # empty, or over the limit: the CLI's message
                self._file.error = error
                if self._file.path is not None:
                    self._file.path.unlink(missing_ok=True)
                    self._file.path = None
        elif self._field is not None:
            self.form.fields[self._field] = self._value.decode("utf-8", "replace")

    def _close_file(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def abandon(self) -> None:
        self._close_file()
        self.form.discard()


async def read_upload_form(
    content_type: str,
    body: AsyncIterator[bytes],
    *,
    max_bytes: int,
    max_files: int,
    folder: Path,
) -> UploadForm:
    """The files (in temporary files under ``folder``) and the small fields of the form."""
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UploadRefused("the upload must be sent as multipart/form-data")
    folder.mkdir(parents=True, exist_ok=True)
    reader = _Reader(max_bytes, max_files, folder)
    callbacks = {
        name: getattr(reader, name)
        for name in (
            "on_part_begin",
            "on_part_data",
            "on_part_end",
            "on_header_field",
            "on_header_value",
            "on_header_end",
            "on_headers_finished",
        )
    }
    parser = MultipartParser(boundary, callbacks)  # type: ignore[arg-type]
    # Files over the limit are counted, not kept; still, a body past every file's limit is
    # not a receipt upload: stop reading it.
    budget = max_files * (max_bytes + _HEADROOM) + _HEADROOM
    received = 0
    try:
        async for chunk in body:
            parser.write(chunk[: budget - received])  # what fits: the fields before it count
            received += len(chunk)
            if received > budget:
                raise UploadRefused(
                    f"the upload is larger than {max_files} files of {max_bytes:,} bytes"
                )
        parser.finalize()
    except UploadRefused as refused:
        reader.abandon()
        raise UploadRefused(str(refused), reader.form.fields) from None
    except Exception as error:  # python-multipart's parse errors: a broken form
        reader.abandon()
        message = f"the upload form could not be read: {error}"
        raise UploadRefused(message, reader.form.fields) from error
    return reader.form
