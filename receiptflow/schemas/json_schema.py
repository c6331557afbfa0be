"""The Receipt's JSON Schema in the form OpenAI's strict tool calling accepts.

Strict mode wants every object closed (``additionalProperties: false``) with every property
listed in ``required`` (optional ones are nullable instead), no ``default``, and only a subset
of keywords. Money goes out as a decimal *string* so the model never rounds through a float.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

# Bounded like the Money type (18 digits, 6 decimals): a grammar-constrained small model
# cannot then emit "9999..." until it runs out of tokens.
DECIMAL_STRING = {"type": "string", "pattern": r"^-?\d{1,12}(\.\d{1,6})?$"}
_DROP = {"default", "title", "maxLength", "minLength", "max_digits", "decimal_places"}


def _collapse_decimal(options: list[Any]) -> list[Any]:
    """Pydantic writes Decimal as ``anyOf: [number, string]``: make that one decimal string."""
    types = [option.get("type") if isinstance(option, dict) else None for option in options]
    if "number" not in types or "string" not in types:
        return options
    string = options[types.index("string")]
    if "format" in string or "enum" in string:
        return options
    rest = [
        option
        for option, kind in zip(options, types, strict=True)
        if kind not in ("number", "string")
    ]
    return [dict(DECIMAL_STRING), *rest]


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items() if key not in _DROP}
    if isinstance(out.get("anyOf"), list):
        options = _collapse_decimal(out["anyOf"])
        if len(options) == 1:
            del out["anyOf"]
            out.update(options[0])
        else:
            out["anyOf"] = options
    if out.get("type") == "object" and "properties" in out:
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    if "$ref" in out and len(out) > 1:
        # Strict mode rejects siblings beside $ref; keep the description via allOf-free form.
        out = {"$ref": out["$ref"]}
    return out


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s validation schema rewritten for ``strict: true`` tools and response formats."""
    schema = copy.deepcopy(model.model_json_schema(mode="validation"))
    result: dict[str, Any] = _strict(schema)
    return result
