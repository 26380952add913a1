"""The sanctions catalogue: regimes, resolutions, obligations and Member States."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class Regime(Base):
    __tablename__ = "regime"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    committee: Mapped[str] = mapped_column(String(300))
    target_state: Mapped[str | None] = mapped_column(String(3))
    description: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)

    resolutions: Mapped[list[Resolution]] = relationship(
        back_populates="regime", order_by="Resolution.number"
    )


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

    resolution: Mapped[Resolution] = relationship(back_populates="obligations")


class MemberState(Base):
    __tablename__ = "member_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    un_group: Mapped[str] = mapped_column(String(60), index=True)
    note: Mapped[str | None] = mapped_column(Text)

