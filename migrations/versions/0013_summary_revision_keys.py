"""A stored summary PDF is found by the revision key of its request (what was asked, and the
revision counters of the data the document reads) as well as by its content fingerprint

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rendered_summary", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revision_key", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_rendered_summary_revision_key"),
                                          ["revision_key"])


def downgrade() -> None:
    with op.batch_alter_table("rendered_summary", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_rendered_summary_revision_key"), type_="unique")
        batch_op.drop_column("revision_key")
