"""Lazy registries: a backend is named by "module:attribute" so importing receiptflow never
imports openai, prefect or an OCR runtime until that backend is asked for."""

from __future__ import annotations

import importlib
from typing import Any

from receiptflow.errors import UnknownComponentError


def load_entry(kind: str, registry: dict[str, str], name: str) -> Any:
    try:
        target = registry[name]
    except KeyError:
        raise UnknownComponentError(kind, name, sorted(registry)) from None
    module_name, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module_name), attribute)
