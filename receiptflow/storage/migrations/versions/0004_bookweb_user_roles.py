"""users.role: reviewer (edits) or approver (also approves, rejects, exports)

Revision ID: bookweb_user_roles
Revises: 0002
Create Date: 2026-12-07

Users made before roles existed could do everything, so they become approvers: nobody loses
a right by upgrading. ``receiptflow users add NAME --role reviewer`` makes one who can only edit.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "bookweb_user_roles"
down_revision: str | None = "bookscli_books"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=16), nullable=False, server_default="approver")
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
