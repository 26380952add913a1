"""The stored PDFs of the summaries, bounded, and the memory of renders that failed.

Both live in the database, keyed by a document's fingerprint, so every app server shares them.
The cache keeps at most RENDER_CACHE_MAX_ENTRIES documents and RENDER_CACHE_MAX_BYTES bytes:
each store deletes the oldest beyond either bound, in the same transaction. A render that
failed or ran out of time is remembered for RENDER_FAILURE_TTL_SECONDS; until then the same
document is answered 503 with `Retry-After` at once, without rendering it again.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..models import RenderedSummary, RenderFailure
from ..models.types import utcnow
from . import transaction
from .session import DbSession


def lookup(session: DbSession, key: str) -> RenderedSummary | None:
    return session.scalar(select(RenderedSummary).where(RenderedSummary.fingerprint == key))


def _evict(session: DbSession, max_entries: int, max_bytes: int) -> None:
    """Delete the oldest stored documents beyond `max_entries` or `max_bytes`."""
    count, size = session.execute(
        select(func.count(), func.coalesce(func.sum(RenderedSummary.size), 0))
    ).one()
    if count <= max_entries and size <= max_bytes:
        return
    kept, kept_bytes, cut = 0, 0, None
    for row_id, row_size in session.execute(
        select(RenderedSummary.id, RenderedSummary.size).order_by(RenderedSummary.id.desc())
    ):
        if kept + 1 > max_entries or kept_bytes + row_size > max_bytes:
            cut = row_id
            break
        kept, kept_bytes = kept + 1, kept_bytes + row_size
    if cut is not None:
        session.execute(delete(RenderedSummary).where(RenderedSummary.id <= cut))


def store(session: DbSession, key: str, context: dict[str, Any], subject: str, media_type: str,
          content: bytes, seconds: float, *, max_entries: int, max_bytes: int) -> None:
    """Keep a rendered document and evict the oldest beyond the bounds; one transaction. A
    concurrent render of the same fingerprint is harmless. A document larger than the whole
    cache is not kept."""
    if len(content) > max_bytes or max_entries < 1:
        return
    try:
        with transaction(session):
            session.add(RenderedSummary(
                fingerprint=key, kind=context["kind"], subject=subject, as_of=context["as_of"],
                media_type=media_type, content=content, size=len(content),
                render_seconds=seconds,
            ))
            session.flush()
            _evict(session, max_entries, max_bytes)
    except IntegrityError:
        pass  # a concurrent render of the same document was stored first


def failure(session: DbSession, key: str) -> tuple[str, int] | None:
    """(detail, seconds left) of a remembered failure of this document, or None."""
    remembered = session.scalar(select(RenderFailure).where(RenderFailure.fingerprint == key))
    if remembered is None:
        return None
    left = (remembered.retry_at - utcnow()).total_seconds()
    if left <= 0:
        return None
    return remembered.detail, max(1, math.ceil(left))


def remember_failure(session: DbSession, key: str, context: dict[str, Any], subject: str,
                     detail: str, ttl_seconds: int) -> None:
    """Remember that this document failed, until `ttl_seconds` from now; expired entries of
    every document are dropped on the way, so the table holds only live ones."""
    if ttl_seconds <= 0:
        return
    now = utcnow()
    try:
        with transaction(session):
            session.execute(delete(RenderFailure).where(
                (RenderFailure.retry_at <= now) | (RenderFailure.fingerprint == key)))
            session.add(RenderFailure(
                fingerprint=key, kind=context["kind"], subject=subject,
                as_of=context["as_of"], detail=detail[:500], failed_at=now,
                retry_at=now + dt.timedelta(seconds=ttl_seconds),
            ))
    except IntegrityError:  # another server remembered the same failure first
        pass
