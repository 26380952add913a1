"""A State's reporting deadlines as JSON: `GET /api/v1/states/{iso3}/deadlines`."""

from __future__ import annotations

import datetime as dt

import pytest

from app.auth import COMMAND_LINE
from app.extensions import db
from app.services.reports import backfill
from tests.helpers import auth, requirement_body

MIDTERM, FINAL = "2397/R-8-midterm", "2397/R-8-final"
REFINED, CRUDE = "2397/R-5-refined", "2397/R-4-crude"






def _file(client, admin, body):
    r = client.post("/api/v1/reports", json=body, headers=auth(admin))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _deadlines(client, token, state, as_of=None, status=200):
    query = f"?as_of={as_of}" if as_of else ""
    r = client.get(f"/api/v1/states/{state}/deadlines{query}", headers=auth(token))
    assert r.status_code == status, r.get_json()
    return r.get_json()


def _items(body, requirement):
    return [i for i in body["items"] if i["requirement"] == requirement]


def _one(body, requirement):
    found = _items(body, requirement)
    assert len(found) == 1, found
    return found[0]


def _period(start, end):
    return {"from": start, "to": end}


def test_midterm_met_on_time_and_final_overdue(client, admin, make_token):
    midterm = _file(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                                         received_at="2019-03-01T10:00:00Z"))
    jpn = make_token("reporter", "JPN")
    body = _deadlines(client, jpn, "JPN", "2020-06-30")
    assert (body["state"], body["name"], body["as_of"]) == ("JPN", "Japan", "2020-06-30")
    assert body["note"] is None and body["demo"] is False

    met = _one(body, MIDTERM)
    assert (met["status"], met["due"], met["on_time"], met["days_late"]) == (
        "met", "2019-03-22", True, 0)
    assert met["report_id"] == midterm["id"]
    assert met["first_received_at"].startswith("2019-03-01T10:00:00")
    assert (met["stage"], met["kind"], met["paragraph"], met["resolution"]) == (
        "midterm", "staged", "8", 2397)
    assert met["conditional"] is True and met["applies_to"].startswith("States in whose")
    assert met["binding"] is True and met["deadline_verified"] is True

    final = _one(body, FINAL)
    assert (final["status"], final["due"], final["on_time"], final["days_late"]) == (
        "overdue", "2020-03-22", False, 100)
    assert (final["report_id"], final["first_received_at"], final["days_left"]) == (
        None, None, None)
    # The general report on 2397 was never filed either.
    assert _one(body, "2397/R-general")["status"] == "overdue"

    # Due-date order, the items without a due date (on-event requirements) last.
    dues = [i["due"] for i in body["items"]]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated) and dues == dated + [None] * (len(dues) - len(dated))
    assert {i["status"] for i in body["items"] if i["due"] is None} == {"on_event"}
    # The summary counts the items.
    statuses = [i["status"] for i in body["items"]]
    summary = body["summary"]
    assert summary["total"] == len(statuses)
    for status in ("met", "nil", "overdue", "due", "on_event"):
        assert summary[status] == statuses.count(status), status
    assert summary["late"] == 0 and summary["met"] == 1


def test_before_the_due_dates_items_are_due_with_days_left(client, admin, make_token):
    _file(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                               received_at="2019-03-01T10:00:00Z"))
    jpn = make_token("reporter", "JPN")
    early = _deadlines(client, jpn, "JPN", "2019-01-01")
    assert (_one(early, MIDTERM)["status"], _one(early, MIDTERM)["days_left"]) == ("due", 80)
    assert (_one(early, FINAL)["status"], _one(early, FINAL)["days_left"]) == ("due", 446)
    assert _one(early, MIDTERM)["on_time"] is None
    # A report counts from the end of the day it was received (UTC).
    assert _one(_deadlines(client, jpn, "JPN", "2019-02-28"), MIDTERM)["status"] == "due"
    assert _one(_deadlines(client, jpn, "JPN", "2019-03-01"), MIDTERM)["status"] == "met"
    # Only resolutions adopted by the date: 2397 (22 December 2017) not yet in 2017-06.
    june = _deadlines(client, jpn, "JPN", "2017-06-30")
    assert not [i for i in june["items"] if i["resolution"] >= 2371]


