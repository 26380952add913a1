"""Alembic, driven from the application: configuration, upgrade, and the schema check."""

from __future__ import annotations

import functools

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from .config import PROJECT_ROOT

VERSION_TABLE = "alembic_version"

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url is not None:
        # ConfigParser interpolation: a literal % must be doubled.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


# The revision scripts are part of the installed code: read them once per process.
@functools.cache
def _scripts() -> tuple[frozenset[str], frozenset[str]]:
    directory = ScriptDirectory.from_config(alembic_config())
    known = frozenset(script.revision for script in directory.walk_revisions())
    return known, frozenset(directory.get_heads())


def known_revisions() -> set[str]:
    return set(_scripts()[0])


def head_revisions() -> set[str]:
    return set(_scripts()[1])


def current_revisions(connection: Connection) -> set[str]:
    """The revisions the database is at (empty before the first migration). One query, and
    none of Alembic's per-call set-up or its log lines (the readiness probe calls this)."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return set()
    return set(connection.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))


def upgrade(app: Flask, revision: str = "head") -> None:
    command.upgrade(alembic_config(app.config["SQLALCHEMY_DATABASE_URI"]), revision)


def downgrade(app: Flask, revision: str) -> None:
    command.downgrade(alembic_config(app.config["SQLALCHEMY_DATABASE_URI"]), revision)
