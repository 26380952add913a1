"""Alembic, driven from the application: configuration, upgrade, and the schema check."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy.engine import Connection

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url is not None:
        # ConfigParser interpolation: a literal % must be doubled.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config())
            .walk_revisions()}


def head_revisions() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


def upgrade(app: Flask, revision: str = "head") -> None:
    command.upgrade(alembic_config(app.config["SQLALCHEMY_DATABASE_URI"]), revision)


def downgrade(app: Flask, revision: str) -> None:
    command.downgrade(alembic_config(app.config["SQLALCHEMY_DATABASE_URI"]), revision)
