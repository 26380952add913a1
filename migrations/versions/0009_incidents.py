"""the enforcement record: incidents, their versions with parties, vessels and obligations
engaged, and acknowledgements by party States

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('current_version', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.String(length=8), nullable=False),
    sa.Column('filed_by_state_id', sa.Integer(), nullable=True),
    sa.Column('first_recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("recorded_by IN ('state', 'panel')", name=op.f('ck_incident_recorded_by')),
    sa.ForeignKeyConstraint(['filed_by_state_id'], ['member_state.id'], name=op.f('fk_incident_filed_by_state_id_member_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('public_id', name=op.f('uq_incident_public_id'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_filed_by_state_id'), ['filed_by_state_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_first_recorded_at'), ['first_recorded_at'], unique=False)

    op.create_table('incident_acknowledgement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=200), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_incident_acknowledgement_authority_id_authority')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_acknowledgement_incident_id_incident')),
    sa.ForeignKeyConstraint(['state_id'], ['member_state.id'], name=op.f('fk_incident_acknowledgement_state_id_member_state')),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_incident_acknowledgement_token_id_api_token')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_acknowledgement')),
    sa.UniqueConstraint('incident_id', 'state_id', name=op.f('uq_incident_acknowledgement_incident_id_state_id'))
    )
    with op.batch_alter_table('incident_acknowledgement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_acknowledgement_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_acknowledgement_state_id'), ['state_id'], unique=False)

    op.create_table('incident_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('token_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurred_until', sa.Date(), nullable=True),
    sa.Column('location_state_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.Text(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=35), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('cargo', sa.JSON(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.CheckConstraint("kind IN ('inspection', 'seizure', 'interdiction', 'port_call', 'ship_to_ship_transfer', 'asset_freeze', 'other')", name=op.f('ck_incident_version_kind')),
    sa.CheckConstraint("visibility IN ('public', 'restricted')", name=op.f('ck_incident_version_visibility')),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_version_incident_id_incident')),
    sa.ForeignKeyConstraint(['location_state_id'], ['member_state.id'], name=op.f('fk_incident_version_location_state_id_member_state')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['authority.id'], name=op.f('fk_incident_version_submitted_by_id_authority')),
    sa.ForeignKeyConstraint(['token_id'], ['api_token.id'], name=op.f('fk_incident_version_token_id_api_token')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_version')),
    sa.UniqueConstraint('incident_id', 'number', name=op.f('uq_incident_version_incident_id_number'))
    )
    with op.batch_alter_table('incident_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_version_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_version_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_version_occurred_on'), ['occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_version_visibility'), ['visibility'], unique=False)

    op.create_table('incident_obligation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], name=op.f('fk_incident_obligation_obligation_id_obligation')),
    sa.ForeignKeyConstraint(['version_id'], ['incident_version.id'], name=op.f('fk_incident_obligation_version_id_incident_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_obligation')),
    sa.UniqueConstraint('version_id', 'obligation_id', name=op.f('uq_incident_obligation_version_id_obligation_id'))
    )
    with op.batch_alter_table('incident_obligation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_obligation_obligation_id'), ['obligation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_obligation_version_id'), ['version_id'], unique=False)

    op.create_table('incident_party',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.CheckConstraint("role IN ('inspecting_state', 'port_state', 'flag_state', 'origin', 'destination', 'transit', 'other')", name=op.f('ck_incident_party_role')),
    sa.ForeignKeyConstraint(['state_id'], ['member_state.id'], name=op.f('fk_incident_party_state_id_member_state')),
    sa.ForeignKeyConstraint(['version_id'], ['incident_version.id'], name=op.f('fk_incident_party_version_id_incident_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_party')),
    sa.UniqueConstraint('version_id', 'state_id', 'role', name=op.f('uq_incident_party_version_id_state_id_role'))
    )
    with op.batch_alter_table('incident_party', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_party_state_id'), ['state_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_party_version_id'), ['version_id'], unique=False)

    op.create_table('incident_vessel',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('imo', sa.String(length=7), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('flag', sa.String(length=3), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['incident_version.id'], name=op.f('fk_incident_vessel_version_id_incident_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_vessel')),
    sa.UniqueConstraint('version_id', 'imo', name=op.f('uq_incident_vessel_version_id_imo'))
    )
    with op.batch_alter_table('incident_vessel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_vessel_imo'), ['imo'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_vessel_version_id'), ['version_id'], unique=False)

    op.create_table('incident_involvement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('reported', sa.Boolean(), nullable=False),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_involvement_incident_id_incident')),
    sa.ForeignKeyConstraint(['resolution_id'], ['resolution.id'], name=op.f('fk_incident_involvement_resolution_id_resolution')),
    sa.ForeignKeyConstraint(['state_id'], ['member_state.id'], name=op.f('fk_incident_involvement_state_id_member_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_involvement')),
    sa.UniqueConstraint('incident_id', 'state_id', 'resolution_id', name=op.f('uq_incident_involvement_incident_id_state_id_resolution_id'))
    )
    with op.batch_alter_table('incident_involvement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_involvement_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_incident_involvement_resolution_id_state_id', ['resolution_id', 'state_id', 'reported', 'is_demo', 'public'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_involvement_state_id'), ['state_id'], unique=False)

    op.create_table('incident_enforcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('state_id', sa.Integer(), nullable=False),
    sa.Column('obligation_id', sa.Integer(), nullable=False),
    sa.Column('resolution_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_enforcement_incident_id_incident')),
    sa.ForeignKeyConstraint(['obligation_id'], ['obligation.id'], name=op.f('fk_incident_enforcement_obligation_id_obligation')),
    sa.ForeignKeyConstraint(['resolution_id'], ['resolution.id'], name=op.f('fk_incident_enforcement_resolution_id_resolution')),
    sa.ForeignKeyConstraint(['state_id'], ['member_state.id'], name=op.f('fk_incident_enforcement_state_id_member_state')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_enforcement')),
    sa.UniqueConstraint('incident_id', 'state_id', 'obligation_id', name=op.f('uq_incident_enforcement_incident_id_state_id_obligation_id'))
    )
    with op.batch_alter_table('incident_enforcement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_enforcement_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index('ix_incident_enforcement_resolution_id_state_id', ['resolution_id', 'state_id', 'obligation_id', 'kind', 'public', 'occurred_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_enforcement_state_id'), ['state_id'], unique=False)


    # The figures each report version declares, for the matrix's comparison with the record
    # (written with every new version; here for those stored before).
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("figures", sa.JSON(), nullable=True))
    bind = op.get_bind()
    declared: dict[int, list[list[object]]] = {}
    for version_id, code, seizures, inspections in bind.execute(sa.text(
        "SELECT entry.version_id, obligation.code, entry.seizures, entry.inspections "
        "FROM entry JOIN obligation ON obligation.id = entry.obligation_id "
        "ORDER BY entry.version_id, entry.position"
    )):
        figures = declared.setdefault(version_id, [])
        if seizures is not None:
            figures.append([code, "seizures", seizures])
        if inspections is not None:
            figures.append([code, "inspections", inspections])
    versions = sa.table("report_version", sa.column("id", sa.Integer()),
                        sa.column("figures", sa.JSON()))
    ids = [row[0] for row in bind.execute(sa.select(versions.c.id))]
    for start in range(0, len(ids), 1000):
        bind.execute(
            versions.update().where(versions.c.id == sa.bindparam("version_id"))
            .values(figures=sa.bindparam("declared", type_=sa.JSON())),
            [{"version_id": i, "declared": declared.get(i, [])}
             for i in ids[start:start + 1000]])


def downgrade() -> None:
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.drop_column("figures")

    with op.batch_alter_table('incident_enforcement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_enforcement_state_id'))
        batch_op.drop_index('ix_incident_enforcement_resolution_id_state_id')
        batch_op.drop_index(batch_op.f('ix_incident_enforcement_incident_id'))

    op.drop_table('incident_enforcement')
    with op.batch_alter_table('incident_involvement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_involvement_state_id'))
        batch_op.drop_index('ix_incident_involvement_resolution_id_state_id')
        batch_op.drop_index(batch_op.f('ix_incident_involvement_incident_id'))

    op.drop_table('incident_involvement')

    with op.batch_alter_table('incident_vessel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_vessel_version_id'))
        batch_op.drop_index(batch_op.f('ix_incident_vessel_imo'))

    op.drop_table('incident_vessel')
    with op.batch_alter_table('incident_party', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_party_version_id'))
        batch_op.drop_index(batch_op.f('ix_incident_party_state_id'))

    op.drop_table('incident_party')
    with op.batch_alter_table('incident_obligation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_obligation_version_id'))
        batch_op.drop_index(batch_op.f('ix_incident_obligation_obligation_id'))

    op.drop_table('incident_obligation')
    with op.batch_alter_table('incident_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_version_visibility'))
        batch_op.drop_index(batch_op.f('ix_incident_version_occurred_on'))
        batch_op.drop_index(batch_op.f('ix_incident_version_kind'))
        batch_op.drop_index(batch_op.f('ix_incident_version_incident_id'))

    op.drop_table('incident_version')
    with op.batch_alter_table('incident_acknowledgement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_acknowledgement_state_id'))
        batch_op.drop_index(batch_op.f('ix_incident_acknowledgement_incident_id'))

    op.drop_table('incident_acknowledgement')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_first_recorded_at'))
        batch_op.drop_index(batch_op.f('ix_incident_filed_by_state_id'))

    op.drop_table('incident')
