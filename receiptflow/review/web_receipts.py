"""The queue, the receipt page (image beside fields), edits, approve/reject, page images."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from receiptflow.review import queue, roles, web_upload
from receiptflow.review.app import render
from receiptflow.review.forms import PAYMENT_METHODS, ReceiptForm
from receiptflow.review.likelihood import Likelihood, likelihood
from receiptflow.review.pages import PageImages, PageNotFound
from receiptflow.review.security import check_csrf, reviewer
from receiptflow.review.web_books import category_context
from receiptflow.schemas.flags import Flag, Severity, has_errors
from receiptflow.settings import Settings
from receiptflow.storage import NotFoundError, ReceiptRecord, Store
from receiptflow.storage.mapping import diff_receipts

router = APIRouter(dependencies=[Depends(reviewer)])
Reviewer = Annotated[str, Depends(reviewer)]
Approver = Annotated[str, Depends(roles.approver)]
_MAX_REASON = 1000


def _likely(request: Request) -> Callable[[str, float | None], Likelihood | None]:
    """The templates' ``likely(field, probability)``, with the app's trust thresholds."""
    settings: Settings = request.app.state.settings
    return partial(likelihood, trust=settings.trust)


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _filter(request: Request) -> queue.QueueFilter:
    return queue.QueueFilter.from_params(request.query_params)


def _receipt(store: Store, receipt_id: int) -> ReceiptRecord:
    record = store.get_receipt(receipt_id)
    if record is None:
        raise NotFoundError("receipt", receipt_id)
    return record


@router.get("/")
def queue_page(request: Request, page: int = 0) -> Response:
    wanted = _filter(request)
    store = _store(request)
    records = queue.queue_page(store, wanted, page=page)
    context = {
        "records": records,
        "wanted": wanted,
        "counts": queue.counts(store, wanted),
        "views": list(queue.VIEWS),
        "page": max(page, 0),
        "has_more": len(records) == queue.PAGE_SIZE,
        "worst": queue.worst_severity,
        "likely": _likely(request),
        **web_upload.queue_context(request),
    }
    return render(request, "queue.html", context)


@router.get("/receipts/{receipt_id}")
def receipt_page(request: Request, receipt_id: int) -> Response:
    record = _receipt(_store(request), receipt_id)
    return _detail(request, record, ReceiptForm.from_receipt(record.receipt))


def _detail(
    request: Request, record: ReceiptRecord, form: ReceiptForm, *, status_code: int = 200
) -> Response:
    store = _store(request)
    wanted = _filter(request)
    previous, following = queue.neighbours(queue.queue_ids(store, wanted), record.id)
    page_count, image_problem = _page_count(request, store, record)
    context = {
        "record": record,
        "form": form,
        "wanted": wanted,
        "qs": wanted.query_string(),
        "previous": previous,
        "next": following,
        "page_count": page_count,
        "image_problem": image_problem,
        "flags_at": _flags_at(record.flags),
        "placed": _placed_paths(form),
        "errors": [f for f in record.flags if f.severity is Severity.ERROR],
        "worst": queue.worst_severity(record),
        "history": list(reversed(store.history(record.id))),
        "payment_methods": PAYMENT_METHODS,
        "books": category_context(store, record),
        "likely": _likely(request),
        "four_eyes": roles.four_eyes_refusal(request, record.id, reviewer(request)),
    }
    return render(request, "detail.html", context, status_code=status_code)


def _page_count(request: Request, store: Store, record: ReceiptRecord) -> tuple[int, str | None]:
    pages: PageImages = request.app.state.pages
    document = store.get_document(record.document_id)
    if document is None:
        return 0, "The original file is not in the database."
    try:
        return pages.count(document), None
    except PageNotFound as exc:
        return 0, f"The original cannot be shown: {exc}"


def _flags_at(flags: list[Flag]) -> dict[str, list[Flag]]:
    found: dict[str, list[Flag]] = {}
    for flag in flags:
        found.setdefault(flag.field or "", []).append(flag)
    return found


def _placed_paths(form: ReceiptForm) -> set[str]:
    """Paths that have an input on the page (other flags are shown in the summary only)."""
    paths = set(form.values)
    for table, rows in form.rows.items():
        paths.add(table)
        for index, row in enumerate(rows):
            paths.add(f"{table}.{index}")
            paths.update(f"{table}.{index}.{column}" for column in row)
    return paths


def _back(receipt_id: int | None, request: Request) -> RedirectResponse:
    qs = _filter(request).query_string()
    target = f"/receipts/{receipt_id}{qs}" if receipt_id is not None else f"/{qs}"
    return RedirectResponse(target, status_code=303)


def _stale(request: Request, record: ReceiptRecord, version: str) -> bool:
    """Someone else saved this receipt after this page was opened: do not overwrite blindly."""
    if version == record.updated_at.isoformat():
        return False
    request.session["problem"] = (
        "Someone changed this receipt after you opened it. Here is the current version; "
        "please check it again."
    )
    return True


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _fresh(request: Request, receipt_id: int, version: str) -> ReceiptRecord | None:
    """The receipt, unless it changed since the reviewer's page was rendered."""
    record = _receipt(_store(request), receipt_id)
    return None if _stale(request, record, version) else record


