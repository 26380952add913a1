"""What the summaries remember besides the stored PDFs: renders that failed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .types import UTCDateTime, utcnow


class RenderFailure(Base):
    """A render that failed or ran out of time, keyed by the fingerprint of its document and
    shared by every app server: until `retry_at` a request for the same document is answered
    503 at once instead of rendering it again."""

    __tablename__ = "render_failure"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[dt.date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(String(500))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    retry_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
