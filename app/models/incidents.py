"""The enforcement record: incidents, their immutable versions (with parties, vessels and
obligations engaged as rows, for the filters and the signals), and acknowledgements by party
States."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import IncidentKind, PartyRole, RecordedBy, Visibility, sql_in
from .base import Base
from .catalogue import MemberState, Obligation
from .reporting import Authority
from .types import UTCDateTime, utcnow


class Incident(Base):
    """An inspection, seizure, interdiction, port call, ship-to-ship transfer or asset
    freeze on record. Its content lives in immutable versions.

    `recorded_by` says who put it on the record: a State's authority (`filed_by_state`, a
    party) or the Panel (or an admin). Demo incidents (`is_demo`) are synthetic and say so in
    every output."""

    __tablename__ = "incident"
    __table_args__ = (CheckConstraint(sql_in("recorded_by", RecordedBy), name="recorded_by"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    current_version: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(8))
    filed_by_state_id: Mapped[int | None] = mapped_column(ForeignKey("member_state.id"),
                                                          index=True)
    first_recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    filed_by_state: Mapped[MemberState | None] = relationship()
    versions: Mapped[list[IncidentVersion]] = relationship(
        back_populates="incident", order_by="IncidentVersion.number"
    )
    acknowledgements: Mapped[list[IncidentAcknowledgement]] = relationship(
        back_populates="incident", order_by="IncidentAcknowledgement.acknowledged_at"
    )


class IncidentVersion(Base):
    """A recording or an amendment of an incident, exactly as received (`document`), with
    what the filters and signals need as columns and rows."""

    __tablename__ = "incident_version"
    __table_args__ = (
        UniqueConstraint("incident_id", "number"),
        CheckConstraint(sql_in("kind", IncidentKind), name="kind"),
        CheckConstraint(sql_in("visibility", Visibility), name="visibility"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date, index=True)
    occurred_until: Mapped[dt.date | None] = mapped_column(Date)
    # The State where it happened; null on the high seas.
    location_state_id: Mapped[int | None] = mapped_column(ForeignKey("member_state.id"))
    place: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    visibility: Mapped[str] = mapped_column(String(10), index=True)
    language: Mapped[str] = mapped_column(String(35))
    summary: Mapped[str] = mapped_column(Text)
    cargo: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    incident: Mapped[Incident] = relationship(back_populates="versions")
    submitted_by: Mapped[Authority | None] = relationship()
    location_state: Mapped[MemberState | None] = relationship()
    parties: Mapped[list[IncidentParty]] = relationship(order_by="IncidentParty.position")
    vessels: Mapped[list[IncidentVessel]] = relationship(order_by="IncidentVessel.position")
    obligations: Mapped[list[IncidentObligation]] = relationship(
        order_by="IncidentObligation.position"
    )


class IncidentParty(Base):
    """A State taking part in an incident, in one role (a State may have several)."""

    __tablename__ = "incident_party"
    __table_args__ = (
        UniqueConstraint("version_id", "state_id", "role"),
        CheckConstraint(sql_in("role", PartyRole), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("incident_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    state: Mapped[MemberState] = relationship()


class IncidentVessel(Base):
    """A vessel named in an incident, by IMO number, with the name and flag seen then."""

    __tablename__ = "incident_vessel"
    __table_args__ = (UniqueConstraint("version_id", "imo"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("incident_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    imo: Mapped[str] = mapped_column(String(7), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    # As reported: an ISO 3166 alpha-3 code (a Member State, or another flag register).
    flag: Mapped[str | None] = mapped_column(String(3))


class IncidentObligation(Base):
    """An obligation an incident engages."""

    __tablename__ = "incident_obligation"
    __table_args__ = (UniqueConstraint("version_id", "obligation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("incident_version.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id"), index=True)

    obligation: Mapped[Obligation] = relationship()


class IncidentAcknowledgement(Base):
    """A party State reporting an incident the record holds (recorded by the Panel or filed
    by another party): at most one per State and incident."""

    __tablename__ = "incident_acknowledgement"
    __table_args__ = (UniqueConstraint("incident_id", "state_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id"), index=True)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    reference: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    incident: Mapped[Incident] = relationship(back_populates="acknowledgements")
    state: Mapped[MemberState] = relationship()


class IncidentInvolvement(Base):
    """Derived, for the live matrix: each party State of an incident's current version, per
    resolution it engages, and whether the State has reported it (filed or acknowledged).
    Rewritten whenever the incident or its acknowledgements change
    (`services.incidents.refresh_derived`); a matrix as of a past day reads the versions."""

    __tablename__ = "incident_involvement"
    __table_args__ = (
        UniqueConstraint("incident_id", "state_id", "resolution_id"),
        # Covering the matrix's count: read from the index alone.
        Index("ix_incident_involvement_resolution_id_state_id", "resolution_id", "state_id",
              "reported", "is_demo", "public"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id"), index=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"))
    reported: Mapped[bool] = mapped_column(Boolean)
    is_demo: Mapped[bool] = mapped_column(Boolean)
    public: Mapped[bool] = mapped_column(Boolean)


class IncidentEnforcement(Base):
    """Derived, for the live matrix: a seizure or an inspection made by a State (its
    inspecting State), per obligation it engages, for the rule `inconsistent_with_record`.
    Rewritten with `IncidentInvolvement`."""

    __tablename__ = "incident_enforcement"
    __table_args__ = (
        UniqueConstraint("incident_id", "state_id", "obligation_id"),
        # Covering the matrix's totals and the incidents behind a figure below them.
        Index("ix_incident_enforcement_resolution_id_state_id", "resolution_id", "state_id",
              "obligation_id", "kind", "public", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id"))
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"))
    kind: Mapped[str] = mapped_column(String(24))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(Boolean)
