"""Authorities and tokens: the CLI, and how tokens are checked over HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, AuditEvent, Authority
from tests.helpers import auth


def _create(runner, *args):
    return runner.invoke(args=["authority", "create", *args])


def test_create_prints_the_token_alone_on_the_last_line(app, runner):
    result = _create(runner, "--name", "Ministry of Foreign Affairs (FRA)", "--role",
                     "reporter", "--state", "fra")
    assert result.exit_code == 0, result.output
    stdout = result.stdout.strip().splitlines()
    assert len(stdout) == 1
    token = stdout[-1]
    assert token.startswith("cra_") and len(token) > 50
    with app.app_context():
        authority = db.session.scalar(select(Authority))
        assert authority.role == "reporter" and authority.state.iso3 == "FRA"
        stored = db.session.scalar(select(ApiToken))
        # Only a hash is stored; the secret appears nowhere in the row.
        secret = token.split("_", 2)[2]
        assert secret not in stored.secret_hash and len(stored.secret_hash) == 64
        assert stored.public_id in token
        event = db.session.scalar(select(AuditEvent))
        assert event.action == "authority.create" and event.actor == "command line"


def test_the_secret_has_at_least_32_random_bytes(runner):
    tokens = {
        _create(runner, "--name", f"panel {i}", "--role", "panel").stdout.strip()
        for i in range(3)
    }
    assert len(tokens) == 3
    for token in tokens:
        secret = token.split("_", 2)[2]
        assert len(secret) >= 43  # 32 bytes in URL-safe base64


@pytest.mark.parametrize(
    "args, message",
    [
        (["--name", "A", "--role", "reporter"], "--state"),
        (["--name", "A", "--role", "reporter", "--state", "XYZ"], "No Member State"),
        (["--name", "A", "--role", "panel", "--state", "FRA"], "allowed for no other role"),
        (["--name", "   ", "--role", "admin"], "1 to 200 characters"),
        (["--name", "A", "--role", "king"], "Invalid value for '--role'"),
    ],
)
def test_create_refuses_bad_input(runner, args, message):
    result = _create(runner, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_names_are_unique(runner):
    assert _create(runner, "--name", "Panel", "--role", "panel").exit_code == 0
    again = _create(runner, "--name", "Panel", "--role", "panel")
    assert again.exit_code != 0 and "exists already" in again.output


def test_list_never_shows_tokens(runner):
    token = _create(runner, "--name", "Customs", "--role", "reporter",
                    "--state", "DEU").stdout.strip()
    listing = runner.invoke(args=["authority", "list"])
    assert listing.exit_code == 0
    assert "Customs\treporter\tDEU\tactive" in listing.output
    public_id, secret = token.split("_", 2)[1:]
    assert public_id in listing.output
    assert secret not in listing.output


def test_tokens_work_until_revoked(client, runner):
    token = _create(runner, "--name", "Panel", "--role", "panel").stdout.strip()
    assert client.get("/api/v1/reports", headers=auth(token)).status_code == 200
    public_id = token.split("_")[1]
    result = runner.invoke(args=["authority", "revoke", "--token-id", public_id])
    assert result.exit_code == 0, result.output
    r = client.get("/api/v1/reports", headers=auth(token))
    assert r.status_code == 401
    assert "revoked" in r.get_json()["detail"]


def test_revoking_an_authority_revokes_every_token(client, runner):
    first = _create(runner, "--name", "Admin", "--role", "admin").stdout.strip()
    second = runner.invoke(args=["authority", "token", "--name", "Admin"]).stdout.strip()
    assert first != second
    assert client.get("/api/v1/reports", headers=auth(second)).status_code == 200
    result = runner.invoke(args=["authority", "revoke", "--name", "Admin"])
    assert result.exit_code == 0
    for token in (first, second):
        assert client.get("/api/v1/reports", headers=auth(token)).status_code == 401
    refused = runner.invoke(args=["authority", "token", "--name", "Admin"])
    assert refused.exit_code != 0 and "disabled" in refused.output


def test_revoke_needs_exactly_one_target(runner):
    assert runner.invoke(args=["authority", "revoke"]).exit_code != 0
    missing = runner.invoke(args=["authority", "revoke", "--token-id", "0000000000000000"])
    assert missing.exit_code != 0 and "No token" in missing.output


def test_last_used_is_recorded(app, client, make_token):
    token = make_token("panel")
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is None
    client.get("/api/v1/reports", headers=auth(token))
    with app.app_context():
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer not-a-token",
        "Bearer cra_0123456789abcdef_wrongsecret",
        "Bearer cra_short_secret",
    ],
)
def test_bad_credentials_are_401_with_challenge(client, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/v1/reports", headers=headers)
    assert r.status_code == 401
    assert r.mimetype == "application/problem+json"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_right_id_with_a_wrong_secret_is_refused(client, make_token):
    token = make_token("admin")
    public_id = token.split("_")[1]
    forged = f"cra_{public_id}_{'A' * 43}"
    assert forged != token
    assert client.get("/api/v1/reports", headers=auth(token)).status_code == 200
    assert client.get("/api/v1/reports", headers=auth(forged)).status_code == 401
