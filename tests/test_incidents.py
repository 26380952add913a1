"""The enforcement record through the HTTP API: recording, validation, permissions,
amendments, acknowledgements, lists (JSON, CSV, GeoJSON) and a vessel's record."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Incident, IncidentVersion

from .helpers import auth

# An illustrative seizure shaped like the model case (the Egyptian seizure of a vessel with a
# DPRK crew carrying rocket-propelled grenades); the values are test data, not the record.
SHIP_IMO = "9074729"  # a valid check digit


def seizure(**changes) -> dict:
    body = {
        "kind": "seizure", "occurred_on": "2016-08-11", "occurred_until": None,
        "location": {"state": "EGY", "place": "Off Ain Sokhna", "lat": 29.6, "lon": 32.35},
        "summary": "A vessel with a DPRK crew was stopped; about 30,000 rocket-propelled "
                   "grenades were found under iron ore and seized.",
        "language": "en",
        "parties": [{"state": "EGY", "role": "inspecting_state"},
                    {"state": "PRK", "role": "origin"},
                    {"state": "KHM", "role": "flag_state"}],
        "vessels": [{"imo": SHIP_IMO, "name": "TEST VESSEL", "flag": "KHM"}],
        "cargo": [{"description": "Rocket-propelled grenades", "hs_code": "9306",
                   "quantity": 30000, "unit": "pieces", "value_usd": None}],
        "obligations": ["1874/9", "2270/18"],
        "sources": [{"kind": "state_report", "reference": "EGY/2016/TEST-1",
                     "title": "Note verbale of Egypt (test data)"}],
        "visibility": "public",
    }
    body.update(changes)
    return body


def _count(app) -> tuple[int, int]:
    with app.app_context():
        counts = (db.session.scalar(select(func.count()).select_from(Incident)),
                  db.session.scalar(select(func.count()).select_from(IncidentVersion)))
        db.session.remove()
        return counts


@pytest.fixture()
def egypt(make_token):
    return make_token("reporter", "EGY")


@pytest.fixture()
def cambodia(make_token):
    return make_token("reporter", "KHM")


def test_a_state_files_its_seizure_and_the_flag_state_has_not_reported_it(client, egypt):
    response = client.post("/api/v1/incidents", json=seizure(),
                           headers=auth(egypt, **{"Idempotency-Key": "seizure-1"}))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["recorded_by"] == "state" and body["filed_by"] == "EGY"
    assert body["reported_by"] == ["EGY"]
    assert body["unreported_by"] == ["KHM"]  # the DPRK, the regime's target, is in neither
    assert body["reporting"][0]["how"] == "filed"
    assert body["reporting"][0]["days_after_event"] == (
        dt.datetime.now(dt.UTC).date() - dt.date(2016, 8, 11)).days
    assert body["resolutions"] == [1874, 2270]
    assert body["vessels"] == [{"imo": SHIP_IMO, "name": "TEST VESSEL", "flag": "KHM"}]
    assert response.headers["Location"] == body["links"]["self"]
    # The same key and body: the stored answer, nothing new.
    again = client.post("/api/v1/incidents", json=seizure(),
                        headers=auth(egypt, **{"Idempotency-Key": "seizure-1"}))
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == body["id"]
    fetched = client.get(body["links"]["self"], headers=auth(egypt))
    assert fetched.status_code == 200 and fetched.headers["ETag"]
    assert client.get(body["links"]["self"], headers=auth(
        egypt, **{"If-None-Match": fetched.headers["ETag"]})).status_code == 304


def test_the_flag_state_acknowledges_and_leaves_the_unreported_list(client, egypt, cambodia,
                                                                   app):
    created = client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt)).get_json()
    url = created["links"]["acknowledgements"]
    first = client.post(url, json={"reference": "KHM/NV/2016/9"}, headers=auth(cambodia))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["reported_by"] == ["EGY", "KHM"]
    assert first.get_json()["unreported_by"] == []
    khm = next(r for r in first.get_json()["reporting"] if r["state"] == "KHM")
    assert khm["how"] == "acknowledged" and khm["reference"] == "KHM/NV/2016/9"
    second = client.post(url, headers=auth(cambodia))  # empty body: idempotent
    assert second.status_code == 200
    assert second.get_json()["reported_by"] == ["EGY", "KHM"]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        db.session.remove()
    assert sorted(a for a in actions if a.startswith("incident.")) == [
        "incident.acknowledge", "incident.create"]


def test_only_a_party_acknowledges(client, egypt, make_token):
    created = client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt)).get_json()
    france = make_token("reporter", "FRA")
    response = client.post(created["links"]["acknowledgements"], headers=auth(france))
    assert response.status_code == 403
    panel = make_token("panel")
    assert client.post(created["links"]["acknowledgements"],
                       headers=auth(panel)).status_code == 403


@pytest.mark.parametrize(("change", "pointer"), [
    ({"vessels": [{"imo": "9074728", "name": "X", "flag": "KHM"}]}, "/vessels/0/imo"),
    ({"cargo": [{"description": "Grenades", "hs_code": "93061"}]}, "/cargo/0/hs_code"),
    ({"occurred_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "/occurred_on"),
    ({"occurred_on": "2006-07-14"}, "/occurred_on"),
    ({"parties": [{"state": "EGY", "role": "inspecting_state"},
                  {"state": "XYZ", "role": "flag_state"}]}, "/parties/1/state"),
    ({"obligations": ["1718/99"]}, "/obligations/0"),
    ({"location": {"state": "EGY", "lat": 91, "lon": 0}}, "/location/lat"),
    ({"location": {"state": "EGY", "lat": 10}}, "/location/lon"),
    ({"occurred_until": "2016-08-01"}, "/occurred_until"),
    ({"kind": "smuggling"}, "/kind"),
    ({"sources": []}, "/sources"),
    ({"unexpected": True}, "/unexpected"),
])
def test_bad_values_are_refused_with_a_pointer_and_nothing_is_stored(client, egypt, app,
                                                                     change, pointer):
    response = client.post("/api/v1/incidents", json=seizure(**change), headers=auth(egypt))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert pointer in [e["pointer"] for e in response.get_json()["errors"]]
    assert _count(app) == (0, 0)


def test_the_imo_check_digit_is_explained(client, egypt):
    response = client.post("/api/v1/incidents", headers=auth(egypt), json=seizure(
        vessels=[{"imo": "9074728"}]))
    detail = response.get_json()["errors"][0]["detail"]
    assert "check digit" in detail and "9, not 8" in detail


def test_a_reporter_files_only_incidents_its_state_took_part_in(client, make_token, app):
    france = make_token("reporter", "FRA")
    response = client.post("/api/v1/incidents", json=seizure(), headers=auth(france))
    assert response.status_code == 403
    assert response.get_json()["errors"][0]["pointer"] == "/parties"
    assert _count(app) == (0, 0)


def test_restricted_incidents_are_invisible_to_other_states(client, panel, egypt, make_token):
    created = client.post("/api/v1/incidents", headers=auth(panel),
                          json=seizure(visibility="restricted"))
    assert created.status_code == 201
    body = created.get_json()
    assert body["recorded_by"] == "panel" and body["filed_by"] is None
    assert body["unreported_by"] == ["EGY", "KHM"]
    france = make_token("reporter", "FRA")
    assert client.get(body["links"]["self"], headers=auth(france)).status_code == 404
    assert client.get("/api/v1/incidents", headers=auth(france)).get_json()["total"] == 0
    assert client.get(f"/api/v1/vessels/{SHIP_IMO}", headers=auth(france)).status_code == 404
    # A party sees it, and acknowledges it.
    assert client.get(body["links"]["self"], headers=auth(egypt)).status_code == 200
    assert client.get("/api/v1/incidents", headers=auth(egypt)).get_json()["total"] == 1
    ack = client.post(body["links"]["acknowledgements"], headers=auth(egypt))
    assert ack.status_code == 201 and ack.get_json()["reported_by"] == ["EGY"]


def test_amendments_need_the_current_etag_and_keep_history(client, egypt, cambodia, panel):
    created = client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt))
    url = created.get_json()["links"]["self"]
    etag = created.headers["ETag"]
    changed = seizure(summary="Amended: the grenades were found in 79 crates.")
    assert client.put(url, json=changed, headers=auth(egypt)).status_code == 428
    assert client.put(url, json=changed, headers=auth(
        egypt, **{"If-Match": '"nope"'})).status_code == 412
    # Another party does not amend what Egypt filed; it acknowledges it.
    assert client.put(url, json=changed, headers=auth(
        cambodia, **{"If-Match": etag})).status_code == 403
    amended = client.put(url, json=changed, headers=auth(egypt, **{"If-Match": etag}))
    assert amended.status_code == 200, amended.get_json()
    assert amended.get_json()["version"] == 2
    assert amended.get_json()["summary"].startswith("Amended")
    history = client.get(f"{url}/versions", headers=auth(panel)).get_json()
    assert [v["version"] for v in history["items"]] == [1, 2]
    assert history["items"][0]["document"]["summary"].startswith("A vessel")
    # Invalid amendment: nothing changes.
    bad = client.put(url, json=seizure(obligations=["nope"]), headers=auth(
        egypt, **{"If-Match": amended.headers["ETag"]}))
    assert bad.status_code == 422
    assert client.get(url, headers=auth(panel)).get_json()["version"] == 2


def test_lists_filter_by_every_field(client, panel, egypt):
    client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt))
    client.post("/api/v1/incidents", headers=auth(panel), json=seizure(
        kind="port_call", occurred_on="2019-03-02",
        location={"state": "PAN", "place": "Colon", "lat": None, "lon": None},
        parties=[{"state": "PAN", "role": "port_state"}],
        vessels=[{"imo": "9312456", "name": "OTHER"}], cargo=[],
        obligations=["2397/9"], visibility="restricted"))

    def ids(**query):
        response = client.get("/api/v1/incidents", query_string=query, headers=auth(panel))
        assert response.status_code == 200, response.get_json()
        return [i["kind"] for i in response.get_json()["items"]]

    assert ids() == ["port_call", "seizure"]  # newest first
    assert ids(state="EGY") == ["seizure"]
    assert ids(state="egy", role="inspecting_state") == ["seizure"]
    assert ids(state="EGY", role="flag_state") == []
    assert ids(role="port_state") == ["port_call"]
    assert ids(kind="seizure") == ["seizure"]
    assert ids(imo="9312456") == ["port_call"]
    assert ids(obligation="2270/18") == ["seizure"]
    assert ids(resolution=2397) == ["port_call"]
    assert ids(**{"from": "2017-01-01"}) == ["port_call"]
    assert ids(to="2017-01-01") == ["seizure"]
    assert ids(visibility="restricted") == ["port_call"]
    bad = client.get("/api/v1/incidents", query_string={"kind": "x", "role": "y"},
                     headers=auth(panel))
    assert bad.status_code == 422
    assert {e["pointer"] for e in bad.get_json()["errors"]} >= {"kind", "role"}


def test_csv_and_geojson(client, panel, egypt):
    client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt))
    client.post("/api/v1/incidents", headers=auth(panel), json=seizure(
        location={"state": None, "place": "High seas"}, visibility="public"))
    response = client.get("/api/v1/incidents", headers=auth(panel, Accept="text/csv"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 2
    assert rows[0]["parties"] == "EGY:inspecting_state; PRK:origin; KHM:flag_state"
    assert {r["location_state"] for r in rows} == {"EGY", ""}
    geo = client.get("/api/v1/incidents", headers=auth(panel, Accept="application/geo+json"))
    assert geo.status_code == 200 and geo.mimetype == "application/geo+json"
    collection = geo.get_json(force=True)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 1  # only the located one
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [32.35, 29.6]}
    assert feature["properties"]["kind"] == "seizure"
    assert geo.headers["ETag"]


def test_a_vessels_record(client, panel, egypt):
    client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt))
    client.post("/api/v1/incidents", headers=auth(panel), json=seizure(
        kind="port_call", occurred_on="2018-05-01",
        vessels=[{"imo": SHIP_IMO, "name": "RENAMED", "flag": "SLE"}]))
    record = client.get(f"/api/v1/vessels/{SHIP_IMO}", headers=auth(panel))
    assert record.status_code == 200
    body = record.get_json()
    assert body["names"] == ["TEST VESSEL", "RENAMED"]
    assert body["flags"] == ["KHM", "SLE"]
    assert [s["kind"] for s in body["sightings"]] == ["seizure", "port_call"]
    assert client.get("/api/v1/vessels/9312456", headers=auth(panel)).status_code == 404
    bad = client.get("/api/v1/vessels/123", headers=auth(panel))
    assert bad.status_code == 404 and "7 digits" in bad.get_json()["detail"]


def test_tokens_are_required(client):
    assert client.get("/api/v1/incidents").status_code == 401
    assert client.post("/api/v1/incidents", json=seizure()).status_code == 401
    assert client.get(f"/api/v1/vessels/{SHIP_IMO}").status_code == 401


def test_unknown_incidents_are_404(client, panel):
    for incident in ("nope", "i" + "0" * 20):
        assert client.get(f"/api/v1/incidents/{incident}", headers=auth(panel)).status_code \
            == 404
