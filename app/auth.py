"""Bearer tokens: creation, hashing, verification, and the role checks of the API.

A token reads `cra_<public id>_<secret>`: the public id (8 bytes of randomness, hex) finds the
row, the secret (32 random bytes, URL-safe base64) is checked against a SHA-256 hash in
constant time. The plaintext is shown once, at creation, and never stored. Each process
remembers the tokens it has read (`known_token`) while the `authorities` revision counter,
read on every request, stands: a revocation bumps it, so no process accepts a revoked token.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, g, request
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from .domain import Role
from .errors import Forbidden, NotFound, Unauthenticated
from .extensions import db
from .http import counters, ratelimit
from .models import ApiToken, Authority
from .models.types import utcnow
from .services import revisions

TOKEN_PREFIX = "cra"
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is making the request."""

    authority_id: int | None
    token_id: int | None
    name: str
    role: str
    state_id: int | None
    state_iso3: str | None
    token_public_id: str | None = None

    @property
    def is_reporter(self) -> bool:
        return self.role == Role.REPORTER


COMMAND_LINE = Principal(
    authority_id=None, token_id=None, name="command line", role=Role.ADMIN, state_id=None,
    state_iso3=None,
)


def new_token() -> tuple[str, str, str]:
    """Return (plaintext token, public id, secret hash)."""
    public_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return f"{TOKEN_PREFIX}_{public_id}_{secret}", public_id, hash_secret(secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _parse(token: str) -> tuple[str, str] | None:
    parts = token.split("_", 2)
    if (
        len(parts) != 3
        or parts[0] != TOKEN_PREFIX
        or len(parts[1]) != 16
        or not all(c in "0123456789abcdef" for c in parts[1])
    ):
        return None
    return parts[1], parts[2]


def authenticate() -> Principal:
    """The principal of the current request, or 401 (429 past the address's budget of failed
    authentications). Only a request that authenticates spends the token's own budget."""
    cached = g.get("principal")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    if not header:
        raise Unauthenticated("This operation needs a bearer token (Authorization: Bearer ...).")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        ratelimit.charge_failed_authentication()
        raise Unauthenticated("The Authorization header must read `Bearer <token>`.",
                              reason="invalid_request")
    principal, public_id = verify_token(token)
    g.principal = principal  # before the charge: a refused request is logged with its token
    ratelimit.charge_token(public_id)
    return principal


def verify_token(token: str) -> tuple[Principal, str]:
    """The principal a bearer token stands for and the token's public id, or 401 (429 past
    the address's budget of failed authentications). The API's header and the web sign-in
    both check a token here."""
    parsed = _parse(token)
    known = None
    if parsed is not None:
        public_id, secret = parsed
        known = known_token(public_id)
        if known is not None and not hmac.compare_digest(known.secret_hash, hash_secret(secret)):
            known = None
    else:
        hmac.compare_digest(hash_secret(token), hash_secret(token))  # same work either way
    if known is None:
        ratelimit.charge_failed_authentication()
        raise Unauthenticated("The token is not valid.", reason="invalid_token")
    if known.principal is None:
        ratelimit.charge_failed_authentication()
        raise Unauthenticated("The token has been revoked.", reason="invalid_token")
    if (used := _touch(known.token_id, known.last_used_at)) is not None:
        known.last_used_at = used
    return known.principal, known.public_id


@dataclass
class KnownToken:
    """A token as the database held it when `authorities` (the revision counter every
    creation, revocation and disabling of a token or authority bumps) was `authorities`."""

    token_id: int
    public_id: str
    secret_hash: str
    #: None: revoked, or its authority disabled.
    principal: Principal | None
    last_used_at: dt.datetime | None
    authorities: int


#: Tokens each process remembers at most (then it forgets them all and reads them again).
KNOWN_TOKENS_MAX = 10_000


def known_token(public_id: str) -> KnownToken | None:
    """The token with this public id (None: no such token), read from the database only when
    this process has not read it since the `authorities` counter last moved: a revoked token
    or a disabled authority is refused by the next request, on every process. The counter is
    read first (with the counters the request's view asked for, `app.http.counters`): what is
    read after it is at least as recent."""
    authorities = counters.read([revisions.AUTHORITIES])[revisions.AUTHORITIES]
    remembered: dict[str, KnownToken] = current_app.extensions.setdefault("known_tokens", {})
    known = remembered.get(public_id)
    if known is not None and known.authorities == authorities:
        return known
    row = db.session.execute(
        select(ApiToken, Authority)
        .join(Authority, ApiToken.authority_id == Authority.id)
        .where(ApiToken.public_id == public_id)
        # A reporter's state in the same statement (the principal names it).
        .options(joinedload(Authority.state))
    ).first()
    if row is None:
        return None  # unknown ids are not remembered: nobody fills the memory with them
    api_token, authority = row.ApiToken, row.Authority
    valid = api_token.revoked_at is None and authority.disabled_at is None
    known = KnownToken(api_token.id, api_token.public_id, api_token.secret_hash,
                       _principal(authority, api_token) if valid else None,
                       api_token.last_used_at, authorities)
    if len(remembered) >= KNOWN_TOKENS_MAX:
        remembered.clear()
    remembered[public_id] = known
    return known


def _principal(authority: Authority, api_token: ApiToken) -> Principal:
    return Principal(
        authority_id=authority.id,
        token_id=api_token.id,
        name=authority.name,
        role=authority.role,
        state_id=authority.state_id,
        state_iso3=authority.state.iso3 if authority.state is not None else None,
        token_public_id=api_token.public_id,
    )


def session_principal(authority_id: int, token_id: int) -> Principal | None:
    """The principal of a web session (its authority and the token it signed in with), or
    None where the token has since been revoked or the authority disabled."""
    row = db.session.execute(
        select(ApiToken, Authority)
        .join(Authority, ApiToken.authority_id == Authority.id)
        .where(ApiToken.id == token_id, Authority.id == authority_id)
    ).first()
    if row is None or row.ApiToken.revoked_at is not None or row.Authority.disabled_at is not None:
        return None
    _touch(row.ApiToken.id, row.ApiToken.last_used_at)
    return _principal(row.Authority, row.ApiToken)


def _touch(token_id: int, last_used_at: dt.datetime | None) -> dt.datetime | None:
    """Record when the token was last used, at most once a minute, outside the request's
    own transaction (a read stays a read); the time recorded, or None."""
    now = utcnow()
    if last_used_at is not None and now - last_used_at < LAST_USED_RESOLUTION:
        return None
    threshold = now - LAST_USED_RESOLUTION
    with db.engine.begin() as connection:
        connection.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .where(or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < threshold))
            .values(last_used_at=now)
        )
    return now


