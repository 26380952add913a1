"""Command line: `flask --app wsgi db ...`, `flask --app wsgi catalogue ...`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import inspect

from . import migrations
from .catalogue import DATA_DIR
from .extensions import db
from .services.catalogue import CatalogueFileError, load_catalogue

db_cli = AppGroup("db", help="Database schema migrations (Alembic).")
catalogue_cli = AppGroup("catalogue", help="The bundled sanctions catalogue.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrations.upgrade(current_app, revision)
    click.echo(f"database at {_current()}")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` empties the schema)."""
    migrations.downgrade(current_app, revision)
    click.echo(f"database at {_current()}")


@db_cli.command("current")
def db_current() -> None:
    """Print the schema revision of the database and the newest one available."""
    head = ", ".join(sorted(migrations.head_revisions()))
    click.echo(f"database at {_current()}; head is {head}")


def _current() -> str:
    with db.engine.connect() as connection:
        current = migrations.current_revisions(connection)
    return ", ".join(sorted(current)) or "base (empty)"


@catalogue_cli.command("load")
@click.option(
    "--path",
    "data_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=DATA_DIR,
    show_default="the bundled data",
    help="Folder holding member_states.json and regimes/*.json.",
)
@click.option("--verbose", "-v", is_flag=True, help="List every row added, changed or kept.")
def catalogue_load(data_dir: Path, verbose: bool) -> None:
    """Load or update regimes, resolutions, obligations and Member States. Safe to rerun."""
    if not inspect(db.engine).has_table("resolution"):
        raise click.ClickException(
            "the database has no schema yet: run `flask --app wsgi db upgrade` first"
        )
    try:
        report = load_catalogue(db.session, data_dir)
    except CatalogueFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"nothing was loaded: {exc}") from exc
    lines = report.lines()
    if not verbose:
        lines = [line for line in lines if not line.startswith("  ")]
        lines += [f"  ~ {item}" for item in report.changed]
    for line in lines:
        click.echo(line)


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_cli)
    app.cli.add_command(catalogue_cli)
