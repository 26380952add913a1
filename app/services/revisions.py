"""Revision counters of the data, for caches that must never serve a stale copy.

A write names the scopes it changes with `touch(session, "resolution:2397", "state:FRA")`
anywhere inside its use case; the counters are incremented just before the transaction
commits, in one statement per scope taken in sorted order (so two writers never wait on
each other's rows in opposite orders, and a row is locked only for the commit itself). The
increment commits or rolls back with the data: a reader sees a new counter exactly when it
can see the new data. On PostgreSQL, two writers of one scope serialise on its row, so the
counters follow commit order.

`current(session, scopes)` reads the counters (0 for a scope never written) in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, scoped_session

from ..models import DataRevision
from .session import DbSession

_PENDING = "revision_scopes"

CATALOGUE = "catalogue"


def resolution_scope(number: int) -> str:
    return f"resolution:{number}"


def state_scope(iso3: str) -> str:
    return f"state:{iso3}"


def touch(session: DbSession, *scopes: str) -> None:
    """Mark scopes as changed by the current transaction."""
    real: Session = session() if isinstance(session, scoped_session) else session
    real.info.setdefault(_PENDING, set()).update(scopes)


def current(session: DbSession, scopes: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(scopes))
    found = dict(session.execute(
        select(DataRevision.scope, DataRevision.revision).where(DataRevision.scope.in_(wanted))
    ).all())
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
