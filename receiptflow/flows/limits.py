"""The one Prefect global concurrency limit every LLM call of every flow run shares.

A global limit only limits once it exists on the Prefect server, so flows create it (once
per process and server) with ``LlmSettings.max_in_flight`` slots unless ``FlowSettings``
names another size; an operator can resize it in the UI or with
``prefect gcl update receiptflow-llm --limit N``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from receiptflow.settings import Settings

_ensured: set[tuple[str, str]] = set()
_lock = threading.Lock()


def llm_limit_size(settings: Settings) -> int:
    return settings.flows.llm_limit or settings.llm.max_in_flight


def uses_llm(settings: Settings) -> bool:
    """Whether this configuration's extractor may call an LLM (cascade sometimes does)."""
    from receiptflow.flows.steps import extractor_for

    return bool(getattr(extractor_for(settings), "uses_llm", settings.extractor != "local"))


def ensure_llm_limit(settings: Settings) -> None:
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    name = settings.flows.llm_limit_name
    key = (str(PREFECT_API_URL.value()), name)
    with _lock:
        if key in _ensured:
            return
        with get_client(sync_client=True) as client:
            client.upsert_global_concurrency_limit_by_name(name, llm_limit_size(settings))
        _ensured.add(key)


@contextmanager
def llm_slot(settings: Settings) -> Iterator[None]:
    """Hold one slot of the shared limit while an extraction that may call an LLM runs."""
    if not uses_llm(settings):
        yield
        return
    from prefect.concurrency.sync import concurrency

    ensure_llm_limit(settings)
    with concurrency(settings.flows.llm_limit_name, occupy=1, strict=True):
        yield
