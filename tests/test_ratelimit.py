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
