"""The compliance matrix and state profiles by reporting requirement: stages, periodic
notifications with missed periods, nil reports, requirements that ask nothing."""

from __future__ import annotations

import csv
import io

import pytest

from tests.helpers import auth, full_entry

MIDTERM = "2397/R-8-midterm"
REFINED = "2397/R-5-refined"


@pytest.fixture()
def file(client, admin):
    """`file("JPN", MIDTERM, "2019-03-01T10:00:00Z", nil=True, period=...)`"""
    obligations = {}

    def run(state, requirement, received_at, *, nil=False, **fields):
        number = int(requirement.split("/")[0])
        if number not in obligations:
            detail = client.get(f"/api/v1/resolutions/{number}").get_json()
            obligations[number] = {o["code"]: o for o in detail["obligations"]}
            obligations[number]["_requirements"] = {
                q["code"]: q for q in detail["reporting_requirements"]}
        reqs = obligations[number]["_requirements"]
        parent = next(q for q in reqs.values()
                      if q["code"] == requirement
                      or any(s["code"] == requirement for s in q["stages"] or []))
        body = {"state": state, "resolution": number, "requirement": requirement,
                "language": "en", "received_at": received_at, **fields}
        if nil:
            body.update(nil=True, justification="No DPRK nationals work in our jurisdiction.")
        else:
            body["entries"] = [full_entry(obligations[number][code])
                               for code in parent["obligations"]]
        r = client.post("/api/v1/reports", json=body, headers=auth(admin))
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    return run


