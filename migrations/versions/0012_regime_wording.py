"""regimes carry the words documents use for them (short name of the committee, its body of
experts, the title of a resolution summary) and notes; a reporting requirement says whether
it is asked of Member States or is the committee's own report

The values come from the bundled data: run `flask --app wsgi catalogue load` after
upgrading. Until then the new regime fields are empty and every requirement is addressed to
Member States, as before.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ADDRESSEES = "addressed_to IN ('states', 'committee')"


def upgrade() -> None:
    with op.batch_alter_table("regime", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.String(length=120), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("experts", sa.String(length=120), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("summary_title", sa.String(length=120), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("finding_title", sa.String(length=120), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("notes", sa.JSON(), nullable=False,
                                      server_default="[]"))
    with op.batch_alter_table("reporting_requirement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("addressed_to", sa.String(length=16), nullable=False,
                                      server_default="states"))
        batch_op.create_check_constraint(op.f("ck_reporting_requirement_addressed_to"),
                                         ADDRESSEES)


def downgrade() -> None:
    with op.batch_alter_table("reporting_requirement", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_reporting_requirement_addressed_to"), type_="check")
        batch_op.drop_column("addressed_to")
    with op.batch_alter_table("regime", schema=None) as batch_op:
        batch_op.drop_column("notes")
        batch_op.drop_column("finding_title")
        batch_op.drop_column("summary_title")
        batch_op.drop_column("experts")
        batch_op.drop_column("short_name")
