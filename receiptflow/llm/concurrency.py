"""One process-wide limit on LLM requests in flight, for sync threads and asyncio alike.

Every LLM extractor (openai, nemo, and both inside cascade) takes a slot before each
request, so a batch keeps at most ``LlmSettings.max_in_flight`` requests open in total
however the work is split. The first size asked for wins for the life of the process
(or of the event loop, for asyncio), so there is exactly one limit.
"""

from __future__ import annotations

import asyncio
import threading
import weakref

_lock = threading.Lock()
_thread_slots: threading.BoundedSemaphore | None = None
_loop_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def thread_slots(size: int) -> threading.BoundedSemaphore:
    global _thread_slots
    with _lock:
        if _thread_slots is None:
            _thread_slots = threading.BoundedSemaphore(max(1, size))
        return _thread_slots


def loop_slots(size: int) -> asyncio.Semaphore:
    """The running event loop's semaphore (a semaphore cannot be shared across loops)."""
    loop = asyncio.get_running_loop()
    with _lock:
        slots = _loop_slots.get(loop)
        if slots is None:
            slots = _loop_slots[loop] = asyncio.Semaphore(max(1, size))
        return slots
