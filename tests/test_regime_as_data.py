"""A regime is data: a third, synthetic regime written to a folder of its own (with a target
State of its own) is loaded with the same loader and served by every output, with no code
of its own.

The regime, its committee, resolutions and obligations below are made up for the test."""

from __future__ import annotations

import json
import shutil

import pytest

from app.catalogue import DATA_DIR
from app.extensions import db
from app.services.authorities import create_authority
from app.services.catalogue import load_catalogue
from tests.helpers import auth, full_entry
from tests.test_regime_1540 import other_regime_words
from tests.test_summaries import pdf_pages

PROVENANCE = {"verified": False, "source": "Synthetic test data: no publication.",
              "verification_note": "Made up for a test; nothing was confirmed."}


def _obligation(code: str, binding: bool) -> dict:
    return {"code": code, "paragraph": code.split("/")[1], "category": "synthetic controls",
            "summary": f"States keep synthetic control {code}.", "binding": binding,
            "weight": 2 if binding else 1,
            "expects": ["legal_basis", "competent_authority", "measures"], **PROVENANCE}


def _once(number: int, days: int, due: str, obligations) -> dict:
    return {"code": f"{number}/R-general", "paragraph": "9", "kind": "once",
            "due_days_after_adoption": days, "due": due, "stages": None, "period_days": None,
            "trigger": None, "applies_to": "all", "binding": False, **PROVENANCE,
            "obligations": obligations}


def _resolution(number: int, adopted: str, days: int, obligations: list[dict],
                requirements: list[dict]) -> dict:
    year = int(adopted[:4])
    return {"number": number, "year": year, "symbol": f"S/RES/{number} ({year})",
            "adopted_on": adopted, "meeting": None, "meeting_note": None,
            "title": f"Synthetic resolution {number}", "reporting_deadline_days": days,
            "reporting_deadline_verified": False, "reporting_paragraph": "9",
            "reporting_paragraph_verified": False, "reporting_note": None,
            "sources": ["Synthetic test data"], "note": None, "obligations": obligations,
            "reporting_requirements": requirements}


REGIME = {
    "format": 2,
    "regime": {
        "code": "9001", "name": "Synthetic measures",
        "committee": "Committee established pursuant to synthetic resolution 9001",
        "short_name": "9001 Committee", "experts": "monitoring team",
        "summary_title": "Synthetic implementation summary",
        "finding_title": "Monitoring team finding", "target_state": "ATG",
        "description": "A made-up regime for a test.", "notes": ["Made up."],
    },
    "sources": ["Synthetic test data"],
    "resolutions": [
        _resolution(9001, "2020-01-10", 60, [_obligation("9001/1", True),
                                             _obligation("9001/2", False)],
                    [_once(9001, 60, "2020-03-10", "all")]),
        _resolution(9002, "2021-03-01", 90, [_obligation("9002/4", True)],
                    [_once(9002, 90, "2021-05-30", "all"),
                     {"code": "9002/R-renewed", "paragraph": "5", "kind": "on_event",
                      "due_days_after_adoption": None, "due": None, "stages": None,
                      "period_days": None, "trigger": "When the State changes its controls.",
                      "applies_to": "all", "addressed_to": "states", "binding": False,
                      **PROVENANCE, "obligations": ["9001/1", "9001/2"]},
                     {"code": "9002/R-committee", "paragraph": "6", "kind": "once",
                      "due_days_after_adoption": 365, "due": "2022-03-01", "stages": None,
                      "period_days": None, "trigger": None,
                      "applies_to": "9001 Committee (its report to the Council)",
                      "addressed_to": "committee", "binding": True, **PROVENANCE,
                      "obligations": "all"}]),
    ],
}


@pytest.fixture()
def third(migrated, tmp_path):
    """An application whose catalogue is the synthetic regime alone, loaded from a folder;
    with an admin and a panel token."""
    data = tmp_path / "catalogue"
    (data / "regimes").mkdir(parents=True)
    shutil.copy(DATA_DIR / "member_states.json", data / "member_states.json")
    (data / "regimes" / "9001-synthetic.json").write_text(json.dumps(REGIME), encoding="utf-8")
    with migrated.app_context():
        loaded = load_catalogue(db.session, data)
        tokens = {role: create_authority(db.session, f"{role} of the test", role, None).plaintext
                  for role in ("admin", "panel")}
        db.session.remove()
    assert "regime 9001" in loaded.added and "resolution 9002" in loaded.added
    return migrated.test_client(), tokens


def _report(state: str, resolution: int, codes: list[str], received_at: str, **fields):
    return {"state": state, "resolution": resolution, "language": "en",
            "received_at": received_at,
            "entries": [full_entry({"code": c}) for c in codes], **fields}


