"""What happens to one receipt file, without Prefect: archive -> ingest -> extract -> record.

The same composition (``process_file``) runs in the plain loop, in the Prefect tasks and in
the folder watcher: each caller hands in its ``Steps`` (plain calls, or Prefect tasks with
retries and caching). Failures are sorted into two kinds:

- permanent (bad input, nothing usable extracted): recorded, never retried, quarantined;
- transient (LLM transport, database disconnect): raised again so the caller retries.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pydantic import BaseModel

from receiptflow import SCHEMA_VERSION, __version__
from receiptflow.errors import ConfigError, IngestError, ReceiptflowError
from receiptflow.extractors.base import ExtractionResult, ExtractionStatus, Extractor
from receiptflow.schemas.flags import Severity

if TYPE_CHECKING:
    from receiptflow.settings import IngestSettings, Settings

# Settings groups that change what an extractor reads from the same bytes.
_EXTRACTION_GROUPS = {"extractor", "ingest", "ocr", "local", "openai", "nemo", "cascade", "trust"}


class TransientError(ReceiptflowError):
    """Worth trying again later: the provider or the database was unreachable for a while."""


class Outcome(StrEnum):
    APPROVED = "approved"  # stored; validates, nothing for a person to fix
    FLAGGED = "flagged"  # stored; needs a person (see the review app)
    DUPLICATE = "duplicate"  # these bytes were stored before; nothing done again
    QUARANTINED = "quarantined"  # permanent failure: bad input or nothing usable extracted
    FAILED = "failed"  # still failing after retries (transient or unexpected): try again later


@dataclass
class Archived:
    document_id: int
    sha256: str
    receipt_id: int | None = None  # set when these bytes already have a receipt
    receipt_status: str | None = None


class Extraction(BaseModel):
    """What the cached extraction step returns: picklable and JSON-able."""

    result: ExtractionResult
    pages: int


@dataclass
class Recorded:
    receipt_id: int | None
    status: str | None  # the stored receipt's status: extracted / flagged / approved / rejected


@dataclass
class FileOutcome:
    path: Path
    outcome: Outcome
    sha256: str | None = None
    document_id: int | None = None
    receipt_id: int | None = None
    stage: str | None = None  # where a failure happened: archive / ingest / extract / record
    error: str | None = None
    code: str | None = None
    cost_usd: Decimal | None = Decimal("0")  # None: a model without a known price
    seconds: float = 0.0
    destination: Path | None = None  # where routing moved (or copied) the file
    flags: list[str] = field(default_factory=list)  # codes of error flags, for the summary


class Steps(Protocol):
    """The four side-effecting steps; Prefect wraps each in a task."""

    def archive(self, path: Path) -> Archived: ...

    def extract(self, path: Path, sha256: str) -> Extraction: ...

    def record(self, document_id: int, extraction: Extraction) -> Recorded: ...

    def record_failure(self, document_id: int, error: str, stage: str) -> None: ...


# -- transient or permanent ------------------------------------------------------------------


def _transient_types() -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = [TransientError, ConnectionError, TimeoutError]
    try:
        import openai

        found += [
            openai.APIConnectionError,  # includes APITimeoutError
            openai.RateLimitError,
            openai.InternalServerError,
        ]
    except ImportError:  # the llm extra is optional
        pass
    try:
        from sqlalchemy import exc as sa_exc

        found += [sa_exc.OperationalError, sa_exc.DisconnectionError, sa_exc.TimeoutError]
    except ImportError:
        pass
    return tuple(found)


def is_transient(error: BaseException) -> bool:
    """True for failures worth retrying: anywhere in the chain of causes."""
    transient = _transient_types()
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, transient):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def transient_failure(result: ExtractionResult) -> str | None:
    """The reason, when a failed extraction failed only because the provider was unreachable."""
    if result.status is not ExtractionStatus.FAILED or not result.retryable:
        return None
    return "; ".join(result.errors) or "the extraction backend was unreachable"


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_database_error(error: BaseException) -> bool:
    """A database that cannot be used right now (down, tables missing, schema behind, locked),
    as opposed to a value of this file's receipt the database refuses (DataError,
    IntegrityError). The first is never the file's fault."""
    try:
        from sqlalchemy import exc as sa_exc
    except ImportError:
        return False
    for link in _chain(error):
        if isinstance(link, sa_exc.DataError | sa_exc.IntegrityError):
            return False
        if isinstance(link, sa_exc.SQLAlchemyError):
            return True
    return False


