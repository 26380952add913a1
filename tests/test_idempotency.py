"""Idempotency-Key: retries return the original response and never create a second report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import IdempotencyKey, Report
from app.models.types import utcnow
from app.services.reports import fingerprint
from tests.helpers import auth


@pytest.fixture()
def fra(make_token):
    return make_token("reporter", "FRA")


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_same_key_same_body_replays_the_original(app, client, fra, report_body):
    headers = auth(fra, **{"Idempotency-Key": "abc-1"})
    first = client.post("/api/v1/reports", json=report_body(), headers=headers)
    replays = [client.post("/api/v1/reports", json=report_body(), headers=headers)
               for _ in range(3)]
    for replay in replays:
        assert replay.status_code == 201
        assert replay.get_json() == first.get_json()
        assert replay.headers["ETag"] == first.headers["ETag"]
        assert replay.headers["Idempotent-Replayed"] == "true"
    assert _count(app, Report) == 1
    assert _count(app, IdempotencyKey) == 1


def test_key_order_of_the_json_does_not_matter(client, fra, report_body):
    body = report_body()
    reordered = dict(reversed(list(body.items())))
    headers = auth(fra, **{"Idempotency-Key": "abc-2"})
    first = client.post("/api/v1/reports", json=body, headers=headers)
    again = client.post("/api/v1/reports", json=reordered, headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]


def test_same_key_different_body_is_422(app, client, fra, report_body):
    headers = auth(fra, **{"Idempotency-Key": "abc-3"})
    client.post("/api/v1/reports", json=report_body(), headers=headers)
    other = report_body(language="fr")
    r = client.post("/api/v1/reports", json=other, headers=headers)
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "Idempotency-Key"
    assert _count(app, Report) == 1


def test_keys_belong_to_one_authority(app, client, make_token, report_body):
    fra = make_token("reporter", "FRA")
    deu = make_token("reporter", "DEU")
    key = {"Idempotency-Key": "shared-key"}
    a = client.post("/api/v1/reports", json=report_body("FRA"), headers=auth(fra, **key))
    b = client.post("/api/v1/reports", json=report_body("DEU"), headers=auth(deu, **key))
    assert a.status_code == b.status_code == 201
    assert a.get_json()["id"] != b.get_json()["id"]


def test_a_request_in_flight_gets_409(app, client, fra, report_body):
    body = report_body()
    with app.app_context():
        from app.models import Authority

        authority_id = db.session.scalar(select(Authority.id))
        db.session.add(IdempotencyKey(
            authority_id=authority_id, key="busy", claimed_at=utcnow(),
            fingerprint=fingerprint("POST", "/api/v1/reports", body),
        ))
        db.session.commit()
    r = client.post("/api/v1/reports", json=body, headers=auth(fra, **{"Idempotency-Key": "busy"}))
    assert r.status_code == 409
    assert r.headers["Retry-After"] == "1"
    assert _count(app, Report) == 0


def test_an_abandoned_claim_is_taken_over(app, client, fra, report_body):
    body = report_body()
    with app.app_context():
        from app.models import Authority

        authority_id = db.session.scalar(select(Authority.id))
        db.session.add(IdempotencyKey(
            authority_id=authority_id, key="crashed",
            claimed_at=utcnow() - dt.timedelta(minutes=5),
            fingerprint=fingerprint("POST", "/api/v1/reports", body),
        ))
        db.session.commit()
    headers = auth(fra, **{"Idempotency-Key": "crashed"})
    r = client.post("/api/v1/reports", json=body, headers=headers)
    assert r.status_code == 201
    again = client.post("/api/v1/reports", json=body, headers=headers)
    assert again.get_json()["id"] == r.get_json()["id"]
    assert _count(app, Report) == 1


def test_a_failed_request_releases_its_key(app, client, fra, report_body):
    headers = auth(fra, **{"Idempotency-Key": "fix-and-retry"})
    bad = report_body()
    bad["entries"][0]["status"] = "done"
    assert client.post("/api/v1/reports", json=bad, headers=headers).status_code == 422
    assert _count(app, IdempotencyKey) == 0
    good = client.post("/api/v1/reports", json=report_body(), headers=headers)
    assert good.status_code == 201


@pytest.mark.parametrize("key", ["", " ", "k" * 256, "clé", "tab\tkey"])
def test_bad_keys_are_refused(client, fra, report_body, key):
    r = client.post("/api/v1/reports", json=report_body(),
                    headers=auth(fra, **{"Idempotency-Key": key}))
    assert r.status_code in (400, 422)
    if r.status_code == 422:
        assert r.get_json()["errors"][0]["pointer"] == "Idempotency-Key"