def test_a_late_report_is_met_and_says_how_late(client, admin, panel):
    _file(client, admin, requirement_body(client, "FRA", FINAL, ["2397/8"],
                               received_at="2020-04-01T09:00:00Z"))
    body = _deadlines(client, panel, "FRA", "2020-06-30")
    final = _one(body, FINAL)
    assert (final["status"], final["on_time"], final["days_late"]) == ("met", False, 10)
    assert body["summary"]["late"] == 1


def test_a_periodic_supplier_sees_every_period_and_the_gap_is_overdue(client, admin,
                                                                      make_token):
    for start, end, received in (("2017-12-22", "2018-01-20", "2018-02-01T09:00:00Z"),
                                 ("2018-02-20", "2018-03-21", "2018-04-10T09:00:00Z")):
        _file(client, admin, requirement_body(client, "CHN", REFINED, ["2397/5"],
                                   period=_period(start, end), received_at=received))
    chn = make_token("reporter", "CHN")
    body = _deadlines(client, chn, "CHN", "2018-04-30")
    refined = _items(body, REFINED)
    assert [(i["period"], i["due"], i["status"]) for i in refined] == [
        (_period("2017-12-22", "2018-01-20"), "2018-02-19", "met"),
        (_period("2018-01-21", "2018-02-19"), "2018-03-21", "overdue"),
        (_period("2018-02-20", "2018-03-21"), "2018-04-20", "met"),
        (_period("2018-03-22", "2018-04-20"), "2018-05-20", "due"),
        (_period("2018-04-21", "2018-05-20"), "2018-06-19", "due"),
    ]
    assert refined[1]["days_late"] == 40 and refined[1]["on_time"] is False
    assert [i["days_left"] for i in refined[3:]] == [20, 50]
    assert refined[0]["on_time"] is True and refined[0]["deadline_verified"] is False
    # Crude oil: China filed no notification, and the requirement is conditional: nothing
    # says it supplies, so only the current period is listed, due.
    crude = _one(body, CRUDE)
    assert (crude["period"], crude["due"], crude["status"]) == (
        _period("2018-03-22", "2018-06-19"), "2018-09-17", "due")
    # A State that never notified refined petroleum sees only the current period.
    other = _one(_deadlines(client, admin, "FRA", "2018-04-30"), REFINED)
    assert (other["period"], other["status"]) == (_period("2018-04-21", "2018-05-20"), "due")


def test_nil_reports(client, admin, make_token):
    fra = make_token("reporter", "FRA")
    r = client.post("/api/v1/reports", headers=auth(fra), json={
        "state": "FRA", "resolution": 2397, "requirement": REFINED, "language": "fr",
        "nil": True, "justification": "La France ne fournit aucun produit pétrolier raffiné."})
    assert r.status_code == 201, r.get_json()
    nil = r.get_json()
    _file(client, admin, {"state": "FRA", "resolution": 2397, "requirement": MIDTERM,
                          "language": "fr", "nil": True, "received_at": "2019-03-10T09:00:00Z",
                          "justification": "Aucun ressortissant de la RPDC ne travaille en "
                          "France."})
    body = _deadlines(client, fra, "FRA")
    refined = _one(body, REFINED)
    assert (refined["status"], refined["report_id"]) == ("nil", nil["id"])
    today = dt.datetime.now(dt.UTC).date()
    assert dt.date.fromisoformat(refined["period"]["from"]) <= today
    assert dt.date.fromisoformat(refined["period"]["to"]) >= today
    midterm = _one(body, MIDTERM)
    assert (midterm["status"], midterm["on_time"]) == ("nil", True)
    assert body["summary"]["nil"] == 2
    # Before the nil report on the midterm was received, it was due.
    assert _one(_deadlines(client, fra, "FRA", "2019-03-01"), MIDTERM)["status"] == "due"


