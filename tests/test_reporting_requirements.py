"""Reporting requirements in the catalogue: loaded by `catalogue load`, due dates computed,
shown with each resolution; obligations carry in_force_from and superseded_by."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from app.catalogue import DATA_DIR
from app.extensions import db
from app.models import ReportingRequirement, RequirementStage
from app.models.catalogue import add_months, due_date
from tests.helpers import edit_json

DPRK = DATA_DIR / "regimes" / "1718-dprk.json"





def _res(doc, number):
    return next(r for r in doc["resolutions"] if r["number"] == number)


def _ob(doc, code):
    return next(o for r in doc["resolutions"] for o in r["obligations"] if o["code"] == code)


# --- due dates: one pure function --------------------------------------------------------

def test_whole_months_keep_the_day_or_take_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2017, 12, 22), 15) == dt.date(2019, 3, 22)
    assert add_months(dt.date(2017, 12, 22), 27) == dt.date(2020, 3, 22)
    assert add_months(dt.date(2016, 11, 30), 3) == dt.date(2017, 2, 28)
    assert add_months(dt.date(2020, 1, 31), 1) == dt.date(2020, 2, 29)
    assert add_months(dt.date(2017, 12, 31), 12) == dt.date(2018, 12, 31)
    assert due_date(dt.date(2017, 12, 22), days=90) == dt.date(2018, 3, 22)
    assert due_date(dt.date(2017, 12, 22)) is None


def test_computed_due_dates_equal_the_compiled_ones():
    """Every `due` written in the data (copied from the compiled reference) is the one the
    service computes from the adoption date."""
    doc = json.loads(DPRK.read_text(encoding="utf-8"))
    checked = 0
    for res in doc["resolutions"]:
        adopted = dt.date.fromisoformat(res["adopted_on"])
        for req in res["reporting_requirements"]:
            if req["kind"] == "once":
                computed = due_date(adopted, days=req["due_days_after_adoption"])
                assert computed == dt.date.fromisoformat(req["due"]), req["code"]
                checked += 1
            for stage in req["stages"] or []:
                computed = due_date(adopted, months=stage["months_after_adoption"])
                assert computed == dt.date.fromisoformat(stage["due"]), stage["code"]
                checked += 1
    assert checked == 12  # 10 once requirements and 2 stages


# --- loading -----------------------------------------------------------------------------

def test_the_load_stores_37_requirements_18_verified_and_their_stages(app):
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(ReportingRequirement))
        verified = db.session.scalar(select(func.count()).select_from(ReportingRequirement)
                                     .where(ReportingRequirement.verified.is_(True)))
        stages = db.session.scalars(select(RequirementStage.code)
                                    .order_by(RequirementStage.position)).all()
        db.session.remove()
    # 16 of the 1718 regime (8 verified) and 21 of the 1540 regime (10 verified)
    assert (total, verified) == (37, 18)
    assert stages == ["2397/R-8-midterm", "2397/R-8-final"]


def test_a_changed_requirement_is_reported_and_a_rerun_changes_nothing(migrated, data_copy):
    runner = migrated.test_cli_runner()
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0

    def change(doc):
        reqs = _res(doc, 2397)["reporting_requirements"]
        refined = next(q for q in reqs if q["code"] == "2397/R-5-refined")
        refined["period_days"] = 31
        refined["obligations"] = ["2397/5", "2397/4"]
        reqs[1]["stages"][0]["name"] = "interim"

    edit_json(data_copy / "regimes" / "1718-dprk.json", change)
    args = ["catalogue", "load", "--path", str(data_copy)]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "changed: 2" in result.output and "added: 0" in result.output
    assert ("reporting requirement 2397/R-5-refined (period_days: 30 -> 31, "
            "named_obligations)") in result.output
    assert 'stage 2397/R-8-midterm (name: "midterm" -> "interim")' in result.output
    again = runner.invoke(args=args)
    assert "added: 0" in again.output and "changed: 0" in again.output
    body = migrated.test_client().get("/api/v1/resolutions/2397").get_json()
    refined = next(q for q in body["reporting_requirements"] if q["code"] == "2397/R-5-refined")
    assert refined["period_days"] == 31 and refined["obligations"] == ["2397/4", "2397/5"]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _res(d, 2397)["reporting_requirements"][1]["stages"][0].update(
            months_after_adoption=0),
         "/resolutions/10/reporting_requirements/1/stages/0/months_after_adoption"),
        (lambda d: _res(d, 2397)["reporting_requirements"][1]["stages"][0].update(
            months_after_adoption=1.5),
         "/resolutions/10/reporting_requirements/1/stages/0/months_after_adoption"),
        (lambda d: _res(d, 2397)["reporting_requirements"][0].update(period_days=30),
         "/resolutions/10/reporting_requirements/0/period_days: must be null for kind 'once'"),
        (lambda d: _res(d, 2397)["reporting_requirements"][3].update(period_days=None),
         "/resolutions/10/reporting_requirements/3/period_days: required for kind 'periodic'"),
        (lambda d: _res(d, 2397)["reporting_requirements"][3].update(obligations=["1540/1"]),
         "/resolutions/10/reporting_requirements/3/obligations/0: 1540/1 is not an obligation "
         "of resolution 2397 or of an earlier resolution of its regime"),
        (lambda d: _res(d, 2375)["reporting_requirements"][0].update(obligations=["2397/4"]),
         "/resolutions/9/reporting_requirements/0/obligations/0: 2397/4 is not an obligation "
         "of resolution 2375 or of an earlier resolution of its regime"),
        (lambda d: _res(d, 2397)["reporting_requirements"][1]["stages"][1].update(
            code="2397/R-8-midterm"),
         "/resolutions/10/reporting_requirements/1/stages/1/code"),
        (lambda d: _res(d, 2397)["reporting_requirements"][1]["stages"][1].update(
            due="2020-03-21"),
         "/resolutions/10/reporting_requirements/1/stages/1/due"),
        (lambda d: _ob(d, "2375/14")["superseded_by"].update(code="2397/99"),
         "/resolutions/9/obligations/4/superseded_by/code: 2397/99 is not another obligation"),
        (lambda d: _ob(d, "2375/14")["superseded_by"].update(on="2017-01-01"),
         "/resolutions/9/obligations/4/superseded_by/on: before the obligation entered"),
        (lambda d: _ob(d, "2375/14")["superseded_by"].pop("verified"),
         "/resolutions/9/obligations/4/superseded_by/verified"),
    ],
)
def test_a_bad_requirement_or_supersession_loads_nothing_and_names_its_pointer(
    migrated, data_copy, change, message
):
    edit_json(data_copy / "regimes" / "1718-dprk.json", change)
    result = migrated.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)]
    )
    assert result.exit_code != 0
    assert "nothing was loaded" in result.output
    assert message in result.output
    with migrated.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportingRequirement)) == 0
        db.session.remove()


# --- the API -----------------------------------------------------------------------------

def test_2397_lists_its_requirements_with_computed_due_dates(client):
    body = client.get("/api/v1/resolutions/2397").get_json()
    reqs = {q["code"]: q for q in body["reporting_requirements"]}
    assert list(reqs) == ["2397/R-general", "2397/R-8", "2397/R-4-crude", "2397/R-5-refined",
                          "2397/R-6-contracts"]
    general = reqs["2397/R-general"]
    assert (general["kind"], general["due"], general["verified"]) == ("once", "2018-03-22", False)
    assert general["stages"] is None and general["period_days"] is None
    assert general["applies_to"] == "all"
    assert general["obligations"] == [o["code"] for o in body["obligations"]]
    staged = reqs["2397/R-8"]
    assert (staged["kind"], staged["due"], staged["verified"]) == ("staged", None, True)
    assert staged["stages"] == [
        {"code": "2397/R-8-midterm", "name": "midterm", "months_after_adoption": 15,
         "due": "2019-03-22"},
        {"code": "2397/R-8-final", "name": "final", "months_after_adoption": 27,
         "due": "2020-03-22"},
    ]
    assert staged["obligations"] == ["2397/8"]
    refined = reqs["2397/R-5-refined"]
    assert (refined["kind"], refined["period_days"], refined["due"]) == ("periodic", 30, None)
    assert refined["applies_to"] == "States that supply refined petroleum to the DPRK"
    assert refined["obligations"] == ["2397/5"]
    assert general["addressed_to"] == "states"
    assert set(general) == {"code", "paragraph", "kind", "due", "stages", "period_days",
                            "trigger", "applies_to", "addressed_to", "binding", "verified",
                            "source",
                            "verification_note", "obligations"}


def test_an_on_event_requirement_names_its_trigger(client):
    body = client.get("/api/v1/resolutions/2094").get_json()
    refusal = next(q for q in body["reporting_requirements"]
                   if q["code"] == "2094/R-17-refusal")
    assert refusal["kind"] == "on_event" and refusal["trigger"]
    assert refusal["due"] is None and refusal["stages"] is None


@pytest.mark.parametrize("number", [1695, 2087, 2356])
def test_resolutions_that_ask_for_no_report_list_no_requirement(client, number):
    assert client.get(f"/api/v1/resolutions/{number}").get_json()["reporting_requirements"] == []


def test_obligations_say_when_they_entered_into_force_and_what_replaced_them(client):
    r2375 = {o["code"]: o for o in client.get("/api/v1/resolutions/2375").get_json()["obligations"]}
    replaced = r2375["2375/14"]["superseded_by"]
    assert {k: replaced[k] for k in ("code", "on")} == {"code": "2397/5", "on": "2018-01-01"}
    # Inferred from the two paragraphs, not read in the text: the API says so.
    assert replaced["verified"] is False and replaced["source"] and replaced["note"]
    assert r2375["2375/14"]["in_force_from"] == "2017-09-11"
    assert r2375["2375/15"]["superseded_by"] is None
    r2397 = {o["code"]: o for o in client.get("/api/v1/resolutions/2397").get_json()["obligations"]}
    assert r2397["2397/5"]["superseded_by"] is None
    assert r2397["2397/5"]["in_force_from"] == "2017-12-22"
    r2094 = {o["code"]: o for o in client.get("/api/v1/resolutions/2094").get_json()["obligations"]}
    replaced = r2094["2094/12"]["superseded_by"]
    assert (replaced["code"], replaced["on"], replaced["verified"]) == ("2270/33", "2016-03-02",
                                                                       False)


def test_the_openapi_document_describes_requirements_and_supersession(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    obligation = schemas["Obligation"]["properties"]
    assert obligation["superseded_by"]["nullable"] is True
    assert obligation["superseded_by"]["allOf"] == [{"$ref": "#/components/schemas/Supersession"}]
    assert obligation["in_force_from"]["format"] == "date"
    detail = schemas["ResolutionDetail"]["properties"]["reporting_requirements"]
    assert detail["items"] == {"$ref": "#/components/schemas/ReportingRequirement"}
    requirement = schemas["ReportingRequirement"]["properties"]
    assert requirement["kind"]["enum"] == ["once", "staged", "periodic", "on_event"]
    assert requirement["obligations"]["items"] == {"type": "string"}
    assert requirement["stages"]["items"] == {"$ref": "#/components/schemas/Stage"}
