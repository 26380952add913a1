"""Reading the audit trail (writing is `audit.record`, insert only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ..models import ApiToken, AuditEvent, Authority, Report
from . import page_of


def list_events(
    session: Session,
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
