"""Rate limits per token and per client address, in memory or shared through Redis."""

from __future__ import annotations

import os
import uuid

import pytest

from app.extensions import db
from app.migrations import upgrade
from app.services.authorities import create_authority
from tests.helpers import auth


def _limited_app(app_factory, **config):
    config.setdefault("RATELIMIT_KEY_PREFIX", uuid.uuid4().hex)
    app = app_factory("ratelimit", RATELIMIT_ENABLED=True, **config)
    upgrade(app)
    return app


def _token(app, name):
    with app.app_context():
        token = create_authority(db.session, name, "panel", None).plaintext
        db.session.remove()
    return token


def test_each_token_has_its_own_budget(app_factory):
    app = _limited_app(app_factory, RATELIMIT_PER_TOKEN="3 per minute",
                       RATELIMIT_PER_ADDRESS="100 per minute")
    first, second = _token(app, "panel one"), _token(app, "panel two")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/reports", headers=auth(first)).status_code == 200
    r = client.get("/api/v1/reports", headers=auth(first))
    assert r.status_code == 429
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["status"] == 429
    assert int(r.headers["Retry-After"]) > 0
    assert client.get("/api/v1/reports", headers=auth(second)).status_code == 200


def test_each_client_address_has_a_budget(app_factory):
    app = _limited_app(app_factory, RATELIMIT_PER_TOKEN="100 per minute",
                       RATELIMIT_PER_ADDRESS="4 per minute")
    client = app.test_client()
    here = {"REMOTE_ADDR": "192.0.2.10"}
    elsewhere = {"REMOTE_ADDR": "192.0.2.11"}
    for _ in range(4):
        assert client.get("/api/v1/regimes", environ_base=here).status_code == 200
    r = client.get("/api/v1/regimes", environ_base=here)
    assert r.status_code == 429 and "Retry-After" in r.headers
    assert client.get("/api/v1/regimes", environ_base=elsewhere).status_code == 200
    # The probes are not limited.
    assert client.get("/healthz", environ_base=here).status_code == 200


