"""The session a service works in."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.orm import Session, scoped_session

#: A `Session`, or the application's scoped session (`db.session`), which stands for the
#: session of the current request or command. Services take either.
DbSession: TypeAlias = Session | scoped_session[Any]


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched (`Session.execute` is typed as returning a plain
    `Result`; for these statements it is a `CursorResult`)."""
    return cast(CursorResult[Any], result).rowcount
