"""The 1540 regime, loaded beside the 1718 regime from its own data file: its first-report
matrix and summary, later resolutions renewing the call for reports on resolution 1540's
obligations, the Committee's own reports, and one client for both regimes."""

from __future__ import annotations

import re

from tests.helpers import auth, full_entry
from tests.test_summaries import pdf_pages

PROBLEM = "application/problem+json"
REGIME_1540_OBLIGATIONS = ["1540/1", "1540/2", "1540/3(a)", "1540/3(b)", "1540/3(c)",
                           "1540/3(d)", "1540/7"]
#: Words only true of the other regime, which no 1540 document may contain.
OTHER_REGIME = re.compile(r"DPRK|Democratic People's Republic of Korea|1718|Panel of Experts|"
                          r"Lax-enforcement", re.IGNORECASE)
#: The DPRK as one of the 193 Member States a 1540 document lists (every State reports
#: under resolution 1540): in the annex, "Name (PRK)", and in the lists of names.
DPRK_AS_A_STATE = re.compile(r"Democratic People's Republic of Korea( \(PRK\)|;)")


def other_regime_words(text: str) -> list[str]:
    """What in a document's text is only true of the 1718 regime, once the DPRK's name as a
    listed Member State is set aside."""
    return OTHER_REGIME.findall(DPRK_AS_A_STATE.sub("", text))


def post_report(client, token, state, resolution, obligations, *, requirement=None,
                received_at=None, **fields):
    """What a national authority's client does, whatever the regime: only the resolution,
    the requirement and the obligation codes change."""
    detail = client.get(f"/api/v1/resolutions/{obligations[0].split('/')[0]}").get_json()
    by_code = {o["code"]: o for o in detail["obligations"]}
    body = {"state": state, "resolution": resolution, "language": "en",
            "entries": [full_entry(by_code[code]) for code in obligations], **fields}
    if requirement is not None:
        body["requirement"] = requirement
    if received_at is not None:
        body["received_at"] = received_at
    return client.post("/api/v1/reports", json=body, headers=auth(token))


def test_the_same_client_code_reports_under_either_regime(client, make_token):
    france = make_token("reporter", "FRA")
    wmd = post_report(client, france, "FRA", 1540, REGIME_1540_OBLIGATIONS)
    dprk = post_report(client, france, "FRA", 2397, ["2397/4", "2397/5", "2397/6"],
                       requirement="2397/R-general")
    assert (wmd.status_code, dprk.status_code) == (201, 201), (wmd.get_json(),
                                                               dprk.get_json())
    assert wmd.get_json()["requirement"] == "1540/R-general"
    assert wmd.get_json()["completeness"] == 100.0
    assert dprk.get_json()["requirement"] == "2397/R-general"
    listed = client.get("/api/v1/reports?regime=1540", headers=auth(france)).get_json()
    assert [i["resolution"] for i in listed["items"]] == [1540]
    listed = client.get("/api/v1/reports?regime=1718", headers=auth(france)).get_json()
    assert [i["resolution"] for i in listed["items"]] == [2397]
    unknown = client.get("/api/v1/reports?regime=9999", headers=auth(france))
    assert unknown.status_code == 422
    assert [e["pointer"] for e in unknown.get_json()["errors"]] == ["regime"]


def test_first_report_matrix_counts_every_state_and_no_target(client, panel, admin):
    assert post_report(client, admin, "FRA", 1540, REGIME_1540_OBLIGATIONS,
                       received_at="2004-10-01T09:00:00Z").status_code == 201
    assert post_report(client, admin, "KEN", 1540, REGIME_1540_OBLIGATIONS[:3],
                       received_at="2005-02-01T09:00:00Z").status_code == 201
    body = client.get("/api/v1/compliance?resolution=1540&as_of=2005-06-30",
                      headers=auth(panel)).get_json()
    assert body["regime"] == "1540"
    assert body["requirement"] == "1540/R-general"
    assert body["deadline"] == "2004-10-28"  # six months after adoption on 2004-04-28
    assert body["deadline_verified"] is False
    summary = body["summary"]
    assert (summary["states"], summary["expected"], summary["not_expected"]) == (193, 193, 0)
    assert (summary["reported"], summary["on_time"], summary["late"],
            summary["not_reported"]) == (2, 1, 1, 191)
    rows = {r["state"]: r for r in body["items"]}
    assert rows["PRK"]["status"] == "not_reported"  # no target State: the DPRK reports too
    assert rows["FRA"]["on_time"] is True and rows["FRA"]["completeness"] == 100.0
    assert rows["KEN"]["days_late"] == 96 and rows["KEN"]["on_time"] is False
    # The regime's matrix is the same rows here: 1540 is its only resolution asking a
    # general report of every State.
    regime = client.get("/api/v1/compliance?regime=1540&as_of=2005-06-30",
                        headers=auth(panel)).get_json()
    assert (regime["regime"], regime["resolution"], regime["resolutions"]) == ("1540", None,
                                                                              [1540])
    assert regime["summary"] == summary
    csv = client.get("/api/v1/compliance?regime=1540&as_of=2005-06-30&format=csv",
                     headers=auth(panel))
    assert csv.status_code == 200 and csv.data.decode().count("\r\n") == 194
    mismatch = client.get("/api/v1/compliance?resolution=2397&regime=1540",
                          headers=auth(panel))
    assert mismatch.status_code == 422
    assert [e["pointer"] for e in mismatch.get_json()["errors"]] == ["regime"]
    unknown = client.get("/api/v1/compliance?regime=1267", headers=auth(panel))
    assert unknown.status_code == 422
    assert [e["pointer"] for e in unknown.get_json()["errors"]] == ["regime"]


