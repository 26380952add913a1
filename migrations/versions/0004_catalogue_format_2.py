"""catalogue format 2: verification notes, verified reporting deadlines, meeting notes

Obligations gain `verification_note` (plain words on what was confirmed) and lose `note`,
which held compilation notes that are not for publication; resolutions gain
`reporting_deadline_verified`, `meeting_note` and `reporting_note`. The new values come from
the bundled data: run `flask --app wsgi catalogue load` after upgrading.

Downgrading puts `note` back, filled with the verification notes, and drops the new columns.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# SQLite adds and drops these plain columns in place (ALTER TABLE, SQLite 3.35 or later);
# copying the tables instead would fail on a loaded database, whose reports refer to
# obligations and resolutions while foreign keys are enforced.


def upgrade() -> None:
    with op.batch_alter_table("resolution", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("meeting_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "reporting_deadline_verified",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("reporting_note", sa.Text(), nullable=True))

    with op.batch_alter_table("obligation", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("verification_note", sa.Text(), nullable=True))
        batch_op.drop_column("note")


def downgrade() -> None:
    with op.batch_alter_table("obligation", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.execute("UPDATE obligation SET note = verification_note")
    with op.batch_alter_table("obligation", recreate="never") as batch_op:
        batch_op.drop_column("verification_note")

    with op.batch_alter_table("resolution", recreate="never") as batch_op:
        batch_op.drop_column("reporting_note")
        batch_op.drop_column("reporting_deadline_verified")
        batch_op.drop_column("meeting_note")
