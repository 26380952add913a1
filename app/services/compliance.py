"""The compliance matrix: every Member State against a resolution, as of a date.

A fixed number of queries whatever the size of the history: the Member States, the
resolution, and one query for the latest version of each report received by the cut-off
(scores are stored per version, so nothing is recomputed).

Every row says where a state stands (`status`):
- `reported`: a report was received by the cut-off;
- `not_reported`: a report is requested of the state and none was received;
- `no_report_requested`: the resolution requests no national report;
- `not_expected`: the state is the target of the regime (the DPRK for 1718), which is not
  among the States asked to report.
Only `reported` and `not_reported` rows carry lax-enforcement flags.

Demo reports live beside real ones: a real report hides the demo report of the same state
and resolution in every output; rows built from demo data say so (`demo`).
"""

from __future__ import annotations

import datetime as dt
import statistics
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased, load_only, selectinload

from .. import flags as flag_rules
from ..domain import Rating, RowStatus
from ..errors import Invalid
from ..models import MemberState, Report, ReportVersion, Resolution
from ..models.types import utcnow
from ..scoring import round_half_up
from .catalogue import get_resolution, get_state
from .session import DbSession


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """Where one Member State stands on one resolution, as of a date. The JSON and CSV of
    the matrix (`schemas.compliance.ComplianceRowSchema`) and the summaries show it."""

    state: str
    name: str
    un_group: str
    resolution: int
    status: RowStatus
    deadline: dt.date | None
    deadline_verified: bool | None
    reported: bool
    report_id: str | None
    version: int | None
    received_at: dt.datetime | None
    first_received_at: dt.datetime | None
    on_time: bool | None
    days_late: int | None
    completeness: float | None
    rating: str | None
    flags: tuple[str, ...]
    demo: bool | None
    #: The stored version the row shows (not part of the matrix's JSON or CSV).
    version_id: int | None = None


@dataclass(frozen=True, slots=True)
class Headline:
    """Counts over rows of the matrix: `expected` are the states asked to report."""

    states: int
    expected: int
    reported: int
    on_time: int
    late: int
    not_reported: int
    no_report_requested: int
    not_expected: int
    real: int
    demo: int
    median_completeness: float | None


def name_key(name: str) -> tuple[str, str]:
    """Sort key for state names as an English reader expects them: letters without their
    accents, case ignored ("Côte d'Ivoire" with the Cs, "Bahamas" before "Bulgaria")."""
    decomposed = unicodedata.normalize("NFKD", name)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return base.casefold(), name


@dataclass(frozen=True)
class Cutoff:
    """`as_of` is a date: what was known at the end of that day, UTC."""

    as_of: dt.date
    before: dt.datetime  # versions received strictly before this instant count

    @classmethod
    def for_date(cls, as_of: dt.date | None) -> Cutoff:
        if as_of is None:
            now = utcnow()
            return cls(now.date(), now + dt.timedelta(microseconds=1))
        start_of_next = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), dt.UTC)
        return cls(as_of, start_of_next)


def check_as_of(resolution: Resolution, as_of: dt.date | None) -> None:
    """A matrix or summary of a resolution exists from its adoption on."""
    if as_of is not None and as_of < resolution.adopted_on:
        detail = (f"Resolution {resolution.number} was adopted on "
                  f"{resolution.adopted_on.isoformat()}; as_of cannot be earlier.")
        raise Invalid(detail, errors=[{"pointer": "as_of", "detail": detail}])


def latest_version_number(cutoff: Cutoff):
    """A scalar subquery, correlated to `Report`: the number of its highest version received
    before the cut-off."""
    inner = aliased(ReportVersion)
    return (
        select(func.max(inner.number))
        .where(inner.report_id == Report.id, inner.received_at < cutoff.before)
        .correlate(Report)
        .scalar_subquery()
    )


def latest_versions(session: DbSession, cutoff: Cutoff, *, resolution_id: int | None = None,
                    state_id: int | None = None):
    """(Report, ReportVersion) for each report whose first version was received by the
    cut-off, with the highest-numbered version received by then. A demo report is left out
    where a real report of the same state and resolution exists.

    The latest version is found per report by a correlated subquery that walks the unique
    (report_id, number) index backwards, so the cost follows the number of reports shown, not
    the length of their histories.
    """
    real = aliased(Report)
    latest_number = latest_version_number(cutoff)
    has_real = exists().where(and_(real.state_id == Report.state_id,
                                   real.resolution_id == Report.resolution_id,
                                   real.is_demo.is_(False)))
    stmt = (
        select(Report, ReportVersion)
        .join(ReportVersion, (ReportVersion.report_id == Report.id)
              & (ReportVersion.number == latest_number))
        .where(Report.first_received_at < cutoff.before)
        .where(or_(Report.is_demo.is_(False), ~has_real))
        .options(load_only(ReportVersion.number, ReportVersion.received_at,
                           ReportVersion.completeness, ReportVersion.rating,
                           ReportVersion.content_flags))
    )
    if resolution_id is not None:
        stmt = stmt.where(Report.resolution_id == resolution_id)
    if state_id is not None:
        stmt = stmt.where(Report.state_id == state_id)
    return session.execute(stmt).all()


def deadline_verified(resolution: Resolution) -> bool | None:
    """Whether the reporting deadline was confirmed against the resolution text; None where
    the resolution sets no deadline."""
    if resolution.reporting_deadline_days is None:
        return None
    return resolution.reporting_deadline_verified


def row_status(state: MemberState, resolution: Resolution, reported: bool) -> RowStatus:
    if reported:
        return RowStatus.REPORTED
    if resolution.regime.target_state == state.iso3:
        return RowStatus.NOT_EXPECTED
    if resolution.reporting_deadline_days is None:
        return RowStatus.NO_REPORT_REQUESTED
    return RowStatus.NOT_REPORTED


