"""``POST /upload`` (receipt files from the queue page) and ``GET /uploads.json`` (their
progress, which the queue page polls while any is still being extracted)."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from receiptflow.review import uploads
from receiptflow.review.security import CSRF_FIELD, CsrfError, reviewer
from receiptflow.review.upload_form import UploadForm, UploadRefused, read_upload_form
from receiptflow.settings import Settings
from receiptflow.storage import Store

router = APIRouter(dependencies=[Depends(reviewer)])
Reviewer = Annotated[str, Depends(reviewer)]
_PROBLEMS = "upload_problems"


@router.post("/upload")
async def upload(request: Request, user: Reviewer) -> Response:
    """Files from the field ``files``. Not ``check_csrf``: that would read the whole form
    into memory first; the token is checked here before anything is stored."""
    settings: Settings = request.app.state.settings
    try:
        form = await read_upload_form(
            request.headers.get("content-type", ""),
            request.stream(),
            max_bytes=settings.ingest.max_bytes,
            max_files=settings.review.max_upload_files,
            folder=settings.home / "uploads",
        )
    except UploadRefused as refused:
        _check_token(request, refused.fields.get(CSRF_FIELD))  # else: not this user's form
        request.session[_PROBLEMS] = [str(refused)]
        return RedirectResponse("/", status_code=303)
    try:
        _check_token(request, form.fields.get(CSRF_FIELD))
        accepted, problems = await run_in_threadpool(_accept, request, form)
    finally:
        form.discard()
    if not form.files:
        problems.append("Choose one or more receipt files (photos, scans or PDFs) to upload.")
    if accepted:
        request.session["notice"] = (
            f"Received {accepted} file{'s' if accepted != 1 else ''}: "
            "extracting in the background (progress below)."
        )
    request.session[_PROBLEMS] = problems
    return RedirectResponse("/", status_code=303)


def _check_token(request: Request, sent: str | None) -> None:
    expected = request.session.get(CSRF_FIELD)
    if not isinstance(expected, str) or not isinstance(sent, str):
        raise CsrfError("missing CSRF token")
    if not secrets.compare_digest(expected.encode(), sent.encode()):
        raise CsrfError("wrong CSRF token")


def _accept(request: Request, form: UploadForm) -> tuple[int, list[str]]:
    """Check, archive and queue each file: (files queued, one message per file refused)."""
    settings: Settings = request.app.state.settings
    store: Store = request.app.state.store
    extractions: uploads.BackgroundExtractions = request.app.state.extractions
    accepted, problems = 0, []
    for uploaded in form.files:
        error = uploads.check_upload(uploaded, settings.ingest.max_bytes)
        if error is not None or uploaded.path is None:
            problems.append(str(error))
            continue
        if not extractions.has_room():
            problems.append(
                f"{uploaded.name}: not stored, {settings.review.upload_queue} uploads are "
                "waiting to be extracted; upload it again in a few minutes"
            )
            continue
        document = store.save_input(uploaded.path, source=uploads.SOURCE, name=uploaded.name)
        if not document.created:
            receipt = store.get_receipt_for_document(document.id)
            where = f"receipt {receipt.id}" if receipt is not None else document.status
            problems.append(f"{uploaded.name}: the same file was received before ({where})")
            continue
        extractions.submit(document.id)
        accepted += 1
    return accepted, problems


def queue_context(request: Request) -> dict[str, Any]:
    """What the queue page shows of uploads: the newest with their progress, and the
    messages for files the last upload refused."""
    store: Store = request.app.state.store
    return {
        "uploads": uploads.recent_uploads(store),
        "upload_problems": request.session.pop(_PROBLEMS, None) or [],
    }


@router.get("/uploads.json")
def upload_progress(request: Request) -> Response:
    store: Store = request.app.state.store
    return JSONResponse(
        {
            "uploads": [
                {
                    "id": status.document_id,
                    "name": status.name,
                    "status": status.status,
                    "error": status.error,
                    "receipt_id": status.receipt_id,
                }
                for status in uploads.recent_uploads(store)
            ]
        }
    )
