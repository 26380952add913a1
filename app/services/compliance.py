"""The compliance matrix: every Member State against a resolution, as of a date.

A fixed number of queries whatever the size of the history: the Member States, the
resolution, and one query for the latest version of each report received by the cut-off
(scores are stored per version, so nothing is recomputed).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, load_only

from .. import flags as flag_rules
from ..errors import NotFound
from ..models import MemberState, Report, ReportVersion, Resolution
from ..models.types import utcnow
from ..scoring import NOT_REPORTED

SORT_KEYS = ("state", "completeness", "-completeness", "days_late", "-days_late")
COLUMNS = (
    "state", "name", "un_group", "resolution", "deadline", "reported", "report_id", "version",
    "received_at",
    "first_received_at", "on_time", "days_late", "completeness", "rating", "flags", "demo",
)


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


def _resolution(session: Session, number: int) -> Resolution:
    resolution = session.scalar(select(Resolution).where(Resolution.number == number))
    if resolution is None:
        raise NotFound(f"No resolution {number} in the catalogue.")
    return resolution


def latest_versions(session: Session, cutoff: Cutoff, *, resolution_id: int | None = None,
                     state_id: int | None = None):
    """(Report, ReportVersion) for each report whose first version was received by the
    cut-off, with the highest-numbered version received by then.

    The latest version is found per report by a correlated subquery that walks the unique
    (report_id, number) index backwards, so the cost follows the number of reports shown, not
    the length of their histories.
    """
    inner = aliased(ReportVersion)
    latest_number = (
        select(func.max(inner.number))
        .where(inner.report_id == Report.id, inner.received_at < cutoff.before)
        .correlate(Report)
        .scalar_subquery()
    )
    stmt = (
        select(Report, ReportVersion)
        .join(ReportVersion, (ReportVersion.report_id == Report.id)
              & (ReportVersion.number == latest_number))
        .where(Report.first_received_at < cutoff.before)
        .options(load_only(ReportVersion.number, ReportVersion.received_at,
                           ReportVersion.completeness, ReportVersion.rating,
                           ReportVersion.content_flags))
    )
    if resolution_id is not None:
        stmt = stmt.where(Report.resolution_id == resolution_id)
    if state_id is not None:
        stmt = stmt.where(Report.state_id == state_id)
    return session.execute(stmt).all()


def _row(state: MemberState, resolution: Resolution, cutoff: Cutoff,
         found: tuple[Report, ReportVersion] | None) -> dict[str, Any]:
    deadline = flag_rules.deadline_for(resolution.adopted_on, resolution.reporting_deadline_days)
    base = {"state": state.iso3, "name": state.name, "un_group": state.un_group,
            "resolution": resolution.number, "deadline": deadline}
    if found is None:
        overdue = deadline is not None and cutoff.as_of > deadline
        return {
            **base, "reported": False, "report_id": None, "version": None,
            "received_at": None, "first_received_at": None,
            "on_time": False if overdue else None,
            "days_late": (cutoff.as_of - deadline).days if overdue else None,
            "completeness": None, "rating": NOT_REPORTED,
            "flags": flag_rules.unreported_flags(deadline, cutoff.as_of), "demo": False,
        }
    report, version = found
    timing = flag_rules.timeliness(
        resolution.adopted_on, resolution.reporting_deadline_days, report.first_received_at
    )
    return {
        **base, "reported": True, "report_id": report.public_id, "version": version.number,
        "received_at": version.received_at, "first_received_at": report.first_received_at,
        "on_time": timing.on_time, "days_late": timing.days_late,
        "completeness": version.completeness, "rating": version.rating,
        "flags": flag_rules.report_flags(version.content_flags, timing.on_time),
        "demo": report.is_demo,
    }


def matrix(session: Session, number: int, as_of: dt.date | None) -> tuple[Resolution, Cutoff,
                                                                        list[dict[str, Any]]]:
    """One row per Member State for resolution `number`, as of the end of `as_of` (UTC)."""
    resolution = _resolution(session, number)
    cutoff = Cutoff.for_date(as_of)
    states = session.scalars(select(MemberState).order_by(MemberState.iso3)).all()
    found = {report.state_id: (report, version)
             for report, version in latest_versions(session, cutoff,
                                                     resolution_id=resolution.id)}
    return resolution, cutoff, [_row(s, resolution, cutoff, found.get(s.id)) for s in states]


def state_profile(session: Session, iso3: str, as_of: dt.date | None):
    """One row per resolution of the catalogue for one Member State."""
    state = session.scalar(select(MemberState).where(MemberState.iso3 == iso3.upper()))
    if state is None:
        raise NotFound(f"No Member State with ISO 3166-1 alpha-3 code {iso3!r}.")
    cutoff = Cutoff.for_date(as_of)
    resolutions = session.scalars(select(Resolution).order_by(Resolution.number)).all()
    found = {report.resolution_id: (report, version)
             for report, version in latest_versions(session, cutoff, state_id=state.id)}
    rows = [_row(state, r, cutoff, found.get(r.id)) for r in resolutions
            if r.adopted_on <= cutoff.as_of]
    return state, cutoff, rows


def filter_and_sort(rows: list[dict[str, Any]], *, un_group: str | None = None,
                    rating: str | None = None, flag: str | None = None,
                    sort: str = "state") -> list[dict[str, Any]]:
    if un_group:
        rows = [r for r in rows if r["un_group"] == un_group]
    if rating:
        rows = [r for r in rows if r["rating"] == rating]
    if flag:
        rows = [r for r in rows if flag in r["flags"]]
    key = sort.lstrip("-")
    if key == "state":
        return sorted(rows, key=lambda r: (r["state"], r["resolution"]),
                      reverse=sort.startswith("-"))
    # Missing values (not reported, no deadline) sort last in either direction.
    present = [r for r in rows if r[key] is not None]
    missing = [r for r in rows if r[key] is None]
    present.sort(key=lambda r: (r[key], r["state"]))
    if sort.startswith("-"):
        present.sort(key=lambda r: r[key], reverse=True)
    return present + missing
