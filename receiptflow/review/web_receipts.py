"""The queue, the receipt page (image beside fields), edits, approve/reject, page images."""

from __future__ import annotations

import datetime as dt
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
from receiptflow.schemas.flags import Flag, Severity, has_errors
from receiptflow.schemas.receipt import Receipt
from receiptflow.settings import Settings
from receiptflow.storage import (
    NotFoundError,
    ReceiptRecord,
    StaleVersionError,
    Store,
    UnstorableError,
)
from receiptflow.storage.mapping import diff_receipts
from receiptflow.storage.store_base import MAX_ID

router = APIRouter(dependencies=[Depends(reviewer)])
Reviewer = Annotated[str, Depends(reviewer)]
Approver = Annotated[str, Depends(roles.approver)]
_MAX_REASON = 1000
# No page past the last possible id: beyond, the offset would overflow the database's integer.
_LAST_PAGE = MAX_ID // queue.PAGE_SIZE
_NO_VERSION = dt.datetime.min.replace(tzinfo=dt.UTC)


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
    if not 0 <= page <= _LAST_PAGE:
        raise NotFoundError("queue page", page)
    wanted = _filter(request)
    store = _store(request)
    records = queue.queue_page(store, wanted, page=page)
    context = {
        "records": records,
        "wanted": wanted,
        "counts": queue.counts(store, wanted),
        "views": list(queue.VIEWS),
        "page": page,
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
    request: Request,
    record: ReceiptRecord,
    form: ReceiptForm,
    *,
    status_code: int = 200,
    version: str | None = None,
    conflict: dict[str, Any] | None = None,
    reason: str = "",
) -> Response:
    """The receipt page. ``version``: the one the form goes back with (a form shown again
    with errors keeps the version it was opened from, so fixing it cannot overwrite others
    blindly); ``conflict``: what others changed, shown on a 409."""
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
        "books": category_context(store, record, form),
        "likely": _likely(request),
        "four_eyes": roles.four_eyes_refusal(request, record.id, reviewer(request)),
        "version": version if version is not None else record.updated_at.isoformat(),
        "conflict": conflict,
        "reason": reason,
    }
    return render(request, "detail.html", context, status_code=status_code)


def category_context(store: Store, record: ReceiptRecord, form: ReceiptForm) -> dict[str, Any]:
    """What the receipt page's category boxes show: the chart's categories, the receipt's
    current one, and a suggestion (with its source) when none is chosen yet. The line items'
    categories in ``form`` are shown as the chart names them (any case finds the account)."""
    chart = store.chart()
    for row in form.rows.get("line_items", []):
        account = chart.account(row.get("category"))
        if account is not None:
            row["category"] = account.name
    return {
        "choices": chart.names,
        "current": record.category,
        "suggestion": None if record.category else store.suggest_category(record),
    }


def _page_count(request: Request, store: Store, record: ReceiptRecord) -> tuple[int, str | None]:
    pages: PageImages = request.app.state.pages
    document = store.get_document(record.document_id)
    if document is None:
        return 0, "The original file is not in the database."
    try:
        return pages.count(document, store.page_rotations(document.id)), None
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


def form_version(text: object) -> dt.datetime:
    """The version a form was rendered from (the receipt's ``updated_at``). A missing or
    unreadable one matches no receipt: the write is refused as a conflict, never blind."""
    try:
        version = dt.datetime.fromisoformat(str(text))
    except ValueError:
        return _NO_VERSION
    return version if version.tzinfo is not None else version.replace(tzinfo=dt.UTC)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def conflict_page(
    request: Request,
    stale: StaleVersionError,
    *,
    form: ReceiptForm | None = None,
    typed: Receipt | None = None,
    reason: str = "",
) -> Response:
    """409: the current receipt, what others changed since the reviewer's version, and, for an
    edit, their values beside the reviewer's, with everything the reviewer typed kept."""
    store = _store(request)
    record = _receipt(store, stale.receipt_id)
    since = [event for event in store.history(record.id) if event.created_at > stale.expected]
    who = ", ".join(sorted({event.user for event in since})) or "someone"
    if typed is not None:
        kept = "Nothing was saved; what you typed is still in the form below."
        then = "Check it against their values and save again to keep yours."
    else:
        kept = "Nothing was done."
        then = "Check the receipt as it is now and try again."
    request.session["problem"] = f"{who} changed this receipt after you opened it. {kept} {then}"
    conflict = {
        "events": since,
        "fields": diff_receipts(record.receipt, typed) if typed is not None else [],
    }
    shown = form if form is not None else ReceiptForm.from_receipt(record.receipt)
    return _detail(request, record, shown, status_code=409, conflict=conflict, reason=reason)


