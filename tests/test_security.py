"""Security headers, required secrets, and no secret or stack trace in responses or logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import ApiToken
from tests.helpers import auth


@pytest.mark.parametrize("path", [
    "/healthz", "/api/v1/resolutions/2397", "/api/v1/nothing", "/api/v1/openapi.json",
    "/api/v1/summaries/assets/summary.css",
])
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_docs_policy_allows_only_its_own_scripts(client):
    policy = client.get("/api/v1/docs/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "http" not in policy


def test_authenticated_answers_are_private(client, make_token):
    r = client.get("/api/v1/reports", headers=auth(make_token("panel")))
    assert r.headers["Cache-Control"] == "private, no-cache"


def test_secret_key_is_required_outside_development(tmp_path):
    base = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**base, "APP_ENV": "production"})
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({**base, "APP_ENV": "production", "SECRET_KEY": "too-short"})
    app = create_app({**base, "APP_ENV": "production", "SECRET_KEY": "s" * 48})
    assert app.config["APP_ENV"] == "production"
    assert create_app({**base, "APP_ENV": "development"})


def test_no_token_or_hash_in_any_response(app, client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    admin = make_token("admin")
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    with app.app_context():
        hashes = list(db.session.scalars(select(ApiToken.secret_hash)))
    secrets = [fra.split("_", 2)[2], admin.split("_", 2)[2], fra, admin, *hashes]
    responses = [
        created,
        client.get(created.headers["Location"], headers=auth(fra)),
        client.get(created.headers["Location"] + "/versions/1", headers=auth(admin)),
        client.get("/api/v1/audit", headers=auth(admin)),
        client.get("/api/v1/reports", headers=auth(admin)),
        client.get("/api/v1/reports", headers={"Authorization": f"Bearer {fra}x"}),
    ]
    for response in responses:
        body = response.get_data(as_text=True) + str(response.headers)
        for secret in secrets:
            assert secret not in body


def test_no_stack_trace_or_secret_in_logs(app_factory, caplog):
    app = app_factory("logs")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    token = "cra_0123456789abcdef_" + "S" * 43

    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError(f"failed while holding {token}")

    with caplog.at_level(logging.DEBUG):
        r = app.test_client().get("/api/v1/explode", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 500
    logged = "\n".join(record.getMessage() + str(record.exc_info or "")
                       for record in caplog.records)
    assert "RuntimeError" in logged and "test_security.py" in logged
    assert token not in logged and "S" * 43 not in logged
    assert "Traceback" not in logged
    assert all(record.exc_info is None for record in caplog.records)


def test_the_cli_never_prints_an_existing_token(runner):
    first = runner.invoke(args=["authority", "create", "--name", "Panel", "--role",
                                "panel"]).stdout.strip()
    listing = runner.invoke(args=["authority", "list"]).output
    another = runner.invoke(args=["authority", "token", "--name", "Panel"]).stdout.strip()
    assert first.split("_", 2)[2] not in listing
    assert another != first and first.split("_", 2)[2] not in another
    help_text = runner.invoke(args=["authority", "--help"]).output
    assert "show" not in help_text.split("Commands:")[1]
