"""Liveness and readiness probes."""

from __future__ import annotations

from app.migrations import head_revisions, upgrade


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_readyz_when_at_head(client):
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.get_json()["schema"] == sorted(head_revisions())


def test_readyz_is_503_before_migrations(app_factory):
    app = app_factory("unmigrated")
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.mimetype == "application/problem+json"
    assert "db upgrade" in r.get_json()["detail"]
    assert r.get_json()["schema"] == []
    upgrade(app)
    assert app.test_client().get("/readyz").status_code == 200


def test_readyz_is_503_when_the_database_is_unreachable(app_factory):
    app = app_factory(
        "unreachable",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1",
    )
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["detail"] == "The database is not reachable."


def test_readyz_stays_ready_when_a_newer_release_migrated_the_database(app_factory):
    from sqlalchemy import text

    from app.extensions import db

    app = app_factory("newer")
    upgrade(app)
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'f00dcafe0009'"))
    r = app.test_client().get("/readyz")
    assert r.status_code == 200
    assert r.get_json()["note"] == "schema is newer"


def test_readyz_is_503_when_the_schema_is_behind(app_factory):
    app = app_factory("behind")
    upgrade(app, "0001")
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["schema"] == ["0001"]
