"""Books: the chart of accounts, a category per receipt, rules learned from approvals, and
recorded exports (so an export of new receipts never books one twice)

Revision ID: bookscli_books
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bookscli_books"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("receipts") as batch:
        batch.add_column(sa.Column("category", sa.String(length=255), nullable=True))
        batch.create_index(batch.f("ix_receipts_category"), ["category"], unique=False)
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("tax_type", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("code", name=op.f("uq_accounts_code")),
        sa.UniqueConstraint("name", name=op.f("uq_accounts_name")),
    )
    op.create_table(
        "category_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_key", sa.String(length=255), nullable=False),
        sa.Column("category", sa.String(length=255), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_rules")),
        sa.UniqueConstraint("merchant_key", name=op.f("uq_category_rules_merchant_key")),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    op.create_table(
        "exported_receipts",
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("export_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["export_id"], ["exports.id"], name=op.f("fk_exported_receipts_export_id_exports")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipts.id"], name=op.f("fk_exported_receipts_receipt_id_receipts")
        ),
        sa.PrimaryKeyConstraint("receipt_id", name=op.f("pk_exported_receipts")),
    )
    op.create_index(
        op.f("ix_exported_receipts_export_id"), "exported_receipts", ["export_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exported_receipts_export_id"), table_name="exported_receipts")
    op.drop_table("exported_receipts")
    op.drop_table("exports")
    op.drop_table("category_rules")
    op.drop_table("accounts")
    with op.batch_alter_table("receipts") as batch:
        batch.drop_index(batch.f("ix_receipts_category"))
        batch.drop_column("category")
