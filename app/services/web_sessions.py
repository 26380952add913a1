"""Web sessions: a person signs in with their authority's token and out again; both are
recorded in the audit trail."""

from __future__ import annotations

from ..auth import Principal
from . import audit, use_case
from .session import DbSession


@use_case
def signed_in(session: DbSession, principal: Principal) -> None:
    audit.record(session, action="session.start", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=principal.state_iso3,
                 details={"token": principal.token_public_id})


@use_case
def signed_out(session: DbSession, principal: Principal, *, reason: str = "sign-out") -> None:
    audit.record(session, action="session.end", actor=principal.name,
                 authority_id=principal.authority_id, token_id=principal.token_id,
                 state_iso3=principal.state_iso3,
                 details={"token": principal.token_public_id, "reason": reason})
