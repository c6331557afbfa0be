"""One Instructor check made once per response model instead of on every request.

Instructor 1.17 walks the whole response model's type tree (``reject_async_validators``)
about seven times per request, to refuse models with async validators: ~24 ms of CPU per
receipt request on the event loop, which at 16 requests in flight was most of the client's
work (``bench/extract_concurrency.py``). The answer cannot change for a class, so the
check is remembered per class once it passed; a model that fails it still raises every time.
Applied only where Instructor has that function, so a later Instructor is left as it is.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any


def _remembering(check: Callable[[Any], None]) -> Callable[[Any], None]:
    passed: weakref.WeakSet[type] = weakref.WeakSet()

    def reject_async_validators(response_model: Any) -> None:
        if isinstance(response_model, type) and response_model in passed:
            return
        check(response_model)
        if isinstance(response_model, type):
            passed.add(response_model)

    reject_async_validators.__wrapped__ = check  # type: ignore[attr-defined]
    return reject_async_validators


def apply() -> None:
    try:
        from instructor.v2.core import patch
        from instructor.v2.validation import async_validators
    except ImportError:
        return
    original = getattr(async_validators, "reject_async_validators", None)
    if original is None or hasattr(original, "__wrapped__"):
        return  # not this Instructor, or already applied
    remembered = _remembering(original)
    setattr(async_validators, "reject_async_validators", remembered)  # noqa: B010 - imported inside functions
    if getattr(patch, "reject_async_validators", None) is original:
        setattr(patch, "reject_async_validators", remembered)  # noqa: B010 - imported at the top
