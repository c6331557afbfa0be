"""receipts.trust (the queue's risk order) and extraction_runs.details

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

``receipts.trust`` is the probability that the receipt is right, indexed so the review queue
sorts riskiest first in SQL. Receipts stored before it get it from their stored confidence
(``receipt_trust``); those without one stay NULL, which the queue treats as the riskiest.
``extraction_runs.details`` keeps what a run records beside its result (why the cascade
escalated).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from receiptflow.storage.receipt_trust import receipt_trust

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("receipts") as batch:
        batch.add_column(sa.Column("trust", sa.Float(), nullable=True))
        batch.create_index(batch.f("ix_receipts_trust"), ["trust"], unique=False)
    with op.batch_alter_table("extraction_runs") as batch:
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
    _fill_trust()


def _fill_trust() -> None:
    """Each existing receipt's probability from its stored confidence, a batch at a time."""
    receipts = sa.table(
        "receipts",
        sa.column("id", sa.Integer()),
        sa.column("confidence", sa.JSON()),
        sa.column("trust", sa.Float()),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(receipts.c.id, receipts.c.confidence)
            .where(receipts.c.id > last_id)
            .order_by(receipts.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for receipt_id, confidence in rows:
            value = receipt_trust(confidence if isinstance(confidence, dict) else None)
            if value is not None:
                connection.execute(
                    receipts.update().where(receipts.c.id == receipt_id).values(trust=value)
                )
        last_id = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("extraction_runs") as batch:
        batch.drop_column("details")
    with op.batch_alter_table("receipts") as batch:
        batch.drop_index(batch.f("ix_receipts_trust"))
        batch.drop_column("trust")
