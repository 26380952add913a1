"""Service layer: each public function that writes owns one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select

from .session import DbSession


def page_of(session: DbSession, stmt: Any, page: int, page_size: int) -> tuple[list[Row], int]:
    """One page of `stmt`'s rows and the total number of rows over all pages."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return list(rows), total or 0