# A full disk (or a file size limit) on the archive: the space, not the file, is the problem.
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def is_disk_full(error: BaseException) -> bool:
    return any(isinstance(link, OSError) and link.errno in _NO_SPACE for link in _chain(error))


def failed_outcome(path: Path, error: BaseException) -> FileOutcome:
    """A file that still fails after retries: it stays where it is, to be tried again.

    ``code`` says whose fault it is: ``transient`` (provider or database unreachable),
    ``database`` (the database cannot be used: tables missing ...), ``disk_full``, ``config``
    (a setting or folder every file would fail on), none of which count against the file, or
    ``unexpected`` (a bug on this file: counted)."""
    code = "unexpected"
    if any(isinstance(link, ConfigError) for link in _chain(error)):
        code = "config"  # an unwritable archive folder, say: every file would fail alike
    elif is_disk_full(error):
        code = "disk_full"
    elif is_transient(error):
        code = "transient"
    elif is_database_error(error):
        code = "database"
    return FileOutcome(
        path=path,
        outcome=Outcome.FAILED,
        stage="database" if is_database_error(error) else None,
        error=f"{type(error).__name__}: {error}",
        code=code,
    )


# Failures that are the surroundings' fault: the file waits in the inbox, however long.
NOT_THE_FILES_FAULT = frozenset({"transient", "database", "disk_full", "config"})


# -- the plain steps -------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """IngestError for anything but a regular file (a FIFO would block, a device never end)."""
    from receiptflow.ingest.files import open_regular_file

    digest = hashlib.sha256()
    # No size limit here: the archive step refuses a file over IngestSettings.max_bytes.
    with open_regular_file(path, max_bytes=sys.maxsize) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def cache_key(sha256: str, extractor: str, schema_version: str) -> str:
    """Extractions are reused by content, never by path: renamed or moved bytes still hit.
    A new extractor or a changed Receipt schema (storage's schema_version) misses."""
    return f"receiptflow-extract-{extractor}-{schema_version}-{sha256}"


def extractor_fingerprint(settings: Settings) -> str:
    """The extractor's name plus a digest of receiptflow's version, the settings that change
    its answer (model, OCR engine and options, ingest limits, trust thresholds) and the
    version of the model files in use (line-role classifier, calibrators), so switching from
    gpt-4o-mini to gpt-4o, retraining a model or upgrading receiptflow never reuses an older
    extraction.
    Secrets are masked by ``mode="json"`` and do not vary the key."""
    from receiptflow.learned.files import model_files_version
    from receiptflow.trust.llm import llm_model_version

    chosen = settings.model_dump(mode="json", include=_EXTRACTION_GROUPS)
    models = [
        model_files_version(settings.local.role_model, settings.local.calibrator),
        llm_model_version(settings.llm.trust_model),
    ]
    digest = hashlib.sha256(json.dumps([__version__, chosen, models], sort_keys=True).encode())
    return f"{settings.extractor}-{digest.hexdigest()[:12]}"


@functools.cache
def receipt_schema_version() -> str:
    """Changes whenever the Receipt schema does (the package's SCHEMA_VERSION, or any field)."""
    from receiptflow.schemas.receipt import Receipt

    schema = json.dumps(Receipt.model_json_schema(), sort_keys=True).encode()
    return f"v{SCHEMA_VERSION}-{hashlib.sha256(schema).hexdigest()[:12]}"


def extract_file(path: Path, extractor: Extractor, settings: IngestSettings) -> Extraction:
    """Load and extract one file. IngestError (bad input) and transport failures raise."""
    from receiptflow.ingest import load_document

    document = load_document(path, settings)
    result = extractor.extract(document)
    reason = transient_failure(result)
    if reason is not None:
        raise TransientError(reason)
    return Extraction(result=result, pages=len(document.pages))


