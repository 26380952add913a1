"""Reports through HTTP, as a government system and panel staff use them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Entry, Report, ReportVersion
from tests.helpers import auth


@pytest.fixture()
def fra(make_token):
    return make_token("reporter", "FRA")


def test_a_government_system_submits_retries_amends_and_reads(client, fra, report_body):
    body = report_body("FRA", 2397)
    headers = auth(fra, **{"Idempotency-Key": "fra-2397-first"})

    created = client.post("/api/v1/reports", json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    report = created.get_json()
    assert created.headers["Location"] == f"/api/v1/reports/{report['id']}"
    assert created.headers["ETag"] == f'"{report["id"]}.v1"'
    assert report["version"] == 1
    assert report["state"] == "FRA" and report["resolution"] == 2397
    assert report["completeness"] == 100.0 and report["rating"] == "complete"
    received = dt.datetime.fromisoformat(report["received_at"])
    assert received.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - received) < dt.timedelta(minutes=1)
    assert report["on_time"] is False  # 2397's reports were due in March 2018
    assert report["flags"] == ["late"]
    assert len(report["entries"]) == 8

    # A retry after a timeout: same key, same body, same answer, no new report.
    retry = client.post("/api/v1/reports", json=body, headers=headers)
    assert retry.status_code == 201
    assert retry.get_json() == report
    assert retry.headers["Location"] == created.headers["Location"]

    # Amend: a thinner replacement becomes version 2.
    thinner = report_body("FRA", 2397)
    thinner["entries"] = thinner["entries"][:4]
    r = client.put(report["links"]["self"], json=thinner,
                   headers=auth(fra, **{"If-Match": created.headers["ETag"]}))
    assert r.status_code == 200, r.get_json()
    amended = r.get_json()
    assert amended["version"] == 2 and amended["id"] == report["id"]
    assert amended["completeness"] == 50.0
    assert amended["first_received_at"] == report["received_at"]
    assert r.headers["ETag"] == f'"{report["id"]}.v2"'

    # History: both versions, each exactly as received.
    versions = client.get(report["links"]["versions"], headers=auth(fra)).get_json()
    assert [v["version"] for v in versions["items"]] == [1, 2]
    assert [v["completeness"] for v in versions["items"]] == [100.0, 50.0]
    v1 = client.get(f"{report['links']['self']}/versions/1", headers=auth(fra)).get_json()
    assert v1["document"] == body
    v2 = client.get(f"{report['links']['self']}/versions/2", headers=auth(fra)).get_json()
    assert v2["document"] == thinner

    # The score of the latest version, obligation by obligation.
    score = client.get(report["links"]["score"], headers=auth(fra)).get_json()
    assert score["completeness"] == 50.0 and score["method"] == "completeness-1"
    assert score["unaddressed"] == ["2397/8", "2397/9", "2397/14", "2397/u1"]
    by_code = {o["code"]: o for o in score["obligations"]}
    assert by_code["2397/4"]["points"] == 2.0 and by_code["2397/4"]["missing"] == []
    assert by_code["2397/8"]["points"] == 0.0 and by_code["2397/8"]["status"] is None
    assert score["on_time"] is False and score["days_late"] > 3000


def test_the_write_response_is_the_report_as_read_back(client, fra, report_body):
    body = report_body()
    body["entries"][0]["enforcement"] = {"inspections": None, "seizures": None,
                                         "designations": None, "violations_reported": None}
    body["entries"][1]["evidence"] = []
    created = client.post("/api/v1/reports", json=body, headers=auth(fra))
    read = client.get(created.headers["Location"], headers=auth(fra))
    assert created.get_json() == read.get_json()
    amended = client.put(created.headers["Location"], json=report_body(),
                         headers=auth(fra, **{"If-Match": created.headers["ETag"]}))
    assert amended.get_json() == client.get(created.headers["Location"],
                                            headers=auth(fra)).get_json()


def test_get_report_has_etag_and_304(client, fra, report_body):
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    url = created.headers["Location"]
    r = client.get(url, headers=auth(fra))
    assert r.status_code == 200
    assert r.headers["ETag"] == created.headers["ETag"]
    assert client.get(url, headers=auth(fra, **{"If-None-Match": r.headers["ETag"]})
                      ).status_code == 304


def test_nothing_is_overwritten_and_every_write_is_audited(app, client, fra, report_body):
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    etag = created.headers["ETag"]
    for _ in range(3):
        r = client.put(created.headers["Location"], json=report_body(),
                       headers=auth(fra, **{"If-Match": etag}))
        assert r.status_code == 200
        etag = r.headers["ETag"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1
        numbers = db.session.scalars(select(ReportVersion.number).order_by(ReportVersion.number))
        assert list(numbers) == [1, 2, 3, 4]
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 4 * 8
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("report.%")).order_by(AuditEvent.id)
        ).all()
        assert [(e.action, e.version) for e in events] == [
            ("report.create", 1), ("report.amend", 2), ("report.amend", 3), ("report.amend", 4),
        ]
        assert all(e.token_id is not None and e.state_iso3 == "FRA" for e in events)


def test_a_second_report_for_the_same_state_and_resolution_is_409(client, fra, report_body):
    first = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    second = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    assert second.status_code == 409
    problem = second.get_json()
    assert problem["existing_report"] == first.get_json()["id"]
    assert first.get_json()["id"] in problem["detail"]
    assert second.headers["Location"] == first.headers["Location"]


def test_the_same_state_may_report_on_another_resolution(client, fra, report_body):
    assert client.post("/api/v1/reports", json=report_body("FRA", 2397),
                       headers=auth(fra)).status_code == 201
    assert client.post("/api/v1/reports", json=report_body("FRA", 2375),
                       headers=auth(fra)).status_code == 201


def test_another_states_token_sees_nothing(client, fra, make_token, report_body):
    deu = make_token("reporter", "DEU")
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra)).get_json()
    url = created["links"]["self"]
    for path in (url, url + "/versions", url + "/versions/1", url + "/score"):
        r = client.get(path, headers=auth(deu))
        assert r.status_code == 404, path
        assert r.mimetype == "application/problem+json"
    r = client.put(url, json=report_body("DEU"), headers=auth(deu, **{"If-Match": "*"}))
    assert r.status_code == 404
    listing = client.get("/api/v1/reports", headers=auth(deu)).get_json()
    assert listing["total"] == 0
    # Asking for another state's reports by filter: they do not exist for it.
    assert client.get("/api/v1/reports?state=FRA", headers=auth(deu)).status_code == 404


def test_a_reporter_cannot_submit_for_another_state(client, fra, report_body):
    r = client.post("/api/v1/reports", json=report_body("DEU"), headers=auth(fra))
    assert r.status_code == 403
    assert r.get_json()["errors"] == [{"pointer": "/state", "detail": "Not the token's state."}]


def test_panel_reads_everything_but_writes_nothing(client, fra, make_token, report_body):
    panel = make_token("panel")
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra)).get_json()
    assert client.get(created["links"]["self"], headers=auth(panel)).status_code == 200
    assert client.get(created["links"]["score"], headers=auth(panel)).status_code == 200
    assert client.get("/api/v1/reports", headers=auth(panel)).get_json()["total"] == 1
    r = client.post("/api/v1/reports", json=report_body("DEU"), headers=auth(panel))
    assert r.status_code == 403
    r = client.put(created["links"]["self"], json=report_body(),
                   headers=auth(panel, **{"If-Match": "*"}))
    assert r.status_code == 403
    assert client.post("/api/v1/reports/validate", json=report_body(),
                       headers=auth(panel)).status_code == 403


def test_admin_writes_for_any_state_and_backfills(client, make_token, report_body):
    admin = make_token("admin")
    body = report_body("JPN", 2321, received_at="2017-02-20T09:30:00+09:00")
    r = client.post("/api/v1/reports", json=body, headers=auth(admin))
    assert r.status_code == 201, r.get_json()
    report = r.get_json()
    assert report["received_at"] == "2017-02-20T00:30:00+00:00"
    assert report["on_time"] is True and report["days_late"] == 0
    late = report_body("KOR", 2321, received_at="2017-03-03T10:00:00Z")
    report = client.post("/api/v1/reports", json=late, headers=auth(admin)).get_json()
    assert report["on_time"] is False and report["days_late"] == 3
    assert "late" in report["flags"]


def test_only_an_admin_may_set_received_at(client, fra, report_body):
    body = report_body(received_at="2018-01-01T00:00:00Z")
    r = client.post("/api/v1/reports", json=body, headers=auth(fra))
    assert r.status_code == 422
    assert [e["pointer"] for e in r.get_json()["errors"]] == ["/received_at"]


def test_list_filters_and_pagination(client, make_token, report_body):
    admin = make_token("admin")
    for state in ("FRA", "DEU", "ITA"):
        client.post("/api/v1/reports", json=report_body(state, 2397), headers=auth(admin))
    thin = report_body("ESP", 2397)
    thin["entries"] = thin["entries"][:1]
    client.post("/api/v1/reports", json=thin, headers=auth(admin))
    client.post("/api/v1/reports", json=report_body("FRA", 2375), headers=auth(admin))

    everything = client.get("/api/v1/reports", headers=auth(admin)).get_json()
    assert everything["total"] == 5
    assert [(i["resolution"], i["state"]) for i in everything["items"]] == [
        (2375, "FRA"), (2397, "DEU"), (2397, "ESP"), (2397, "FRA"), (2397, "ITA"),
    ]
    q = client.get("/api/v1/reports?resolution=2397&page=2&page_size=3",
                   headers=auth(admin)).get_json()
    assert q["total"] == 4 and [i["state"] for i in q["items"]] == ["ITA"]
    q = client.get("/api/v1/reports?state=fra", headers=auth(admin)).get_json()
    assert q["total"] == 2
    q = client.get("/api/v1/reports?rating=incomplete", headers=auth(admin)).get_json()
    assert [i["state"] for i in q["items"]] == ["ESP"]
    r = client.get("/api/v1/reports?rating=excellent", headers=auth(admin))
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "rating"


def test_unknown_report_and_version_are_404(client, fra, report_body):
    assert client.get("/api/v1/reports/nope", headers=auth(fra)).status_code == 404
    assert client.get(f"/api/v1/reports/{ANY_ID}", headers=auth(fra)).status_code == 404
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra)).get_json()
    r = client.get(created["links"]["versions"] + "/2", headers=auth(fra))
    assert r.status_code == 404 and "no version 2" in r.get_json()["detail"]


ANY_ID = "r" + "0" * 20


@pytest.mark.parametrize("path", ["/api/v1/reports", f"/api/v1/reports/{ANY_ID}",
                                  f"/api/v1/reports/{ANY_ID}/versions",
                                  f"/api/v1/reports/{ANY_ID}/score"])
def test_reading_reports_needs_a_token(client, path):
    r = client.get(path)
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_amendment_preconditions(client, fra, report_body):
    created = client.post("/api/v1/reports", json=report_body(), headers=auth(fra))
    url = created.headers["Location"]
    missing = client.put(url, json=report_body(), headers=auth(fra))
    assert missing.status_code == 428
    assert missing.get_json()["errors"][0]["pointer"] == "If-Match"
    stale = client.put(url, json=report_body(), headers=auth(fra, **{"If-Match": '"r.v0"'}))
    assert stale.status_code == 412
    assert stale.headers["ETag"] == created.headers["ETag"]
    weak = client.put(url, json=report_body(),
                      headers=auth(fra, **{"If-Match": "W/" + created.headers["ETag"]}))
    assert weak.status_code == 412
    ok = client.put(url, json=report_body(),
                    headers=auth(fra, **{"If-Match": created.headers["ETag"]}))
    assert ok.status_code == 200
    again = client.put(url, json=report_body(),
                       headers=auth(fra, **{"If-Match": created.headers["ETag"]}))
    assert again.status_code == 412


def test_an_amendment_cannot_move_a_report(client, make_token, report_body):
    admin = make_token("admin")
    created = client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    r = client.put(created.headers["Location"], json=report_body("DEU", 2375),
                   headers=auth(admin, **{"If-Match": created.headers["ETag"]}))
    assert r.status_code == 422
    assert {e["pointer"] for e in r.get_json()["errors"]} == {"/state", "/resolution"}


def test_validate_stores_nothing_and_scores(app, client, fra, report_body):
    body = report_body()
    body["entries"] = body["entries"][:2]
    r = client.post("/api/v1/reports/validate", json=body, headers=auth(fra))
    assert r.status_code == 200
    result = r.get_json()
    assert result["valid"] is True and result["errors"] == []
    assert result["score"]["completeness"] == 25.0
    assert result["score"]["rating"] == "incomplete"
    assert len(result["score"]["unaddressed"]) == 6
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)) == 0
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1  # creation
    body["entries"][0]["status"] = "unknown"
    result = client.post("/api/v1/reports/validate", json=body, headers=auth(fra)).get_json()
    assert result["valid"] is False and result["score"] is None
    assert result["errors"][0]["pointer"] == "/entries/0/status"


def test_not_implemented_and_unsubstantiated_are_flagged(client, fra, report_body):
    body = report_body()
    body["entries"][0]["status"] = "not_implemented"
    body["entries"][1]["legal_basis"] = None
    body["entries"][1]["competent_authority"] = "TBD"
    report = client.post("/api/v1/reports", json=body, headers=auth(fra)).get_json()
    assert report["flags"] == ["late", "declared_not_implemented", "unsubstantiated"]
    score = client.get(report["links"]["score"], headers=auth(fra)).get_json()
    second = score["obligations"][1]
    assert "implemented without legal basis" in second["warnings"]
    assert "placeholder text in competent_authority" in second["warnings"]
