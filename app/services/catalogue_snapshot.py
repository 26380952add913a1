"""The catalogue as a submission checks and scores against it, kept per process.

The catalogue changes only with `catalogue load`, which bumps the catalogue's revision
counter (`app.services.revisions`) in the transaction that changes it. A submission reads that
counter (one indexed query) and reuses the snapshot it has while the counter is unchanged;
otherwise it builds a new one, so a load in any process is seen by the next submission in
every other. Whatever else changes catalogue rows must touch `revisions.CATALOGUE` too.

A snapshot holds plain frozen dataclasses, never ORM instances: it is shared by the threads
and requests of a process, each with its own session. Its objects carry the attribute names
of the models they copy (`ResolutionView.reporting_requirements`, `ObligationView.weight`,
...), so the rules of `app.services.requirements` read either. Resolutions are copied on
first use; Member States all at once.
"""

from __future__ import annotations

import datetime as dt
import threading
import weakref
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import joinedload, selectinload

from ..models import MemberState, Obligation, ReportingRequirement, Resolution
from ..models.catalogue import add_months, due_date
from . import revisions
from .session import DbSession


@dataclass(frozen=True)
class StateView:
    id: int
    iso3: str
    name: str


@dataclass(frozen=True)
class RegimeView:
    code: str
    name: str
    target_state: str | None
    short_name: str
    committee: str


@dataclass(frozen=True)
class ObligationRef:
    """The obligation that superseded another: its code is all a submission needs."""

    id: int
    code: str


@dataclass(frozen=True)
class ObligationView:
    id: int
    code: str
    weight: int
    expects: tuple[str, ...]
    in_force_from: dt.date | None
    superseded_by_id: int | None
    superseded_on: dt.date | None
    supersession_verified: bool | None
    superseded_by: ObligationRef | None


@dataclass(frozen=True)
class ResolutionRef:
    """What a requirement needs of its resolution: when its periods and due dates start."""

    number: int
    symbol: str
    adopted_on: dt.date
    regime: RegimeView


@dataclass(frozen=True)
class StageView:
    id: int
    code: str
    name: str
    due: dt.date


@dataclass(frozen=True)
class RequirementView:
    id: int
    code: str
    position: int
    paragraph: str | None
    kind: str
    binding: bool
    due: dt.date | None
    period_days: int | None
    trigger: str | None
    applies_to: str
    verified: bool
    covers_all: bool
    of_states: bool
    resolution: ResolutionRef
    stages: tuple[StageView, ...]
    obligations: tuple[ObligationView, ...]


@dataclass(frozen=True)
class ResolutionView:
    id: int
    number: int
    adopted_on: dt.date
    reporting_deadline: dt.date | None
    regime: RegimeView
    obligations: tuple[ObligationView, ...]
    reporting_requirements: tuple[RequirementView, ...]


@dataclass
class Snapshot:
    """The catalogue at one revision: every Member State, and the resolutions copied so far
    (None for a number the catalogue does not have)."""

    revision: int
    states: dict[str, StateView]
    resolutions: dict[int, ResolutionView | None] = field(default_factory=dict)


_LOCK = threading.Lock()
#: One snapshot per database (engine): tests and tools may run several in one process.
_SNAPSHOTS: weakref.WeakKeyDictionary[Engine, Snapshot] = weakref.WeakKeyDictionary()


def current(session: DbSession) -> Snapshot:
    """The snapshot at the catalogue's current revision (read in `session`)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    revision = revisions.current(session, [revisions.CATALOGUE])[revisions.CATALOGUE]
    snapshot = _SNAPSHOTS.get(engine)
    if snapshot is not None and snapshot.revision == revision:
        return snapshot
    states = {s.iso3: StateView(s.id, s.iso3, s.name)
              for s in session.scalars(select(MemberState))}
    snapshot = Snapshot(revision, states)
    with _LOCK:
        _SNAPSHOTS[engine] = snapshot
    return snapshot


def resolution(session: DbSession, snapshot: Snapshot, number: int) -> ResolutionView | None:
    """Resolution `number` as of the snapshot, copied from `session` on first use."""
    if number in snapshot.resolutions:
        return snapshot.resolutions[number]
    found = session.scalar(
        select(Resolution).where(Resolution.number == number).options(
            joinedload(Resolution.regime),
            selectinload(Resolution.obligations).joinedload(Obligation.superseded_by),
            selectinload(Resolution.reporting_requirements).options(
                selectinload(ReportingRequirement.stages),
                selectinload(ReportingRequirement.named_obligations)
                .joinedload(Obligation.superseded_by),
            ),
        )
    )
    view = None if found is None else _resolution_view(found)
    with _LOCK:
        snapshot.resolutions[number] = view
    return view


def _obligation_view(o: Obligation) -> ObligationView:
    by = o.superseded_by
    return ObligationView(
        id=o.id, code=o.code, weight=o.weight, expects=tuple(o.expects or ()),
        in_force_from=o.in_force_from, superseded_by_id=o.superseded_by_id,
        superseded_on=o.superseded_on, supersession_verified=o.supersession_verified,
        superseded_by=ObligationRef(by.id, by.code) if by is not None else None,
    )


def _resolution_view(r: Resolution) -> ResolutionView:
    obligations = {o.id: _obligation_view(o) for o in r.obligations}
    regime = RegimeView(r.regime.code, r.regime.name, r.regime.target_state,
                        r.regime.short_name, r.regime.committee)
    anchor = ResolutionRef(r.number, r.symbol, r.adopted_on, regime)

    def obligation(o: Obligation) -> ObligationView:
        return obligations.get(o.id) or _obligation_view(o)

    requirements = tuple(
        RequirementView(
            id=q.id, code=q.code, position=q.position, paragraph=q.paragraph, kind=q.kind,
            binding=q.binding,
            due=due_date(r.adopted_on, days=q.due_days_after_adoption),
            period_days=q.period_days, trigger=q.trigger, applies_to=q.applies_to,
            verified=q.verified, covers_all=q.covers_all, of_states=q.of_states,
            resolution=anchor,
            stages=tuple(StageView(s.id, s.code, s.name,
                                   add_months(r.adopted_on, s.months_after_adoption))
                         for s in q.stages),
            obligations=(tuple(obligations.values()) if q.covers_all
                         else tuple(obligation(o) for o in q.named_obligations)),
        )
        for q in r.reporting_requirements
    )
    return ResolutionView(
        id=r.id, number=r.number, adopted_on=r.adopted_on,
        reporting_deadline=r.reporting_deadline,
        regime=regime,
        obligations=tuple(obligations.values()), reporting_requirements=requirements,
    )
