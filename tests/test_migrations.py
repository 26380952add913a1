"""The schema is built by the Alembic migrations, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from pytest_alembic import Config as PytestAlembicConfig
from pytest_alembic.tests import (  # noqa: F401  (collected as tests)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy import create_engine, inspect

from app.config import normalise_database_url
from app.migrations import MIGRATIONS_DIR, head_revisions
from app.models import Base


@pytest.fixture()
def alembic_config():
    return PytestAlembicConfig(config_options={"script_location": str(MIGRATIONS_DIR)})


@pytest.fixture()
def alembic_engine(databases):
    engine = create_engine(normalise_database_url(databases.new("alembic")))
    yield engine
    engine.dispose()


def test_cli_upgrade_downgrade_and_back(fresh_app):
    runner = fresh_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    head = ", ".join(sorted(head_revisions()))
    assert f"database at {head}" in result.output
    with fresh_app.app_context():
        from app.extensions import db

        tables = set(inspect(db.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        result = runner.invoke(args=["db", "downgrade", "base"])
        assert result.exit_code == 0, result.output
        assert "base (empty)" in result.output
        db.engine.dispose()
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert set(Base.metadata.tables) <= set(inspect(db.engine).get_table_names())
        result = runner.invoke(args=["db", "current"])
        assert f"database at {head}; head is {head}" in result.output


def test_constraint_names_follow_the_convention(app):
    from app.extensions import db

    with app.app_context():
        insp = inspect(db.engine)
        pk = insp.get_pk_constraint("obligation")
        assert pk["name"] in ("pk_obligation", None)  # SQLite does not report PK names
        fks = insp.get_foreign_keys("obligation")
        names = {tuple(fk["constrained_columns"]): fk["name"] for fk in fks}
        assert names[("resolution_id",)] == "fk_obligation_resolution_id_resolution"
        # Added in place with its column (0007): SQLite does not report that name.
        assert names[("superseded_by_id",)] in ("fk_obligation_superseded_by_id_obligation",
                                                 None)
        assert len(names) == 2
        uniques = {u["name"] for u in insp.get_unique_constraints("member_state")}
        assert "uq_member_state_iso3" in uniques