def test_first_report_summary_reads_in_the_1540_regime_words(client, panel, admin):
    assert post_report(client, admin, "FRA", 1540, REGIME_1540_OBLIGATIONS,
                       received_at="2004-10-01T09:00:00Z").status_code == 201
    assert post_report(client, admin, "KEN", 1540, REGIME_1540_OBLIGATIONS[:3],
                       received_at="2005-02-01T09:00:00Z").status_code == 201
    for audience in ("public", "restricted"):
        r = client.get(f"/api/v1/summaries/resolutions/1540.pdf?as_of=2005-06-30"
                       f"&audience={audience}", headers=auth(panel))
        assert r.status_code == 200
        text = " ".join(pdf_pages(r.data))
        assert "Reporting summary" in text
        assert "1540 Committee" in text
        assert ("Committee: Security Council Committee established pursuant to resolution "
                "1540 (2004)") in text
        assert "every Member State is asked to report" in text
        assert "193 of 193 2 1 1 191" in text  # expected, reported, on time, late, missing
        assert "group of experts" in text
        assert other_regime_words(text) == []
        assert len(DPRK_AS_A_STATE.findall(text)) == 2  # not reported; the annex


def test_a_later_resolution_renews_the_call_on_1540s_obligations(client, admin, make_token):
    detail = client.get("/api/v1/resolutions/1673").get_json()
    assert detail["obligations"] == []
    renewed = {q["code"]: q for q in detail["reporting_requirements"]}
    assert renewed["1673/R-2"]["obligations"] == REGIME_1540_OBLIGATIONS
    kenya = make_token("reporter", "KEN")
    r = post_report(client, kenya, "KEN", 1673, REGIME_1540_OBLIGATIONS[:4],
                    requirement="1673/R-2", event_on="2006-06-01")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    # Scored against the 1540 obligations the requirement is about: 4 of 7 addressed.
    assert body["requirement"] == "1673/R-2"
    report = client.get(f"/api/v1/reports/{body['id']}", headers=auth(kenya)).get_json()
    assert {e["obligation"] for e in report["entries"]} == set(REGIME_1540_OBLIGATIONS[:4])
    assert 0 < body["completeness"] < 100
    # An obligation outside the requirement, and one of another regime, are named.
    wrong = post_report(client, kenya, "KEN", 1673, ["2397/4"], requirement="1673/R-3",
                        event_on="2006-06-01")
    assert wrong.status_code == 422
    assert [e["pointer"] for e in wrong.get_json()["errors"]] == ["/entries/0/obligation"]
    assert "1673/R-3 is about" in wrong.get_json()["errors"][0]["detail"]


