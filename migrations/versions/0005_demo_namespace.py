"""demo reports in a namespace of their own

A real report and a demo report may now exist for the same state and resolution: the unique
constraint on report covers (state_id, resolution_id, is_demo). A real report hides the demo
one in every output, and `flask --app wsgi demo unload` removes demo data only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 13:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_constraint("uq_report_state_id_resolution_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_report_state_id_resolution_id_is_demo", ["state_id", "resolution_id", "is_demo"]
        )


def downgrade() -> None:
    bind = op.get_bind()
    collisions = bind.execute(sa.text(
        "SELECT COUNT(*) FROM report real JOIN report demo "
        "ON real.state_id = demo.state_id AND real.resolution_id = demo.resolution_id "
        "AND real.is_demo <> demo.is_demo"
    )).scalar()
    if collisions:
        raise RuntimeError(
            "cannot downgrade: real and demo reports exist for the same state and resolution; "
            "run `flask --app wsgi demo unload` first"
        )
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_constraint("uq_report_state_id_resolution_id_is_demo", type_="unique")
        batch_op.create_unique_constraint(
            "uq_report_state_id_resolution_id", ["state_id", "resolution_id"]
        )