def requires(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """View decorator: a valid token whose role is one of `roles`, else 401 or 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            require_role(roles)
            return view(*args, **kwargs)

        wrapper._required_roles = roles  # type: ignore[attr-defined]
        return wrapper

    return decorator


def require_role(roles: tuple[str, ...]) -> Principal:
    """The request's principal if its role is one of `roles`, else 401 or 403."""
    principal = authenticate()
    if principal.role not in roles:
        raise Forbidden(
            f"The {principal.role} role may not do this; it needs: {', '.join(roles)}."
        )
    return principal


def optional_principal() -> Principal | None:
    """The request's principal where it sends a token (a bad one is 401, as anywhere), None
    where it sends none: for what anyone may read and a token may read more of."""
    if not request.headers.get("Authorization"):
        return None
    return authenticate()


def may_read_state(principal: Principal | None, iso3: str) -> bool:
    """Whether `principal` may read what concerns the state (a reporter: its own only)."""
    if principal is None:
        return False
    return not principal.is_reporter or principal.state_iso3 == iso3.upper()


def current_principal() -> Principal:
    return authenticate()


def require_own_state(iso3: str) -> Principal:
    """A reporter may read what concerns its own state only (panel and admin: any).

    What concerns another state does not exist for a reporter: 404, as for another state's
    report, never 403 (which would differ from the answer for an unknown state).
    """
    principal = authenticate()
    if not may_read_state(principal, iso3):
        raise NotFound(
            f"No profile of {iso3.upper()!r} for this token; a reporter reads its own "
            f"state's ({principal.state_iso3}) only."
        )
    return principal
