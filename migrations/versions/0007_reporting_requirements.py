"""reporting requirements, their stages and the obligations they cover; obligations gain the
date they entered into force and what superseded them

The new rows and values come from the bundled data: run `flask --app wsgi catalogue load`
after upgrading. Until then every obligation is in force from its resolution's adoption date
(the upgrade writes that) and nothing is superseded.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUPERSEDED_FK = "fk_obligation_superseded_by_id_obligation"
KINDS = "kind IN ('once', 'staged', 'periodic', 'on_event')"


def upgrade() -> None:
    op.create_table(
        "reporting_requirement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.String(length=40), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("due_days_after_adoption", sa.Integer(), nullable=True),
        sa.Column("period_days", sa.Integer(), nullable=True),
        sa.Column("trigger", sa.Text(), nullable=True),
        sa.Column("applies_to", sa.Text(), nullable=False),
        sa.Column("binding", sa.Boolean(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("verification_note", sa.Text(), nullable=False),
        sa.Column("covers_all", sa.Boolean(), nullable=False),
        sa.CheckConstraint(KINDS, name=op.f("ck_reporting_requirement_kind")),
        sa.ForeignKeyConstraint(
            ["resolution_id"], ["resolution.id"],
            name=op.f("fk_reporting_requirement_resolution_id_resolution"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reporting_requirement")),
        sa.UniqueConstraint("code", name=op.f("uq_reporting_requirement_code")),
    )
    with op.batch_alter_table("reporting_requirement") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reporting_requirement_resolution_id"), ["resolution_id"], unique=False
        )

    op.create_table(
        "requirement_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("months_after_adoption", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requirement_id"], ["reporting_requirement.id"],
            name=op.f("fk_requirement_stage_requirement_id_reporting_requirement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement_stage")),
        sa.UniqueConstraint("code", name=op.f("uq_requirement_stage_code")),
    )
    with op.batch_alter_table("requirement_stage") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requirement_stage_requirement_id"), ["requirement_id"], unique=False
        )

    op.create_table(
        "requirement_obligation",
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["obligation_id"], ["obligation.id"],
            name=op.f("fk_requirement_obligation_obligation_id_obligation"),
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"], ["reporting_requirement.id"],
            name=op.f("fk_requirement_obligation_requirement_id_reporting_requirement"),
        ),
        sa.PrimaryKeyConstraint(
            "requirement_id", "obligation_id", name=op.f("pk_requirement_obligation")
        ),
    )
    with op.batch_alter_table("requirement_obligation") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requirement_obligation_obligation_id"), ["obligation_id"],
            unique=False,
        )

    # Columns are added in place (see 0004: copying the table would fail on a loaded
    # database); SQLite adds a foreign key only with its column, in the column's definition.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE obligation ADD COLUMN superseded_by_id INTEGER "
                   f"CONSTRAINT {SUPERSEDED_FK} REFERENCES obligation (id)")
    else:
        op.add_column("obligation", sa.Column("superseded_by_id", sa.Integer(), nullable=True))
        op.create_foreign_key(SUPERSEDED_FK, "obligation", "obligation",
                              ["superseded_by_id"], ["id"])
    with op.batch_alter_table("obligation", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("in_force_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("superseded_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("supersession_verified", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("supersession_source", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("supersession_note", sa.Text(), nullable=True))
    op.execute(
        "UPDATE obligation SET in_force_from = "
        "(SELECT adopted_on FROM resolution WHERE resolution.id = obligation.resolution_id)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(SUPERSEDED_FK, "obligation", type_="foreignkey")
    with op.batch_alter_table("obligation", recreate="never") as batch_op:
        batch_op.drop_column("supersession_note")
        batch_op.drop_column("supersession_source")
        batch_op.drop_column("supersession_verified")
        batch_op.drop_column("superseded_on")
        batch_op.drop_column("superseded_by_id")
        batch_op.drop_column("in_force_from")

    with op.batch_alter_table("requirement_obligation") as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_obligation_obligation_id"))
    op.drop_table("requirement_obligation")
    with op.batch_alter_table("requirement_stage") as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirement_stage_requirement_id"))
    op.drop_table("requirement_stage")
    with op.batch_alter_table("reporting_requirement") as batch_op:
        batch_op.drop_index(batch_op.f("ix_reporting_requirement_resolution_id"))
    op.drop_table("reporting_requirement")
