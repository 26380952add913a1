"""The stored PDFs of the summaries, bounded, and the memory of renders that failed.

Both live in the database, keyed by a document's fingerprint, so every app server shares them.

**Two keys.** The fingerprint hashes a document's whole context (its data), the templates and
the renderer: finding a PDF by it costs building the context (tens of milliseconds). The
revision key hashes what is asked (kind, subject, `as_of` or today's date, audience, media
type), what renders it (templates, renderer, scoring method and the application's code,
digested once per process) and the revision counters (`app.services.revisions`) of the
scopes the document reads: finding a PDF by it costs one indexed query after reading the
counters. Every write that changes what a document shows bumps a counter the document reads,
in the write's own transaction, so a revision key never finds a stale document. The counters
are read before the context is built: a document stored under a key is never older than the
data those counters stand for. On a miss the context is built and its fingerprint looked
up (a write elsewhere in a scope, or a document of a past day, leaves the content the same):
a hit there is given the new revision key, so the next request finds it by the key alone.

Each web process also keeps the PDFs it served last in memory, by revision key, within
RENDER_MEMORY_CACHE_BYTES (`MemoryCache`); it is correct for the same reason: the key names
the counters of the data, which are read from the database on every request.
The cache keeps at most RENDER_CACHE_MAX_ENTRIES documents and RENDER_CACHE_MAX_BYTES bytes:
each store deletes the oldest beyond either bound, in the same transaction. A render that
failed or ran out of time is remembered for RENDER_FAILURE_TTL_SECONDS; until then the same
document is answered 503 with `Retry-After` at once, without rendering it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from ..models import RenderedSummary, RenderFailure
from ..models.types import utcnow
from . import transaction
from .session import DbSession

#: Changes the revision keys of every document when their making changes in a way that
#: the digests below do not see.
KEY_VERSION = "1"


@cache
def code_digest() -> str:
    """The application's code and schemas (the context a document is built from depends on
    them): a new release gives new revision keys, whose first request finds the stored PDF by
    fingerprint when the content is the same."""
    from ..config import PROJECT_ROOT

    digest = hashlib.sha256()
    for folder in ("app", "schemas"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def revision_key(asked: Iterable[str], counters: Mapping[str, int]) -> str:
    """The revision key of a request: what is asked (and what renders it), and the counters of
    the scopes the document reads."""
    digest = hashlib.sha256(KEY_VERSION.encode())
    for part in (*asked, *(f"{scope}={counters[scope]}" for scope in sorted(counters))):
        digest.update(b"\0")
        digest.update(part.encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Stored:
    """A stored PDF as a response needs it."""

    fingerprint: str
    content: bytes
    subject: str
    as_of: dt.date


_STORED_COLUMNS = (RenderedSummary.fingerprint, RenderedSummary.content,
                   RenderedSummary.subject, RenderedSummary.as_of)


def lookup_key(session: DbSession, key: str) -> Stored | None:
    """The PDF stored under a revision key: one indexed query."""
    row = session.execute(select(*_STORED_COLUMNS)
                          .where(RenderedSummary.revision_key == key)).first()
    return None if row is None else Stored(*row)


def lookup(session: DbSession, fingerprint: str) -> Stored | None:
    """The PDF stored under a content fingerprint."""
    row = session.execute(select(*_STORED_COLUMNS)
                          .where(RenderedSummary.fingerprint == fingerprint)).first()
    return None if row is None else Stored(*row)


def rekey(session: DbSession, fingerprint: str, key: str) -> None:
    """Find the PDF of `fingerprint` by `key` from now on (its previous key names counters
    that have moved on). A concurrent request may have stored or re-keyed the same key first:
    then it stays as it is."""
    try:
        with transaction(session):
            session.execute(update(RenderedSummary)
                            .where(RenderedSummary.fingerprint == fingerprint)
                            .values(revision_key=key))
    except IntegrityError:
        pass


class MemoryCache:
    """The PDFs a web process served last, by revision key, within `max_bytes` (least
    recently used dropped first; a document larger than the bound is not kept)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, Stored] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Stored | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: str, stored: Stored) -> None:
        size = len(stored.content)
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self.size -= len(previous.content)
            self._items[key] = stored
            self.size += size
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped.content)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._items)


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
          content: bytes, seconds: float, *, max_entries: int, max_bytes: int,
          revision_key: str | None = None) -> None:
    """Keep a rendered document (found by its fingerprint `key`, and by `revision_key`) and
    evict the oldest beyond the bounds; one transaction. A concurrent render of the same
    fingerprint or revision key is harmless. A document larger than the whole cache is not
    kept."""
    if len(content) > max_bytes or max_entries < 1:
        return
    try:
        with transaction(session):
            session.add(RenderedSummary(
                fingerprint=key, revision_key=revision_key, kind=context["kind"],
                subject=subject, as_of=context["as_of"], media_type=media_type,
                content=content, size=len(content), render_seconds=seconds,
            ))
            session.flush()
            _evict(session, max_entries, max_bytes)
    except IntegrityError:
        pass  # a concurrent render of the same document (or request) was stored first


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
