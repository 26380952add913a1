"""Revision counters per scope of data, bumped by every write, so a cached document is found
by reading counters instead of rebuilding its data

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('data_revision',
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_data_revision'))
    )


def downgrade() -> None:
    op.drop_table('data_revision')
