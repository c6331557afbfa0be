"""llm_batches and llm_batch_items: OpenAI Batch API batches and their documents

Revision ID: batchapi_llm_batches
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "batchapi_llm_batches"
down_revision: str | None = "llmaudit_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("extractor", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("api_id", sa.String(length=128), nullable=True),
        sa.Column("api_status", sa.String(length=32), nullable=True),
        sa.Column("input_file_id", sa.String(length=128), nullable=True),
        sa.Column("output_file_id", sa.String(length=128), nullable=True),
        sa.Column("error_file_id", sa.String(length=128), nullable=True),
        sa.Column("request_counts", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_batches")),
        sa.UniqueConstraint("key", name=op.f("uq_llm_batches_key")),
        sa.UniqueConstraint("api_id", name=op.f("uq_llm_batches_api_id")),
    )
    op.create_index(op.f("ix_llm_batches_state"), "llm_batches", ["state"], unique=False)
    op.create_table(
        "llm_batch_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("custom_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["llm_batches.id"],
            name=op.f("fk_llm_batch_items_batch_id_llm_batches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
            name=op.f("fk_llm_batch_items_document_id_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_llm_batch_items")),
    )
    op.create_index(
        op.f("ix_llm_batch_items_batch_id"), "llm_batch_items", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_llm_batch_items_document_id"), "llm_batch_items", ["document_id"], unique=False
    )
    op.create_index(
        "ix_llm_batch_items_batch_custom",
        "llm_batch_items",
        ["batch_id", "custom_id"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_llm_batch_items_batch_custom", table_name="llm_batch_items")
    op.drop_index(op.f("ix_llm_batch_items_document_id"), table_name="llm_batch_items")
    op.drop_index(op.f("ix_llm_batch_items_batch_id"), table_name="llm_batch_items")
    op.drop_table("llm_batch_items")
    op.drop_index(op.f("ix_llm_batches_state"), table_name="llm_batches")
    op.drop_table("llm_batches")
