"""`Retry-After` means "the same request may succeed later": it appears on 429 (rate limited),
503 (unavailable for now) and the 409 of an Idempotency-Key still in flight, and nowhere else,
with rate limiting on (the limiter's headers would otherwise put it on every response)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.migrations import upgrade
from app.models import Authority, IdempotencyKey
from app.models.types import utcnow
from app.services.authorities import create_authority
from app.services.catalogue import load_catalogue
from app.services.reports import fingerprint
from tests.helpers import auth, full_entry


@pytest.fixture(scope="module")
def limited(databases):
    from tests.conftest import make_app

    app = make_app(databases.new("retry"), RATELIMIT_ENABLED=True,
                   RATELIMIT_KEY_PREFIX=uuid.uuid4().hex,
                   RATELIMIT_PER_TOKEN="40 per minute", RATELIMIT_PER_ADDRESS="1000 per minute")
    upgrade(app)
    with app.app_context():
        load_catalogue(db.session)
        tokens = {
            "fra": create_authority(db.session, "France", "reporter", "FRA").plaintext,
            "deu": create_authority(db.session, "Germany", "reporter", "DEU").plaintext,
            "panel": create_authority(db.session, "Panel", "panel", None).plaintext,
            "limited": create_authority(db.session, "Busy", "panel", None).plaintext,
        }
        db.session.remove()
    yield app, tokens
    with app.app_context():
        db.engine.dispose()


def _body(client, state="FRA"):
    detail = client.get("/api/v1/resolutions/2397").get_json()
    return {"state": state, "resolution": 2397, "language": "en", "dated": "2018-03-19",
            "entries": [full_entry(o) for o in detail["obligations"]]}


def test_retry_after_only_where_a_retry_may_succeed(limited):
    app, tokens = limited
    client = app.test_client()
    fra, deu, panel = tokens["fra"], tokens["deu"], tokens["panel"]
    body = _body(client)
    seen = {}

    def check(label, r, status):
        assert r.status_code == status, (label, r.status_code, r.get_data(as_text=True)[:200])
        if status != 405:  # routing refuses a method before the limiter runs
            assert "X-RateLimit-Limit" in r.headers, label
        seen[label] = r.headers.get("Retry-After")

    created = client.post("/api/v1/reports", json=body, headers=auth(fra))
    check("201", created, 201)
    url = created.headers["Location"]
    check("200", client.get(url, headers=auth(fra)), 200)
    check("304", client.get(url, headers=auth(fra, **{"If-None-Match": created.headers["ETag"]})),
          304)
    check("400", client.post("/api/v1/reports", data=b"{", headers=auth(
        fra, **{"Content-Type": "application/json"})), 400)
    check("401", client.get("/api/v1/reports"), 401)
    check("403", client.get("/api/v1/compliance?resolution=2397", headers=auth(fra)), 403)
    check("404", client.get(url, headers=auth(deu)), 404)
    check("405", client.delete(url, headers=auth(fra)), 405)
    check("409", client.post("/api/v1/reports", json=body, headers=auth(fra)), 409)
    check("412", client.put(url, json=body, headers=auth(fra, **{"If-Match": '"stale"'})), 412)
    check("415", client.post("/api/v1/reports", data="x", headers=auth(
        fra, **{"Content-Type": "text/plain"})), 415)
    check("422", client.get("/api/v1/reports?page=0", headers=auth(panel)), 422)
    check("428", client.put(url, json=body, headers=auth(fra)), 428)
    assert seen == dict.fromkeys(seen), seen


def test_a_key_in_flight_says_when_to_retry(limited):
    app, tokens = limited
    client = app.test_client()
    body = _body(client, "ITA")
    with app.app_context():
        ita = create_authority(db.session, "Italy", "reporter", "ITA")
        token = ita.plaintext
        authority_id = db.session.scalar(select(Authority.id).where(Authority.name == "Italy"))
        db.session.add(IdempotencyKey(
            authority_id=authority_id, key="busy", claimed_at=utcnow(),
            fingerprint=fingerprint("POST", "/api/v1/reports", body),
        ))
        db.session.commit()
        db.session.remove()
    r = client.post("/api/v1/reports", json=body,
                    headers=auth(token, **{"Idempotency-Key": "busy"}))
    assert r.status_code == 409
    # The application's value, not the end of the rate limit's window.
    assert r.headers["Retry-After"] == "1"


def test_an_unavailable_renderer_says_when_to_retry(limited, monkeypatch):
    app, tokens = limited
    monkeypatch.setitem(app.config, "RENDER_TIMEOUT_SECONDS", 0.001)
    # Not remembered: a remembered failure would say its own time to live instead.
    monkeypatch.setitem(app.config, "RENDER_FAILURE_TTL_SECONDS", 0)
    r = app.test_client().get("/api/v1/summaries/resolutions/2321.pdf?as_of=2017-06-30",
                              headers=auth(tokens["panel"]))
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "30"


def test_rate_limited_requests_say_when_to_retry(limited):
    app, tokens = limited
    client = app.test_client()
    # A token's budget is spent by requests that authenticated with it.
    statuses = [client.get("/api/v1/reports", headers=auth(tokens["limited"])).status_code
                for _ in range(45)]
    assert statuses[:40] == [200] * 40 and statuses[-1] == 429
    r = client.get("/api/v1/reports", headers=auth(tokens["limited"]))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