@router.post("/receipts/{receipt_id}/edit", dependencies=[Depends(check_csrf)])
async def edit_receipt(request: Request, receipt_id: int, user: Reviewer) -> Response:
    submitted: Any = await request.form()
    store = _store(request)
    record = await run_in_threadpool(_receipt, store, receipt_id)
    if _stale(request, record, str(submitted.get("version", ""))):
        return _back(receipt_id, request)
    form = ReceiptForm.from_submitted(submitted)
    receipt = form.to_receipt()
    if receipt is None:
        request.session["problem"] = "Nothing was saved: some values need fixing (marked below)."
        return await run_in_threadpool(_detail, request, record, form, status_code=422)
    changes = diff_receipts(record.receipt, receipt)
    if not changes:
        request.session["notice"] = "No changes to save."
        return _back(receipt_id, request)
    updated = await run_in_threadpool(store.update_receipt, receipt_id, receipt, user=user)
    fixed = len(record.flags) - len(updated.flags)
    request.session["notice"] = (
        f"Saved {_count(len(changes), 'change')}. {_count(len(updated.flags), 'finding')} now"
        + (f" ({fixed} resolved)." if fixed > 0 else ".")
    )
    return _back(receipt_id, request)


@router.post("/receipts/{receipt_id}/approve", dependencies=[Depends(check_csrf)])
def approve_receipt(
    request: Request,
    receipt_id: int,
    user: Approver,
    version: Annotated[str, Form()] = "",
    go_next: Annotated[str, Form()] = "",
    confirm_errors: Annotated[str, Form()] = "",
) -> Response:
    refusal = roles.four_eyes_refusal(request, receipt_id, user)
    if refusal is not None:
        raise roles.Forbidden(refusal)
    record = _fresh(request, receipt_id, version)
    if record is None:
        return _back(receipt_id, request)
    if has_errors(record.flags) and not confirm_errors:
        request.session["problem"] = (
            "This receipt still has errors. Fix them and save, or tick "
            "'approve despite errors' to approve it as it is."
        )
        return _back(receipt_id, request)
    return _decide(request, record, "approved", user, None, bool(go_next))


@router.post("/receipts/{receipt_id}/reject", dependencies=[Depends(check_csrf)])
def reject_receipt(
    request: Request,
    receipt_id: int,
    user: Approver,
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    record = _fresh(request, receipt_id, version)
    if record is None:
        return _back(receipt_id, request)
    reason = reason.strip()[:_MAX_REASON]
    if not reason:
        request.session["problem"] = "Say why the receipt is rejected."
        return _back(receipt_id, request)
    return _decide(request, record, "rejected", user, reason, True)


@router.post("/receipts/{receipt_id}/reopen", dependencies=[Depends(check_csrf)])
def reopen_receipt(request: Request, receipt_id: int, user: Approver) -> Response:
    """Undo an approval or rejection: back to the queue, flagged if it has errors."""
    store = _store(request)
    record = _receipt(store, receipt_id)
    status = "flagged" if has_errors(record.flags) else "extracted"
    store.set_status(receipt_id, status, user=user, reason="reopened")
    request.session["notice"] = f"Reopened: the receipt is {status} again."
    return _back(receipt_id, request)


def _decide(
    request: Request,
    record: ReceiptRecord,
    status: str,
    user: str,
    reason: str | None,
    go_next: bool,
) -> Response:
    store = _store(request)
    # The next receipt is taken before the decision moves this one out of the view.
    _, following = queue.neighbours(queue.queue_ids(store, _filter(request)), record.id)
    store.set_status(record.id, status, user=user, reason=reason)
    name = record.receipt.merchant.name or f"receipt {record.id}"
    request.session["notice"] = f"{name}: {status}."
    if go_next and following is not None:
        return _back(following, request)
    return _back(record.id if not go_next else None, request)


@router.get("/receipts/{receipt_id}/pages/{page}.jpg")
def page_image(request: Request, receipt_id: int, page: int) -> Response:
    """Page ``page`` (1-based) of the receipt's archived original, as JPEG."""
    store = _store(request)
    record = _receipt(store, receipt_id)
    document = store.get_document(record.document_id)
    if document is None:
        raise PageNotFound(f"document {record.document_id}")
    pages: PageImages = request.app.state.pages
    data = pages.jpeg(document, page - 1)
    # Not kept by the browser: after logout nobody at this computer can bring them back.
    headers = {"Cache-Control": "private, no-store"}
    return Response(content=data, media_type="image/jpeg", headers=headers)
