"""The difference between two versions of a report (`app.diffs`), read with the visibility
rules of `reports.get_report`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import Principal
from ..diffs import VersionView, diff_versions
from ..errors import Invalid
from ..models import Entry, Report, ReportVersion
from .reports import entry_view, get_report, get_version
from .session import DbSession


@dataclass(frozen=True)
class VersionDifference:
    report: Report
    older: ReportVersion
    newer: ReportVersion
    diff: dict[str, Any]


def version_view(version: ReportVersion, entries: list[Entry]) -> VersionView:
    """What `app.diffs` compares of a stored version."""
    return VersionView(
        entries=[entry_view(e) for e in entries],
        dated=version.dated.isoformat() if version.dated is not None else None,
        language=version.language,
        reference=version.reference,
        nil=version.nil,
        justification=version.document.get("justification") if version.nil else None,
    )


def _entries(session: DbSession, version: ReportVersion) -> list[Entry]:
    return list(session.scalars(
        select(Entry).where(Entry.version_id == version.id)
        .options(selectinload(Entry.obligation)).order_by(Entry.position)
    ))


def version_difference(session: DbSession, principal: Principal, report_public_id: str,
                       older: int, newer: int) -> VersionDifference:
    """What changed from version `older` to version `newer` of a report the principal may
    read (another state's report is a 404 for a reporter, as in `get_report`); an unknown
    version is a 404, and `older` not before `newer` a 422 naming `older`."""
    report = get_report(session, principal, report_public_id)
    if older >= newer:
        raise Invalid(
            f"Compare an earlier version with a later one: {older} is not before {newer}.",
            errors=[{"pointer": "older",
                     "detail": f"Must be less than the newer version ({newer})."}],
        )
    old_version = get_version(session, report, older)
    new_version = get_version(session, report, newer)
    diff = diff_versions(version_view(old_version, _entries(session, old_version)),
                         version_view(new_version, _entries(session, new_version)))
    return VersionDifference(report, old_version, new_version, diff)
