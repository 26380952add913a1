"""Audit events: who did what, when, from which token. Inserted only, never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import AuditEvent


class AuditIsAppendOnly(RuntimeError):
    """Raised when anything tries to change or delete an audit event through the ORM."""


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, flush_context, instances) -> None:  # noqa: ARG001
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted
                                            or session.is_modified(obj)):
            raise AuditIsAppendOnly("audit events are never changed or deleted")


def record(
    session: Session,
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