def test_the_committees_own_reports_are_asked_of_no_state(client, panel, make_token):
    detail = client.get("/api/v1/resolutions/1977").get_json()
    duties = [q for q in detail["reporting_requirements"] if q["addressed_to"] == "committee"]
    assert [q["code"] for q in duties] == ["1977/R-3-comprehensive-review",
                                           "1977/R-4-programme-of-work",
                                           "1977/R-9-annual-review"]
    body = client.get("/api/v1/compliance?requirement=1977/R-3-comprehensive-review"
                      "&as_of=2017-01-31", headers=auth(panel)).get_json()
    assert {r["status"] for r in body["items"]} == {"no_report_requested"}
    assert body["summary"]["expected"] == 0 and body["summary"]["not_reported"] == 0
    # A State's report on it is refused, naming the requirement.
    france = make_token("reporter", "FRA")
    r = post_report(client, france, "FRA", 1977, REGIME_1540_OBLIGATIONS,
                    requirement="1977/R-3-comprehensive-review")
    assert r.status_code == 422
    assert r.headers["Content-Type"].startswith(PROBLEM)
    (error,) = [e for e in r.get_json()["errors"] if e["pointer"] == "/requirement"]
    assert "1540 Committee's own report" in error["detail"]
    # Never a State's deadline, in JSON or in the calendar.
    deadlines = client.get("/api/v1/states/FRA/deadlines?as_of=2026-01-01",
                           headers=auth(panel)).get_json()
    codes = {i["requirement"] for i in deadlines["items"]}
    assert "1540/R-general" in codes and "1673/R-2" in codes
    assert not codes & {"1977/R-3-comprehensive-review", "1977/R-4-programme-of-work",
                        "1977/R-9-annual-review", "2325/R-2-programme-of-work",
                        "2325/R-briefing", "2663/R-comprehensive-review"}
    ics = client.get("/api/v1/states/FRA/deadlines.ics?as_of=2026-01-01", headers=auth(panel))
    assert ics.status_code == 200
    text = ics.data.decode()
    assert "comprehensive-review" not in text and "programme-of-work" not in text
    assert "Regime 1540: Non-proliferation of weapons of mass destruction" in text


def test_a_resolution_asking_no_general_report_reads_truthfully(client, panel):
    body = client.get("/api/v1/compliance?resolution=1673&as_of=2007-01-01",
                      headers=auth(panel)).get_json()
    assert body["requirement"] is None
    assert {r["status"] for r in body["items"]} == {"no_report_requested"}
    assert body["summary"]["not_reported"] == 0
    r = client.get("/api/v1/summaries/resolutions/1673.pdf?as_of=2007-01-01",
                   headers=auth(panel))
    assert r.status_code == 200
    text = " ".join(pdf_pages(r.data))
    assert ("the resolution asks for no general report of every State, so the headline "
            "figures count no State as not reporting") in text
    assert "the resolution requests no national report of States" not in text
    assert "1673/R-2" in text and "1673/R-3" in text
    assert other_regime_words(text) == []


def test_a_state_profile_groups_its_regimes(client, panel, admin):
    assert post_report(client, admin, "FRA", 1540, REGIME_1540_OBLIGATIONS,
                       received_at="2004-10-01T09:00:00Z").status_code == 201
    r = client.get("/api/v1/summaries/states/FRA.html?as_of=2019-01-01", headers=auth(panel))
    assert r.status_code == 200
    html = r.data.decode()
    wmd = html.index("Regime 1540: Non-proliferation of weapons of mass destruction")
    dprk = html.index("Regime 1718: Democratic People")
    assert wmd < dprk
    assert html.index("S/RES/1540 (2004)", wmd) < dprk
    assert html.index("S/RES/2397 (2017)") > dprk
    one = client.get("/api/v1/summaries/states/FRA.html?as_of=2019-01-01&regime=1540",
                     headers=auth(panel))
    assert one.status_code == 200
    text = one.data.decode()
    assert "Regime 1540" in text and "Regime 1718" not in text
    assert "S/RES/2397" not in text
    assert "Findings of the group of experts" in text
    unknown = client.get("/api/v1/summaries/states/FRA.pdf?regime=1267", headers=auth(panel))
    assert unknown.status_code == 422
    assert [e["pointer"] for e in unknown.get_json()["errors"]] == ["regime"]


def test_incidents_filter_by_regime(client, panel):
    from tests.test_incidents import seizure

    created = client.post("/api/v1/incidents", json=seizure(), headers=auth(panel))
    assert created.status_code == 201, created.get_json()
    engaged = created.get_json()["obligations"]
    assert all(not code.startswith("1540/") for code in engaged)
    dprk = client.get("/api/v1/incidents?regime=1718", headers=auth(panel)).get_json()
    wmd = client.get("/api/v1/incidents?regime=1540", headers=auth(panel)).get_json()
    assert (dprk["total"], wmd["total"]) == (1, 0)
    unknown = client.get("/api/v1/incidents?regime=1267", headers=auth(panel))
    assert unknown.status_code == 422
    assert [e["pointer"] for e in unknown.get_json()["errors"]] == ["regime"]
