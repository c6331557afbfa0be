"""Rules learned from approvals: once a reviewer approves a receipt with a category, that
merchant's next receipts are suggested the same category, naming the receipt and reviewer
it was learned from. The latest approval wins (a reviewer who re-codes a shop re-teaches it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from receiptflow.books.suggest import merchant_key
from receiptflow.storage.models import CategoryRuleRow, ReceiptRow
from receiptflow.storage.records import Suggestion


def learn(session: Session, row: ReceiptRow, user: str) -> None:
    key = merchant_key(row.merchant_name)
    if key is None or not row.category:
        return
    rule = session.execute(
        select(CategoryRuleRow).where(CategoryRuleRow.merchant_key == key)
    ).scalar_one_or_none()
    if rule is None:
        rule = CategoryRuleRow(merchant_key=key)
        session.add(rule)
    rule.category = row.category
    rule.receipt_id = row.id
    rule.user = user


def learned(session: Session, merchant_name: str | None) -> Suggestion | None:
    key = merchant_key(merchant_name)
    if key is None:
        return None
    rule = session.execute(
        select(CategoryRuleRow).where(CategoryRuleRow.merchant_key == key)
    ).scalar_one_or_none()
    if rule is None:
        return None
    return Suggestion(
        category=rule.category,
        source=f"learned from receipt #{rule.receipt_id} approved by {rule.user}",
    )
