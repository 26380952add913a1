"""What the matrix and the summaries say is true for the data behind them: demo data kept
apart from real data and marked row by row, resolutions that request no report, the target
state of a regime, dates, ordering, rounding."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Report, ReportVersion
from app.services.compliance import median, name_key
from app.services.demo import demo_records
from tests.helpers import auth
from tests.test_summaries import pdf_pages


@pytest.fixture()
def demo(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output


def _matrix(client, token, query):
    r = client.get(f"/api/v1/compliance?{query}", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _row(matrix, iso3):
    return next(r for r in matrix["items"] if r["state"] == iso3)


# --- demo data never mixes with real data --------------------------------------------------

def test_a_real_report_after_demo_load_is_created_and_replaces_the_demo_one(
    app, client, runner, demo, make_token, panel, admin, report_body
):
    before = next(r for r in _matrix(client, panel, "resolution=2397")["items"] if r["demo"])
    state, demo_id = before["state"], before["report_id"]

    fra = make_token("reporter", state)
    # A reporter never sees demo data, even its own state's.
    assert client.get(f"/api/v1/reports/{demo_id}", headers=auth(fra)).status_code == 404
    assert client.get("/api/v1/reports", headers=auth(fra)).get_json()["total"] == 0
    r = client.put(f"/api/v1/reports/{demo_id}", json=report_body(),
                   headers=auth(fra, **{"If-Match": f'"{demo_id}.v1"'}))
    assert r.status_code == 404

    r = client.post("/api/v1/reports", json=report_body(state, 2397), headers=auth(fra))
    assert r.status_code == 201, r.get_json()
    real = r.get_json()
    assert real["demo"] is False and real["version"] == 1 and real["id"] != demo_id
    assert real["first_received_at"] == real["received_at"]

    after = _row(_matrix(client, panel, "resolution=2397"), state)
    assert (after["report_id"], after["demo"], after["version"]) == (real["id"], False, 1)
    # Even as of a date before the real report, the demo one no longer speaks for France.
    earlier = _row(_matrix(client, panel, "resolution=2397&as_of=2019-12-31"), state)
    assert earlier["status"] == "not_reported" and earlier["demo"] is None

    # Nobody amends demo data through the API, not even an admin.
    r = client.put(f"/api/v1/reports/{demo_id}", json=report_body(),
                   headers=auth(admin, **{"If-Match": f'"{demo_id}.v1"'}))
    assert r.status_code == 409
    assert "demo" in r.get_json()["detail"]

    result = runner.invoke(args=["demo", "unload"])
    assert result.exit_code == 0, result.output
    assert "removed" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)
                                 .where(Report.is_demo.is_(True))) == 0
        kept = db.session.scalars(select(Report)).all()
        assert [r.public_id for r in kept] == [real["id"]]
        assert db.session.scalar(select(func.count()).select_from(ReportVersion)) == 1
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"report.create", "demo.load", "demo.unload"} <= actions
    matrix = _matrix(client, panel, "resolution=2397")
    assert matrix["summary"]["reported"] == 1 and matrix["demo"] is False
    assert client.get(f"/api/v1/reports/{real['id']}", headers=auth(fra)).status_code == 200
    # Unloading again finds nothing to remove.
    assert "no demo data" in runner.invoke(args=["demo", "unload"]).output


def test_demo_load_skips_nothing_for_real_reports_and_is_safe_to_rerun(
    app, client, runner, admin, report_body, panel
):
    r = client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    assert r.status_code == 201
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    again = runner.invoke(args=["demo", "load"])
    assert "loaded already" in again.output
    row = _row(_matrix(client, panel, "resolution=2397"), "FRA")
    assert row["report_id"] == r.get_json()["id"] and row["demo"] is False


def test_demo_answers_live_apart_from_real_reports_of_the_same_requirement(
    app, client, runner, make_token, panel, admin
):
    """Real reports answering what demo reports answer (a stage, a period, a standing nil
    report) are no duplicates of them, are never hidden from their reporter by them and stay
    when the demo data goes."""
    with app.app_context():
        records = demo_records(db.session)
    midterm = next(r for r in records
                   if r.get("requirement") == "2397/R-8-midterm" and not r.get("nil"))
    periodic = next(r for r in records if r.get("period"))
    nil = next(r for r in records if r.get("nil") and r["requirement"] == "2397/R-5-refined")
    real = {}
    for record in (midterm, periodic, nil):
        body = {**record, "reference": "real", "language": "en"}
        r = client.post("/api/v1/reports", json=body, headers=auth(admin))
        assert r.status_code == 201, r.get_json()
        real[record["state"], record["requirement"]] = r.get_json()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0

    for (state, requirement), report in real.items():
        both = [r for r in client.get(f"/api/v1/reports?state={state}&resolution=2397"
                                      "&page_size=200", headers=auth(panel)).get_json()["items"]
                if r["requirement"] == requirement and r["period"] == report["period"]]
        assert sorted(r["demo"] for r in both) == [False, True]
        reporter = make_token("reporter", state)
        mine = client.get("/api/v1/reports?resolution=2397",
                          headers=auth(reporter)).get_json()["items"]
        assert [r["id"] for r in mine if r["requirement"] == requirement] == [report["id"]]
        demo_id = next(r["id"] for r in both if r["demo"])
        assert client.get(f"/api/v1/reports/{demo_id}",
                          headers=auth(reporter)).status_code == 404

    assert runner.invoke(args=["demo", "unload"]).exit_code == 0
    with app.app_context():
        kept = set(db.session.scalars(select(Report.public_id)))
        assert kept == {report["id"] for report in real.values()}
    for report in real.values():
        again = client.get(f"/api/v1/reports/{report['id']}", headers=auth(panel)).get_json()
        assert (again["requirement"], again["period"], again["nil"], again["version"],
                again["demo"]) == (report["requirement"], report["period"], report["nil"], 1,
                                   False)


def test_rows_say_real_demo_or_neither(client, demo, panel, admin, report_body):
    client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    matrix = _matrix(client, panel, "resolution=2397")
    values = {r["status"]: set() for r in matrix["items"]}
    for row in matrix["items"]:
        values[row["status"]].add(row["demo"])
    assert values["reported"] == {True, False}
    assert values["not_reported"] == {None}
    summary = matrix["summary"]
    assert summary["real"] == 1 and summary["demo"] == summary["reported"] - 1


def test_a_mixed_document_counts_real_and_demo_on_its_first_page(client, demo, panel, admin,
                                                                 report_body):
    r = client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    assert r.status_code == 201
    summary = _matrix(client, panel, "resolution=2397")["summary"]
    # The document shows the general report and a section per other requirement (stages,
    # periodic notifications, nil reports): it counts the demo reports of all of them.
    others = [a for q in client.get("/api/v1/resolutions/2397").get_json()[
        "reporting_requirements"] if q["code"] != "2397/R-general"
        for a in ([s["code"] for s in q["stages"]] if q["stages"] else [q["code"]])]
    demo = summary["demo"] + sum(_matrix(client, panel, f"requirement={code}")["summary"]["demo"]
                                 for code in others)
    assert demo > summary["demo"]
    pdf = client.get("/api/v1/summaries/resolutions/2397.pdf", headers=auth(panel))
    pages = pdf_pages(pdf.data)
    assert (f"CONTAINS DEMO DATA: 1 report shown is real and {demo} are synthetic "
            "demo data") in pages[0]
    assert all("CONTAINS DEMO DATA" in page for page in pages)
    annex = " ".join(pages[pages.index(next(p for p in pages if "Annex" in p)):])
    assert re.search(r"France \(FRA\) Western", annex)  # the real row carries no demo tag
    assert re.search(r"\(\w{3}\) DEMO", annex)  # demo rows do

    profile = client.get("/api/v1/summaries/states/FRA.pdf", headers=auth(panel))
    text = " ".join(pdf_pages(profile.data))
    assert "DEMO DATA: this report is synthetic" in text  # FRA's other demo reports
    section = text[text.index("S/RES/2397 (2017): complete"):]
    assert not section.startswith("S/RES/2397 (2017): complete, 100.0 DEMO DATA")


def test_a_document_without_demo_rows_has_no_demo_banner(client, panel, admin, report_body):
    client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    pages = pdf_pages(client.get("/api/v1/summaries/resolutions/2397.pdf",
                                 headers=auth(panel)).data)
    assert not any("DEMO" in page for page in pages)


def test_demo_reports_are_written_in_the_state_s_language(app, demo):
    with app.app_context():
        rows = db.session.execute(
            select(Report.state_id, ReportVersion.language)
            .join(ReportVersion, ReportVersion.report_id == Report.id)
        ).all()
        from app.models import MemberState
        iso = dict(db.session.execute(select(MemberState.id, MemberState.iso3)).all())
    languages: dict[str, set[str]] = {}
    for state_id, language in rows:
        languages.setdefault(iso[state_id], set()).add(language)
    expected = {"FRA": "fr", "JPN": "en", "RUS": "ru", "EGY": "ar", "CHN": "zh", "MEX": "es",
                "GBR": "en"}
    present = {k: v for k, v in expected.items() if k in languages}
    assert len(present) >= 5
    for state, language in present.items():
        assert languages[state] == {language}, state
    assert "PRK" not in languages


# --- applicability ---------------------------------------------------------------------------

@pytest.mark.parametrize("number", [1695, 2087, 2356])
def test_a_resolution_requesting_no_report_has_no_missing_states(client, panel, number):
    matrix = _matrix(client, panel, f"resolution={number}")
    assert {r["status"] for r in matrix["items"]} <= {"no_report_requested", "not_expected"}
    assert all(r["flags"] == [] and r["days_late"] is None and r["rating"] is None
               for r in matrix["items"])
    summary = matrix["summary"]
    assert (summary["expected"], summary["not_reported"]) == (0, 0)
    text = " ".join(pdf_pages(client.get(f"/api/v1/summaries/resolutions/{number}.pdf",
                                         headers=auth(panel)).data))
    assert "the resolution requests no national report" in text
    assert "States that have not reported" not in text
    assert "not reported" not in text.replace("no State is counted as not reporting", "")


def test_the_target_state_is_not_expected_to_report(client, panel, admin, report_body):
    matrix = _matrix(client, panel, "resolution=2270&as_of=2017-01-01")
    assert matrix["summary"]["expected"] == 192
    assert _row(matrix, "PRK")["status"] == "not_expected"
    # Its profile under its own regime; the 1540 regime, which has no target, asks it a
    # report like every State.
    text = " ".join(pdf_pages(client.get("/api/v1/summaries/states/PRK.pdf?regime=1718",
                                         headers=auth(panel)).data))
    assert "is the target of the 1718 regime" in text
    assert "not expected (target of the regime)" in text
    assert "not reported" not in text.replace("not counted as not reporting", "")
    every = " ".join(pdf_pages(client.get("/api/v1/summaries/states/PRK.pdf",
                                          headers=auth(panel)).data))
    assert "Regime 1540" in every and "S/RES/1540 (2004)" in every
    # Nor may anybody file a report for it under its own regime.
    r = client.post("/api/v1/reports", json=report_body("PRK", 2270), headers=auth(admin))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "/state"


@pytest.mark.parametrize("path", [
    "/api/v1/compliance?resolution=2397&as_of=2017-12-21",
    "/api/v1/summaries/resolutions/2397.pdf?as_of=2017-01-01",
    "/api/v1/summaries/resolutions/2397.html?as_of=2017-12-21",
])
def test_as_of_before_adoption_is_refused(client, panel, path):
    r = client.get(path, headers=auth(panel))
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert r.get_json()["errors"][0]["pointer"] == "as_of"
    assert "2017-12-22" in r.get_json()["errors"][0]["detail"]
    ok = client.get(path.replace("2017-12-21", "2017-12-22").replace("2017-01-01",
                                                                     "2017-12-22"),
                    headers=auth(panel))
    assert ok.status_code == 200


# --- the figures themselves ------------------------------------------------------------------

def test_weakest_reports_never_list_a_complete_report(client, panel, admin, report_body):
    client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    html = client.get("/api/v1/summaries/resolutions/2397.html", headers=auth(panel))
    text = html.get_data(as_text=True)
    weakest = text[text.index("Weakest reports"):text.index("Obligations most often")]
    assert "France" not in weakest
    assert "None: every report received is rated complete." in weakest
    thin = report_body("DEU", 2397)
    thin["entries"] = thin["entries"][:2]
    client.post("/api/v1/reports", json=thin, headers=auth(admin))
    text = client.get("/api/v1/summaries/resolutions/2397.html",
                      headers=auth(panel)).get_data(as_text=True)
    weakest = text[text.index("Weakest reports"):text.index("Obligations most often")]
    assert "Germany" in weakest and "France" not in weakest


def test_states_are_listed_by_name_and_the_chart_has_an_axis(client, panel, admin,
                                                            report_body):
    client.post("/api/v1/reports", json=report_body("FRA", 2397), headers=auth(admin))
    html = client.get("/api/v1/summaries/resolutions/2397.html",
                      headers=auth(panel)).get_data(as_text=True)
    missing = html[html.index("States that have not reported"):html.index("Annex")]
    assert missing.index("Cabo Verde") < missing.index("Cameroon")  # CPV after CMR
    annex = html[html.index("Annex"):]
    assert annex.index("Bahamas") < annex.index("Bulgaria") < annex.index("Côte d") < \
        annex.index("Croatia")
    chart = html[html.index("<svg"):html.index("</svg>")]
    assert ">Completeness</text>" in chart
    assert all(f">{tick}</text>" in chart for tick in (0, 40, 70, 90, 100))
    assert "1 report received by" in html


def test_one_rounding_for_every_figure():
    assert median([72.8, 72.9]) == 72.9  # 72.85: halves round up
    assert median([51.2, 51.3]) == 51.3
    assert median([10.0, 20.0, 30.0]) == 20.0
    assert median([]) is None


def test_names_sort_as_a_reader_expects():
    names = ["Bulgaria", "Bahamas", "Côte d'Ivoire", "Croatia", "Cuba", "Türkiye", "Turkmenistan"]
    assert sorted(names, key=name_key) == ["Bahamas", "Bulgaria", "Côte d'Ivoire", "Croatia",
                                           "Cuba", "Türkiye", "Turkmenistan"]


def test_an_unverified_deadline_is_shown_as_such(client, panel):
    unverified = _matrix(client, panel, "resolution=2397")
    verified = _matrix(client, panel, "resolution=2094")
    assert unverified["deadline_verified"] is False
    assert {r["deadline_verified"] for r in unverified["items"]} == {False}
    assert verified["deadline_verified"] is True
    assert {r["deadline_verified"] for r in verified["items"]} == {True}
    assert _matrix(client, panel, "resolution=2356")["deadline_verified"] is None
    caveat = "this deadline has not been confirmed against the resolution text"
    for number, shown in ((2397, True), (2094, False)):
        text = " ".join(pdf_pages(client.get(f"/api/v1/summaries/resolutions/{number}.pdf",
                                             headers=auth(panel)).data))
        assert (caveat in text) is shown, number
    profile = client.get("/api/v1/summaries/states/FRA.html",
                         headers=auth(panel)).get_data(as_text=True)
    assert "2018-03-22&nbsp;*" in profile and "2013-06-05&nbsp;*" not in profile
    assert "* Deadline not confirmed against the resolution text" in profile


def test_unverified_obligations_carry_a_dagger_in_state_profiles(client, panel, admin,
                                                                 report_body):
    detail = client.get("/api/v1/resolutions/2397").get_json()
    flags = {o["code"]: o["verified"] for o in detail["obligations"]}
    assert set(flags.values()) == {True, False}
    body = report_body("FRA", 2397)
    unverified = [c for c, v in flags.items() if not v]
    verified = [c for c, v in flags.items() if v]
    # Address one verified and one unverified obligation; leave the others unaddressed.
    body["entries"] = [e for e in body["entries"] if e["obligation"] in
                       (unverified[0], verified[0])]
    assert client.post("/api/v1/reports", json=body, headers=auth(admin)).status_code == 201
    html = client.get("/api/v1/summaries/states/FRA.html",
                      headers=auth(panel)).get_data(as_text=True)
    assert f"{unverified[0]}&nbsp;†" in html  # in the answers
    assert f"{verified[0]}&nbsp;†" not in html
    for code in unverified[1:]:
        assert f"{code}&nbsp;†" in html  # in the list of obligations not addressed
    text = " ".join(pdf_pages(client.get("/api/v1/summaries/states/FRA.pdf",
                                         headers=auth(panel)).data))
    assert f"{unverified[0]} †" in text


def test_the_readme_example_is_accepted_after_demo_load(client, runner, demo, make_token):
    """The README's quick start loads the demo data, then submits its example for France."""
    import json
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Submitting a report"):]
    body = json.loads(section[section.index("-d '") + 4:section.index("}]}'") + 3])
    key = re.search(r"Idempotency-Key: ([^\"]+)\"", section).group(1)
    token = make_token("reporter", body["state"])
    r = client.post("/api/v1/reports", json=body, headers=auth(token, **{"Idempotency-Key": key}))
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["demo"] is False
    result = runner.invoke(args=["demo", "unload"])
    assert result.exit_code == 0
    mine = client.get("/api/v1/reports", headers=auth(token)).get_json()
    assert [item["id"] for item in mine["items"]] == [r.get_json()["id"]]
