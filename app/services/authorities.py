"""Authorities and their tokens (used by the command line)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth import Principal, new_token
from ..domain import Role
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..mail import address_problem
from ..models import ROLES, ApiToken, Authority, MemberState
from ..models.types import utcnow
from . import audit, revisions, use_case
from .session import DbSession

CLI_ACTOR = "command line"


@dataclass(frozen=True)
class IssuedToken:
    authority: Authority
    public_id: str
    plaintext: str


def _issue(session: DbSession, authority: Authority) -> IssuedToken:
    plaintext, public_id, secret_hash = new_token()
    session.add(ApiToken(authority=authority, public_id=public_id, secret_hash=secret_hash))
    return IssuedToken(authority=authority, public_id=public_id, plaintext=plaintext)


def _checked_email(email: str | None) -> str | None:
    if email is None:
        return None
    problem = address_problem(email)
    if problem is not None:
        raise Invalid(f"The e-mail address {email!r} is not usable: {problem}.",
                      errors=[{"pointer": "email", "detail": problem}])
    return email


@use_case
def create_authority(
    session: DbSession, name: str, role: str, state_iso3: str | None,
    email: str | None = None,
) -> IssuedToken:
    """A new authority and its first token. `email`: where deadline reminders go (one
    address; only reporters are reminded)."""
    email = _checked_email(email)
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("The name must have 1 to 200 characters.")
    if role not in ROLES:
        raise Invalid(f"The role must be one of {', '.join(ROLES)}.")
    state = None
    if role == Role.REPORTER:
        if not state_iso3:
            raise Invalid("A reporter authority belongs to a state: name its state.")
        state = session.scalar(select(MemberState).where(MemberState.iso3 == state_iso3.upper()))
        if state is None:
            raise Invalid(f"No Member State {state_iso3!r}.")
    elif state_iso3:
        raise Invalid(f"A {role} authority belongs to no state: name none.")
    if session.scalar(select(Authority.id).where(Authority.name == name)) is not None:
        raise Conflict(f"An authority named {name!r} exists already.")
    authority = Authority(name=name, role=role, state=state, email=email)
    session.add(authority)
    revisions.touch(session, revisions.AUTHORITIES)
    issued = _issue(session, authority)
    session.flush()
    audit.record(
        session,
        action="authority.create",
        actor=CLI_ACTOR,
        state_iso3=state.iso3 if state else None,
        details={"authority": name, "role": role, "token": issued.public_id,
                 "email": email},
    )
    return issued


@use_case
def set_email(session: DbSession, name: str, email: str | None) -> Authority:
    """Set, replace or (None) remove an authority's contact address."""
    email = _checked_email(email)
    authority = _get(session, name)
    if authority.email != email:
        audit.record(session, action="authority.update", actor=CLI_ACTOR,
                     state_iso3=authority.state.iso3 if authority.state else None,
                     details={"authority": name, "email": {"from": authority.email,
                                                           "to": email}})
        authority.email = email
    return authority


def _get(session: DbSession, name: str) -> Authority:
    authority = session.scalar(select(Authority).where(Authority.name == name))
    if authority is None:
        raise NotFound(f"No authority named {name!r}.")
    return authority


@use_case
def issue_token(session: DbSession, name: str) -> IssuedToken:
    authority = _get(session, name)
    if authority.disabled_at is not None:
        raise Conflict(f"The authority {name!r} is disabled.")
    issued = _issue(session, authority)
    revisions.touch(session, revisions.AUTHORITIES)
    audit.record(session, action="token.create", actor=CLI_ACTOR,
                 details={"authority": name, "token": issued.public_id})
    return issued


@use_case
def revoke_token(session: DbSession, public_id: str) -> ApiToken:
    token = session.scalar(select(ApiToken).where(ApiToken.public_id == public_id))
    if token is None:
        raise NotFound(f"No token with id {public_id!r}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        revisions.touch(session, revisions.AUTHORITIES)
        audit.record(session, action="token.revoke", actor=CLI_ACTOR,
                     details={"authority": token.authority.name, "token": public_id})
    return token


@use_case
def revoke_authority(session: DbSession, name: str) -> Authority:
    """Disable an authority and revoke every token it holds."""
    authority = _get(session, name)
    now = utcnow()
    revoked = []
    for token in authority.tokens:
        if token.revoked_at is None:
            token.revoked_at = now
            revoked.append(token.public_id)
    if authority.disabled_at is None:
        authority.disabled_at = now
    revisions.touch(session, revisions.AUTHORITIES)
    audit.record(session, action="authority.revoke", actor=CLI_ACTOR,
                 details={"authority": name, "tokens": revoked})
    return authority


def list_authorities(session: DbSession) -> list[Authority]:
    return list(
        session.scalars(
            select(Authority)
            .options(selectinload(Authority.tokens), selectinload(Authority.state))
            .order_by(Authority.name)
        )
    )


def panel_principal(session: DbSession, name: str) -> Principal:
    """The enabled panel or admin authority `name` acting from the command line (no token):
    what it stores is recorded as the Panel's and as submitted by it."""
    authority = _get(session, name)
    if authority.disabled_at is not None:
        raise Conflict(f"The authority {name!r} is disabled.")
    if authority.role not in (Role.PANEL, Role.ADMIN):
        raise Forbidden(f"The authority {name!r} is a {authority.role}: the command line "
                        "records incidents as the Panel, for a panel or admin authority.")
    return Principal(authority_id=authority.id, token_id=None, name=authority.name,
                     role=authority.role, state_id=None, state_iso3=None)
