"""Service layer: the use cases of the application, and the one transaction rule.

**A use case owns its transaction.** Every public service function that writes is a use case:
it is decorated with `@use_case` (or runs its body in `with transaction(session):`), which
opens one transaction, commits it when the function returns and rolls it back when it
raises. Nothing else commits or rolls back: not views (a test fails if a module in
`app/api/` calls `commit` or `rollback`), not commands, not models. A use case called from
another one joins the caller's transaction. A race that one statement may lose (a unique
constraint another request may satisfy first) is contained in a savepoint
(`session.begin_nested()`), so losing it never throws away the rest of the caller's work.
Reads need no decorator; what they read before a use case starts (authentication, say) ends
when it starts (on PostgreSQL, that read-only transaction is carried on as the use case's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, scoped_session

from ..extensions import WRITING
from .session import DbSession

P = ParamSpec("P")
T = TypeVar("T")

_DEPTH = "use_case_depth"


@contextmanager
def transaction(session: DbSession) -> Iterator[None]:
    """The one transaction of a use case: committed on success, rolled back on any error.
    Nested inside another use case, it joins that one's transaction."""
    real: Session = session() if isinstance(session, scoped_session) else session
    depth = real.info.get(_DEPTH, 0)
    if depth:
        real.info[_DEPTH] = depth + 1
        try:
            yield
        finally:
            real.info[_DEPTH] = depth
        return
    if real.new or real.dirty or real.deleted:
        raise RuntimeError("changes were made outside a use case; they would be committed "
                           "by whichever use case ran next")
    begin: Any = real.begin
    if real.in_transaction():
        if real.get_bind().dialect.name == "postgresql":
            # Only reads ran before the use case: on PostgreSQL (read committed, where each
            # statement sees what is committed when it starts) their transaction simply
            # becomes the use case's, saving a rollback, a connection check-out and a BEGIN.
            begin = real.get_transaction
        else:
            # SQLite: a use case's transaction must begin IMMEDIATE (see app.extensions).
            real.rollback()
    token = WRITING.set(True)
    real.info[_DEPTH] = 1
    try:
        with begin():
            yield
    finally:
        real.info[_DEPTH] = 0
        WRITING.reset(token)


def use_case(func: Callable[P, T]) -> Callable[P, T]:
    """Run `func(session, ...)` as a use case: in one transaction of its own (see the module
    docstring)."""

    @functools.wraps(func)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        session = args[0]
        if not isinstance(session, Session | scoped_session):
            raise TypeError(f"a use case takes the session first, not {session!r}")
        with transaction(session):
            return func(*args, **kwargs)

    return run


def page_of(session: DbSession, stmt: Any, page: int, page_size: int) -> tuple[list[Row], int]:
    """One page of `stmt`'s rows and the total number of rows over all pages."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return list(rows), total or 0