def _row(state: MemberState, resolution: Resolution, cutoff: Cutoff,
         found: tuple[Report, ReportVersion] | None) -> MatrixRow:
    deadline = flag_rules.deadline_for(resolution.adopted_on, resolution.reporting_deadline_days)
    status = row_status(state, resolution, found is not None)
    where: dict[str, Any] = {"state": state.iso3, "name": state.name, "un_group": state.un_group,
             "resolution": resolution.number, "status": status, "deadline": deadline,
             "deadline_verified": deadline_verified(resolution)}
    if found is None:
        expected = status == RowStatus.NOT_REPORTED
        overdue = expected and deadline is not None and cutoff.as_of > deadline
        return MatrixRow(
            **where, reported=False, report_id=None, version=None,
            received_at=None, first_received_at=None,
            on_time=False if overdue else None,
            days_late=(cutoff.as_of - deadline).days if overdue and deadline else None,
            completeness=None, rating=Rating.NOT_REPORTED if expected else None,
            flags=tuple(flag_rules.unreported_flags(deadline, cutoff.as_of)) if expected else (),
            demo=None,
        )
    report, version = found
    timing = flag_rules.timeliness(
        resolution.adopted_on, resolution.reporting_deadline_days, report.first_received_at
    )
    requested = resolution.reporting_deadline_days is not None
    return MatrixRow(
        **where, reported=True, report_id=report.public_id, version=version.number,
        received_at=version.received_at, first_received_at=report.first_received_at,
        on_time=timing.on_time, days_late=timing.days_late,
        completeness=version.completeness, rating=version.rating,
        # Lax-enforcement flags measure a state against what was asked of it.
        flags=(tuple(flag_rules.report_flags(version.content_flags, timing.on_time))
               if requested else ()),
        demo=report.is_demo, version_id=version.id,
    )


def states_by_name(session: DbSession) -> list[MemberState]:
    states = session.scalars(select(MemberState)).all()
    return sorted(states, key=lambda s: name_key(s.name))


def matrix(session: DbSession, number: int,
           as_of: dt.date | None) -> tuple[Resolution, Cutoff, list[MatrixRow]]:
    """One row per Member State for resolution `number`, as of the end of `as_of` (UTC),
    ordered by state name."""
    resolution = get_resolution(session, number, obligations=False)
    check_as_of(resolution, as_of)
    cutoff = Cutoff.for_date(as_of)
    found = {report.state_id: (report, version)
             for report, version in latest_versions(session, cutoff,
                                                    resolution_id=resolution.id)}
    rows = [_row(s, resolution, cutoff, found.get(s.id)) for s in states_by_name(session)]
    return resolution, cutoff, rows


def state_profile(session: DbSession, iso3: str,
                  as_of: dt.date | None) -> tuple[MemberState, Cutoff, list[MatrixRow]]:
    """One row per resolution of the catalogue adopted by `as_of`, for one Member State."""
    state = get_state(session, iso3)
    cutoff = Cutoff.for_date(as_of)
    resolutions = session.scalars(
        select(Resolution).options(selectinload(Resolution.regime)).order_by(Resolution.number)
    ).all()
    found = {report.resolution_id: (report, version)
             for report, version in latest_versions(session, cutoff, state_id=state.id)}
    rows = [_row(state, r, cutoff, found.get(r.id)) for r in resolutions
            if r.adopted_on <= cutoff.as_of]
    return state, cutoff, rows


def median(values: list[float]) -> float | None:
    """The median, rounded as every figure is (one decimal, halves up: 72.85 → 72.9)."""
    if not values:
        return None
    return round_half_up(statistics.median(Fraction(str(v)) for v in values), 1)


def headline(rows: list[MatrixRow]) -> Headline:
    """Counts over rows of the matrix: `expected` are the states asked to report."""
    reported = [r for r in rows if r.reported]
    statuses = [r.status for r in rows]
    return Headline(
        states=len(rows),
        expected=sum(1 for r in rows
                     if r.deadline is not None and r.status != RowStatus.NOT_EXPECTED),
        reported=len(reported),
        on_time=sum(1 for r in reported if r.on_time is True),
        late=sum(1 for r in reported if r.on_time is False),
        not_reported=statuses.count(RowStatus.NOT_REPORTED),
        no_report_requested=statuses.count(RowStatus.NO_REPORT_REQUESTED),
        not_expected=statuses.count(RowStatus.NOT_EXPECTED),
        real=sum(1 for r in reported if not r.demo),
        demo=sum(1 for r in reported if r.demo),
        median_completeness=median([r.completeness for r in reported
                                    if r.completeness is not None]),
    )


def filter_and_sort(rows: list[MatrixRow], *, un_group: str | None = None,
                    rating: str | None = None, flag: str | None = None,
                    sort: str = "name") -> list[MatrixRow]:
    if un_group:
        rows = [r for r in rows if r.un_group == un_group]
    if rating:
        rows = [r for r in rows if r.rating == rating]
    if flag:
        rows = [r for r in rows if flag in r.flags]
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key == "name":
        return sorted(rows, key=lambda r: (name_key(r.name), r.resolution), reverse=descending)
    if key == "state":
        return sorted(rows, key=lambda r: (r.state, r.resolution), reverse=descending)
    # Missing values (not reported, no deadline) sort last in either direction.
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    present.sort(key=lambda r: (getattr(r, key), name_key(r.name)))
    if descending:
        present.sort(key=lambda r: getattr(r, key), reverse=True)
    return present + missing