def test_every_output_serves_a_regime_loaded_from_data(third):
    client, tokens = third
    admin, panel = auth(tokens["admin"]), auth(tokens["panel"])

    regimes = client.get("/api/v1/regimes").get_json()["items"]
    assert [(r["code"], r["target_state"], r["resolutions"]) for r in regimes] == [
        ("9001", "ATG", [9001, 9002])]
    listed = client.get("/api/v1/resolutions?regime=9001").get_json()
    assert [i["number"] for i in listed["items"]] == [9001, 9002]
    detail = client.get("/api/v1/resolutions/9002").get_json()
    assert detail["regime"] == "9001"
    assert [q["addressed_to"] for q in detail["reporting_requirements"]] == [
        "states", "states", "committee"]

    # Reports through the HTTP API: one on time, one late, one on an earlier resolution's
    # obligations; the target State is refused.
    def post(body):
        return client.post("/api/v1/reports", json=body, headers=admin)

    on_time = post(_report("FRA", 9001, ["9001/1", "9001/2"], "2020-03-01T10:00:00Z"))
    late = post(_report("DEU", 9001, ["9001/1"], "2020-04-09T10:00:00Z"))
    renewed = post(_report("DEU", 9002, ["9001/1", "9001/2"], "2021-06-01T10:00:00Z",
                           requirement="9002/R-renewed", event_on="2021-05-20"))
    assert (on_time.status_code, late.status_code, renewed.status_code) == (201, 201, 201)
    assert on_time.get_json()["completeness"] == 100.0
    assert 0 < late.get_json()["completeness"] < 100
    assert renewed.get_json()["completeness"] == 100.0
    target = post(_report("ATG", 9001, ["9001/1"], "2020-03-01T10:00:00Z"))
    assert target.status_code == 422
    assert [e["pointer"] for e in target.get_json()["errors"]] == ["/state"]
    duty = post(_report("FRA", 9002, ["9002/4"], "2021-06-01T10:00:00Z",
                        requirement="9002/R-committee"))
    assert duty.status_code == 422
    assert "/requirement" in [e["pointer"] for e in duty.get_json()["errors"]]

    # The matrix, JSON and CSV: the target State is not expected.
    matrix = client.get("/api/v1/compliance?resolution=9001&as_of=2020-06-30",
                        headers=panel).get_json()
    assert matrix["regime"] == "9001"
    rows = {r["state"]: r for r in matrix["items"]}
    assert rows["ATG"]["status"] == "not_expected"
    assert rows["PRK"]["status"] == "not_reported"
    assert rows["FRA"]["on_time"] is True and rows["DEU"]["days_late"] == 30
    summary = matrix["summary"]
    assert (summary["expected"], summary["reported"], summary["not_expected"]) == (192, 2, 1)
    csv = client.get("/api/v1/compliance?resolution=9001&as_of=2020-06-30&format=csv",
                     headers=panel).data.decode()
    assert any(line.startswith("ATG,") and ",not_expected," in line
               for line in csv.splitlines())
    regime = client.get("/api/v1/compliance?regime=9001&as_of=2021-12-31",
                        headers=panel).get_json()
    assert regime["resolutions"] == [9001, 9002] and len(regime["items"]) == 2 * 193
    duty_rows = client.get("/api/v1/compliance?requirement=9002/R-committee&as_of=2022-06-30",
                           headers=panel).get_json()["items"]
    assert {r["status"] for r in duty_rows} == {"no_report_requested"}

    # Deadlines: the committee's report is nobody's; the target State has none.
    deadlines = client.get("/api/v1/states/FRA/deadlines?as_of=2022-06-30",
                           headers=panel).get_json()
    assert [i["requirement"] for i in deadlines["items"]] == [
        "9001/R-general", "9002/R-general", "9002/R-renewed"]
    target_deadlines = client.get("/api/v1/states/ATG/deadlines?as_of=2022-06-30",
                                  headers=panel).get_json()
    assert target_deadlines["items"] == []
    assert "target of the 9001 regime" in target_deadlines["note"]

    # The summary names the regime and its committee, in the regime's own words.
    pdf = client.get("/api/v1/summaries/resolutions/9001.pdf?as_of=2020-06-30",
                     headers=panel)
    assert pdf.status_code == 200
    text = " ".join(pdf_pages(pdf.data))
    assert "SYNTHETIC IMPLEMENTATION SUMMARY" in text or "Synthetic implementation summary" in text
    assert ("Regime 9001: Synthetic measures. Committee: Committee established pursuant to "
            "synthetic resolution 9001 (the 9001 Committee)") in text
    assert "Antigua and Barbuda is the target of the 9001 regime" in text
    assert "192 of 193 2 1 1 190" in text
    assert "monitoring team" in text
    assert other_regime_words(text) == []
    # A State's profile: a section for the regime, with its committee.
    profile = client.get("/api/v1/summaries/states/FRA.pdf?as_of=2022-06-30", headers=panel)
    assert profile.status_code == 200
    text = " ".join(pdf_pages(profile.data))
    assert "Regime 9001: Synthetic measures" in text
    assert "Findings of the monitoring team" in text
    assert other_regime_words(text) == []