@router.post("/receipts/{receipt_id}/edit", dependencies=[Depends(check_csrf)])
async def edit_receipt(request: Request, receipt_id: int, user: Reviewer) -> Response:
    submitted: Any = await request.form()
    store = _store(request)
    record = await run_in_threadpool(_receipt, store, receipt_id)
    sent_version = str(submitted.get("version", ""))
    form = ReceiptForm.from_submitted(submitted)
    chart = await run_in_threadpool(store.chart)
    receipt = form.to_receipt(chart)
    if receipt is None:
        request.session["problem"] = "Nothing was saved: some values need fixing (marked below)."
        return await run_in_threadpool(
            _detail, request, record, form, status_code=422, version=sent_version
        )
    changes = diff_receipts(record.receipt, receipt)
    if not changes:
        request.session["notice"] = "No changes to save."
        return _back(receipt_id, request)
    try:
        updated = await run_in_threadpool(
            partial(store.update_receipt, version=form_version(sent_version)),
            receipt_id,
            receipt,
            user=user,
        )
    except StaleVersionError as stale:
        return await run_in_threadpool(
            partial(conflict_page, form=form, typed=receipt), request, stale
        )
    except UnstorableError as unfit:  # the form checks the same; kept so it is never a 500
        form.errors.update(unfit.problems)
        request.session["problem"] = "Nothing was saved: some values need fixing (marked below)."
        return await run_in_threadpool(
            _detail, request, record, form, status_code=422, version=sent_version
        )
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
    record = _receipt(_store(request), receipt_id)
    if record.updated_at != form_version(version):  # changed since: say so before anything else
        return conflict_page(
            request, StaleVersionError(record.id, form_version(version), record.updated_at)
        )
    if has_errors(record.flags) and not confirm_errors:
        request.session["problem"] = (
            "This receipt still has errors. Fix them and save, or tick "
            "'approve despite errors' to approve it as it is."
        )
        return _back(receipt_id, request)
    # The errors were judged on the version the approver saw; the write checks it is current.
    return _decide(request, record, "approved", user, None, bool(go_next), version)


@router.post("/receipts/{receipt_id}/reject", dependencies=[Depends(check_csrf)])
def reject_receipt(
    request: Request,
    receipt_id: int,
    user: Approver,
    reason: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    record = _receipt(_store(request), receipt_id)
    reason = reason.replace("\x00", "").strip()[:_MAX_REASON]  # the database refuses NUL
    if not reason:
        request.session["problem"] = "Say why the receipt is rejected."
        return _back(receipt_id, request)
    return _decide(request, record, "rejected", user, reason, True, version)


@router.post("/receipts/{receipt_id}/reopen", dependencies=[Depends(check_csrf)])
def reopen_receipt(
    request: Request, receipt_id: int, user: Approver, version: Annotated[str, Form()] = ""
) -> Response:
    """Undo an approval or rejection: back to the queue, flagged if it has errors."""
    store = _store(request)
    record = _receipt(store, receipt_id)
    status = "flagged" if has_errors(record.flags) else "extracted"
    try:
        store.set_status(
            receipt_id, status, user=user, reason="reopened", version=form_version(version)
        )
    except StaleVersionError as stale:
        return conflict_page(request, stale)
    request.session["notice"] = f"Reopened: the receipt is {status} again."
    return _back(receipt_id, request)


def _decide(
    request: Request,
    record: ReceiptRecord,
    status: str,
    user: str,
    reason: str | None,
    go_next: bool,
    version: str,
) -> Response:
    store = _store(request)
    try:
        store.set_status(record.id, status, user=user, reason=reason, version=form_version(version))
    except StaleVersionError as stale:
        return conflict_page(request, stale, reason=reason or "")
    name = record.receipt.merchant.name or f"receipt {record.id}"
    request.session["notice"] = f"{name}: {status}."
    if not go_next:
        return _back(record.id, request)
    following = queue.next_to_review(store, _filter(request), record.id)
    return _back(following, request)


@router.get("/receipts/{receipt_id}/pages/{page}.jpg")
def page_image(request: Request, receipt_id: int, page: int) -> Response:
    """Page ``page`` (1-based) of the receipt's archived original, as JPEG."""
    store = _store(request)
    record = _receipt(store, receipt_id)
    document = store.get_document(record.document_id)
    if document is None:
        raise PageNotFound(f"document {record.document_id}")
    pages: PageImages = request.app.state.pages
    data = pages.jpeg(document, page - 1, store.page_rotations(document.id))
    # Not kept by the browser: after logout nobody at this computer can bring them back.
    headers = {"Cache-Control": "private, no-store"}
    return Response(content=data, media_type="image/jpeg", headers=headers)
