"""The Receipt schema as an OpenAI strict tool schema."""

from __future__ import annotations

from typing import Any

from receiptflow.schemas import Receipt
from receiptflow.schemas.json_schema import strict_json_schema

# Keywords OpenAI's strict structured outputs accept (its documented subset).
ALLOWED = {
    "type",
    "properties",
    "required",
    "additionalProperties",
    "enum",
    "anyOf",
    "$ref",
    "$defs",
    "description",
    "items",
    "const",
    "pattern",
    "format",
}


def walk(node: Any, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        found.append((path, node))
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for name, child in value.items():
                    found += walk(child, f"{path}/{key}/{name}")
            elif isinstance(value, (dict, list)):
                found += walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += walk(child, f"{path}/{index}")
    return found


def test_strict_rules_hold_everywhere() -> None:
    schema = strict_json_schema(Receipt)
    for path, node in walk(schema):
        assert set(node) <= ALLOWED, (path, set(node) - ALLOWED)
        if node.get("type") == "object":
            assert node["additionalProperties"] is False, path
            assert set(node["required"]) == set(node["properties"]), path
        if "$ref" in node:
            assert set(node) == {"$ref"}, path
        assert node.get("type") != "number", path  # money travels as decimal strings


def test_an_answer_in_the_strict_shape_validates_as_a_receipt() -> None:
    answer = {
        "merchant": {"name": "Cafe", "address": None, "phone": None, "tax_id": None},
        "receipt_number": None,
        "date": "2026-11-28",
        "time": "09:15:00",
        "currency": "EUR",
        "line_items": [
            {
                "description": "Latte",
                "quantity": "2",
                "unit_price": "3.50",
                "amount": "7.00",
                "sku": None,
                "category": None,
            }
        ],
        "subtotal": "7.00",
        "taxes": [{"label": "VAT 19%", "rate": "19", "amount": "1.12", "inclusive": True}],
        "tip": None,
        "service_charge": None,
        "discounts": [],
        "rounding": None,
        "total": "7.00",
        "payment": {"method": "card", "card_last4": "1234", "tendered": None, "change": None},
    }
    receipt = Receipt.model_validate(answer)
    assert str(receipt.total) == "7.00" and receipt.payment is not None
