"""Importing incidents from files with `flask --app wsgi incidents import` (all or nothing),
read back through the HTTP API."""

from __future__ import annotations

import csv
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Incident, IncidentVersion

from .helpers import auth
from .test_incidents import SHIP_IMO, seizure

COLUMNS = ("kind", "occurred_on", "occurred_until", "location_state", "place", "lat", "lon",
           "summary", "language", "parties", "vessels", "cargo", "obligations", "sources",
           "visibility")


def _row(**changes) -> dict[str, str]:
    row = {
        "kind": "seizure", "occurred_on": "2016-08-11", "occurred_until": "2016-08-13",
        "location_state": "egy", "place": "Off Ain Sokhna", "lat": "29.6", "lon": "32.35",
        "summary": "A vessel was stopped and rocket-propelled grenades seized (test data).",
        "language": "en",
        "parties": "EGY:inspecting_state; PRK:origin; khm:flag_state",
        "vessels": f"{SHIP_IMO} TEST VESSEL (KHM); 9176187",
        "cargo": "9306|30000|pieces|Rocket-propelled grenades; 2601||tonnes|Iron ore|1500.5",
        "obligations": "1874/9; 2270/18",
        "sources": "state_report|EGY/2016/TEST-1|Note verbale (test data); public_record|https://"
                   "example.org/story",
        "visibility": "public",
    }
    row.update(changes)
    return row


def _write_csv(path, rows, columns=COLUMNS):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _stored(app) -> tuple[int, int, int]:
    with app.app_context():
        counts = (db.session.scalar(select(func.count()).select_from(Incident)),
                  db.session.scalar(select(func.count()).select_from(IncidentVersion)),
                  db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                      AuditEvent.action.like("incident.%"))))
        db.session.remove()
        return counts


def _listed(client, panel) -> list[dict]:
    response = client.get("/api/v1/incidents?page_size=200", headers=auth(panel))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_a_json_list_is_recorded_as_the_panel_and_audited_once(app, client, runner, tmp_path,
                                                                panel):
    records = [seizure(), seizure(kind="inspection", occurred_on="2017-03-04",
                                  visibility="restricted")]
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "recorded 2 incidents from incidents.json" in result.output
    items = _listed(client, panel)
    assert sorted(i["kind"] for i in items) == ["inspection", "seizure"]
    for item in items:
        assert item["recorded_by"] == "panel" and item["filed_by"] is None
        assert item["demo"] is False
        # Recorded by the Panel: no party State has reported it yet (the DPRK is not asked).
        assert item["reported_by"] == [] and item["unreported_by"] == ["EGY", "KHM"]
    assert _stored(app) == (2, 2, 1)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "incident.import")).one()
        assert event.actor == "command line"
        assert event.details["source"] == "incidents.json" and event.details["count"] == 2
        assert sorted(event.details["incidents"]) == sorted(i["id"] for i in items)


def test_an_object_holding_the_list_is_read_too(app, runner, tmp_path):
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps({"incidents": [seizure()]}), encoding="utf-8")
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "recorded 1 incident from" in result.output
    assert _stored(app)[:2] == (1, 1)


def test_a_csv_row_gives_the_same_incident_as_the_api_body(app, client, runner, tmp_path,
                                                           panel):
    path = tmp_path / "incidents.csv"
    _write_csv(path, [_row(), _row(kind="port_call", occurred_until="", cargo="", vessels="",
                                   lat="", lon="", location_state="", place="",
                                   sources="panel_report|S/2019/171", visibility="",
                                   parties="SYR:port_state")])
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "recorded 2 incidents" in result.output
    items = {i["kind"]: i for i in _listed(client, panel)}
    seized = items["seizure"]
    assert seized["occurred_on"] == "2016-08-11" and seized["occurred_until"] == "2016-08-13"
    assert seized["location"] == {"state": "EGY", "place": "Off Ain Sokhna", "lat": 29.6,
                                  "lon": 32.35, "high_seas": False}
    assert [(p["state"], p["role"]) for p in seized["parties"]] == [
        ("EGY", "inspecting_state"), ("PRK", "origin"), ("KHM", "flag_state")]
    assert seized["vessels"] == [{"imo": SHIP_IMO, "name": "TEST VESSEL", "flag": "KHM"},
                                 {"imo": "9176187", "name": None, "flag": None}]
    assert seized["cargo"] == [
        {"description": "Rocket-propelled grenades", "hs_code": "9306", "quantity": 30000,
         "unit": "pieces", "value_usd": None},
        {"description": "Iron ore", "hs_code": "2601", "quantity": None, "unit": "tonnes",
         "value_usd": 1500.5}]
    assert seized["obligations"] == ["1874/9", "2270/18"]
    assert seized["sources"] == [
        {"kind": "state_report", "reference": "EGY/2016/TEST-1",
         "title": "Note verbale (test data)"},
        {"kind": "public_record", "reference": "https://example.org/story", "title": None}]
    assert seized["visibility"] == "public"
    call = items["port_call"]
    assert call["location"]["high_seas"] is True and call["vessels"] == [] == call["cargo"]
    assert call["visibility"] == "restricted"  # left empty: the default
    assert call["unreported_by"] == ["SYR"]


