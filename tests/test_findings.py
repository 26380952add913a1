"""Panel findings and the right of reply through the HTTP API: the whole workflow (record,
share, reply, publish), the matrix's `contradicted`, who sees what, the early-publication
rule, withdrawal, illegal transitions, preconditions, validation and atomicity."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Finding, FindingReplyVersion, FindingVersion

from .helpers import auth
from .test_reminders import smtp  # noqa: F401 (a fixture: an SMTP server on the loopback)

OBLIGATION = "2397/9"


def finding_body(report_id: str, incident_id: str, **changes) -> dict:
    body = {
        "state": "FRA",
        "subject": {"report": report_id, "obligation": OBLIGATION},
        "assessment": "contradicted",
        "text": "France declared no seizure under paragraph 9 in the period; the record "
                "holds one seizure made by France (test data).",
        "language": "en",
        "evidence": [{"incident": incident_id},
                     {"source": {"kind": "panel_report", "reference": "S/2019/TEST, para. 1",
                                 "title": "Panel report (test data)"}}],
        "visibility": "public",
    }
    body.update(changes)
    return body


def _etag(response) -> str:
    return response.headers["ETag"]


def _status(client, token, finding, to, etag, reason=None):
    body = {"to": to} if reason is None else {"to": to, "reason": reason}
    return client.post(finding["links"]["status"], json=body,
                       headers=auth(token, **{"If-Match": etag}))


def _counts(app) -> tuple[int, int, int]:
    with app.app_context():
        counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                       for model in (Finding, FindingVersion, FindingReplyVersion))
        db.session.remove()
    return counts  # type: ignore[return-value]


def _audit(app) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.action, AuditEvent.details)
                                  .where(AuditEvent.action.like("finding.%"))
                                  .order_by(AuditEvent.id)).all()
        db.session.remove()
    return [(a, d) for a, d in rows]


@pytest.fixture()
def recorded(client, panel, french_report, incident):
    r = client.post("/api/v1/findings", headers=auth(panel),
                    json=finding_body(french_report["id"], incident["id"]))
    assert r.status_code == 201, r.get_json()
    return r


def _row(client, token, iso3="FRA", query="resolution=2397"):
    body = client.get(f"/api/v1/compliance?{query}", headers=auth(token)).get_json()
    return next(row for row in body["items"] if row["state"] == iso3)


def test_the_whole_workflow_from_draft_to_the_matrix(app, client, panel, france, germany,
                                                     recorded, french_report, incident):
    finding = recorded.get_json()
    assert finding["status"] == "draft" and finding["reply_due"] is None
    assert finding["id"].startswith("f") and len(finding["id"]) == 21
    assert finding["subject"] == {
        "kind": "entry", "report": french_report["id"], "obligation": OBLIGATION,
        "incident": None, "claim": {"report_version": 1, "status": "implemented",
                                    "enforcement": {"inspections": 12, "seizures": 0,
                                                    "designations": 0,
                                                    "violations_reported": 0}}}
    assert finding["evidence"][0] == {"incident": incident["id"]}
    assert recorded.headers["Location"] == finding["links"]["self"]
    # A draft does not exist for France.
    assert client.get(finding["links"]["self"], headers=auth(france)).status_code == 404
    assert client.get("/api/v1/findings", headers=auth(france)).get_json()["total"] == 0
    # Not yet published: the matrix shows no contradiction.
    assert _row(client, panel)["contradicted"] == 0
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    assert shared.status_code == 200, shared.get_json()
    today = dt.datetime.now(dt.UTC).date()
    assert shared.get_json()["reply_due"] == (today + dt.timedelta(days=30)).isoformat()
    # France reads it, and replies in French.
    read = client.get(finding["links"]["self"], headers=auth(france))
    assert read.status_code == 200 and read.get_json()["status"] == "shared"
    listed = client.get("/api/v1/findings?state=FRA", headers=auth(france)).get_json()
    assert [f["id"] for f in listed["items"]] == [finding["id"]]
    text = "La saisie citée a été déclarée dans le rapport de 2019 ; voir S/AC.49/2019/1."
    replied = client.put(finding["links"]["reply"], headers=auth(france),
                         json={"text": text, "language": "fr"})
    assert replied.status_code == 201, replied.get_json()
    assert replied.get_json()["reply"]["text"] == text
    assert replied.get_json()["reply"]["language"] == "fr"
    amended = client.put(finding["links"]["reply"], headers=auth(france),
                         json={"text": text + " Merci.", "language": "fr"})
    assert amended.status_code == 200 and amended.get_json()["reply"]["version"] == 2
    versions = client.get(finding["links"]["reply_versions"], headers=auth(panel)).get_json()
    assert [v["text"] for v in versions["items"]] == [text, text + " Merci."]
    # Germany's reporter: the finding does not exist for it.
    assert client.get(finding["links"]["self"], headers=auth(germany)).status_code == 404
    assert client.put(finding["links"]["reply"], headers=auth(germany),
                      json={"text": "x", "language": "de"}).status_code == 404
    assert client.get("/api/v1/findings", headers=auth(germany)).get_json()["total"] == 0
    # The reply moved the ETag on: the panel publishes with the current one (no reason
    # needed: the State replied).
    current = client.get(finding["links"]["self"], headers=auth(panel))
    assert _status(client, panel, finding, "published", _etag(shared)).status_code == 412
    published = _status(client, panel, finding, "published", _etag(current))
    assert published.status_code == 200, published.get_json()
    body = published.get_json()
    assert body["status"] == "published" and body["early_publication_reason"] is None
    assert body["reply"]["text"] == text + " Merci."
    # The reply window is closed.
    closed = client.put(finding["links"]["reply"], headers=auth(france),
                        json={"text": "Encore.", "language": "fr"})
    assert closed.status_code == 409
    # The matrix: France's row counts the contradiction and carries the flag.
    row = _row(client, panel)
    assert row["contradicted"] == 1 and "contradicted" in row["flags"]
    assert row["flags"].index("contradicted") > row["flags"].index("inconsistent_with_record")
    # As of a day before the publication, it was not published yet.
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    before = _row(client, panel, query=f"resolution=2397&as_of={yesterday}")
    assert before["contradicted"] == 0 and "contradicted" not in before["flags"]
    assert _row(client, panel, "DEU")["contradicted"] is None
    profile = client.get("/api/v1/compliance/states/FRA", headers=auth(france)).get_json()
    general = next(r for r in profile["items"] if r["resolution"] == 2397)
    assert general["contradicted"] == 1 and "contradicted" in general["flags"]
    actions = [a for a, _ in _audit(app)]
    assert actions == ["finding.create", "finding.share", "finding.reply", "finding.reply",
                       "finding.publish"]


def test_early_publication_needs_a_reason_which_is_audited(app, client, panel, recorded):
    finding = recorded.get_json()
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    refused = _status(client, panel, finding, "published", _etag(shared))
    assert refused.status_code == 409
    problem = refused.get_json()
    assert refused.mimetype == "application/problem+json"
    assert [e["pointer"] for e in problem["errors"]] == ["/reason"]
    assert shared.get_json()["reply_due"] in problem["detail"]
    blank = _status(client, panel, finding, "published", _etag(shared), reason="   ")
    assert blank.status_code == 409
    reason = "The Committee meets on the matter this week."
    early = _status(client, panel, finding, "published", _etag(shared), reason=reason)
    assert early.status_code == 200, early.get_json()
    assert early.get_json()["early_publication_reason"] == reason
    action, details = _audit(app)[-1]
    assert action == "finding.publish" and details["early"] is True
    assert details["reason"] == reason


def test_withdrawing_works_and_hides_the_contradiction(client, panel, france, recorded):
    finding = recorded.get_json()
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    published = _status(client, panel, finding, "published", _etag(shared), reason="Urgent.")
    assert _row(client, panel)["contradicted"] == 1
    withdrawn = _status(client, panel, finding, "withdrawn", _etag(published),
                        reason="The seizure was reported after all.")
    assert withdrawn.status_code == 200
    assert withdrawn.get_json()["withdrawal_reason"] == "The seizure was reported after all."
    assert withdrawn.get_json()["withdrawn_at"] is not None
    row = _row(client, panel)
    assert row["contradicted"] == 0 and "contradicted" not in row["flags"]
    # The State was told of it, so it still sees it, withdrawn; it cannot reply.
    assert client.get(finding["links"]["self"], headers=auth(france)).get_json()[
        "status"] == "withdrawn"
    assert client.put(finding["links"]["reply"], headers=auth(france),
                      json={"text": "x", "language": "fr"}).status_code == 409


def test_a_draft_is_withdrawn_without_a_reason_and_stays_withdrawn(client, panel, recorded):
    finding = recorded.get_json()
    withdrawn = _status(client, panel, finding, "withdrawn", _etag(recorded))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawal_reason"] is None
    for to in ("shared", "published", "withdrawn"):
        again = _status(client, panel, finding, to, _etag(withdrawn))
        assert again.status_code == 409, to
        assert "Nothing follows withdrawn" in again.get_json()["detail"]


def test_illegal_transitions_are_conflicts(app, client, panel, recorded):
    finding = recorded.get_json()
    draft_publish = _status(client, panel, finding, "published", _etag(recorded),
                            reason="Because.")
    assert draft_publish.status_code == 409
    assert [e["pointer"] for e in draft_publish.get_json()["errors"]] == ["/to"]
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    assert _status(client, panel, finding, "shared", _etag(shared)).status_code == 409
    bad = _status(client, panel, finding, "draft", _etag(shared))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["pointer"] == "/to"
    assert client.get(finding["links"]["self"], headers=auth(panel)).get_json()[
        "status"] == "shared"
    assert [a for a, _ in _audit(app)] == ["finding.create", "finding.share"]


def test_preconditions_stale_and_missing(client, panel, france, recorded):
    finding = recorded.get_json()
    missing = client.post(finding["links"]["status"], json={"to": "shared"},
                          headers=auth(panel))
    assert missing.status_code == 428
    assert missing.get_json()["errors"][0]["pointer"] == "If-Match"
    amended = client.put(finding["links"]["self"], headers=auth(panel, **{
        "If-Match": _etag(recorded)}), json={
        k: v for k, v in finding_body("x", "y", assessment="unverifiable").items()
        if k not in ("state", "subject")} | {"evidence": []})
    assert amended.status_code == 200, amended.get_json()
    assert amended.get_json()["version"] == 2
    assert amended.get_json()["assessment"] == "unverifiable"
    stale = _status(client, panel, finding, "shared", _etag(recorded))
    assert stale.status_code == 412
    shared = _status(client, panel, finding, "shared", _etag(amended))
    assert shared.status_code == 200 and shared.get_json()["version"] == 2
    assert client.put(finding["links"]["self"], headers=auth(panel), json={}).status_code == 428
    versions = client.get(finding["links"]["versions"], headers=auth(panel)).get_json()
    assert [v["assessment"] for v in versions["items"]] == ["contradicted", "unverifiable"]
    # The State sees the version shared with it, not the draft before it.
    theirs = client.get(finding["links"]["versions"], headers=auth(france)).get_json()
    assert [v["version"] for v in theirs["items"]] == [2]


def test_a_published_finding_is_not_amended(client, panel, recorded):
    finding = recorded.get_json()
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    published = _status(client, panel, finding, "published", _etag(shared), reason="Now.")
    content = {k: v for k, v in finding_body("x", "y").items()
               if k not in ("state", "subject")} | {"evidence": []}
    r = client.put(finding["links"]["self"], json=content,
                   headers=auth(panel, **{"If-Match": _etag(published)}))
    assert r.status_code == 409


@pytest.mark.parametrize(("change", "pointer"), [
    ({"state": "DEU"}, "/subject/report"),
    ({"state": "XYZ"}, "/state"),
    ({"subject": {"report": "r00000000000000000000", "obligation": OBLIGATION}},
     "/subject/report"),
    ({"subject": {"obligation": "2397/99"}}, "/subject/obligation"),
    ({"subject": {"incident": "i00000000000000000000"}}, "/subject/incident"),
    ({"subject": {"report": "REPORT"}}, "/subject/obligation"),
    ({"subject": {"incident": "INCIDENT", "obligation": OBLIGATION}}, "/subject"),
    ({"evidence": [{"incident": "i00000000000000000000"}]}, "/evidence/0/incident"),
    ({"evidence": [{}]}, "/evidence/0"),
    ({"assessment": "dubious"}, "/assessment"),
    ({"text": "  "}, "/text"),
    ({"visibility": "secret"}, "/visibility"),
    ({"extra": 1}, "/extra"),
])
def test_bad_findings_are_refused_with_a_pointer_and_nothing_is_stored(
        app, client, panel, french_report, incident, change, pointer):
    body = finding_body(french_report["id"], incident["id"], **change)
    if body["subject"].get("report") == "REPORT":
        body["subject"] = {"report": french_report["id"]}
    if body["subject"].get("incident") == "INCIDENT":
        body["subject"]["incident"] = incident["id"]
    r = client.post("/api/v1/findings", headers=auth(panel), json=body)
    assert r.status_code == 422, r.get_json()
    assert r.mimetype == "application/problem+json"
    assert pointer in [e["pointer"] for e in r.get_json()["errors"]], r.get_json()
    assert _counts(app) == (0, 0, 0)
    assert _audit(app) == []


def test_an_entry_the_report_does_not_have_and_an_incident_not_naming_the_state(
        client, panel, submit, incident):
    report = submit("FRA", 2397, "2018-03-01T10:00:00Z", entries=lambda e: e[:1])
    r = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        report["id"], incident["id"]))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "/subject/obligation"
    r = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        report["id"], incident["id"], state="DEU", subject={"incident": incident["id"]}))
    assert r.status_code == 422
    assert "does not name DEU" in r.get_json()["errors"][0]["detail"]
    ok = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        report["id"], incident["id"], subject={"incident": incident["id"]}))
    assert ok.status_code == 201 and ok.get_json()["subject"]["kind"] == "incident"


def test_only_panel_and_admin_record_and_idempotency_keys_replay(
        app, client, panel, admin, france, french_report, incident):
    body = finding_body(french_report["id"], incident["id"])
    assert client.post("/api/v1/findings", headers=auth(france), json=body).status_code == 403
    first = client.post("/api/v1/findings", json=body,
                        headers=auth(admin, **{"Idempotency-Key": "finding-1"}))
    again = client.post("/api/v1/findings", json=body,
                        headers=auth(admin, **{"Idempotency-Key": "finding-1"}))
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    assert _counts(app) == (1, 1, 0)
    other = client.post("/api/v1/findings", json={**body, "text": "Another text."},
                        headers=auth(admin, **{"Idempotency-Key": "finding-1"}))
    assert other.status_code == 422
    finding = first.get_json()
    shared = _status(client, admin, finding, "shared", _etag(first))
    assert client.post(finding["links"]["status"], json={"to": "published", "reason": "x"},
                       headers=auth(france, **{"If-Match": _etag(shared)})).status_code == 403
    assert client.put(finding["links"]["reply"], json={"text": "x", "language": "en"},
                      headers=auth(panel)).status_code == 403


def test_a_reporter_sees_its_restricted_findings_but_never_others(
        client, panel, france, germany, french_report, incident):
    restricted = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        french_report["id"], incident["id"], visibility="restricted"))
    finding = restricted.get_json()
    _status(client, panel, finding, "shared", _etag(restricted))
    assert client.get(finding["links"]["self"], headers=auth(france)).status_code == 200
    assert client.get(finding["links"]["versions"], headers=auth(germany)).status_code == 404
    listed = client.get("/api/v1/findings?visibility=restricted&status=shared",
                        headers=auth(panel)).get_json()
    assert [f["id"] for f in listed["items"]] == [finding["id"]]
    assert client.get("/api/v1/findings?status=published",
                      headers=auth(panel)).get_json()["total"] == 0
    # A restricted published finding does not count in a public output.
    assert client.get("/api/v1/findings/not-an-id", headers=auth(panel)).status_code == 404


def test_an_etag_answers_304(client, panel, recorded):
    url = recorded.get_json()["links"]["self"]
    first = client.get(url, headers=auth(panel))
    assert first.status_code == 200 and first.headers["ETag"] == recorded.headers["ETag"]
    assert client.get(url, headers=auth(panel, **{
        "If-None-Match": first.headers["ETag"]})).status_code == 304


def _authority(runner, name, state, address=None):
    args = ["authority", "create", "--name", name, "--role", "reporter", "--state", state]
    args += ["--email", address] if address else []
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output


def test_sharing_tells_the_states_reporters_by_mail(client, runner, panel, request, recorded):
    inbox = request.getfixturevalue("smtp")
    _authority(runner, "France MFA", "FRA", "sanctions@diplomatie.example.fr")
    _authority(runner, "France Customs", "FRA")  # no address: no message
    _authority(runner, "Germany AA", "DEU", "sanktionen@auswaertiges-amt.example.de")
    finding = recorded.get_json()
    assert inbox.messages == []  # recording a draft tells nobody
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    assert shared.status_code == 200
    [(rcpt, message)] = inbox.messages
    assert rcpt == ["sanctions@diplomatie.example.fr"]
    text = message.get_content()
    assert finding["id"] in text and shared.get_json()["reply_due"] in text
    assert f"https://reports.example.org/api/v1/findings/{finding['id']}" in text
    assert finding["text"] not in text  # the text is read through the API only


def test_sharing_without_smtp_sends_nothing_and_succeeds(client, runner, panel, recorded):
    _authority(runner, "France MFA", "FRA", "sanctions@diplomatie.example.fr")
    shared = _status(client, panel, recorded.get_json(), "shared", _etag(recorded))
    assert shared.status_code == 200 and shared.get_json()["status"] == "shared"


def test_demo_data_is_never_a_subject_or_evidence(app, client, runner, panel):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    reports = client.get("/api/v1/reports?resolution=2397&page_size=200",
                         headers=auth(panel)).get_json()["items"]
    demo = next(r for r in reports if r["demo"])
    detail = client.get(f"/api/v1/reports/{demo['id']}", headers=auth(panel)).get_json()
    incidents = client.get("/api/v1/incidents?page_size=200", headers=auth(panel)).get_json()
    demo_incident = next(i for i in incidents["items"] if i["demo"])
    r = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
        demo["id"], demo_incident["id"], state=demo["state"],
        subject={"report": demo["id"], "obligation": detail["entries"][0]["obligation"]}))
    assert r.status_code == 422
    pointers = [e["pointer"] for e in r.get_json()["errors"]]
    assert pointers == ["/subject/report", "/evidence/0/incident"]
    # Only the demo findings `demo load` made itself (three, one version each, one reply).
    assert _counts(app) == (3, 3, 1)
    # `demo unload` is not blocked by findings: only demo findings point at demo data, and
    # they go with it.
    assert runner.invoke(args=["demo", "unload"]).exit_code == 0
    assert _counts(app) == (0, 0, 0)


def test_the_reply_window_is_a_setting(app, client, panel, recorded, monkeypatch):
    monkeypatch.setitem(app.config, "FINDING_REPLY_DAYS", 7)
    shared = _status(client, panel, recorded.get_json(), "shared", _etag(recorded))
    today = dt.datetime.now(dt.UTC).date()
    assert shared.get_json()["reply_due"] == (today + dt.timedelta(days=7)).isoformat()


@pytest.mark.parametrize("days", [0, -3, 3651])
def test_a_reply_window_out_of_range_stops_the_start(databases, days):
    from .conftest import make_app

    with pytest.raises(RuntimeError, match="FINDING_REPLY_DAYS"):
        make_app(databases.new("window"), FINDING_REPLY_DAYS=days)


def test_the_list_is_paged_newest_first_and_filtered(client, panel, french_report, incident):
    ids = []
    for assessment in ("contradicted", "corroborated", "unverifiable"):
        r = client.post("/api/v1/findings", headers=auth(panel), json=finding_body(
            french_report["id"], incident["id"], assessment=assessment))
        ids.append(r.get_json()["id"])
    first = client.get("/api/v1/findings?page_size=2", headers=auth(panel)).get_json()
    second = client.get("/api/v1/findings?page_size=2&page=2", headers=auth(panel)).get_json()
    assert first["total"] == second["total"] == 3
    assert [f["id"] for f in first["items"] + second["items"]] == ids[::-1]
    only = client.get("/api/v1/findings?assessment=corroborated&state=fra",
                      headers=auth(panel)).get_json()
    assert [f["id"] for f in only["items"]] == [ids[1]]
    assert client.get("/api/v1/findings?state=DEU", headers=auth(panel)).get_json()[
        "total"] == 0
    bad = client.get("/api/v1/findings?status=pending", headers=auth(panel))
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["pointer"] == "status"


def test_amending_a_shared_finding_restarts_the_reply_window_and_tells_the_state(
        client, runner, panel, request, recorded):
    import datetime as dt

    from app.models import Finding

    inbox = request.getfixturevalue("smtp")
    _authority(runner, "France MFA", "FRA", "sanctions@diplomatie.example.fr")
    finding = recorded.get_json()
    shared = _status(client, panel, finding, "shared", _etag(recorded))
    assert len(inbox.messages) == 1
    # Ten days later the Panel changes its text: the State gets the whole window again.
    app = client.application
    with app.app_context():
        db.session.execute(Finding.__table__.update().values(
            reply_due=dt.date.today() + dt.timedelta(days=20)))
        db.session.commit()
        db.session.remove()
    current = client.get(finding["links"]["self"], headers=auth(panel))
    content = {k: v for k, v in finding_body("x", "y").items()
               if k not in ("state", "subject")} | {"evidence": [], "text": "Amended text."}
    amended = client.put(finding["links"]["self"], json=content,
                         headers=auth(panel, **{"If-Match": _etag(current)}))
    assert amended.status_code == 200, amended.get_json()
    assert amended.get_json()["reply_due"] == shared.get_json()["reply_due"]
    assert amended.get_json()["reply_due"] == (
        dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)).isoformat()
    assert len(inbox.messages) == 2  # told again
