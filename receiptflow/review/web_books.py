"""Bookkeeping in the review app: a receipt's category (with its suggestion and where that
came from), approving the selected clean receipts of the queue at once, and the exports page
(export the new approved receipts once; download any recorded export again, unchanged).

The same ``Store`` methods as ``receiptflow receipts approve`` and ``export --new``, so the
browser and the CLI can never disagree about what was booked."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import RedirectResponse

from receiptflow.export import EXPORTERS, export_text, get_exporter
from receiptflow.review import roles
from receiptflow.review.app import render
from receiptflow.review.queue import QueueFilter
from receiptflow.review.security import check_csrf, reviewer
from receiptflow.review.web_receipts import conflict_page, form_version
from receiptflow.settings import Settings
from receiptflow.storage import StaleVersionError, StorageError, Store

router = APIRouter(dependencies=[Depends(reviewer)])
Reviewer = Annotated[str, Depends(reviewer)]
Approver = Annotated[str, Depends(roles.approver)]  # approving and exporting (roles)
_MAX_SELECTED = 500  # one form post; the queue shows 50 a page


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _query_string(request: Request) -> str:
    params = request.query_params
    return QueueFilter.parse(
        params.get("view"), params.get("merchant"), params.get("date_from"), params.get("date_to")
    ).query_string()


@router.post("/receipts/{receipt_id}/category", dependencies=[Depends(check_csrf)])
def set_category(
    request: Request,
    receipt_id: int,
    user: Reviewer,
    category: Annotated[str, Form()] = "",
    version: Annotated[str, Form()] = "",
) -> Response:
    """The receipt's category, checked against the version the page was opened from, as a
    save is: a receipt changed since is a 409 showing what changed, and choosing one is a
    new version, so an edit opened before it cannot be saved over it."""
    store = _store(request)
    try:
        record = store.set_category(
            receipt_id, category.strip() or None, user=user, version=form_version(version)
        )
    except StaleVersionError as stale:
        return conflict_page(request, stale)
    except StorageError as error:
        request.session["problem"] = str(error)
    else:
        request.session["notice"] = (
            f"Category: {record.category}." if record.category else "Category cleared."
        )
    return RedirectResponse(f"/receipts/{receipt_id}{_query_string(request)}", status_code=303)


@router.post("/receipts/bulk-approve", dependencies=[Depends(check_csrf)])
async def bulk_approve(request: Request, user: Approver) -> Response:
    """Approve the ticked receipts of the queue that are ok and without findings."""
    submitted = await request.form()
    ids = []
    for value in submitted.getlist("ids")[:_MAX_SELECTED]:
        if isinstance(value, str) and value.isdigit():
            ids.append(int(value))
    target = RedirectResponse(f"/{_query_string(request)}", status_code=303)
    if not ids:
        request.session["problem"] = "Tick the receipts to approve first."
        return target
    settings: Settings = request.app.state.settings
    outcomes = _store(request).approve_clean(
        list(dict.fromkeys(ids)), user=user, four_eyes=settings.review.four_eyes
    )
    approved = [o for o in outcomes if o.approved]
    refused = [f"receipt {o.receipt_id} {o.message}" for o in outcomes if not o.approved]
    request.session["notice"] = f"Approved {len(approved)} receipt(s)."
    if refused:
        request.session["problem"] = "; ".join(refused)
    return target


@router.get("/exports")
def exports_page(request: Request, user: Approver) -> Response:
    store = _store(request)
    context = {
        "exports": store.list_exports(),
        "formats": sorted(EXPORTERS),
        "waiting": store.count_unexported(),
    }
    return render(request, "exports.html", context)


@router.post("/exports", dependencies=[Depends(check_csrf)])
def export_new(request: Request, user: Approver, format: Annotated[str, Form()] = "") -> Response:  # noqa: A002
    target = RedirectResponse("/exports", status_code=303)
    if format not in EXPORTERS:
        request.session["problem"] = f"Unknown format {format!r}."
        return target
    store = _store(request)
    chart = store.chart()
    made = store.export_new(format, lambda records: export_text(format, records, chart), user=user)
    if made is None:
        request.session["notice"] = "Nothing new: every approved receipt is already exported."
    else:
        request.session["notice"] = (
            f"Export {made.id}: {len(made.receipt_ids)} receipt(s) as {made.format}. "
            "Download it below."
        )
    return target


@router.get("/exports/{export_id}/download")
def download_export(request: Request, export_id: int, user: Approver) -> Response:
    """The recorded export's exact bytes (the CLI's ``--export-id`` gives the same)."""
    recorded, content = _store(request).get_export(export_id)
    exporter = get_exporter(recorded.format)
    name = f"receiptflow-export-{recorded.id}-{recorded.format}{exporter.suffix}"
    return Response(
        content=content.encode("utf-8"),
        media_type=exporter.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
