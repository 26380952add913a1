"""Audit events: who did what, when, from which token. Inserted only, never changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..models import AuditEvent


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
