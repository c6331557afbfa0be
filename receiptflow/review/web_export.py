"""Downloads of approved receipts, through the same exporters as ``receiptflow export``."""

from __future__ import annotations

import datetime as dt
import io

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse

from receiptflow.review.queue import QueueFilter, matching
from receiptflow.review.roles import approver
from receiptflow.storage import Store

router = APIRouter(dependencies=[Depends(approver)])  # exporting is the approvers' (roles)


@router.get("/export")
def export_approved(request: Request, format: str = "csv") -> Response:  # noqa: A002
    """Approved receipts under every filter of the queue page (search, merchant, dates,
    category, total range) as a file download: what the reviewer sees is what is exported."""
    from receiptflow.export import EXPORTERS, get_exporter

    if format not in EXPORTERS:
        known = ", ".join(sorted(EXPORTERS))
        return PlainTextResponse(f"unknown format {format!r}; choose {known}", status_code=400)
    exporter = get_exporter(format)
    wanted = QueueFilter.from_params(request.query_params, view="approved")
    store: Store = request.app.state.store
    records = matching(store, wanted)
    out = io.StringIO(newline="")
    exporter.export(records, out, chart=store.chart())
    name = f"receipts-approved-{dt.date.today():%Y%m%d}{exporter.suffix}"
    return Response(
        content=out.getvalue().encode("utf-8"),
        media_type=exporter.media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
