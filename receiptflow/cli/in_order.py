"""Run per-file work concurrently and hand the outcomes back in input order.

``receiptflow extract`` with an LLM extractor spends its time waiting on the network: up
to ``limit`` files are in flight at once (ingest in worker threads, the LLM request on the
event loop), while the output keeps the order of the input, so ``extract a b c > out.jsonl``
gives the same file whatever the concurrency. A ``ConfigError`` in any file (a refused API
key) stops everything at once: it would be the same for every other file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from receiptflow.errors import ConfigError

T = TypeVar("T")
K = TypeVar("K")


async def run_in_order(
    items: Sequence[K],
    work: Callable[[K], Awaitable[T]],
    limit: int,
    emit: Callable[[K, T], None],
) -> None:
    """``emit(item, work(item))`` for each item in order; at most ``limit`` works running."""
    gate = asyncio.Semaphore(max(1, limit))
    stopped: list[ConfigError] = []

    async def one(item: K) -> T:
        async with gate:
            try:
                return await work(item)
            except ConfigError as error:
                stopped.append(error)
                for task in tasks:
                    if task is not asyncio.current_task():
                        task.cancel()
                raise

    tasks = [asyncio.create_task(one(item)) for item in items]
    try:
        for item, task in zip(items, tasks, strict=True):
            try:
                outcome = await task
            except asyncio.CancelledError:
                if stopped:
                    raise stopped[0] from None
                raise
            emit(item, outcome)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
