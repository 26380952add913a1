"""Revision counters: one row per scope of data (`catalogue`, `resolution:2397`, `state:FRA`,
...), incremented in the transaction of every write that changes data under that scope. A
document built from some scopes is the same while their counters are: reading them is one
indexed query, where rebuilding the document's data to compare it is many."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class DataRevision(Base):
    __tablename__ = "data_revision"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
