"""Revision counters of the data, for caches that must never serve a stale copy.

A write names the scopes it changes with `touch(session, "resolution:2397", "state:FRA")`
anywhere inside its use case; the counters are incremented just before the transaction
commits, in one statement per scope taken in sorted order (so two writers never wait on
each other's rows in opposite orders, and a row is locked only for the commit itself). The
increment commits or rolls back with the data: a reader sees a new counter exactly when it
can see the new data. On PostgreSQL, two writers of one scope serialise on its row, so the
counters follow commit order.

`current(session, scopes)` reads the counters (0 for a scope never written) in one query.

What a write touches, for the summaries (`app.services.summary_cache` keys each document by
the counters of what it reads):

- a report version (create, amend, backfill, nil, on a requirement; demo too): its State and
  its resolution;
- an incident (record, amend, acknowledge, import, demo): every State named as a party and
  every resolution whose obligations it engages, in any of its versions, old and new
  (`touch_incidents`), with the State that filed it;
- a finding (record, amend, status, reply; demo): its State, and the resolution of the
  obligation or of the report it is about (`touch_findings`);
- `catalogue load`: `catalogue`, which every document reads (resolutions, obligations,
  requirements, Member States' names and groups);
- `demo load` and `demo unload`: everything above for every demo row (`touch_demo`);
- a new, revoked or disabled token or authority: `authorities`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, event, select, union, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from ..models import (
    DataRevision,
    Finding,
    Incident,
    IncidentObligation,
    IncidentParty,
    IncidentVersion,
    MemberState,
    Obligation,
    Report,
    Resolution,
)
from .session import DbSession

_PENDING = "revision_scopes"

CATALOGUE = "catalogue"
#: Tokens and authorities: created, revoked, disabled (what a cached token check reads).
AUTHORITIES = "authorities"


def resolution_scope(number: int) -> str:
    return f"resolution:{number}"


def state_scope(iso3: str) -> str:
    return f"state:{iso3}"


def touch(session: DbSession, *scopes: str) -> None:
    """Mark scopes as changed by the current transaction."""
    real: Session = session() if isinstance(session, scoped_session) else session
    real.info.setdefault(_PENDING, set()).update(scopes)


def _touch_rows(session: DbSession, states: Any, resolutions: Any) -> None:
    """Touch the States (iso3) and resolutions (number) the two statements select."""
    touch(session, *(state_scope(iso3) for iso3 in session.scalars(states)),
          *(resolution_scope(number) for number in session.scalars(resolutions)))


def touch_incidents(session: DbSession, incident_ids: Any, *, latest: int | None = 2) -> None:
    """Touch what the incidents concern: each party State, the State that filed it, and each
    resolution an obligation of which it engages, in each of its `latest` versions (2, the
    default: an amendment's new version and the one it replaces, whose parties and
    obligations may be gone from the new one; 1: the current version; None: every version).
    `incident_ids`: ids or a select of them."""
    session.flush()
    versions = select(IncidentVersion.id).join(Incident, Incident.id == IncidentVersion.incident_id)
    versions = versions.where(Incident.id.in_(incident_ids))
    if latest is not None:
        versions = versions.where(IncidentVersion.number > Incident.current_version - latest)
    parties = (select(MemberState.iso3)
               .join(IncidentParty, IncidentParty.state_id == MemberState.id)
               .where(IncidentParty.version_id.in_(versions)))
    filers = (select(MemberState.iso3).join(Incident, Incident.filed_by_state_id == MemberState.id)
              .where(Incident.id.in_(incident_ids)))
    engaged = (select(Resolution.number).distinct()
               .join(Obligation, Obligation.resolution_id == Resolution.id)
               .join(IncidentObligation, IncidentObligation.obligation_id == Obligation.id)
               .where(IncidentObligation.version_id.in_(versions)))
    _touch_rows(session, union(parties, filers), engaged)


def touch_findings(session: DbSession, finding_ids: Any) -> None:
    """Touch what the findings are about: their State, and the resolution of the obligation
    or of the report each assesses. `finding_ids`: ids or a select of them."""
    session.flush()
    states = (select(MemberState.iso3).distinct().join(Finding, Finding.state_id == MemberState.id)
              .where(Finding.id.in_(finding_ids)))
    by_obligation = (select(Resolution.number)
                     .join(Obligation, Obligation.resolution_id == Resolution.id)
                     .join(Finding, Finding.obligation_id == Obligation.id)
                     .where(Finding.id.in_(finding_ids)))
    by_report = (select(Resolution.number)
                 .join(Report, Report.resolution_id == Resolution.id)
                 .join(Finding, Finding.report_id == Report.id)
                 .where(Finding.id.in_(finding_ids)))
    _touch_rows(session, states, union(by_obligation, by_report))


def touch_demo(session: DbSession) -> None:
    """Touch everything the demo data concern: the States and resolutions of demo reports,
    demo incidents and demo findings. Called where demo data are loaded (after) and removed
    (before)."""
    session.flush()
    _touch_rows(session,
                select(MemberState.iso3).distinct()
                .join(Report, Report.state_id == MemberState.id).where(Report.is_demo.is_(True)),
                select(Resolution.number).distinct()
                .join(Report, Report.resolution_id == Resolution.id)
                .where(Report.is_demo.is_(True)))
    touch_incidents(session, select(Incident.id).where(Incident.is_demo.is_(True)), latest=None)
    touch_findings(session, select(Finding.id).where(Finding.is_demo.is_(True)))


#: Built once: the statement's compiled form is then cached (read on every cached request).
_CURRENT = select(DataRevision.scope, DataRevision.revision).where(
    DataRevision.scope.in_(bindparam("scopes", expanding=True)))


def current(session: DbSession, scopes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(scopes))
    # Through the session's connection: plain rows, without the ORM's per-statement work.
    found = dict(session.connection().execute(_CURRENT, {"scopes": wanted}).all())
    return {scope: found.get(scope, 0) for scope in wanted}


def _bump(session: Session, scopes: set[str]) -> None:
    dialect = session.get_bind().dialect.name
    for scope in sorted(scopes):
        if dialect == "postgresql":
            pg = postgresql.insert(DataRevision).values(scope=scope, revision=1)
            session.execute(pg.on_conflict_do_update(
                index_elements=["scope"], set_={"revision": DataRevision.revision + 1}))
        elif dialect == "sqlite":
            lite = sqlite.insert(DataRevision).values(scope=scope, revision=1)
            session.execute(lite.on_conflict_do_update(
                index_elements=["scope"], set_={"revision": DataRevision.revision + 1}))
        else:  # pragma: no cover - the two supported databases are above
            done = session.execute(update(DataRevision).where(DataRevision.scope == scope)
                                   .values(revision=DataRevision.revision + 1))
            if not done.rowcount:  # type: ignore[attr-defined]
                session.add(DataRevision(scope=scope, revision=1))
                session.flush()


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    scopes = session.info.pop(_PENDING, None)
    if scopes:
        session.flush()
        _bump(session, scopes)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
