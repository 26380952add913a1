"""`Idempotency-Key` on POST: a retry gets the original response, never a second report.

`idempotent()` wraps a use case. The key is first claimed in a short transaction of its own (so
a concurrent request with the same key sees it at once and gets 409), then the use case runs,
and the response it produced is stored in the use case's own transaction, next to what it
created. A claim whose request died is taken over after `IDEMPOTENCY_LOCK_SECONDS`. A request
that fails releases its claim, so a corrected retry can use the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Invalid, RequestInFlight
from ..models import IdempotencyKey
from ..models.types import utcnow
from . import transaction
from .session import DbSession, rowcount

KEY_MAX_LENGTH = 255


@dataclass(frozen=True)
class StoredResponse:
    """What a use case answered, as a retry with the same key gets it again."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    report_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    response: StoredResponse
    replayed: bool


def check_key(key: str) -> str:
    key = key.strip()
    if (not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable()
            or "," in key):
        # A comma is where a repeated header is joined: one key, one value.
        raise Invalid(
            "Idempotency-Key must be one value of 1 to 255 printable ASCII characters, "
            "without commas.",
            errors=[{"pointer": "Idempotency-Key", "detail": "Invalid key."}],
        )
    return key


def idempotent(
    session: DbSession,
    authority_id: int,
    key: str | None,
    fingerprint: str,
    lock_seconds: float,
    run: Callable[[], StoredResponse],
) -> Outcome:
    """Run the use case `run` at most once for `key` (none: just run it). `run` executes in
    the use case's transaction, where its response is stored with what it wrote."""
    if key is None:
        with transaction(session):
            return Outcome(run(), replayed=False)
    claimed = _claim(session, authority_id, check_key(key), fingerprint, lock_seconds)
    if isinstance(claimed, StoredResponse):
        return Outcome(claimed, replayed=True)
    try:
        with transaction(session):
            response = run()
            _complete(session, claimed, response)
    except BaseException:
        _release(session, claimed)
        raise
    return Outcome(response, replayed=False)


def _claim(
    session: DbSession, authority_id: int, key: str, fingerprint: str, lock_seconds: float
) -> int | StoredResponse:
    """Claim `key` for this request (its row id), or the stored response, or 409/422. Each
    attempt is a transaction of its own, committed before the use case starts."""
    for _ in range(3):
        try:
            with transaction(session):
                outcome = _claim_once(session, authority_id, key, fingerprint, lock_seconds)
        except IntegrityError:
            continue  # another request inserted the key first: look again
        if outcome is not None:
            return outcome
    raise RequestInFlight()


def _claim_once(
    session: DbSession, authority_id: int, key: str, fingerprint: str, lock_seconds: float
) -> int | StoredResponse | None:
    row = session.scalar(
        select(IdempotencyKey).where(
            IdempotencyKey.authority_id == authority_id, IdempotencyKey.key == key
        )
    )
    now = utcnow()
    if row is None:
        row = IdempotencyKey(
            authority_id=authority_id, key=key, fingerprint=fingerprint, claimed_at=now
        )
        session.add(row)
        session.flush()
        return row.id
    if row.fingerprint != fingerprint:
        raise Invalid(
            "This Idempotency-Key was used with a different request body; "
            "use a new key for a new request.",
            errors=[{"pointer": "Idempotency-Key", "detail": "Reused with another body."}],
        )
    if row.completed_at is not None:
        return StoredResponse(row.response_status or 200, row.response_body or {},
                              dict(row.response_headers or {}), row.report_id)
    if now - row.claimed_at < dt.timedelta(seconds=lock_seconds):
        raise RequestInFlight()
    # The request that claimed the key died: take the claim over, unless another retry
    # took it first.
    taken = session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == row.id, IdempotencyKey.claimed_at == row.claimed_at,
               IdempotencyKey.completed_at.is_(None))
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return row.id if rowcount(taken) == 1 else None


def _complete(session: DbSession, claimed: int, response: StoredResponse) -> None:
    """Store the response in the use case's transaction, next to what it created."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claimed)
        .values(completed_at=utcnow(), response_status=response.status,
                response_body=response.body, response_headers=response.headers,
                report_id=response.report_id)
        .execution_options(synchronize_session=False)
    )


def _release(session: DbSession, claimed: int) -> None:
    """Give the key back after a failed request, in a transaction of its own."""
    with transaction(session):
        session.execute(
            delete(IdempotencyKey)
            .where(IdempotencyKey.id == claimed, IdempotencyKey.completed_at.is_(None))
            .execution_options(synchronize_session=False)
        )
