"""The findings, incidents and vessel pages through the test client: the whole finding
workflow through the forms (the API then shows the same), who may see and reply, a stale
form, CSRF, incident figures equal to the API's and downloads byte-identical to it."""

from __future__ import annotations

import re

from .helpers import auth
from .test_reminders import smtp  # noqa: F401 (a fixture: an SMTP server on the loopback)
from .test_web import CSRF, csrf_of, figures, sign_in

FINDING_LINK = re.compile(r'href="/ui/findings/(f[0-9a-f]{20})"')
FRENCH = "La France conteste cette appréciation : la saisie a été déclarée au Comité."


def _client(app):
    return app.test_client()


def _etag_field(html: str) -> str:
    found = re.search(r'name="etag" value="([^"]+)"', html)
    assert found, html[:2000]
    return found.group(1)


def _record(web, french_report, **changes) -> str:
    """The Panel records a finding through the form on the finding list; its id."""
    data = {"csrf_token": csrf_of(web, "/ui/findings"), "state": "FRA",
            "report": french_report["id"], "obligation": "2397/9",
            "assessment": "contradicted", "text": "France declared no seizure (test data).",
            "language": "en", "visibility": "public", **changes}
    r = web.post("/ui/findings", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)[:3000]
    found = re.search(r"/ui/findings/(f[0-9a-f]{20})$", r.headers["Location"])
    assert found
    return found.group(1)


def _status(web, finding_id: str, to: str, etag: str | None = None, reason: str = ""):
    page = web.get(f"/ui/findings/{finding_id}").get_data(as_text=True)
    data = {"csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
            "etag": etag if etag is not None else _etag_field(page), "to": to,
            "reason": reason}
    return web.post(f"/ui/findings/{finding_id}/status", data=data)


def test_the_finding_workflow_through_the_pages(app, client, make_token, panel, france,
                                                germany, french_report, request, runner):
    inbox = request.getfixturevalue("smtp")
    from .test_findings import _authority

    _authority(runner, "France MFA", "FRA", "sanctions@diplomatie.example.fr")
    staff, state, other = _client(app), _client(app), _client(app)
    assert sign_in(staff, panel).status_code == 302
    finding_id = _record(staff, french_report)
    api = client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel)).get_json()
    assert api["status"] == "draft" and api["subject"]["obligation"] == "2397/9"
    page = staff.get(f"/ui/findings/{finding_id}").get_data(as_text=True)
    assert figures(page)["status"] == "draft" and 'data-claim="seizures">0<' in page

    # A draft is not the State's yet: 404 for its reporter.
    assert sign_in(state, france).status_code == 302
    assert state.get(f"/ui/findings/{finding_id}").status_code == 404

    shared = _status(staff, finding_id, "shared")
    assert shared.status_code == 303
    [(rcpt, message)] = inbox.messages  # the API's notice
    assert rcpt == ["sanctions@diplomatie.example.fr"] and finding_id in message.get_content()

    # The State reads it on its list and replies in French.
    listed = state.get("/ui/findings").get_data(as_text=True)
    assert FINDING_LINK.findall(listed) == [finding_id]
    page = state.get(f"/ui/findings/{finding_id}").get_data(as_text=True)
    assert f'action="/ui/findings/{finding_id}/reply' in page
    assert 'name="etag"' not in page  # no workflow actions for a reporter
    r = state.post(f"/ui/findings/{finding_id}/reply", data={
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "text": FRENCH, "language": "fr"})
    assert r.status_code == 303
    page = state.get(f"/ui/findings/{finding_id}").get_data(as_text=True)
    assert '<blockquote class="reply" lang="fr" dir="auto">' + \
        FRENCH.replace("'", "&#39;") in page

    # Another State's reporter: 404 on the page and on the reply.
    assert sign_in(other, germany).status_code == 302
    assert other.get(f"/ui/findings/{finding_id}").status_code == 404
    refused = other.post(f"/ui/findings/{finding_id}/reply", data={
        "csrf_token": csrf_of(other, "/ui/"), "text": "Non.", "language": "fr"})
    assert refused.status_code == 404
    assert FINDING_LINK.findall(other.get("/ui/findings").get_data(as_text=True)) == []

    # The Panel publishes (replied: no reason needed).
    assert _status(staff, finding_id, "published").status_code == 303
    api = client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel)).get_json()
    assert api["status"] == "published" and api["early_publication_reason"] is None
    assert api["reply"]["text"] == FRENCH and api["reply"]["language"] == "fr"
    page = staff.get(f"/ui/findings/{finding_id}").get_data(as_text=True)
    assert figures(page)["status"] == "published" and "the workflow is over" in page
    # The reply is closed now: a message, not a 500.
    late = state.post(f"/ui/findings/{finding_id}/reply", data={
        "csrf_token": csrf_of(state, "/ui/"), "text": "Encore.", "language": "fr"})
    assert late.status_code == 409 and 'role="alert"' in late.get_data(as_text=True)
    assert client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel)).get_json()[
        "reply"]["text"] == FRENCH


