"""Downloads of approved receipts, through the same exporters as ``receiptflow export``."""

from __future__ import annotations

import datetime as dt
import io

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse

from receiptflow.review.queue import QueueFilter
from receiptflow.review.roles import approver
from receiptflow.storage import Store

router = APIRouter(dependencies=[Depends(approver)])  # exporting is the approvers' (roles)


@router.get("/export")
def export_approved(request: Request, format: str = "csv") -> Response:  # noqa: A002
    """Approved receipts (under the queue's merchant and date filters) as a file download."""
    from receiptflow.export import EXPORTERS, get_exporter

    if format not in EXPORTERS:
        known = ", ".join(sorted(EXPORTERS))
        return PlainTextResponse(f"unknown format {format!r}; choose {known}", status_code=400)
    exporter = get_exporter(format)
    params = request.query_params
    wanted = QueueFilter.parse(
        "approved", params.get("merchant"), params.get("date_from"), params.get("date_to")
    )
    store: Store = request.app.state.store
    records = store.list_receipts(**wanted.store_filters(), limit=None, newest_first=False)
    out = io.StringIO(newline="")
    exporter.export(records, out, chart=store.chart())
    name = f"receipts-approved-{dt.date.today():%Y%m%d}{exporter.suffix}"
    return Response(
        content=out.getvalue().encode("utf-8"),
        media_type=exporter.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