def test_on_event_requirements_list_the_trigger_and_each_event_report(client, admin, panel):
    event = _file(client, admin, requirement_body(client, "NLD", "2094/R-17-refusal", ["2094/17"],
                                       event_on="2018-05-01",
                                       received_at="2018-05-11T09:00:00Z"))
    items = _items(_deadlines(client, panel, "NLD", "2018-12-31"), "2094/R-17-refusal")
    assert [(i["status"], i["event_on"], i["due"], i["report_id"]) for i in items] == [
        ("on_event", None, None, None), ("met", "2018-05-01", None, event["id"])]
    assert items[0]["trigger"].startswith("after a vessel refuses")


def test_the_target_state_is_asked_nothing_under_its_regime(client, panel):
    body = _deadlines(client, panel, "PRK")
    # Nothing of the 1718 regime; the 1540 regime has no target and asks every State.
    assert {i["resolution"] for i in body["items"]} <= {1540, 1673, 1810, 1977, 2325, 2663}
    assert "1540/R-general" in {i["requirement"] for i in body["items"]}
    assert "target" in body["note"] and "1718" in body["note"]


def _demo(app, client, body):
    with app.app_context():
        backfill(db.session, COMMAND_LINE, [body], demo=True)
        db.session.remove()


def test_demo_reports_show_to_the_panel_only_and_a_real_report_hides_them(
        app, client, admin, panel, make_token):
    _demo(app, client, requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                             received_at="2019-03-01T10:00:00Z"))
    jpn = make_token("reporter", "JPN")
    seen = _deadlines(client, panel, "JPN", "2020-06-30")
    assert (_one(seen, MIDTERM)["status"], _one(seen, MIDTERM)["demo"]) == ("met", True)
    assert seen["demo"] is True
    mine = _deadlines(client, jpn, "JPN", "2020-06-30")
    assert (_one(mine, MIDTERM)["status"], _one(mine, MIDTERM)["demo"]) == ("overdue", None)
    assert mine["demo"] is False
    real = _file(client, admin, requirement_body(client, "JPN", MIDTERM, ["2397/8"],
                                      received_at="2019-04-01T10:00:00Z"))
    seen = _deadlines(client, panel, "JPN", "2020-06-30")
    assert (_one(seen, MIDTERM)["report_id"], _one(seen, MIDTERM)["demo"]) == (real["id"],
                                                                               False)
    assert _one(seen, MIDTERM)["on_time"] is False


def test_who_may_read_a_state_s_deadlines(client, make_token, panel):
    r = client.get("/api/v1/states/FRA/deadlines")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    deu = make_token("reporter", "DEU")
    assert client.get("/api/v1/states/FRA/deadlines", headers=auth(deu)).status_code == 404
    # Another state's deadlines read exactly like an unknown state's.
    unknown = client.get("/api/v1/states/XXX/deadlines", headers=auth(panel))
    assert unknown.status_code == 404
    assert client.get("/api/v1/states/deu/deadlines", headers=auth(deu)).status_code == 200


@pytest.mark.parametrize(("query", "words"), [
    ("as_of=2004-04-27", "2004-04-28"),  # before 1540, the first to ask for a report
    ("as_of=2999-01-01", "today"),
    ("as_of=yesterday", "date"),
    ("as_of=2018-02-30", "date"),
])
def test_as_of_is_checked(client, panel, query, words):
    r = client.get(f"/api/v1/states/FRA/deadlines?{query}", headers=auth(panel))
    assert r.status_code == 422
    errors = r.get_json()["errors"]
    assert [e["pointer"] for e in errors] == ["as_of"]
    assert words in errors[0]["detail"].lower()


def test_unknown_query_parameters_are_refused(client, panel):
    r = client.get("/api/v1/states/FRA/deadlines?asof=2020-01-01", headers=auth(panel))
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "asof"


def test_the_json_has_an_etag(client, panel):
    r = client.get("/api/v1/states/FRA/deadlines?as_of=2020-06-30", headers=auth(panel))
    again = client.get("/api/v1/states/FRA/deadlines?as_of=2020-06-30",
                       headers=auth(panel, **{"If-None-Match": r.headers["ETag"]}))
    assert again.status_code == 304
