"""What the summaries keep: the rendered PDFs, and the renders that failed. Both are keyed by
the fingerprint of exactly the data and templates a document is built from, and shared by
every app server."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, LargeBinary, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime, utcnow


class SummaryDocument:
    """Which document a row is about: its fingerprint, kind, subject and date."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[dt.date] = mapped_column(Date)


class RenderedSummary(SummaryDocument, Base):
    """A rendered PDF, served again while its fingerprint holds. `revision_key` finds it
    without rebuilding its data: the key of the last request it answered (what was asked,
    and the revision counters of the data the document reads; `app.services.summary_cache`)."""

    __tablename__ = "rendered_summary"

    revision_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    media_type: Mapped[str] = mapped_column(String(40))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    render_seconds: Mapped[float] = mapped_column(Numeric(8, 3, asdecimal=False))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class RenderFailure(SummaryDocument, Base):
    """A render that failed or ran out of time: until `retry_at` a request for the same
    document is answered 503 at once instead of rendering it again."""

    __tablename__ = "render_failure"

    detail: Mapped[str] = mapped_column(String(500))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    retry_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