def _matrix(client, token, query):
    r = client.get(f"/api/v1/compliance?{query}", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _row(matrix, iso3):
    return next(r for r in matrix["items"] if r["state"] == iso3)


def test_the_midterm_matrix_counts_filed_on_time_late_nil_and_not_filed(client, panel, file):
    file("JPN", MIDTERM, "2019-03-01T10:00:00Z")  # on time (due 2019-03-22)
    file("FRA", MIDTERM, "2019-03-22T23:00:00Z")  # on time, the last day
    file("DEU", MIDTERM, "2019-06-01T10:00:00Z")  # late
    file("ISL", MIDTERM, "2019-02-01T10:00:00Z", nil=True)  # nil, on time
    file("NZL", MIDTERM, "2019-05-01T10:00:00Z", nil=True)  # nil, late
    file("ITA", MIDTERM, "2020-01-15T10:00:00Z")  # after the cut-off: not counted
    file("ESP", "2397/R-8-final", "2019-12-01T10:00:00Z")  # another stage
    matrix = _matrix(client, panel, f"requirement={MIDTERM}&as_of=2019-12-31")
    assert (matrix["requirement"], matrix["kind"], matrix["deadline"]) == (MIDTERM, "staged",
                                                                          "2019-03-22")
    assert matrix["deadline_verified"] is True
    assert matrix["applies_to"] == "States in whose jurisdiction DPRK nationals earn income"
    summary = matrix["summary"]
    assert (summary["expected"], summary["reported"], summary["on_time"], summary["late"],
            summary["nil"], summary["not_reported"]) == (192, 5, 3, 2, 2, 187)
    assert _row(matrix, "DEU")["flags"] == ["late"] and _row(matrix, "DEU")["days_late"] == 71
    nil = _row(matrix, "ISL")
    assert (nil["status"], nil["nil"], nil["completeness"], nil["rating"], nil["flags"]) == (
        "reported", True, None, None, [])
    assert _row(matrix, "NZL")["flags"] == ["late"]
    assert _row(matrix, "ITA")["status"] == "not_reported"
    assert _row(matrix, "ESP")["status"] == "not_reported"
    assert _row(matrix, "JPN")["requirement"] == MIDTERM
    # The same rows as CSV, and the filters.
    text = client.get(f"/api/v1/compliance?requirement={MIDTERM}&as_of=2019-12-31&format=csv",
                      headers=auth(panel)).get_data(as_text=True)
    rows = {r["state"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["ISL"]["nil"] == "true" and rows["ISL"]["completeness"] == ""
    late = _matrix(client, panel, f"requirement={MIDTERM}&as_of=2019-12-31&flag=late")
    assert {r["state"] for r in late["items"]} >= {"DEU", "NZL"}
    # `resolution=2397` keeps meaning the general report: none of these count there.
    general = _matrix(client, panel, "resolution=2397&as_of=2019-12-31")
    assert general["requirement"] == "2397/R-general"
    assert general["summary"]["reported"] == 0


def test_a_supplier_s_missed_periods(client, panel, file):
    # Periods of 30 days from 2017-12-22; each due 30 days after it ends.
    for start, end, received in [("2017-12-22", "2018-01-20", "2018-01-25T09:00:00Z"),
                                 ("2018-01-21", "2018-02-19", "2018-02-25T09:00:00Z"),
                                 # 2018-02-20 to 2018-03-21: missed
                                 ("2018-03-22", "2018-04-20", "2018-06-01T09:00:00Z")]:
        file("CHN", REFINED, received, period={"from": start, "to": end})
    file("FRA", REFINED, "2018-01-10T09:00:00Z", nil=True)
    matrix = _matrix(client, panel, f"requirement={REFINED}&as_of=2018-06-30")
    china = _row(matrix, "CHN")
    # Ended by 2018-06-30: the first six periods (the sixth ends 2018-06-19).
    assert (china["periods_ended"], china["periods_filed"], china["periods_missed"]) == (6, 3, 2)
    assert china["missed_periods"] == [
        {"from": "2018-02-20", "to": "2018-03-21", "due": "2018-04-20"},
        {"from": "2018-04-21", "to": "2018-05-20", "due": "2018-06-19"},
    ]
    # The third notification came after its due date (2018-05-20): late.
    assert china["flags"] == ["late", "missed_periods"]
    assert _row(matrix, "FRA")["nil"] is True and _row(matrix, "FRA")["flags"] == []
    # A state that never notified is not flagged: nobody knows whether it supplies.
    deu = _row(matrix, "DEU")
    assert (deu["status"], deu["flags"], deu["rating"]) == ("not_reported", [], None)
    # The supplier's profile lists the requirement with its missed periods.
    profile = client.get("/api/v1/compliance/states/CHN?as_of=2018-06-30",
                         headers=auth(panel)).get_json()
    refined = next(r for r in profile["requirements"] if r["requirement"] == REFINED)
    assert refined["periods_missed"] == 2 and "missed_periods" in refined["flags"]
    codes = [r["requirement"] for r in profile["requirements"]]
    assert {MIDTERM, "2397/R-8-final", "2397/R-4-crude", "2397/R-6-contracts",
            "2094/R-17-refusal"} <= set(codes)
    text = client.get("/api/v1/compliance?requirement=2397/R-5-refined&as_of=2018-06-30"
                      "&format=csv", headers=auth(panel)).get_data(as_text=True)
    rows = {r["state"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows["CHN"]["missed_periods"] == "2018-02-20/2018-03-21;2018-04-21/2018-05-20"


def test_a_requirement_s_matrix_is_reproducible_as_of_a_date(client, panel, file):
    file("CHN", REFINED, "2018-01-25T09:00:00Z", period={"from": "2017-12-22",
                                                         "to": "2018-01-20"})
    early = _row(_matrix(client, panel, f"requirement={REFINED}&as_of=2018-02-19"), "CHN")
    # The second period has ended but its notification is not due until 2018-03-21.
    assert (early["periods_ended"], early["periods_missed"], early["flags"]) == (2, 0, [])
    due_day = _row(_matrix(client, panel, f"requirement={REFINED}&as_of=2018-03-21"), "CHN")
    assert due_day["periods_missed"] == 0
    later = _row(_matrix(client, panel, f"requirement={REFINED}&as_of=2018-03-22"), "CHN")
    assert later["periods_missed"] == 1 and later["flags"] == ["missed_periods"]


@pytest.mark.parametrize(("query", "status", "pointer"), [
    ("requirement=2397/R-8", 422, "requirement"),
    ("requirement=2397/R-nothing", 404, "requirement"),
    ("requirement=9999/R-general", 404, "requirement"),
    ("requirement=2397/R-general&resolution=2270", 422, "requirement"),
    ("as_of=2019-01-01", 422, "resolution"),
])
def test_bad_requirement_queries(client, panel, query, status, pointer):
    r = client.get(f"/api/v1/compliance?{query}", headers=auth(panel))
    assert r.status_code == status
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["errors"][0]["pointer"] == pointer


@pytest.mark.parametrize("number", [1695, 2087, 2356])
def test_a_resolution_requesting_no_report_says_so_in_profiles_too(client, panel, number):
    profile = client.get("/api/v1/compliance/states/FRA", headers=auth(panel)).get_json()
    row = next(r for r in profile["items"] if r["resolution"] == number)
    assert (row["status"], row["requirement"], row["flags"]) == ("no_report_requested", None,
                                                                 [])
    assert not [r for r in profile["requirements"] if r["resolution"] == number]
    matrix = _matrix(client, panel, f"resolution={number}")
    assert matrix["requirement"] is None
    assert {r["status"] for r in matrix["items"]} <= {"no_report_requested", "not_expected"}


def test_on_event_reports_in_the_matrix(client, panel, admin, file):
    file("NLD", "2094/R-17-refusal", "2018-05-11T09:00:00Z", event_on="2018-05-01")
    file("NLD", "2094/R-17-refusal", "2018-09-11T09:00:00Z", event_on="2018-09-01")
    matrix = _matrix(client, panel, "requirement=2094/R-17-refusal&as_of=2018-12-31")
    nld = _row(matrix, "NLD")
    assert (nld["events"], nld["days_from_event"], nld["on_time"]) == (2, 10, None)
    assert _row(matrix, "FRA")["flags"] == []


def _pdf_text(client, token, path):
    from tests.test_summaries import pdf_pages

    r = client.get(path, headers=auth(token))
    assert r.status_code == 200
    return " ".join(" ".join(page.split()) for page in pdf_pages(r.data))


def test_the_resolution_summary_has_a_section_per_stage_and_periodic_requirement(
        client, panel, file):
    file("JPN", MIDTERM, "2019-03-01T10:00:00Z")
    file("DEU", MIDTERM, "2019-06-01T10:00:00Z")
    file("ISL", MIDTERM, "2019-02-01T10:00:00Z", nil=True)
    for start, end, received in [("2017-12-22", "2018-01-20", "2018-01-25T09:00:00Z"),
                                 ("2018-02-20", "2018-03-21", "2018-03-25T09:00:00Z")]:
        file("CHN", REFINED, received, period={"from": start, "to": end})
    text = _pdf_text(client, panel, "/api/v1/summaries/resolutions/2397.pdf?as_of=2018-06-30")
    assert "Midterm report (2397/R-8-midterm, para. 8)" in text
    assert "Final report (2397/R-8-final, para. 8)" in text
    assert "Notifications every 30 days (2397/R-5-refined, para. 5)" in text
    # As of 2018-06-30 nobody had filed the midterm report yet; China had notified twice and
    # missed the periods since (three spans of consecutive periods merged into two).
    assert "China (CHN) complete 2018-03-25 2 of 6" in text
    assert "2018-01-21 to 2018-02-19; 2018-03-22 to 2018-05-20 (2 periods)" in text
    assert "a rule of this service, not a date read in the resolution" in text
    text = _pdf_text(client, panel, "/api/v1/summaries/resolutions/2397.pdf?as_of=2019-12-31")
    midterm = text[text.index("Midterm report (2397/R-8-midterm"):
                   text.index("Final report (2397/R-8-final")]
    # Filed, on time, late, nil, not filed.
    assert "Due 2019-03-22." in midterm
    assert "3 2 1 1 189" in midterm
    assert "Iceland (ISL) nil report 2019-02-01" in midterm
    assert "Germany (DEU) complete 2019-06-01 71" in midterm


def test_the_state_profile_lists_every_requirement_with_missed_periods(client, panel, file):
    for start, end, received in [("2017-12-22", "2018-01-20", "2018-01-25T09:00:00Z"),
                                 ("2018-03-22", "2018-04-20", "2018-04-25T09:00:00Z")]:
        file("CHN", REFINED, received, period={"from": start, "to": end})
    text = _pdf_text(client, panel, "/api/v1/summaries/states/CHN.pdf?as_of=2018-06-30")
    assert "Every reporting requirement" in text
    assert "2 of 6 filed; missed: 2018-01-21 to 2018-03-21 (2 periods)" in text
    for code in ("2397/R-8- midterm", "2397/R-4- crude", "2094/R-17- refusal"):
        assert code.replace(" ", "") in text.replace(" ", "")
