"""The catalogue: regimes, resolutions, obligations and Member States."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..domain import Addressee, RequirementKind, sql_in
from .base import Base


class Regime(Base):
    __tablename__ = "regime"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    committee: Mapped[str] = mapped_column(String(300))
    # The words documents use for the regime (app/catalogue/data/README.md): the committee's
    # short name, its body of experts, and what a summary of a resolution is called.
    short_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    experts: Mapped[str] = mapped_column(String(120), default="", server_default="")
    summary_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    finding_title: Mapped[str] = mapped_column(String(120), default="", server_default="")
    target_state: Mapped[str | None] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)

    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="regime", order_by="Resolution.number"
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months: the same day of the month, or the month's last day
    where it has no such day (2017-12-22 + 15 months is 2019-03-22)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def due_date(adopted_on: dt.date, *, days: int | None = None,
             months: int | None = None) -> dt.date | None:
    """When a report is due: `days` after adoption (a `once` requirement), or `months` whole
    calendar months after it (a stage); None when neither is given."""
    if days is not None:
        return adopted_on + dt.timedelta(days=days)
    if months is not None:
        return add_months(adopted_on, months)
    return None


class Resolution(Base):
    __tablename__ = "resolution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    regime_id: Mapped[int] = mapped_column(ForeignKey("regime.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    year: Mapped[int] = mapped_column(Integer)
    symbol: Mapped[str] = mapped_column(String(40))
    adopted_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text)
    meeting: Mapped[str | None] = mapped_column(String(40))
    meeting_note: Mapped[str | None] = mapped_column(Text)
    reporting_deadline_days: Mapped[int | None] = mapped_column(Integer)
    # True only where the request and its deadline were read in the resolution's text.
    reporting_deadline_verified: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    reporting_paragraph: Mapped[str | None] = mapped_column(String(40))
    reporting_paragraph_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    reporting_note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)

    regime: Mapped[Regime] = relationship(back_populates="resolutions")
    obligations: Mapped[list[Obligation]] = relationship(
        back_populates="resolution", order_by="Obligation.position"
    )
    reporting_requirements: Mapped[list[ReportingRequirement]] = relationship(
        back_populates="resolution", order_by="ReportingRequirement.position"
    )

    @property
    def reporting_deadline(self) -> dt.date | None:
        if self.reporting_deadline_days is None:
            return None
        return self.adopted_on + dt.timedelta(days=self.reporting_deadline_days)


class Obligation(Base):
    __tablename__ = "obligation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"), index=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[str | None] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    binding: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[int] = mapped_column(Integer)
    expects: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text)
    verification_note: Mapped[str | None] = mapped_column(Text)
    # The date the obligation entered into force; `catalogue load` writes the resolution's
    # adoption date unless the data gives another.
    in_force_from: Mapped[dt.date | None] = mapped_column(Date)
    # A later obligation that replaced this one, from `superseded_on`, with its provenance.
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("obligation.id"))
    superseded_on: Mapped[dt.date | None] = mapped_column(Date)
    supersession_verified: Mapped[bool | None] = mapped_column(Boolean)
    supersession_source: Mapped[str | None] = mapped_column(Text)
    supersession_note: Mapped[str | None] = mapped_column(Text)

    resolution: Mapped[Resolution] = relationship(back_populates="obligations")
    superseded_by: Mapped[Obligation | None] = relationship(remote_side=[id])

    @property
    def supersession(self) -> dict[str, Any] | None:
        """The obligation that replaced this one, from when, and the provenance of that fact
        (`verified`, `source`, `note`), or None."""
        if self.superseded_by is None:
            return None
        return {"code": self.superseded_by.code, "on": self.superseded_on,
                "verified": bool(self.supersession_verified),
                "source": self.supersession_source, "note": self.supersession_note}


# The obligations a reporting requirement is about, where it names them (not `covers_all`).
requirement_obligation = Table(
    "requirement_obligation",
    Base.metadata,
    Column("requirement_id", ForeignKey("reporting_requirement.id"), primary_key=True),
    Column("obligation_id", ForeignKey("obligation.id"), primary_key=True, index=True),
)


class ReportingRequirement(Base):
    """A report a resolution asks of States: once, in stages, periodically or on an event."""

    __tablename__ = "reporting_requirement"
    __table_args__ = (CheckConstraint(sql_in("kind", RequirementKind), name="kind"),
                      CheckConstraint(sql_in("addressed_to", Addressee), name="addressed_to"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resolution_id: Mapped[int] = mapped_column(ForeignKey("resolution.id"), index=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    position: Mapped[int] = mapped_column(Integer)
    paragraph: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16))
    due_days_after_adoption: Mapped[int | None] = mapped_column(Integer)
    period_days: Mapped[int | None] = mapped_column(Integer)
    trigger: Mapped[str | None] = mapped_column(Text)
    applies_to: Mapped[str] = mapped_column(Text)
    # `states`, or `committee` for the committee's own report to the Council: no State is
    # asked for it.
    addressed_to: Mapped[str] = mapped_column(String(16), default=Addressee.STATES,
                                              server_default=Addressee.STATES.value)
    binding: Mapped[bool] = mapped_column(Boolean)
    verified: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(Text)
    verification_note: Mapped[str] = mapped_column(Text)
    # True for a general report on the whole resolution: it covers every obligation the
    # resolution has, including any added later, so no rows are kept for it.
    covers_all: Mapped[bool] = mapped_column(Boolean)

    resolution: Mapped[Resolution] = relationship(back_populates="reporting_requirements")
    stages: Mapped[list[RequirementStage]] = relationship(
        back_populates="requirement", order_by="RequirementStage.position"
    )
    named_obligations: Mapped[list[Obligation]] = relationship(
        secondary=requirement_obligation, order_by="Obligation.position"
    )

    @property
    def due(self) -> dt.date | None:
        return due_date(self.resolution.adopted_on, days=self.due_days_after_adoption)

    @property
    def stages_or_none(self) -> list[RequirementStage] | None:
        """The stages of a `staged` requirement; None for the other kinds."""
        return self.stages if self.kind == RequirementKind.STAGED else None

    @property
    def of_states(self) -> bool:
        """Whether Member States are asked for the report (not the committee's own)."""
        return self.addressed_to != Addressee.COMMITTEE

    @property
    def obligations(self) -> list[Obligation]:
        """Every obligation the report is about (those it names may be of an earlier
        resolution of the regime)."""
        return list(self.resolution.obligations) if self.covers_all else self.named_obligations


class RequirementStage(Base):
    __tablename__ = "requirement_stage"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_requirement.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    months_after_adoption: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)

    requirement: Mapped[ReportingRequirement] = relationship(back_populates="stages")

    @property
    def due(self) -> dt.date:
        return add_months(self.requirement.resolution.adopted_on, self.months_after_adoption)


class MemberState(Base):
    __tablename__ = "member_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    un_group: Mapped[str] = mapped_column(String(60), index=True)
    note: Mapped[str | None] = mapped_column(Text)

