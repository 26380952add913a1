"""A State's deadlines as an iCalendar feed: `GET /api/v1/states/{iso3}/deadlines.ics`,
read back with the `icalendar` library."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from tests.helpers import auth, full_entry

MIDTERM, FINAL, REFINED = "2397/R-8-midterm", "2397/R-8-final", "2397/R-5-refined"
FEED = "/api/v1/states/{}/deadlines.ics"


def _file(client, admin, state, requirement, obligation, **fields):
    detail = client.get(f"/api/v1/resolutions/{requirement.split('/')[0]}").get_json()
    entry = full_entry(next(o for o in detail["obligations"] if o["code"] == obligation))
    body = {"state": state, "resolution": int(requirement.split("/")[0]),
            "requirement": requirement, "language": "en", "entries": [entry], **fields}
    r = client.post("/api/v1/reports", json=body, headers=auth(admin))
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def _feed(client, state, as_of="2020-06-30", token=None):
    r = client.get(FEED.format(state) + f"?as_of={as_of}",
                   headers=auth(token) if token else {})
    assert r.status_code == 200, r.get_data(as_text=True)
    return r


def _events(response):
    calendar = Calendar.from_ical(response.get_data())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _uid(state, item):
    period = item["period"]
    occasion = f"/{period['from']}/{period['to']}" if period else ""
    return f"{state}/{item['requirement']}{occasion}@compliance-reporting-api"


def test_the_public_feed_has_one_all_day_event_per_due_date(client, admin, panel):
    r = _feed(client, "FRA")
    assert r.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Authorization" in r.headers["Vary"]
    calendar = Calendar.from_ical(r.get_data())
    assert str(calendar["VERSION"]) == "2.0" and "France" in str(calendar["X-WR-CALNAME"])
    events = _events(r)
    # The same due dates as the JSON gives a State that filed nothing.
    expected = {_uid("FRA", i): i for i in client.get(
        "/api/v1/states/FRA/deadlines?as_of=2020-06-30", headers=auth(panel)
    ).get_json()["items"] if i["due"] is not None}
    assert set(events) == set(expected) and len(events) >= 12
    for uid, event in events.items():
        due = dt.date.fromisoformat(expected[uid]["due"])
        assert event.decoded("DTSTART") == due
        assert event.decoded("DTEND") == due + dt.timedelta(days=1)
        assert expected[uid]["requirement"] in str(event["SUMMARY"])
        assert "X-COMPLIANCE-STATUS" not in event
        assert "Status as of" not in str(event["DESCRIPTION"])
    final = events["FRA/2397/R-8-final@compliance-reporting-api"]
    description = str(final["DESCRIPTION"])
    assert "paragraph 8" in description and "S/RES/2397 (2017)" in description
    assert "States in whose jurisdiction DPRK nationals earn income" in description
    assert "Due date read in the resolution's text: yes" in description
    assert description.rstrip().endswith("/api/v1/resolutions/2397")
    assert str(final["URL"]).endswith("/api/v1/resolutions/2397")
    # 1718's request for reports: neither its paragraph nor its deadline was read in the
    # text, and the feed does not state them as facts.
    first = str(events["FRA/1718/R-general@compliance-reporting-api"]["DESCRIPTION"])
    assert "paragraph 11 (a reference not confirmed against the text)" in first
    assert "Due date read in the resolution's text: no" in first


def test_the_feed_is_stable_and_answers_if_none_match(client):
    first, second = _feed(client, "FRA"), _feed(client, "FRA")
    assert first.get_data() == second.get_data()
    assert first.headers["ETag"] == second.headers["ETag"]
    r = client.get(FEED.format("FRA") + "?as_of=2020-06-30",
                   headers={"If-None-Match": first.headers["ETag"]})
    assert r.status_code == 304
    # A later date keeps every event's UID: a refresh updates the events it had.
    later = _events(_feed(client, "FRA", as_of="2021-06-30"))
    assert set(_events(first)) - set(later) == {
        "FRA/2397/R-5-refined/2020-06-09/2020-07-08@compliance-reporting-api",
        "FRA/2397/R-4-crude/2020-06-09/2020-09-06@compliance-reporting-api",
    }  # the current periods of June 2020, replaced by those of June 2021


def test_statuses_only_with_a_token_that_may_read_them(client, admin, make_token):
    _file(client, admin, "JPN", MIDTERM, "2397/8", received_at="2019-03-01T10:00:00Z")
    for start, end in (("2017-12-22", "2018-01-20"), ("2018-02-20", "2018-03-21")):
        _file(client, admin, "JPN", REFINED, "2397/5", period={"from": start, "to": end},
              received_at="2018-04-10T09:00:00Z")
    public = _events(_feed(client, "JPN"))
    jpn = make_token("reporter", "JPN")
    own = _events(_feed(client, "JPN", token=jpn))
    midterm, final = (f"JPN/{code}@compliance-reporting-api" for code in (MIDTERM, FINAL))
    assert str(own[midterm]["X-COMPLIANCE-STATUS"]) == "met"
    assert str(own[midterm]["SUMMARY"]).startswith("[met] ")
    assert "first received 2019-03-01, on time" in str(own[midterm]["DESCRIPTION"])
    assert str(own[final]["X-COMPLIANCE-STATUS"]) == "overdue"
    assert "overdue by 100 days" in str(own[final]["DESCRIPTION"])
    assert all("X-COMPLIANCE-STATUS" in e for e in own.values())
    # The public feed says nothing of what Japan filed: no status, and the periods of a
    # conditional requirement are not those of a State known to notify.
    assert not any("X-COMPLIANCE-STATUS" in e for e in public.values())
    refined_public = [u for u in public if u.startswith(f"JPN/{REFINED}/")]
    refined_own = [u for u in own if u.startswith(f"JPN/{REFINED}/")]
    assert len(refined_public) == 1 and len(refined_own) > 10
    assert set(refined_public) <= set(refined_own)
    # Another State's reporter gets the public feed; the panel gets the statuses.
    deu = make_token("reporter", "DEU")
    assert _feed(client, "JPN", token=deu).get_data() == _feed(client, "JPN").get_data()
    panel = make_token("panel")
    assert str(_events(_feed(client, "JPN", token=panel))[midterm]["X-COMPLIANCE-STATUS"]) \
        == "met"


def test_a_bad_token_is_refused_rather_than_ignored(client):
    r = client.get(FEED.format("FRA"), headers=auth("cra_0123456789abcdef_wrong"))
    assert r.status_code == 401


def test_the_target_state_s_feed_has_nothing_of_its_regime_and_says_why(client):
    r = _feed(client, "PRK", as_of="2020-06-30")
    calendar = Calendar.from_ical(r.get_data())
    # Only the 1540 regime's first report, which every State is asked for.
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == [
        "1540/R-general: report on resolution 1540"]
    assert "target" in str(calendar["X-WR-CALDESC"])


def test_as_of_and_unknown_states(client):
    early = client.get(FEED.format("FRA") + "?as_of=2004-04-27")
    assert early.status_code == 422 and early.get_json()["errors"][0]["pointer"] == "as_of"
    future = client.get(FEED.format("FRA") + "?as_of=2999-01-01")
    assert future.status_code == 422
    assert client.get(FEED.format("XXX")).status_code == 404


def test_the_feed_is_documented_as_text_calendar(client):
    document = client.get("/api/v1/openapi.json").get_json()
    op = document["paths"]["/api/v1/states/{iso3}/deadlines.ics"]["get"]
    assert list(op["responses"]["200"]["content"]) == ["text/calendar"]
    assert op["security"] == [{}, {"bearerAuth": []}]
    assert "401" in op["responses"] and "403" not in op["responses"]
    assert {"304", "404", "422"} <= set(op["responses"])
    json_op = document["paths"]["/api/v1/states/{iso3}/deadlines"]["get"]
    assert {"401", "403", "404", "422"} <= set(json_op["responses"])
    assert "another state" in json_op["responses"]["404"]["description"].lower()