def test_a_bad_imo_in_row_3_stores_nothing_and_names_row_and_pointer(app, runner, tmp_path):
    path = tmp_path / "incidents.csv"
    wrong = SHIP_IMO[:6] + str((int(SHIP_IMO[6]) + 1) % 10)
    _write_csv(path, [_row(), _row(occurred_on="2017-01-02", occurred_until=""),
                      _row(vessels=f"{wrong} TEST VESSEL (KHM)"), _row()])
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code != 0
    assert "nothing was stored" in result.output
    assert "row 3 (line 4)" in result.output
    assert "/vessels/0/imo" in result.output and "check digit" in result.output
    assert _stored(app) == (0, 0, 0)


def test_every_error_of_the_bad_json_record_is_named_with_its_pointer(app, runner, tmp_path):
    bad = seizure(occurred_on="2016-13-01")
    bad["cargo"][0]["hs_code"] = "93.06"
    bad["obligations"] = ["1874/9", "9999/1"]
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps([seizure(), bad]), encoding="utf-8")
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code != 0
    assert "record 2 (index 1)" in result.output
    assert "/occurred_on" in result.output and "/cargo/0/hs_code" in result.output
    assert _stored(app) == (0, 0, 0)
    # The catalogue check names the unknown obligation once the shape is right.
    bad = seizure(obligations=["1874/9", "9999/1"])
    path.write_text(json.dumps([seizure(), seizure(), bad]), encoding="utf-8")
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code != 0
    assert "record 3 (index 2)" in result.output and "/obligations/1" in result.output
    assert _stored(app) == (0, 0, 0)


def test_a_csv_item_not_in_its_columns_form_is_named(app, runner, tmp_path):
    path = tmp_path / "incidents.csv"
    _write_csv(path, [_row(), _row(parties="EGY:inspecting_state; PRK",
                                   sources="state_report")])
    result = runner.invoke(args=["incidents", "import", str(path)])
    assert result.exit_code != 0
    assert "row 2 (line 3)" in result.output
    assert "/parties/1" in result.output and "/sources/0" in result.output
    assert _stored(app) == (0, 0, 0)


def test_unreadable_files_store_nothing(app, runner, tmp_path):
    broken = tmp_path / "incidents.json"
    broken.write_text('[{"kind": "seizure",', encoding="utf-8")
    result = runner.invoke(args=["incidents", "import", str(broken)])
    assert result.exit_code != 0 and "not readable as JSON" in result.output
    scalar = tmp_path / "scalar.json"
    scalar.write_text('"seizure"', encoding="utf-8")
    result = runner.invoke(args=["incidents", "import", str(scalar)])
    assert result.exit_code != 0 and "expected a JSON list of incidents" in result.output
    binary = tmp_path / "incidents.csv"
    binary.write_bytes(b"kind,occurred_on\n\xff\xfe\x00seizure")
    result = runner.invoke(args=["incidents", "import", str(binary)])
    assert result.exit_code != 0 and "not readable as CSV" in result.output
    columns = tmp_path / "columns.csv"
    _write_csv(columns, [{"kind": "seizure", "date": "2016-08-11"}],
               columns=("kind", "date"))
    result = runner.invoke(args=["incidents", "import", str(columns)])
    assert result.exit_code != 0
    assert "columns missing: occurred_on" in result.output and "unknown: date" in result.output
    other = tmp_path / "incidents.xlsx"
    other.write_bytes(b"PK")
    result = runner.invoke(args=["incidents", "import", str(other)])
    assert result.exit_code != 0 and "give a .json or a .csv file" in result.output
    assert _stored(app) == (0, 0, 0)


def test_as_names_the_panel_authority_that_records_them(app, client, runner, tmp_path,
                                                        make_token, panel):
    make_token("panel", name="Panel secretariat")
    make_token("reporter", "EGY", name="Egypt customs")
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps([seizure()]), encoding="utf-8")
    refused = runner.invoke(args=["incidents", "import", str(path), "--as", "Egypt customs"])
    assert refused.exit_code != 0 and "records incidents as the Panel" in refused.output
    unknown = runner.invoke(args=["incidents", "import", str(path), "--as", "Nobody"])
    assert unknown.exit_code != 0 and "No authority named 'Nobody'" in unknown.output
    assert _stored(app) == (0, 0, 0)
    result = runner.invoke(args=["incidents", "import", str(path), "--as",
                                 "Panel secretariat"])
    assert result.exit_code == 0, result.output
    assert "as the Panel (Panel secretariat)" in result.output
    (item,) = _listed(client, panel)
    assert item["recorded_by"] == "panel"
    versions = client.get(f"{item['links']['versions']}", headers=auth(panel)).get_json()
    assert versions["items"][0]["submitted_by"] == "Panel secretariat"
    with app.app_context():
        actors = list(db.session.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "incident.import")))
        assert actors == ["Panel secretariat"]
