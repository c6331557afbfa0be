"""extraction_runs: exact cost (nullable: unknown price), cached tokens, LLM audit columns

Revision ID: llmaudit_audit
Revises: 0002
Create Date: 2026-12-07

``cost_usd`` was NUMERIC(20, 6), which rounded a run's cost to millionths of a dollar (a
GPT-4o mini answer costs a few ten-thousandths, cached tokens and the Batch API's half price
add digits): it becomes NUMERIC without a scale on PostgreSQL (exact; the decimal's text on
SQLite, as before, now without rounding), and NULL is allowed for a model without a known
price. New: ``cached_tokens`` (prompt tokens billed at the cached-input price),
``served_model`` (response.model), ``request_ids`` (x-request-id of each answer) and
``answers`` (every answer of the run, first and re-asks).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from receiptflow.storage.models import ExactDecimal, Money

revision: str = "llmaudit_audit"
down_revision: str | None = "bookweb_user_roles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("extraction_runs") as batch:
        batch.alter_column(
            "cost_usd",
            existing_type=Money(),
            type_=ExactDecimal(),
            existing_nullable=False,
            nullable=True,
        )
        batch.add_column(
            sa.Column("cached_tokens", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("served_model", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_ids", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("answers", sa.JSON(), nullable=True))


def downgrade() -> None:
    runs = sa.table("extraction_runs", sa.column("cost_usd", ExactDecimal()))
    op.execute(runs.update().where(runs.c.cost_usd.is_(None)).values(cost_usd=0))
    with op.batch_alter_table("extraction_runs") as batch:
        batch.drop_column("answers")
        batch.drop_column("request_ids")
        batch.drop_column("served_model")
        batch.drop_column("cached_tokens")
        batch.alter_column(
            "cost_usd",
            existing_type=ExactDecimal(),
            type_=Money(),
            existing_nullable=True,
            nullable=False,
        )
