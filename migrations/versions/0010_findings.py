"""Panel findings and the right of reply: findings, their versions, and the State's reply
with its versions

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 19:45:24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('subject_kind', sa.String(length=12), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('obligation_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('assessment', sa.String(length=16), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('reply_due', sa.Date(), nullable=True),
    sa.Column('shared_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('early_publication_reason', sa.Text(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_demo', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("assessment IN ('corroborated', 'contradicted', 'unverifiable')", name=op.f('ck_finding_assessment')),
    sa.CheckConstraint("status IN ('draft', 'shared', 'published', 'withdrawn')", name=op.f('ck_finding_status')),
    sa.CheckConstraint("subject_kind IN ('entry', 'incident', 'obligation')", name=op.f('ck_finding_subject_kind')),
    sa.CheckConstraint("visibility IN ('public', 'restricted')", name=op.f('ck_finding_visibility')),
    sa.ForeignKeyConstraint(['created_by_id'], ['authority.id'], name=op.f('fk_finding_created_by_id_authority')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_finding_incident_id_incident')),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], name=op.f('fk_finding_obligation_id_obligation')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_finding_report_id_report')),
    sa.ForeignKeyConstraint(['state_id'], ['member_state.id'], name=op.f('fk_finding_state_id_member_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding')),
    sa.UniqueConstraint('public_id', name=op.f('uq_finding_public_id'))
    )
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_assessment'), ['assessment'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_state_id'), ['state_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_visibility'), ['visibility'], unique=False)

    op.create_table('finding_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('first_received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_reply_finding_id_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_reply')),
    sa.UniqueConstraint('finding_id', name=op.f('uq_finding_reply_finding_id'))
    )
    op.create_table('finding_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('assessment', sa.String(length=16), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.CheckConstraint("assessment IN ('corroborated', 'contradicted', 'unverifiable')", name=op.f('ck_finding_version_assessment')),
    sa.CheckConstraint("visibility IN ('public', 'restricted')", name=op.f('ck_finding_version_visibility')),
    sa.ForeignKeyConstraint(['author_id'], ['authority.id'], name=op.f('fk_finding_version_author_id_authority')),
    sa.ForeignKeyConstraint(['finding_id'], ['finding.id'], name=op.f('fk_finding_version_finding_id_finding')),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_finding_version_token_id_api_token')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_version')),
    sa.UniqueConstraint('finding_id', 'number', name=op.f('uq_finding_version_finding_id_number'))
    )
    with op.batch_alter_table('finding_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_version_finding_id'), ['finding_id'], unique=False)

    op.create_table('finding_reply_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reply_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_finding_reply_version_authority_id_authority')),
    sa.ForeignKeyConstraint(['reply_id'], ['finding_reply.id'], name=op.f('fk_finding_reply_version_reply_id_finding_reply')),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_finding_reply_version_token_id_api_token')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_reply_version')),
    sa.UniqueConstraint('reply_id', 'number', name=op.f('uq_finding_reply_version_reply_id_number'))
    )
    with op.batch_alter_table('finding_reply_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_reply_version_reply_id'), ['reply_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('finding_reply_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_reply_version_reply_id'))

    op.drop_table('finding_reply_version')
    with op.batch_alter_table('finding_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_version_finding_id'))

    op.drop_table('finding_version')
    op.drop_table('finding_reply')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_visibility'))
        batch_op.drop_index(batch_op.f('ix_finding_status'))
        batch_op.drop_index(batch_op.f('ix_finding_state_id'))
        batch_op.drop_index(batch_op.f('ix_finding_report_id'))
        batch_op.drop_index(batch_op.f('ix_finding_published_at'))
        batch_op.drop_index(batch_op.f('ix_finding_obligation_id'))
        batch_op.drop_index(batch_op.f('ix_finding_incident_id'))
        batch_op.drop_index(batch_op.f('ix_finding_assessment'))

    op.drop_table('finding')
