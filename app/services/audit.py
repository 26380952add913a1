"""Audit events: who did what, when, from which token. Inserted only, never changed.

`record` adds an event to the caller's transaction (`insert` writes it at once, without an
ORM object, for the busiest write paths); `list_events` reads the trail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import Table, event, select
from sqlalchemy import insert as _insert
from sqlalchemy.orm import Session, aliased

from ..models import ApiToken, AuditEvent, Authority, Report
from ..models.types import utcnow
from . import page_of
from .session import DbSession


class AuditIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete an audit event through the ORM."""


@event.listens_for(Session, "before_flush")
def _append_only(session: DbSession, flush_context, instances) -> None:  # noqa: ARG001
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted
                                            or session.is_modified(obj)):
            raise AuditIsAppendOnly("audit events are never changed or deleted")


def record(
    session: DbSession,
    *,
    action: str,
    actor: str,
    authority_id: int | None = None,
    token_id: int | None = None,
    state_iso3: str | None = None,
    report_id: int | None = None,
    version: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (it commits with the change it records)."""
    event = AuditEvent(
        action=action,
        actor=actor,
        authority_id=authority_id,
        token_id=token_id,
        state_iso3=state_iso3,
        report_id=report_id,
        version=version,
        details=details or {},
    )
    session.add(event)
    return event


AUDIT_EVENTS = cast(Table, AuditEvent.__table__)


def insert(session: DbSession, values: dict[str, Any]) -> None:
    """As `record`, for an event's row built by `event_values`: inserted at once with one
    Core statement (no ORM object or flush), in the caller's transaction."""
    session.connection().execute(_insert(AUDIT_EVENTS), values)


def event_values(
    *,
    action: str,
    actor: str,
    authority_id: int | None = None,
    token_id: int | None = None,
    state_iso3: str | None = None,
    report_id: int | None = None,
    version: int | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's row, for `insert` (or a statement that writes it with other rows)."""
    return {
        "occurred_at": utcnow(), "action": action, "actor": actor,
        "authority_id": authority_id, "token_id": token_id, "state_iso3": state_iso3,
        "report_id": report_id, "version": version, "details": details or {},
    }


def list_events(
    session: DbSession,
    *,
    authority: str | None = None,
    state: str | None = None,
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    page: int,
    page_size: int,
) -> tuple[list[dict[str, Any]], int]:
    acting = aliased(Authority)
    stmt = (
        select(AuditEvent, ApiToken.public_id, Report.public_id)
        .outerjoin(ApiToken, ApiToken.id == AuditEvent.token_id)
        .outerjoin(Report, Report.id == AuditEvent.report_id)
        .order_by(AuditEvent.id)
    )
    if authority:
        stmt = stmt.join(acting, acting.id == AuditEvent.authority_id).where(
            acting.name == authority)
    if state:
        stmt = stmt.where(AuditEvent.state_iso3 == state.upper())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    rows, total = page_of(session, stmt, page, page_size)
    items = [
        {
            "id": event.id, "occurred_at": event.occurred_at, "actor": event.actor,
            "token": token, "action": event.action, "state": event.state_iso3,
            "report": report, "version": event.version, "details": event.details,
        }
        for event, token, report in rows
    ]
    return items, total
