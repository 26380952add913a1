"""`Idempotency-Key` on POST: a retry gets the original response, never a second report.

A key is first claimed in a short transaction of its own (so a concurrent request with the same
key sees it at once and gets 409), then completed in the same transaction as the report it
created. A claim whose request died is taken over after `IDEMPOTENCY_LOCK_SECONDS`. A request
that fails releases its claim, so a corrected retry can use the key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict, Unprocessable
from ..models import IdempotencyKey
from ..models.types import utcnow
from .session import DbSession, rowcount

KEY_MAX_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


def check_key(key: str) -> str:
    key = key.strip()
    if (not key or len(key) > KEY_MAX_LENGTH or not key.isascii() or not key.isprintable()
            or "," in key):
        # A comma is where a repeated header is joined: one key, one value.
        raise Unprocessable(
            "Idempotency-Key must be one value of 1 to 255 printable ASCII characters, "
            "without commas.",
            errors=[{"pointer": "Idempotency-Key", "detail": "Invalid key."}],
        )
    return key


def claim(
    session: DbSession, authority_id: int, key: str, fingerprint: str, lock_seconds: float
) -> IdempotencyKey | Replay:
    """Claim `key` for this request, or return the stored response, or raise 409/422."""
    for _ in range(3):
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
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                continue
            return row
        if row.fingerprint != fingerprint:
            session.rollback()
            raise Unprocessable(
                "This Idempotency-Key was used with a different request body; "
                "use a new key for a new request.",
                errors=[{"pointer": "Idempotency-Key", "detail": "Reused with another body."}],
            )
        if row.completed_at is not None:
            replay = Replay(row.response_status or 200, row.response_body or {},
                            dict(row.response_headers or {}))
            session.rollback()
            return replay
        if now - row.claimed_at < dt.timedelta(seconds=lock_seconds):
            session.rollback()
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                headers={"Retry-After": "1"},
            )
        # The request that claimed the key died: take the claim over, unless another retry
        # took it first.
        taken = session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == row.id, IdempotencyKey.claimed_at == row.claimed_at,
                   IdempotencyKey.completed_at.is_(None))
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
        if rowcount(taken) == 1:
            return session.get_one(IdempotencyKey, row.id)
    raise Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        headers={"Retry-After": "1"},
    )


def complete(
    session: DbSession,
    claimed: IdempotencyKey,
    status: int,
    body: dict[str, Any],
    headers: dict[str, str],
    report_id: int | None,
) -> None:
    """Store the response in the caller's transaction, next to the report it describes."""
    session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == claimed.id)
        .values(completed_at=utcnow(), response_status=status, response_body=body,
                response_headers=headers, report_id=report_id)
        .execution_options(synchronize_session=False)
    )


def release(session: DbSession, claimed: IdempotencyKey) -> None:
    """Give the key back after a failed request (in a transaction of its own)."""
    session.rollback()
    session.execute(
        delete(IdempotencyKey)
        .where(IdempotencyKey.id == claimed.id, IdempotencyKey.completed_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    session.commit()