def test_limits_are_documented(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put"):
                limited = op["responses"]["429"]
                assert "Retry-After" in limited["headers"], (path, method)


@pytest.fixture()
def redis_uri():
    import redis

    uri = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(uri).ping()
    except redis.exceptions.ConnectionError:
        reason = ("Redis is not running on 127.0.0.1:6379 (scripts/setup.sh test starts it "
                  "when redis-server is installed)")
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return uri


def test_app_servers_share_counters_through_redis(app_factory, redis_uri):
    prefix = uuid.uuid4().hex
    config = {"RATELIMIT_STORAGE_URI": redis_uri, "RATELIMIT_KEY_PREFIX": prefix,
              "RATELIMIT_PER_TOKEN": "3 per minute", "RATELIMIT_PER_ADDRESS": "100 per minute"}
    one = _limited_app(app_factory, **config)
    token = _token(one, "shared panel")
    two = app_factory("ratelimit-two", RATELIMIT_ENABLED=True,
                      SQLALCHEMY_DATABASE_URI=one.config["SQLALCHEMY_DATABASE_URI"], **config)
    statuses = [
        one.test_client().get("/api/v1/reports", headers=auth(token)).status_code,
        two.test_client().get("/api/v1/reports", headers=auth(token)).status_code,
        one.test_client().get("/api/v1/reports", headers=auth(token)).status_code,
        two.test_client().get("/api/v1/reports", headers=auth(token)).status_code,
    ]
    assert statuses == [200, 200, 200, 429]


def test_behind_a_trusted_proxy_the_forwarded_address_counts(app_factory):
    app = _limited_app(app_factory, RATELIMIT_PER_TOKEN="100 per minute",
                       RATELIMIT_PER_ADDRESS="2 per minute", TRUSTED_PROXIES=1)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for _ in range(2):
        r = client.get("/api/v1/regimes", environ_base=proxy,
                       headers={"X-Forwarded-For": "198.51.100.7"})
        assert r.status_code == 200
    r = client.get("/api/v1/regimes", environ_base=proxy,
                   headers={"X-Forwarded-For": "198.51.100.7"})
    assert r.status_code == 429
    r = client.get("/api/v1/regimes", environ_base=proxy,
                   headers={"X-Forwarded-For": "198.51.100.8"})
    assert r.status_code == 200


def test_without_trusted_proxies_a_forwarded_header_changes_nothing(app_factory):
    app = _limited_app(app_factory, RATELIMIT_PER_TOKEN="100 per minute",
                       RATELIMIT_PER_ADDRESS="2 per minute")
    client = app.test_client()
    statuses = [client.get("/api/v1/regimes", environ_base={"REMOTE_ADDR": "192.0.2.50"},
                           headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code
                for i in range(3)]
    assert statuses == [200, 200, 429]


def _public_id(token: str) -> str:
    return token.split("_")[1]


def test_a_token_cannot_be_locked_out_by_someone_who_knows_its_public_id(app_factory):
    app = _limited_app(app_factory, RATELIMIT_PER_TOKEN="5 per minute",
                       RATELIMIT_PER_ADDRESS="1000 per minute",
                       RATELIMIT_FAILED_AUTH="10 per minute")
    victim = _token(app, "victim")
    client = app.test_client()
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    home = {"REMOTE_ADDR": "192.0.2.20"}
    forged = [f"cra_{_public_id(victim)}_WRONG", f"x_{_public_id(victim)}_y",
              f"cra_{_public_id(victim)}_" + _other_last_character(victim.split("_", 2)[2])]
    statuses = [client.get("/api/v1/reports", environ_base=attacker,
                           headers=auth(forged[i % len(forged)])).status_code
                for i in range(30)]
    # The attacker spends its own address's budget of failed authentications ...
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    # ... and nothing of the victim's: all five of its requests pass.
    for _ in range(5):
        assert client.get("/api/v1/reports", environ_base=home,
                          headers=auth(victim)).status_code == 200
    assert client.get("/api/v1/reports", environ_base=home,
                      headers=auth(victim)).status_code == 429


def test_failed_authentications_have_a_stricter_budget_per_address(app_factory):
    app = _limited_app(app_factory, RATELIMIT_PER_TOKEN="100 per minute",
                       RATELIMIT_PER_ADDRESS="100 per minute",
                       RATELIMIT_FAILED_AUTH="3 per minute")
    good = _token(app, "good")
    client = app.test_client()
    here = {"REMOTE_ADDR": "198.51.100.30"}
    bad_headers = [auth("cra_0123456789abcdef_nope"), {"Authorization": "Basic Zm9vOmJhcg=="},
                   auth("garbage")]
    assert [client.get("/api/v1/reports", environ_base=here, headers=h).status_code
            for h in bad_headers] == [401, 401, 401]
    r = client.get("/api/v1/reports", environ_base=here, headers=auth("cra_x_y"))
    assert r.status_code == 429
    assert r.mimetype == "application/problem+json"
    assert int(r.headers["Retry-After"]) > 0
    assert "failed authentications" in r.get_json()["detail"]
    # A valid token from the same address is not refused because of the failures ...
    assert client.get("/api/v1/reports", environ_base=here, headers=auth(good)).status_code == 200
    # ... no token at all is not a failed authentication, and other addresses are unaffected.
    assert client.get("/api/v1/reports", environ_base=here).status_code == 401
    elsewhere = {"REMOTE_ADDR": "198.51.100.31"}
    assert client.get("/api/v1/reports", environ_base=elsewhere,
                      headers=auth("cra_x_y")).status_code == 401


def test_two_deployments_share_a_redis_database_through_their_key_prefixes(app_factory,
                                                                          redis_uri):
    config = {"RATELIMIT_STORAGE_URI": redis_uri, "RATELIMIT_PER_TOKEN": "2 per minute",
              "RATELIMIT_PER_ADDRESS": "100 per minute"}
    one = _limited_app(app_factory, RATELIMIT_KEY_PREFIX=f"one-{uuid.uuid4().hex}", **config)
    token = _token(one, "shared panel")
    two = app_factory("ratelimit-prefix", RATELIMIT_ENABLED=True,
                      RATELIMIT_KEY_PREFIX=f"two-{uuid.uuid4().hex}",
                      SQLALCHEMY_DATABASE_URI=one.config["SQLALCHEMY_DATABASE_URI"], **config)
    first = [one.test_client().get("/api/v1/reports", headers=auth(token)).status_code
             for _ in range(3)]
    second = [two.test_client().get("/api/v1/reports", headers=auth(token)).status_code
              for _ in range(3)]
    assert first == [200, 200, 429]
    assert second == [200, 200, 429]


def test_the_key_prefix_is_read_from_the_environment(monkeypatch, tmp_path):
    from app.config import from_environment

    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "staging")
    assert from_environment(str(tmp_path))["RATELIMIT_KEY_PREFIX"] == "staging"


def test_readiness_probes_are_limited_per_address_and_cheap(app_factory, caplog):
    import logging

    app = _limited_app(app_factory, RATELIMIT_PROBES="3 per minute")
    client = app.test_client()
    here = {"REMOTE_ADDR": "192.0.2.90"}
    with caplog.at_level(logging.INFO):
        caplog.clear()
        statuses = [client.get("/readyz", environ_base=here).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # No migration machinery logs per probe (three lines a call before).
    assert [r.getMessage() for r in caplog.records if r.name.startswith("alembic")] == []
    assert client.get("/readyz", environ_base={"REMOTE_ADDR": "192.0.2.91"}).status_code == 200
    assert all(client.get("/healthz", environ_base=here).status_code == 200 for _ in range(5))


def test_memory_storage_warns_outside_development(app_factory, caplog):
    import logging

    production = {"APP_ENV": "production", "TESTING": False, "SECRET_KEY": "s" * 40,
                  "RATELIMIT_ENABLED": True}
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        app_factory("memory-warning", RATELIMIT_STORAGE_URI="memory://", **production)
    assert any("memory://" in r.getMessage() and "Redis" in r.getMessage()
               for r in caplog.records if r.name == "app.ratelimit")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="app.ratelimit"):
        app_factory("redis-no-warning", RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                    **production)
    assert not [r for r in caplog.records if r.name == "app.ratelimit"]


def test_the_production_example_uses_redis():
    from pathlib import Path

    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    settings = dict(line.split("=", 1) for line in example.splitlines()
                    if line and not line.startswith("#"))
    assert settings["RATELIMIT_STORAGE_URI"].startswith("redis://")
    for name in ("RATELIMIT_PER_TOKEN", "RATELIMIT_PER_ADDRESS", "RATELIMIT_FAILED_AUTH",
                 "RATELIMIT_PROBES", "RATELIMIT_KEY_PREFIX"):
        assert name in settings, name


def _other_last_character(secret: str) -> str:
    """The secret with its last character changed, so never the real secret."""
    return secret[:-1] + ("A" if secret[-1] != "A" else "B")
