"""Reports answer a reporting requirement: a stage, a period or an event; nil reports; scores
over the obligations the requirement covers and in force when the version was received."""

from __future__ import annotations

import pytest

from tests.helpers import auth, full_entry, obligation_of, requirement_body

MIDTERM = "2397/R-8-midterm"
FINAL = "2397/R-8-final"
REFINED = "2397/R-5-refined"






def _post(client, token, body):
    return client.post("/api/v1/reports", json=body, headers=auth(token))


def _pointers(response):
    return [e["pointer"] for e in response.get_json()["errors"]]


def test_a_report_without_requirement_answers_the_general_report(client, admin, report_body):
    r = _post(client, admin, report_body("FRA", 2397, received_at="2018-03-01T10:00:00Z"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["requirement"] == "2397/R-general"
    assert (body["period"], body["event_on"], body["nil"]) == (None, None, False)
    assert body["due"] == "2018-03-22" and body["on_time"] is True


def test_midterm_and_final_reports_are_separate_reports_with_their_own_due_dates(
        client, make_token):
    token = make_token("reporter", "JPN")
    midterm = _post(client, token, requirement_body(client, "JPN", MIDTERM, ["2397/8"]))
    assert midterm.status_code == 201, midterm.get_json()
    final = _post(client, token, requirement_body(client, "JPN", FINAL, ["2397/8"]))
    assert final.status_code == 201, final.get_json()
    m, f = midterm.get_json(), final.get_json()
    assert m["id"] != f["id"]
    assert (m["requirement"], m["due"]) == (MIDTERM, "2019-03-22")
    assert (f["requirement"], f["due"]) == (FINAL, "2020-03-22")
    # Filed today: years after both due dates.
    assert m["on_time"] is False and m["days_late"] > 2000
    assert m["completeness"] == 100.0  # over 2397/8 alone: the one obligation it covers
    again = _post(client, token, requirement_body(client, "JPN", MIDTERM, ["2397/8"]))
    assert again.status_code == 409
    assert m["id"] in again.get_json()["detail"]


def test_a_report_covers_only_its_requirement_s_obligations(client, admin):
    r = _post(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8", "2397/7"]))
    assert r.status_code == 422
    assert _pointers(r) == ["/entries/1/obligation"]
    assert "2397/8" in r.get_json()["errors"][0]["detail"]


@pytest.mark.parametrize(("requirement", "detail"), [
    ("2397/R-8", "name the stage answered (2397/R-8-midterm, 2397/R-8-final)"),
    ("2397/R-nothing", "is not a reporting requirement of resolution 2397"),
    ("2270/R-general", "is not a reporting requirement of resolution 2397"),
])
def test_an_unknown_or_incomplete_requirement_is_refused(client, admin, requirement, detail):
    r = _post(client, admin, {**requirement_body(client, "JPN", MIDTERM, ["2397/8"]),
                              "requirement": requirement})
    assert r.status_code == 422
    assert _pointers(r) == ["/requirement"]
    assert detail in r.get_json()["errors"][0]["detail"]


def test_a_resolution_that_requests_no_report_has_nothing_to_answer(client, admin,
                                                                   report_body):
    r = _post(client, admin, report_body("FRA", 1695))
    assert r.status_code == 422
    assert _pointers(r) == ["/requirement"]
    assert "requests no national report" in r.get_json()["errors"][0]["detail"]


def test_periodic_notifications_name_a_period_of_the_grid(client, admin):
    base = requirement_body(client, "CHN", REFINED, ["2397/5"], received_at="2018-02-01T09:00:00Z")
    missing = _post(client, admin, base)
    assert missing.status_code == 422 and _pointers(missing) == ["/period"]
    wrong = _post(client, admin, {**base, "period": {"from": "2018-01-01", "to": "2018-01-31"}})
    assert wrong.status_code == 422 and _pointers(wrong) == ["/period"]
    # The detail names the real period around the date given.
    assert "2017-12-22 to 2018-01-20" in wrong.get_json()["errors"][0]["detail"]
    backwards = _post(client, admin, {**base, "period": {"from": "2018-01-20",
                                                         "to": "2017-12-22"}})
    assert backwards.status_code == 422 and _pointers(backwards) == ["/period/to"]
    first = {**base, "period": {"from": "2017-12-22", "to": "2018-01-20"}}
    r = _post(client, admin, first)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["period"] == {"from": "2017-12-22", "to": "2018-01-20"}
    assert body["due"] == "2018-02-19" and body["on_time"] is True
    second = {**base, "period": {"from": "2018-01-21", "to": "2018-02-19"},
              "received_at": "2018-03-25T09:00:00Z"}
    r2 = _post(client, admin, second)
    assert r2.status_code == 201
    assert (r2.get_json()["due"], r2.get_json()["days_late"]) == ("2018-03-21", 4)
    assert _post(client, admin, first).status_code == 409  # one report per period


def test_a_period_belongs_only_to_periodic_requirements(client, admin):
    r = _post(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                                   period={"from": "2017-12-22", "to": "2018-01-20"}))
    assert r.status_code == 422 and _pointers(r) == ["/period"]


def test_nil_reports(client, make_token):
    token = make_token("reporter", "FRA")
    nil = {"state": "FRA", "resolution": 2397, "requirement": REFINED, "language": "fr",
           "nil": True, "justification": "La France ne fournit aucun produit pétrolier raffiné "
           "à la RPDC."}
    r = _post(client, token, nil)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["nil"] is True and body["entries"] == []
    assert (body["completeness"], body["rating"], body["flags"]) == (None, None, [])
    assert body["justification"].startswith("La France")
    score = client.get(f"/api/v1/reports/{body['id']}/score", headers=auth(token)).get_json()
    assert score["completeness"] is None
    # Not where the requirement applies to all States.
    general = {**nil, "requirement": "2397/R-general"}
    r = _post(client, token, general)
    assert r.status_code == 422 and _pointers(r) == ["/nil"]
    # A justification is needed, and entries are not.
    r = _post(client, token, {**nil, "requirement": MIDTERM, "justification": "N/A",
                              "entries": [full_entry(obligation_of(client, "2397/8"))]})
    assert r.status_code == 422
    assert sorted(_pointers(r)) == ["/entries", "/justification"]
    # A report that is not nil needs entries and has no justification of its own.
    r = _post(client, token, {**nil, "requirement": MIDTERM, "nil": False})
    assert r.status_code == 422
    assert sorted(_pointers(r)) == ["/entries", "/justification"]


def test_on_event_reports_give_the_event_and_count_days_from_it(client, admin):
    body = requirement_body(client, "NLD", "2094/R-17-refusal", ["2094/17"],
                 received_at="2018-05-11T09:00:00Z")
    r = _post(client, admin, body)
    assert r.status_code == 422 and _pointers(r) == ["/event_on"]
    r = _post(client, admin, {**body, "event_on": "2018-05-01"})
    assert r.status_code == 201, r.get_json()
    report = r.get_json()
    assert (report["event_on"], report["days_from_event"], report["due"]) == ("2018-05-01", 10,
                                                                             None)
    assert report["on_time"] is None
    r = _post(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                                              event_on="2018-05-01"))
    assert r.status_code == 422 and _pointers(r) == ["/event_on"]


def test_a_superseded_obligation_is_not_scored_and_the_breakdown_says_why(client, admin,
                                                                         report_body):
    # 2375/14 (the 2,000,000-barrel cap) is superseded by 2397/5 from 2018-01-01.
    body = report_body("FRA", 2375, received_at="2018-03-01T10:00:00Z")
    body["entries"] = [e for e in body["entries"] if e["obligation"] != "2375/14"]
    after = _post(client, admin, body)
    assert after.status_code == 201
    assert after.get_json()["completeness"] == 100.0
    score = client.get(f"/api/v1/reports/{after.get_json()['id']}/score",
                       headers=auth(admin)).get_json()
    assert score["superseded"] == ["2375/14"] and "2375/14" not in score["unaddressed"]
    item = next(o for o in score["obligations"] if o["code"] == "2375/14")
    assert (item["in_force"], item["max_points"], item["points"]) == (False, 0, 0)
    assert item["superseded_by"] == {"code": "2397/5", "on": "2018-01-01", "verified": False}
    assert "superseded by 2397/5 on 2018-01-01" in item["warnings"][0]
    # The same report received before the supersession misses that obligation.
    before = _post(client, admin, {**body, "state": "DEU",
                                   "received_at": "2017-11-01T10:00:00Z"})
    assert before.get_json()["completeness"] < 100.0
    score = client.get(f"/api/v1/reports/{before.get_json()['id']}/score",
                       headers=auth(admin)).get_json()
    assert "2375/14" in score["unaddressed"] and score["superseded"] == []


def test_an_amendment_cannot_change_what_the_report_answers(client, admin):
    first = _post(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8"]))
    report = first.get_json()
    r = client.put(f"/api/v1/reports/{report['id']}",
                   json=requirement_body(client, "JPN", FINAL, ["2397/8"]),
                   headers=auth(admin, **{"If-Match": first.headers["ETag"]}))
    assert r.status_code == 422 and _pointers(r) == ["/requirement"]


def test_validate_scores_against_the_requirement(client, admin):
    r = client.post("/api/v1/reports/validate",
                    json=requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                               received_at="2019-03-01T00:00:00Z"),
                    headers=auth(admin))
    result = r.get_json()
    assert result["valid"] is True
    assert result["score"]["completeness"] == 100.0 and result["score"]["on_time"] is True


def test_reports_are_listed_by_requirement(client, admin):
    for stage in (MIDTERM, FINAL):
        created = _post(client, admin, requirement_body(client, "JPN", stage, ["2397/8"]))
        assert created.status_code == 201
    r = client.get(f"/api/v1/reports?requirement={MIDTERM}", headers=auth(admin))
    items = r.get_json()["items"]
    assert [(i["state"], i["requirement"]) for i in items] == [("JPN", MIDTERM)]
    both = client.get("/api/v1/reports?state=JPN&resolution=2397", headers=auth(admin))
    assert [i["requirement"] for i in both.get_json()["items"]] == [FINAL, MIDTERM]


def test_a_national_authority_answers_2397_s_requirements_end_to_end(client, make_token):
    """As Japan's authority: read what 2397 asks, file the midterm and final repatriation
    reports and a nil report on refined-petroleum supplies, then read the state's deadlines
    and its calendar feed."""
    from icalendar import Calendar

    token = make_token("reporter", "JPN")
    asked = {q["code"]: q for q in
             client.get("/api/v1/resolutions/2397").get_json()["reporting_requirements"]}
    stages = {s["name"]: s for s in asked["2397/R-8"]["stages"]}
    assert (stages["midterm"]["due"], stages["final"]["due"]) == ("2019-03-22", "2020-03-22")
    assert asked[REFINED]["kind"] == "periodic" and asked[REFINED]["applies_to"] != "all"

    for stage in (MIDTERM, FINAL):
        r = _post(client, token, requirement_body(client, "JPN", stage, ["2397/8"]))
        assert r.status_code == 201, r.get_json()
    nil = _post(client, token, {"state": "JPN", "resolution": 2397, "requirement": REFINED,
                                "language": "ja", "nil": True,
                                "justification": "日本は北朝鮮に石油精製品を供給していない。"})
    assert nil.status_code == 201, nil.get_json()

    deadlines = client.get("/api/v1/states/JPN/deadlines", headers=auth(token)).get_json()
    by_code = {i["requirement"]: i for i in deadlines["items"]}
    # Filed today: years after the due dates, so met but late.
    assert by_code[MIDTERM]["status"] == "met" and by_code[MIDTERM]["on_time"] is False
    assert by_code[FINAL]["status"] == "met"
    assert by_code[REFINED]["status"] == "nil"
    assert by_code["2397/R-general"]["status"] == "overdue"

    feed = client.get("/api/v1/states/JPN/deadlines.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    events = {str(e["UID"]): e for e in Calendar.from_ical(feed.get_data()).walk("VEVENT")}
    final = events["JPN/2397/R-8-final@compliance-reporting-api"]
    assert final.decoded("DTSTART").isoformat() == "2020-03-22"
    assert "2397/R-8-final" in str(final["SUMMARY"])
