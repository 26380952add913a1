"""Panel findings: the Panel's assessment of a claim (a report entry, an incident, a State's
implementation of an obligation), its immutable versions, and the State's reply with its
versions."""

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
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import Assessment, FindingStatus, SubjectKind, Visibility, sql_in
from .base import Base
from .catalogue import MemberState, Obligation
from .incidents import Incident
from .reporting import Authority, Report
from .types import UTCDateTime, utcnow


class Finding(Base):
    """A finding about one State. Its text lives in immutable versions; its status moves by
    the rules of `app.findings`. `revision` counts every change (a version, a status, a
    reply) and makes the ETag, so an If-Match names everything the client saw.

    The subject: `entry` (`report_id` and `obligation_id`), `incident` (`incident_id`) or
    `obligation` (`obligation_id`)."""

    __tablename__ = "finding"
    __table_args__ = (
        CheckConstraint(sql_in("subject_kind", SubjectKind), name="subject_kind"),
        CheckConstraint(sql_in("assessment", Assessment), name="assessment"),
        CheckConstraint(sql_in("visibility", Visibility), name="visibility"),
        CheckConstraint(sql_in("status", FindingStatus), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("member_state.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(12))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    obligation_id: Mapped[int | None] = mapped_column(ForeignKey("obligation.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    # Of the current version (kept here for the filters and the matrix).
    assessment: Mapped[str] = mapped_column(String(16), index=True)
    visibility: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    current_version: Mapped[int] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)
    reply_due: Mapped[dt.date | None] = mapped_column(Date)
    shared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    early_publication_reason: Mapped[str | None] = mapped_column(Text)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Synthetic demo data (`flask demo load`): every output says so; reporters never see it.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    state: Mapped[MemberState] = relationship()
    report: Mapped[Report | None] = relationship()
    obligation: Mapped[Obligation | None] = relationship()
    incident: Mapped[Incident | None] = relationship()
    created_by: Mapped[Authority | None] = relationship()
    versions: Mapped[list[FindingVersion]] = relationship(
        back_populates="finding", order_by="FindingVersion.number")
    reply: Mapped[FindingReply | None] = relationship(back_populates="finding")


class FindingVersion(Base):
    """The finding's text, assessment and evidence as the Panel wrote it, once."""

    __tablename__ = "finding_version"
    __table_args__ = (
        UniqueConstraint("finding_id", "number"),
        CheckConstraint(sql_in("assessment", Assessment), name="assessment"),
        CheckConstraint(sql_in("visibility", Visibility), name="visibility"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    assessment: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(35))
    text: Mapped[str] = mapped_column(Text)
    # [{"incident": public id} | {"source": {kind, reference, title}}], as given.
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    finding: Mapped[Finding] = relationship(back_populates="versions")
    author: Mapped[Authority | None] = relationship()


class FindingReply(Base):
    """The State's reply to a finding: at most one per finding, its text in versions."""

    __tablename__ = "finding_reply"
    __table_args__ = (UniqueConstraint("finding_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"))
    current_version: Mapped[int] = mapped_column(Integer)
    first_received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    finding: Mapped[Finding] = relationship(back_populates="reply")
    versions: Mapped[list[FindingReplyVersion]] = relationship(
        back_populates="reply", order_by="FindingReplyVersion.number")


class FindingReplyVersion(Base):
    """A reply or an amendment of it, as the State's authority sent it."""

    __tablename__ = "finding_reply_version"
    __table_args__ = (UniqueConstraint("reply_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reply_id: Mapped[int] = mapped_column(ForeignKey("finding_reply.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authority.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    language: Mapped[str] = mapped_column(String(35))
    text: Mapped[str] = mapped_column(Text)

    reply: Mapped[FindingReply] = relationship(back_populates="versions")
    authority: Mapped[Authority | None] = relationship()