def test_early_publication_needs_a_reason(app, client, panel, french_report):
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    finding_id = _record(staff, french_report)
    assert _status(staff, finding_id, "shared").status_code == 303
    r = _status(staff, finding_id, "published")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'id="status-error"' in html and "reason" in html
    assert client.get(f"/api/v1/findings/{finding_id}",
                      headers=auth(panel)).get_json()["status"] == "shared"
    reason = "The sanctions committee meets before the reply window ends."
    assert _status(staff, finding_id, "published", reason=reason).status_code == 303
    api = client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel)).get_json()
    assert api["status"] == "published" and api["early_publication_reason"] == reason


def test_a_stale_form_changes_nothing(app, client, panel, french_report):
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    finding_id = _record(staff, french_report)
    old = _etag_field(staff.get(f"/ui/findings/{finding_id}").get_data(as_text=True))
    assert _status(staff, finding_id, "shared").status_code == 303
    before = client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel))
    r = _status(staff, finding_id, "withdrawn", etag=old)
    html = r.get_data(as_text=True)
    assert r.status_code == 412 and 'id="status-error"' in html
    assert "The finding has changed" in html
    after = client.get(f"/api/v1/findings/{finding_id}", headers=auth(panel))
    assert after.get_json()["status"] == "shared"
    assert after.headers["ETag"] == before.headers["ETag"]


