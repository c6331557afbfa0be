"""HTTP clients for the openai SDK that count its transport retries per extraction.

The SDK retries 429, 5xx, timeouts and resets itself (``max_retries``) and tells no one;
it marks each retry with an ``x-stainless-retry-count`` header. A request hook sees that
header and adds one to the ``UsageRecorder`` of the extraction the request belongs to, found
through a context variable (each thread and asyncio task has its own), so the count lands in
``usage.transport_retries`` and is stored with the extraction run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

import openai

if TYPE_CHECKING:
    from receiptflow.llm.usage import UsageRecorder

_RECORDER: ContextVar[UsageRecorder | None] = ContextVar("receiptflow_recorder", default=None)


@contextmanager
def counting(recorder: UsageRecorder) -> Iterator[None]:
    """Count the transport retries of the requests made inside into ``recorder``."""
    token = _RECORDER.set(recorder)
    try:
        yield
    finally:
        _RECORDER.reset(token)


def _count(request: Any) -> None:
    recorder = _RECORDER.get()
    try:
        retry = int(request.headers.get("x-stainless-retry-count") or 0)
    except ValueError:
        retry = 0
    if recorder is not None and retry > 0:
        recorder.transport_retries += 1


async def _acount(request: Any) -> None:
    _count(request)


def http_client() -> Any:
    """The SDK's default sync client (its timeouts and pool limits) with the counting hook."""
    return openai.DefaultHttpxClient(event_hooks={"request": [_count]})


def async_http_client() -> Any:
    return openai.DefaultAsyncHttpxClient(event_hooks={"request": [_acount]})
