"""reports answer a reporting requirement (a stage, a period, an event); nil reports;
authorities' contact e-mail and the reminders sent to them

Every existing report is attached to its resolution's `once` requirement where the catalogue
rows exist (`catalogue load` attaches the rest when it adds them). A report's key becomes
(state, what it answers, its period or event, demo) instead of (state, resolution, demo).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = "uq_report_state_id_resolution_id_is_demo"
NEW_KEY = "uq_report_state_id_answers_occasion_is_demo"


def upgrade() -> None:
    with op.batch_alter_table("authority") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))

    with op.batch_alter_table("report") as batch_op:
        batch_op.add_column(sa.Column("requirement_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stage_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answers", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("occasion", sa.String(length=21), nullable=True))
        batch_op.add_column(sa.Column("period_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("period_to", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("event_on", sa.Date(), nullable=True))

    # Each report answers its resolution's `once` requirement: the one covering every
    # obligation, or else the first. Without one (a resolution whose requirements are not
    # loaded yet, or that requests no report) the report keeps its resolution's number.
    bind = op.get_bind()
    once = {}
    for resolution_id, requirement_id, code in bind.execute(sa.text(
        "SELECT resolution_id, id, code FROM reporting_requirement WHERE kind = 'once' "
        "ORDER BY covers_all DESC, position DESC"
    )):
        once[resolution_id] = (requirement_id, code)  # the last written wins: the preferred
    reports = bind.execute(sa.text(
        "SELECT report.id, report.resolution_id, resolution.number FROM report "
        "JOIN resolution ON resolution.id = report.resolution_id"
    )).all()
    for report_id, resolution_id, number in reports:
        requirement_id, code = once.get(resolution_id, (None, str(number)))
        bind.execute(
            sa.text("UPDATE report SET requirement_id = :requirement, answers = :answers, "
                    "occasion = '' WHERE id = :id"),
            {"requirement": requirement_id, "answers": code, "id": report_id},
        )

    with op.batch_alter_table("report") as batch_op:
        batch_op.alter_column("answers", existing_type=sa.String(length=60), nullable=False)
        batch_op.alter_column("occasion", existing_type=sa.String(length=21), nullable=False)
        batch_op.drop_constraint(OLD_KEY, type_="unique")
        batch_op.create_unique_constraint(NEW_KEY, ["state_id", "answers", "occasion", "is_demo"])
        batch_op.create_foreign_key(
            batch_op.f("fk_report_requirement_id_reporting_requirement"),
            "reporting_requirement", ["requirement_id"], ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_report_stage_id_requirement_stage"),
            "requirement_stage", ["stage_id"], ["id"],
        )
        batch_op.create_index(batch_op.f("ix_report_requirement_id"), ["requirement_id"])
        batch_op.create_index(batch_op.f("ix_report_answers"), ["answers"])

    with op.batch_alter_table("report_version") as batch_op:
        batch_op.add_column(
            sa.Column("nil", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.alter_column("completeness", existing_type=sa.Numeric(5, 1), nullable=True)
        batch_op.alter_column("rating", existing_type=sa.String(length=24), nullable=True)

    op.create_table(
        "reminder_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.String(length=60), nullable=False),
        sa.Column("occasion", sa.String(length=21), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(["authority_id"], ["authority.id"],
                                name=op.f("fk_reminder_sent_authority_id_authority")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sent")),
        sa.UniqueConstraint("authority_id", "answers", "occasion", "due",
                            name=op.f("uq_reminder_sent_authority_id_answers_occasion_due")),
    )
    with op.batch_alter_table("reminder_sent") as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_sent_authority_id"), ["authority_id"])


def downgrade() -> None:
    bind = op.get_bind()
    blocking = bind.execute(sa.text(
        "SELECT COUNT(*) FROM report WHERE occasion <> '' OR stage_id IS NOT NULL OR "
        "requirement_id IN (SELECT id FROM reporting_requirement WHERE kind <> 'once') OR "
        "id IN (SELECT report_id FROM report_version WHERE nil = :yes)"
    ), {"yes": True}).scalar()
    twice = bind.execute(sa.text(
        "SELECT COUNT(*) FROM (SELECT state_id, resolution_id, is_demo FROM report "
        "GROUP BY state_id, resolution_id, is_demo HAVING COUNT(*) > 1) AS pairs"
    )).scalar()
    if blocking or twice:
        raise RuntimeError(
            "cannot downgrade: reports answer stages, periods or events, are nil reports, or "
            "answer two requirements of one resolution; the previous schema has no place for "
            "them"
        )
    op.drop_table("reminder_sent")
    with op.batch_alter_table("report_version") as batch_op:
        batch_op.alter_column("rating", existing_type=sa.String(length=24), nullable=False)
        batch_op.alter_column("completeness", existing_type=sa.Numeric(5, 1), nullable=False)
        batch_op.drop_column("nil")
    with op.batch_alter_table("report") as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_answers"))
        batch_op.drop_index(batch_op.f("ix_report_requirement_id"))
        batch_op.drop_constraint(batch_op.f("fk_report_stage_id_requirement_stage"),
                                 type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_report_requirement_id_reporting_requirement"),
                                 type_="foreignkey")
        batch_op.drop_constraint(NEW_KEY, type_="unique")
        batch_op.create_unique_constraint(OLD_KEY, ["state_id", "resolution_id", "is_demo"])
        for column in ("event_on", "period_to", "period_from", "occasion", "answers",
                       "stage_id", "requirement_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("authority") as batch_op:
        batch_op.drop_column("email")
