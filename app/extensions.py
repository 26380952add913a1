"""Unbound extensions, bound to the application in `create_app`."""

from __future__ import annotations

import contextvars

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from .models import Base

# Objects stay readable after their use case commits, so a view can serialise what was just
# written without reading it back.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})

#: True while a use case's transaction is open in this context (app.services.transaction).
WRITING: contextvars.ContextVar[bool] = contextvars.ContextVar("writing", default=False)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ARG001
    """SQLite: enforce foreign keys (off by default); write-ahead logging, so that readers do
    not wait for a writer and a commit costs an append instead of a journal rewrite with two
    fsyncs; wait up to 10 s for a writer rather than fail with "database is locked"."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def sqlite_transactions(engine: Engine) -> None:
    """SQLite: let SQLAlchemy, not the driver, begin transactions (SQLAlchemy's documented
    recipe for pysqlite). The driver would begin one only before the first write, so a
    savepoint opened first would start the transaction itself and its release would commit
    it half done. A use case's transaction begins `IMMEDIATE`, taking the write lock at its
    start (waiting up to the busy timeout), so it never has to upgrade a read snapshot that a
    concurrent writer has made stale; reads begin deferred."""

    @event.listens_for(engine, "connect")
    def _driver_stays_out(dbapi_connection, connection_record) -> None:  # noqa: ARG001
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if WRITING.get() else "BEGIN")