def test_record_form_errors_are_shown_next_to_the_form(app, client, panel, french_report):
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    r = staff.post("/ui/findings", data={
        "csrf_token": csrf_of(staff, "/ui/findings"), "state": "FRA",
        "report": french_report["id"], "obligation": "2397/9", "assessment": "contradicted",
        "text": "   ", "language": "en", "visibility": "public"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="record-error"' in html and "/text" in html
    assert client.get("/api/v1/findings", headers=auth(panel)).get_json()["total"] == 0


def test_finding_forms_need_the_csrf_token_and_the_right_role(app, client, panel, france,
                                                              french_report):
    staff, state = _client(app), _client(app)
    assert sign_in(staff, panel).status_code == 302
    finding_id = _record(staff, french_report)
    page = staff.get(f"/ui/findings/{finding_id}").get_data(as_text=True)
    assert staff.post(f"/ui/findings/{finding_id}/status", data={
        "etag": _etag_field(page), "to": "shared"}).status_code == 400
    assert staff.post("/ui/findings", data={"state": "FRA"}).status_code == 400
    assert client.get(f"/api/v1/findings/{finding_id}",
                      headers=auth(panel)).get_json()["status"] == "draft"
    # A panel member does not write the State's reply; a reporter does not share.
    assert staff.post(f"/ui/findings/{finding_id}/reply", data={
        "csrf_token": csrf_of(staff, "/ui/"), "text": "x", "language": "en"}
    ).status_code == 403
    assert sign_in(state, france).status_code == 302
    assert state.post(f"/ui/findings/{finding_id}/status", data={
        "csrf_token": csrf_of(state, "/ui/"), "etag": "x", "to": "shared"}).status_code == 403
    assert "Record a finding" not in state.get("/ui/findings").get_data(as_text=True)


def test_finding_list_filters_equal_the_api(app, client, panel, french_report):
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    first = _record(staff, french_report)
    _record(staff, french_report, assessment="corroborated", visibility="restricted")
    for query in ("", "assessment=contradicted", "visibility=restricted", "state=DEU"):
        api = client.get(f"/api/v1/findings?{query}", headers=auth(panel)).get_json()
        html = staff.get(f"/ui/findings?{query}").get_data(as_text=True)
        assert figures(html)["total"] == str(api["total"]), query
        assert FINDING_LINK.findall(html) == [i["id"] for i in api["items"]], query
    assert FINDING_LINK.findall(staff.get("/ui/findings?assessment=contradicted")
                                .get_data(as_text=True)) == [first]
    assert staff.get("/ui/findings?status=splendid").status_code == 400


# --- incidents ----------------------------------------------------------------------------

def _incidents(client, panel):
    from .test_incidents import seizure

    made = []
    for changes in (
        {},
        {"occurred_on": "2018-02-01", "obligations": ["2397/9"],
         "parties": [{"state": "FRA", "role": "inspecting_state"},
                     {"state": "PRK", "role": "origin"}],
         "location": {"state": "FRA", "place": "Le Havre", "lat": None, "lon": None}},
        {"occurred_on": "2019-05-01", "visibility": "restricted",
         "parties": [{"state": "DEU", "role": "inspecting_state"},
                     {"state": "PRK", "role": "origin"}]},
    ):
        r = client.post("/api/v1/incidents", headers=auth(panel), json=seizure(**changes))
        assert r.status_code == 201, r.get_json()
        made.append(r.get_json())
    return made


INCIDENT_LINK = re.compile(r'<tr data-incident="([^"]+)">')


def test_incident_list_numbers_equal_the_api(app, client, panel, france):
    made = _incidents(client, panel)
    staff, state = _client(app), _client(app)
    assert sign_in(staff, panel).status_code == 302
    assert sign_in(state, france).status_code == 302
    for token, web in ((panel, staff), (france, state)):
        for query in ("", "state=FRA", "kind=seizure&from=2018-01-01&to=2018-12-31",
                      "visibility=restricted", "obligation=2397/9", "role=origin&state=PRK"):
            api = client.get(f"/api/v1/incidents?{query}", headers=auth(token)).get_json()
            html = web.get(f"/ui/incidents?{query}").get_data(as_text=True)
            assert figures(html)["total"] == str(api["total"]), query
            assert INCIDENT_LINK.findall(html) == [i["id"] for i in api["items"]], query
    # The restricted incident not naming France: absent for France, 404 by URL.
    hidden = made[2]["id"]
    assert hidden not in state.get("/ui/incidents").get_data(as_text=True)
    assert state.get(f"/ui/incidents/{hidden}").status_code == 404
    assert staff.get(f"/ui/incidents/{hidden}").status_code == 200
    assert staff.get("/ui/incidents?from=yesterday").status_code == 400


def test_incident_and_vessel_pages(app, client, panel):
    from .test_incidents import SHIP_IMO

    made = _incidents(client, panel)
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    api = client.get(f"/api/v1/incidents/{made[1]['id']}", headers=auth(panel)).get_json()
    html = staff.get(f"/ui/incidents/{made[1]['id']}").get_data(as_text=True)
    assert f'href="/ui/vessels/{SHIP_IMO}"' in html and "Rocket-propelled grenades" in html
    assert "EGY/2016/TEST-1" in html
    assert re.findall(r'data-unreported="([A-Z]{3})"', html) == api["unreported_by"]
    assert re.findall(r'data-reported="([A-Z]{3})"', html) == api["reported_by"]
    vessel = client.get(f"/api/v1/vessels/{SHIP_IMO}", headers=auth(panel)).get_json()
    page = staff.get(f"/ui/vessels/{SHIP_IMO}").get_data(as_text=True)
    assert figures(page)["incidents"] == str(len(vessel["incidents"])) == "3"
    assert re.findall(r'<tr data-incident="([^"]+)">', page) == [
        s["incident"] for s in vessel["sightings"]]
    assert "TEST VESSEL" in page and "KHM" in page
    assert staff.get("/ui/vessels/1234567").status_code == 404


def test_incident_downloads_are_the_apis_bytes(app, client, panel, france):
    _incidents(client, panel)
    for token in (panel, france):
        web = _client(app)
        assert sign_in(web, token).status_code == 302
        for query in ("", "state=EGY", "kind=seizure&from=2016-01-01"):
            page = web.get(f"/ui/incidents?{query}").get_data(as_text=True)
            assert "/ui/incidents.csv" in page and "/ui/incidents.geojson" in page
            for suffix, accept in ((".csv", "text/csv"),
                                   (".geojson", "application/geo+json")):
                ours = web.get(f"/ui/incidents{suffix}?{query}")
                theirs = client.get(f"/api/v1/incidents?{query}",
                                    headers=auth(token, Accept=accept))
                assert ours.status_code == theirs.status_code == 200, (query, suffix)
                assert ours.data == theirs.data, (query, suffix)
                assert ours.headers["Content-Type"] == theirs.headers["Content-Type"]
                assert ours.headers["Content-Disposition"] == \
                    theirs.headers["Content-Disposition"]
        assert b"EGY" in web.get("/ui/incidents.csv").data


def test_incident_list_pages_by_50_as_the_api(app, client, panel):
    from .test_incidents import seizure

    for day in range(1, 52):
        r = client.post("/api/v1/incidents", headers=auth(panel), json=seizure(
            occurred_on=f"2017-{1 + day // 28:02d}-{1 + day % 28:02d}"))
        assert r.status_code == 201, r.get_json()
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    first = staff.get("/ui/incidents").get_data(as_text=True)
    second = staff.get("/ui/incidents?page=2").get_data(as_text=True)
    api = [client.get(f"/api/v1/incidents?page={n}&page_size=50",
                      headers=auth(panel)).get_json() for n in (1, 2)]
    assert figures(first)["total"] == str(api[0]["total"]) == "51"
    assert INCIDENT_LINK.findall(first) == [i["id"] for i in api[0]["items"]]
    assert len(INCIDENT_LINK.findall(first)) == 50
    assert INCIDENT_LINK.findall(second) == [i["id"] for i in api[1]["items"]]
    assert 'href="/ui/incidents?page=2"' in first and "Page 2" in first


def test_unknown_ids_are_404_pages(app, panel):
    staff = _client(app)
    assert sign_in(staff, panel).status_code == 302
    for path in ("/ui/findings/nothing", "/ui/findings/f00000000000000000000",
                 "/ui/incidents/nothing", "/ui/vessels/abc"):
        r = staff.get(path)
        assert r.status_code == 404 and r.mimetype == "text/html", path
    assert staff.post("/ui/findings/f00000000000000000000/status", data={
        "csrf_token": csrf_of(staff, "/ui/"), "to": "shared"}).status_code == 404
