"""The lax-enforcement signals of the enforcement record in the compliance matrix and the
state profiles: incidents, unreported involvement, reports inconsistent with the record."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sqlalchemy import select

from .helpers import auth
from .test_incidents import seizure

TODAY = dt.datetime.now(dt.UTC).date()


def _row(client, token, query: str, state: str) -> dict:
    response = client.get(f"/api/v1/compliance?{query}", headers=auth(token))
    assert response.status_code == 200, response.get_json()
    return next(r for r in response.get_json()["items"] if r["state"] == state)


def test_the_model_case_in_the_matrix_and_the_profiles(client, panel, make_token):
    egypt, cambodia = make_token("reporter", "EGY"), make_token("reporter", "KHM")
    filed = client.post("/api/v1/incidents", json=seizure(), headers=auth(egypt)).get_json()
    khm = _row(client, panel, "resolution=2270", "KHM")
    assert (khm["incidents"], khm["unreported_incidents"]) == (1, 1)
    assert "unreported_involvement" in khm["flags"]
    egy = _row(client, panel, "resolution=2270", "EGY")
    assert (egy["incidents"], egy["unreported_incidents"]) == (1, 0)
    assert "unreported_involvement" not in egy["flags"]
    prk = _row(client, panel, "resolution=2270", "PRK")  # the target: not asked to report
    assert prk["status"] == "not_expected" and prk["incidents"] is None
    assert prk["flags"] == []
    # A resolution the incident does not engage knows nothing of it.
    assert _row(client, panel, "resolution=2397", "KHM")["incidents"] == 0
    # As of a day before it was recorded, the record held nothing.
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert _row(client, panel, f"resolution=2270&as_of={yesterday}", "KHM")["incidents"] == 0
    # Filter the matrix by the flag.
    flagged = client.get("/api/v1/compliance?resolution=2270&flag=unreported_involvement",
                         headers=auth(panel)).get_json()
    assert [r["state"] for r in flagged["items"]] == ["KHM"]
    # The flag state's own profile says so; once it acknowledges, the flag goes.
    profile = client.get("/api/v1/compliance/states/KHM", headers=auth(cambodia)).get_json()
    row_2270 = next(r for r in profile["items"] if r["resolution"] == 2270)
    assert row_2270["unreported_incidents"] == 1
    assert "unreported_involvement" in row_2270["flags"]
    ack = client.post(filed["links"]["acknowledgements"], headers=auth(cambodia))
    assert ack.status_code == 201
    khm = _row(client, panel, "resolution=2270", "KHM")
    assert (khm["incidents"], khm["unreported_incidents"]) == (1, 0)
    assert "unreported_involvement" not in khm["flags"]


def _report_with_seizures(client, admin, report_body, seizures):
    body = report_body("FRA", 2397, received_at="2018-06-01T00:00:00Z", dated="2018-05-30")
    for entry in body["entries"]:
        entry["enforcement"]["seizures"] = seizures
    response = client.post("/api/v1/reports", json=body, headers=auth(admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _seizure_by(client, token, state, occurred_on, role="inspecting_state", kind="seizure"):
    response = client.post("/api/v1/incidents", headers=auth(token), json=seizure(
        kind=kind, occurred_on=occurred_on, obligations=["2397/9"],
        location={"state": state, "place": "Port"},
        parties=[{"state": state, "role": role}, {"state": "PRK", "role": "origin"}]))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_zero_seizures_against_a_seizure_on_record_is_inconsistent(client, panel, admin,
                                                                   report_body):
    _report_with_seizures(client, admin, report_body, 0)
    assert "inconsistent_with_record" not in _row(client, panel, "resolution=2397",
                                                  "FRA")["flags"]
    # Outside the report's window (after the day it is dated), in another role, of another
    # kind: none of them contradicts "0 seizures".
    _seizure_by(client, panel, "FRA", "2018-07-01")
    _seizure_by(client, panel, "FRA", "2018-02-01", role="port_state")
    _seizure_by(client, panel, "FRA", "2018-02-01", kind="port_call")
    row = _row(client, panel, "resolution=2397", "FRA")
    assert "inconsistent_with_record" not in row["flags"] and row["inconsistencies"] == []
    assert row["incidents"] == 3
    # A seizure by France, engaging 2397/9, within the window.
    _seizure_by(client, panel, "FRA", "2018-02-01")
    for query in ("resolution=2397", f"resolution=2397&as_of={TODAY.isoformat()}"):
        row = _row(client, panel, query, "FRA")
        assert "inconsistent_with_record" in row["flags"]
        assert row["inconsistencies"] == [{"obligation": "2397/9", "figure": "seizures",
                                           "declared": 0, "on_record": 1}]
    # The same in CSV.
    text = client.get("/api/v1/compliance?resolution=2397&format=csv",
                      headers=auth(panel)).get_data(as_text=True)
    fra = next(r for r in csv.DictReader(io.StringIO(text)) if r["state"] == "FRA")
    assert fra["inconsistencies"] == "2397/9 seizures 0<1"
    assert "inconsistent_with_record" in fra["flags"]


def test_a_figure_at_or_above_the_record_or_left_out_is_consistent(client, panel, admin,
                                                                  report_body):
    _report_with_seizures(client, admin, report_body, 1)
    _seizure_by(client, panel, "FRA", "2018-02-01")
    assert _row(client, panel, "resolution=2397", "FRA")["inconsistencies"] == []
    body = report_body("DEU", 2397, received_at="2018-06-01T00:00:00Z")
    for entry in body["entries"]:
        entry["enforcement"] = None
    assert client.post("/api/v1/reports", json=body, headers=auth(admin)).status_code == 201
    _seizure_by(client, panel, "DEU", "2018-02-01")
    row = _row(client, panel, "resolution=2397", "DEU")
    assert row["inconsistencies"] == [] and "inconsistent_with_record" not in row["flags"]


def test_restricted_incidents_count_for_the_panel(client, panel, make_token):
    client.post("/api/v1/incidents", headers=auth(panel), json=seizure(visibility="restricted"))
    assert _row(client, panel, "resolution=2270", "KHM")["unreported_incidents"] == 1
    # A reporter of a party State sees its own profile with it; France is no party.
    france = make_token("reporter", "FRA")
    profile = client.get("/api/v1/compliance/states/FRA", headers=auth(france)).get_json()
    assert all(r["incidents"] == 0 for r in profile["items"])


def test_the_matrix_counts_follow_the_rule(client, panel, make_token):
    """The matrix aggregates in SQL; the rule is `app.incidents.involvement`: both agree on a
    random record (seeded), acknowledgements and panel-recorded incidents included."""
    import random

    from app.incidents import OnRecord, involvement

    rng = random.Random(14)
    states = ["FRA", "DEU", "KHM", "EGY", "PAN", "PRK"]
    reporters = {s: make_token("reporter", s) for s in states if s != "PRK"}
    roles = ["inspecting_state", "port_state", "flag_state", "origin", "transit"]
    created = []
    for _ in range(14):
        parties = [{"state": s, "role": rng.choice(roles)}
                   for s in rng.sample(states, rng.randint(1, 4))]
        filer = next((p["state"] for p in parties if p["state"] != "PRK"), None)
        token = reporters[filer] if filer and rng.random() < 0.5 else panel
        body = seizure(parties=parties, occurred_on="2018-04-01",
                       obligations=[rng.choice(["2270/18", "2397/9"])])
        response = client.post("/api/v1/incidents", json=body, headers=auth(token))
        assert response.status_code == 201, response.get_json()
        created.append(response.get_json())
    for incident in created:
        for state in incident["unreported_by"]:
            if rng.random() < 0.4:
                client.post(incident["links"]["acknowledgements"],
                            headers=auth(reporters[state]))
    views = client.get("/api/v1/incidents?page_size=100", headers=auth(panel)).get_json()
    facts = [OnRecord(kind=v["kind"], occurred_on=dt.date.fromisoformat(v["occurred_on"]),
                      parties=tuple((p["state"], p["role"]) for p in v["parties"]),
                      obligations=frozenset(v["obligations"]),
                      reported_on={r["state"]: dt.date.fromisoformat(r["on"])
                                   for r in v["reporting"]})
             for v in views["items"]]
    # Now (the derived tables the writes keep) and as of today (the versions themselves).
    for query in ("", f"&as_of={TODAY.isoformat()}"):
        for number, codes in ((2270, {"2270/18"}), (2397, {"2397/9"})):
            rows = client.get(f"/api/v1/compliance?resolution={number}{query}",
                              headers=auth(panel)).get_json()["items"]
            for state in states[:-1]:
                row = next(r for r in rows if r["state"] == state)
                expected = involvement(facts, state, codes)
                assert (row["incidents"], row["unreported_incidents"]) == (
                    expected.incidents, expected.unreported), (number, state, query)


def test_an_amendment_changes_the_counts_now_and_as_of_today(client, panel):
    created = client.post("/api/v1/incidents", json=seizure(), headers=auth(panel))
    assert _row(client, panel, "resolution=2270", "KHM")["incidents"] == 1
    without_khm = seizure(parties=[{"state": "EGY", "role": "inspecting_state"},
                                   {"state": "PRK", "role": "origin"}])
    amended = client.put(created.get_json()["links"]["self"], json=without_khm,
                         headers=auth(panel, **{"If-Match": created.headers["ETag"]}))
    assert amended.status_code == 200
    for query in ("resolution=2270", f"resolution=2270&as_of={TODAY.isoformat()}"):
        assert _row(client, panel, query, "KHM")["incidents"] == 0
        assert _row(client, panel, query, "EGY")["unreported_incidents"] == 1


def test_a_version_stored_without_its_figures_is_read_from_its_entries(client, panel, admin,
                                                                      report_body, app):
    """Versions written before figures were stored with them (or by other means) are
    compared from their entries: the same answer."""
    from app.extensions import db
    from app.models import ReportVersion

    _report_with_seizures(client, admin, report_body, 0)
    _seizure_by(client, panel, "FRA", "2018-02-01")
    with app.app_context():
        stored = db.session.scalars(select(ReportVersion.figures)).all()
        declared = [f for f in stored[0] if f[:2] == ["2397/9", "seizures"]]
        assert declared == [["2397/9", "seizures", 0]]
        db.session.execute(ReportVersion.__table__.update().values(figures=None))
        db.session.commit()
        db.session.remove()
    for query in ("resolution=2397", f"resolution=2397&as_of={TODAY.isoformat()}"):
        row = _row(client, panel, query, "FRA")
        assert row["inconsistencies"] == [{"obligation": "2397/9", "figure": "seizures",
                                           "declared": 0, "on_record": 1}]
