"""render failures

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 14:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "render_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_render_failure")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_render_failure_fingerprint")),
    )
    with op.batch_alter_table("render_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_render_failure_retry_at"), ["retry_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("render_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_render_failure_retry_at"))
    op.drop_table("render_failure")
