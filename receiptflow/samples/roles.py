"""What each printed piece of a receipt *is*: the line-truth vocabulary of the generator.

Every cell the generator prints is made of ``Part``s. A part has a role from ``ROLES``, says
whether it is a *key* (the label "SUMME" in front of a total carries the total's role with
``key=True``) and, for values, which truth field it prints (``"total"``,
``"line_items.2.amount"``, ``"taxes.0.amount"``). Damage that hides a line hides the fields
its parts print; ``samples/README.md`` documents the side file built from these.
"""

from __future__ import annotations

from dataclasses import dataclass

ROLES: tuple[str, ...] = (
    "merchant",
    "address",
    "phone",
    "tax_id",
    "date",
    "time",
    "receipt_number",
    "item",
    "quantity",
    "unit_price",
    "item_price",
    "discount",
    "deposit",
    "void",
    "header",
    "subtotal",
    "tax",
    "tax_table",
    "tip",
    "service",
    "rounding",
    "total",
    "payment",
    "change",
    "card",
    "cashier",
    "other",
)
ROLE_SET = frozenset(ROLES)


@dataclass(frozen=True)
class Part:
    """A piece of a printed cell. Whitespace-only parts are spacing, not segments."""

    text: str
    role: str = "other"
    key: bool = False
    field: str | None = None  # the truth path this value prints, None for keys and decoration

    def __post_init__(self) -> None:
        if self.role not in ROLE_SET:
            raise ValueError(f"unknown line role {self.role!r}")


SPACE = Part(" ")


def keyed(label: str, value: str, role: str, field: str | None = None) -> tuple[Part, ...]:
    """``label value`` as one cell: the label a key of ``role``, the value printing ``field``."""
    return (Part(label, role, key=True), SPACE, Part(value, role, field=field))


def line_role(parts: tuple[Part, ...]) -> str:
    """A line's role when it is not given: its first value's, else its first key's."""
    for want_key in (False, True):
        for part in parts:
            if part.text.strip() and part.role != "other" and part.key is want_key:
                return part.role
    return "other"