# Two copies of one receipt arriving together are processed one after the other, so the
# second sees the first's receipt and is reported as a duplicate.
_sha_locks: dict[str, threading.Lock] = {}
_sha_locks_guard = threading.Lock()


@contextmanager
def one_at_a_time(sha256: str) -> Iterator[None]:
    with _sha_locks_guard:
        lock = _sha_locks.setdefault(sha256, threading.Lock())
    with lock:
        yield


def process_file(path: Path, steps: Steps) -> FileOutcome:
    """Archive, extract and record one file. Transient and unexpected errors propagate."""
    started = time.perf_counter()
    try:
        sha256 = file_sha256(path)
    except IngestError as error:
        return _not_archived(path, error, started)
    with one_at_a_time(sha256):
        try:
            archived = steps.archive(path)
        except IngestError as error:  # over the size limit, or replaced since it was hashed
            return _not_archived(path, error, started)
        outcome = FileOutcome(
            path=path,
            outcome=Outcome.DUPLICATE,
            sha256=archived.sha256,
            document_id=archived.document_id,
            receipt_id=archived.receipt_id,
        )
        if archived.receipt_id is None:
            _extract_and_record(path, steps, archived, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _not_archived(path: Path, error: IngestError, started: float) -> FileOutcome:
    """Bad input refused before it was stored: nothing to record, the file is quarantined."""
    return FileOutcome(
        path=path,
        outcome=Outcome.QUARANTINED,
        stage="archive",
        error=str(error),
        code=error.code,
        seconds=time.perf_counter() - started,
    )


def _extract_and_record(path: Path, steps: Steps, archived: Archived, outcome: FileOutcome) -> None:
    try:
        extraction = steps.extract(path, archived.sha256)
    except IngestError as error:
        _quarantine(steps, outcome, "ingest", str(error), error.code)
        return
    except ConfigError:
        raise  # not this file's fault: every file would fail the same way
    except ReceiptflowError as error:
        if is_transient(error):
            raise
        _quarantine(steps, outcome, "extract", str(error), type(error).__name__)
        return
    result = extraction.result
    outcome.cost_usd = result.usage.cost_usd
    empty = nothing_found(result)
    if empty is not None:  # not stored as an empty flagged receipt for a person to clear
        _quarantine(steps, outcome, "extract", empty, "no_receipt")
        return
    recorded = steps.record(archived.document_id, extraction)
    outcome.receipt_id = recorded.receipt_id
    outcome.flags = [flag.code for flag in result.flags if flag.severity is Severity.ERROR]
    if result.status is ExtractionStatus.FAILED or recorded.receipt_id is None:
        outcome.outcome = Outcome.QUARANTINED
        outcome.stage = "extract"
        outcome.error = "; ".join(result.errors) or "no receipt found"
        outcome.code = "nothing_extracted"
    elif recorded.status == "flagged":
        outcome.outcome = Outcome.FLAGGED
    else:
        outcome.outcome = Outcome.APPROVED


NO_RECEIPT = (
    "no receipt found: no merchant, date, total or line item could be read "
    "(a blank page, or a photo that is not a receipt?)"
)


def nothing_found(result: ExtractionResult) -> str | None:
    """Why a result that did not fail is still no receipt at all, else None."""
    if result.status is ExtractionStatus.FAILED:
        return None  # its own errors say why
    receipt = result.receipt
    if receipt is None:
        return NO_RECEIPT
    read = (
        receipt.merchant.name,
        receipt.date,
        receipt.total,
        receipt.subtotal,
        receipt.line_items,
        receipt.taxes,
    )
    return None if any(value for value in read) else NO_RECEIPT


def _quarantine(steps: Steps, outcome: FileOutcome, stage: str, error: str, code: str) -> None:
    steps.record_failure(outcome.document_id or 0, error, stage)
    outcome.outcome = Outcome.QUARANTINED
    outcome.stage = stage
    outcome.error = error
    outcome.code = code
