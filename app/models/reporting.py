"""Authorities and their tokens; reports, their immutable versions and entries; audit events;
idempotency keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import EntryStatus, Role, sql_in
from .base import Base
from .catalogue import (
    MemberState,
    Obligation,
    ReportingRequirement,
    RequirementStage,
    Resolution,
)
from .types import UTCDateTime, utcnow

ROLES = tuple(Role)
STATUSES = tuple(EntryStatus)


class Authority(Base):
    """A national body, or a panel or admin account, acting through API tokens."""

    __tablename__ = "authority"
    __table_args__ = (
        CheckConstraint(sql_in("role", Role), name="role"),
        CheckConstraint(
            f"(role = '{Role.REPORTER}' AND state_id IS NOT NULL) "
            f"OR (role <> '{Role.REPORTER}' AND state_id IS NULL)",
            name="reporter_state",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("member_state.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Where deadline reminders go (`flask --app wsgi deadlines remind`); none without it.
    email: Mapped[str | None] = mapped_column(String(320))

    state: Mapped[MemberState | None] = relationship()
    tokens: Mapped[list[ApiToken]] = relationship(back_populates="authority")


class ApiToken(Base):
    """A bearer token. Only a hash is stored; `public_id` finds the row, the hash proves it."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    authority: Mapped[Authority] = relationship(back_populates="tokens")


class Report(Base):
    """One state's report answering one reporting requirement of a resolution (a stage of a
    staged one, a period of a periodic one, an event of an on-event one). Its content lives
    in immutable versions.

    `answers` is the code answered (the stage's code, or the requirement's) and `occasion`
    the period (`2018-01-21/2018-02-19`) or the event's date it is about, empty for the
    others: one report per state, `answers` and `occasion`.

    Demo reports (`is_demo`) live beside real ones: a state may have one of each, and a real
    report hides the demo one in every output."""

    __tablename__ = "report"
    __table_args__ = (UniqueConstraint("state_id", "answers", "occasion", "is_demo"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id"), index=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"), index=True)
    # Null only for a report stored before requirements existed on a resolution that has no
    # `once` requirement in the catalogue (`catalogue load` attaches the others).
    requirement_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_requirement.id"), index=True
    )
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("requirement_stage.id"))
    answers: Mapped[str] = mapped_column(String(60), index=True)
    occasion: Mapped[str] = mapped_column(String(21), default="")
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date | None] = mapped_column(Date)
    event_on: Mapped[dt.date | None] = mapped_column(Date)
    current_version: Mapped[int] = mapped_column(Integer)
    first_received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    state: Mapped[MemberState] = relationship()
    resolution: Mapped[Resolution] = relationship()
    requirement: Mapped[ReportingRequirement | None] = relationship()
    stage: Mapped[RequirementStage | None] = relationship()
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number"
    )


class ReportVersion(Base):
    """A submission or an amendment, exactly as received, with its score computed once."""

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    dated: Mapped[dt.date | None] = mapped_column(Date)
    language: Mapped[str] = mapped_column(String(35))
    reference: Mapped[str | None] = mapped_column(String(200))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    # A nil report ("we supply none") has a justification, no entries and no score: its
    # completeness and rating are null.
    nil: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    completeness: Mapped[float | None] = mapped_column(Numeric(5, 1, asdecimal=False))
    rating: Mapped[str | None] = mapped_column(String(24))
    score_method: Mapped[str] = mapped_column(String(32))
    score: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_flags: Mapped[list[str]] = mapped_column(JSON)
    # The enforcement figures its entries declare that incidents can contradict:
    # `[[obligation code, "seizures" | "inspections", value], ...]`, written with the version
    # (versions never change) so the matrix compares them with the record without reading
    # the entries. Null only for a version stored by other means (then the entries are read).
    figures: Mapped[list[list[Any]] | None] = mapped_column(JSON)

    report: Mapped[Report] = relationship(back_populates="versions")
    submitted_by: Mapped[Authority | None] = relationship()
    entries: Mapped[list[Entry]] = relationship(
        back_populates="version", order_by="Entry.position"
    )


class Entry(Base):
    """What a version says about one obligation."""

    __tablename__ = "entry"
    __table_args__ = (
        UniqueConstraint("version_id", "obligation_id"),
        CheckConstraint(sql_in("status", EntryStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_version.id"), index=True)
    obligation_id: Mapped[int] = mapped_column(ForeignKey("obligation.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(24))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    competent_authority: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    inspections: Mapped[int | None] = mapped_column(Integer)
    seizures: Mapped[int | None] = mapped_column(Integer)
    designations: Mapped[int | None] = mapped_column(Integer)
    violations_reported: Mapped[int | None] = mapped_column(Integer)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    justification: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    version: Mapped[ReportVersion] = relationship(back_populates="entries")
    obligation: Mapped[Obligation] = relationship()


class AuditEvent(Base):
    """Who did what, when, from which token. Rows are only ever inserted.

    `authority_id` and `token_id` name the actor (empty for the command line); what an
    action was done to is in `state_iso3`, `report_id` and `details`."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(40), index=True)
    state_iso3: Mapped[str | None] = mapped_column(String(3), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    version: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class IdempotencyKey(Base):
    """A client's `Idempotency-Key`: claimed while in flight, then holding the response."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("authority_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    response_headers: Mapped[dict[str, str] | None] = mapped_column(JSON)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"))


class ReminderSent(Base):
    """A deadline reminder e-mailed to an authority: at most one per (authority, what is
    due, due date), so a daily run never sends the same reminder twice."""

    __tablename__ = "reminder_sent"
    __table_args__ = (UniqueConstraint("authority_id", "answers", "occasion", "due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authority.id"), index=True)
    answers: Mapped[str] = mapped_column(String(60))
    occasion: Mapped[str] = mapped_column(String(21), default="")
    due: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    address: Mapped[str] = mapped_column(String(320))
