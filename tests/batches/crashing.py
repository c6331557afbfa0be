"""Run ``batches submit`` or ``collect`` in this process and die (``os._exit``: no cleanup,
no rollback handler, as a killed process) at one point: ``python crashing.py POINT PATH...``.

Points: after-upload (file uploaded, not recorded), after-create (batch created, not
recorded), in-store (inside the second document's store transaction, before its commit),
after-store (the second document stored, the rest not).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from receiptflow.batches import Batches, open_engine
from receiptflow.llm.batch_api import BatchApi
from receiptflow.settings import Settings
from receiptflow.storage.batches import BatchLedger
from receiptflow.storage.service import Store

KILLED = 9


def _die_after(owner: Any, name: str, calls: int = 1) -> None:
    original = getattr(owner, name)
    seen = [0]

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        seen[0] += 1
        if seen[0] >= calls:
            os._exit(KILLED)
        return result

    setattr(owner, name, wrapped)


def _die_inside_second_store() -> None:
    original = Store.record_extraction
    seen = [0]

    def wrapped(self: Store, *args: Any, also: Any = None, **kwargs: Any) -> Any:
        seen[0] += 1
        if seen[0] < 2:
            return original(self, *args, also=also, **kwargs)

        def then_die(session: Any) -> None:
            also(session)
            session.flush()  # the run and the item's new state are written, not committed
            os._exit(KILLED)

        return original(self, *args, also=then_die, **kwargs)

    Store.record_extraction = wrapped  # type: ignore[method-assign]


def main(point: str, paths: list[str]) -> None:
    settings = Settings()
    batches = Batches.open(settings)
    if point in ("after-upload", "after-create"):
        _die_after(BatchApi, "upload" if point == "after-upload" else "create")
        from receiptflow.batches.submit import submit

        submit([Path(p) for p in paths], batches, open_engine("openai", settings))
    else:
        if point == "in-store":
            _die_inside_second_store()
        else:
            _die_after(BatchLedger, "store_item", calls=2)
        from receiptflow.batches.collect import Engines, collect_all

        collect_all(batches, Engines(settings))
    sys.exit(0)  # not killed: the test fails on the exit code


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
