"""The audit trail: every write is recorded, admins read it, nothing changes or removes it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent
from app.services.audit import AuditIsAppendOnly
from tests.helpers import auth


@pytest.fixture()
def history(client, runner, report_body):
    """A reporter submits and amends; an admin backfills; a token is revoked."""
    fra = runner.invoke(args=["authority", "create", "--name", "France MFA", "--role",
                              "reporter", "--state", "FRA"]).stdout.strip()
    admin = runner.invoke(args=["authority", "create", "--name", "Secretariat", "--role",
                                "admin"]).stdout.strip()
    created = client.post("/api/v1/reports", json=report_body("FRA"), headers=auth(fra))
    client.put(created.headers["Location"], json=report_body("FRA"),
               headers=auth(fra, **{"If-Match": created.headers["ETag"]}))
    client.post("/api/v1/reports", json=report_body("JPN", received_at="2018-03-01T00:00:00Z"),
                headers=auth(admin))
    spare = runner.invoke(args=["authority", "token", "--name", "France MFA"]).stdout.strip()
    runner.invoke(args=["authority", "revoke", "--token-id", spare.split("_")[1]])
    return {"fra": fra, "admin": admin, "report": created.get_json()["id"]}


def _events(client, token, query=""):
    r = client.get(f"/api/v1/audit{query}", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_every_write_is_in_the_trail(client, history):
    trail = _events(client, history["admin"])
    actions = [(e["action"], e["actor"], e["state"], e["version"]) for e in trail["items"]]
    assert actions == [
        ("authority.create", "command line", "FRA", None),
        ("authority.create", "command line", None, None),
        ("report.create", "France MFA", "FRA", 1),
        ("report.amend", "France MFA", "FRA", 2),
        ("report.create", "Secretariat", "JPN", 1),
        ("token.create", "command line", None, None),
        ("token.revoke", "command line", None, None),
    ]
    create = trail["items"][2]
    assert create["report"] == history["report"]
    assert create["token"] == history["fra"].split("_")[1]
    assert trail["items"][4]["details"]["backfill"] is True
    text = str(trail)
    assert history["fra"].split("_", 2)[2] not in text  # never a secret


def test_filters_and_pagination(client, history):
    admin = history["admin"]
    assert _events(client, admin, "?authority=France MFA")["total"] == 2
    assert _events(client, admin, "?state=jpn")["total"] == 1
    assert _events(client, admin, "?action=report.amend")["items"][0]["version"] == 2
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    assert _events(client, admin, f"?since={future.replace('+', '%2B')}")["total"] == 0
    assert _events(client, admin, f"?until={future.replace('+', '%2B')}")["total"] == 7
    page = _events(client, admin, "?page=2&page_size=3")
    assert page["total"] == 7 and len(page["items"]) == 3
    r = client.get("/api/v1/audit?action=report.delete", headers=auth(admin))
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "action"
    r = client.get("/api/v1/audit?since=yesterday", headers=auth(admin))
    assert r.status_code == 422


def test_only_admins_read_the_trail(client, history, make_token):
    assert client.get("/api/v1/audit").status_code == 401
    assert client.get("/api/v1/audit", headers=auth(history["fra"])).status_code == 403
    assert client.get("/api/v1/audit", headers=auth(make_token("panel"))).status_code == 403


def test_no_operation_changes_or_removes_an_event(app, client, history):
    admin = history["admin"]
    for method in ("put", "patch", "delete", "post"):
        r = getattr(client, method)("/api/v1/audit", json={}, headers=auth(admin))
        assert r.status_code == 405
    with app.app_context():
        event = db.session.scalar(select(AuditEvent))
        event.action = "report.create"
        event.actor = "someone else"
        with pytest.raises(AuditIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalar(select(AuditEvent))
        db.session.delete(event)
        with pytest.raises(AuditIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.id == event.id))
