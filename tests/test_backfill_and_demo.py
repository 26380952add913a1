"""Historical backfill from files (all or nothing) and the demo data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Report, ReportVersion
from app.services.demo import state_language
from tests.helpers import auth


def _counts(app):
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Report)),
                db.session.scalar(select(func.count()).select_from(ReportVersion)))


def test_json_backfill_keeps_true_dates_and_builds_versions(app, client, runner, tmp_path,
                                                           report_body, make_token):
    records = [
        report_body("JPN", 2321, received_at="2017-02-20T00:00:00Z"),
        report_body("KOR", 2321, received_at="2017-03-10T00:00:00Z",
                    entries=[{"obligation": "2321/8", "status": "implemented"}]),
        report_body("KOR", 2321, received_at="2017-06-01T00:00:00Z"),
    ]
    path = tmp_path / "history.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["reports", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "stored 3 versions (2 new reports)" in result.output
    assert _counts(app) == (2, 3)
    panel = make_token("panel")
    matrix = client.get("/api/v1/compliance?resolution=2321&as_of=2017-03-31",
                        headers=auth(panel)).get_json()
    rows = {r["state"]: r for r in matrix["items"]}
    assert rows["JPN"]["on_time"] is True
    assert rows["KOR"]["days_late"] == 10 and rows["KOR"]["completeness"] < 10
    later = client.get("/api/v1/compliance?resolution=2321&as_of=2017-12-31",
                       headers=auth(panel)).get_json()
    kor = next(r for r in later["items"] if r["state"] == "KOR")
    assert kor["version"] == 2 and kor["completeness"] == 100.0 and kor["days_late"] == 10
    with app.app_context():
        actors = set(db.session.scalars(select(AuditEvent.actor)
                                        .where(AuditEvent.action.like("report.%"))))
        assert actors == {"command line"}


def test_one_bad_record_loads_nothing_and_is_named(app, runner, tmp_path, report_body):
    bad = report_body("KOR", 2321, received_at="2017-03-10T00:00:00Z")
    bad["entries"][2]["enforcement"]["seizures"] = -4
    records = [report_body("JPN", 2321, received_at="2017-02-20T00:00:00Z"), bad]
    path = tmp_path / "history.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["reports", "import", str(path)])
    assert result.exit_code != 0
    assert "nothing was loaded" in result.output
    assert "record 2" in result.output
    assert "/entries/2/enforcement/seizures" in result.output
    assert _counts(app) == (0, 0)


def test_a_conflict_inside_the_batch_loads_nothing(app, runner, tmp_path, report_body):
    records = [report_body("JPN", 2321, received_at="2017-05-20T00:00:00Z"),
               report_body("JPN", 2321, received_at="2017-02-20T00:00:00Z")]
    path = tmp_path / "history.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    result = runner.invoke(args=["reports", "import", str(path)])
    assert result.exit_code != 0
    assert "record 2" in result.output and "/received_at" in result.output
    assert _counts(app) == (0, 0)


def _write_csv(path, rows):
    columns = ["state", "resolution", "language", "reference", "dated", "received_at",
               "obligation", "status", "legal_basis", "competent_authority", "measures",
               "inspections", "seizures", "designations", "violations_reported",
               "evidence_title", "evidence_reference", "justification", "notes"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


def test_csv_backfill(app, client, runner, tmp_path, make_token):
    common = {"state": "FRA", "resolution": "2397", "language": "fr",
              "received_at": "2018-03-20T10:00:00Z", "dated": "2018-03-19"}
    rows = [
        {**common, "obligation": "2397/4", "status": "implemented",
         "legal_basis": "Règlement (UE) 2017/1509, article 16", "competent_authority": "Douanes",
         "measures": "Contrôles", "inspections": "4", "seizures": "0"},
        {**common, "obligation": "2397/u1", "status": "not_applicable",
         "justification": "Pas de droits de pêche, \"aucun\" échange"},
        {**common, "received_at": "2018-05-01T10:00:00Z", "obligation": "2397/4",
         "status": "implemented", "legal_basis": "Règlement (UE) 2017/1509",
         "competent_authority": "Douanes", "measures": "Contrôles renforcés",
         "inspections": "9", "evidence_title": "JO", "evidence_reference": "L 224"},
    ]
    path = tmp_path / "history.csv"
    _write_csv(path, rows)
    result = runner.invoke(args=["reports", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert _counts(app) == (1, 2)
    admin = make_token("admin")
    reports = client.get("/api/v1/reports?state=FRA", headers=auth(admin)).get_json()
    report_id = reports["items"][0]["id"]
    v1 = client.get(f"/api/v1/reports/{report_id}/versions/1", headers=auth(admin)).get_json()
    entries = v1["document"]["entries"]
    assert entries[0]["enforcement"] == {"inspections": 4, "seizures": 0, "designations": None,
                                         "violations_reported": None}
    assert entries[1]["justification"] == 'Pas de droits de pêche, "aucun" échange'
    assert v1["received_at"] == "2018-03-20T10:00:00+00:00"


def test_csv_errors_name_the_line(app, runner, tmp_path):
    rows = [{"state": "FRA", "resolution": "2397", "language": "fr",
             "received_at": "2018-03-20T10:00:00Z", "obligation": "2397/4",
             "status": "implemented", "inspections": "many"}]
    path = tmp_path / "bad.csv"
    _write_csv(path, rows)
    result = runner.invoke(args=["reports", "import", str(path)])
    assert result.exit_code != 0
    assert "line 2" in result.output and "/entries/0/enforcement/inspections" in result.output
    assert _counts(app) == (0, 0)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("country,resolution\nFRA,2397\n", encoding="utf-8")
    result = runner.invoke(args=["reports", "import", str(wrong)])
    assert result.exit_code != 0 and "columns missing" in result.output


def test_other_files_are_refused(runner, tmp_path):
    path = tmp_path / "history.txt"
    path.write_text("hello", encoding="utf-8")
    assert "give a .json or a .csv" in runner.invoke(args=["reports", "import", str(path)]).output
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    assert "not readable as JSON" in runner.invoke(
        args=["reports", "import", str(broken)]).output


def test_demo_data_is_realistic_and_marked(app, client, runner, make_token):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "demo report versions" in result.output
    again = runner.invoke(args=["demo", "load"])
    assert "loaded already" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Report)
                                 .where(Report.is_demo.is_(False))) == 0
    panel = make_token("panel")
    matrix = client.get("/api/v1/compliance?resolution=2270&as_of=2018-12-31",
                        headers=auth(panel)).get_json()
    assert matrix["demo"] is True
    reported = [r for r in matrix["items"] if r["reported"]]
    assert 60 <= len(reported) <= 140
    assert all(r["demo"] for r in reported)
    ratings = {r["rating"] for r in reported}
    assert {"complete", "incomplete"} <= ratings
    assert any(r["on_time"] for r in reported) and any(not r["on_time"] for r in reported)
    assert next(r for r in matrix["items"] if r["state"] == "PRK")["reported"] is False
    csv_text = client.get("/api/v1/compliance?resolution=2270&format=csv",
                          headers=auth(panel)).get_data(as_text=True)
    demo_column = {row["demo"] for row in csv.DictReader(io.StringIO(csv_text))}
    assert demo_column == {"true", ""}  # demo reports, and states without a report
    one = client.get(f"/api/v1/reports/{reported[0]['report_id']}",
                     headers=auth(panel)).get_json()
    assert one["demo"] is True


# --- demo answers to the requirements of 2397 other than its general report -------------

MIDTERM, FINAL, REFINED = "2397/R-8-midterm", "2397/R-8-final", "2397/R-5-refined"
DEMO_MARKS = {"en": "[demo]", "es": "[demo]", "fr": "[démo]", "ru": "[демо]",
              "ar": "[تجريبي]", "zh": "[演示]"}


def all_reports(client, token, query):
    """Every report the list gives for `query`, page after page."""
    items, page = [], 1
    while True:
        r = client.get(f"/api/v1/reports?{query}&page_size=200&page={page}",
                       headers=auth(token))
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        items += body["items"]
        if not body["items"] or len(items) >= body["total"]:
            return items
        page += 1


def _day(value):
    return dt.date.fromisoformat(value[:10])


def test_demo_answers_stages_periods_and_nil_reports_of_2397(client, runner, make_token):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    panel = make_token("panel")
    reports = all_reports(client, panel, "resolution=2397")
    assert reports and all(r["demo"] for r in reports)
    assert "PRK" not in {r["state"] for r in reports}
    adopted, today = dt.date(2017, 12, 22), dt.datetime.now(dt.UTC).date()
    for r in reports:  # received between the adoption and today, every version
        assert adopted <= _day(r["first_received_at"]) <= _day(r["received_at"]) <= today
    by = {code: [r for r in reports if r["requirement"] == code]
          for code in (MIDTERM, FINAL, REFINED)}

    # Midterm reports: about 47 States by the end of 2019, some on time and some late.
    midterm = by[MIDTERM]
    by_2019 = [r for r in midterm if _day(r["first_received_at"]) <= dt.date(2019, 12, 31)]
    assert 40 <= len(by_2019) <= 55 and len(midterm) > len(by_2019)
    assert {r["due"] for r in midterm} == {"2019-03-22"}
    assert {r["on_time"] for r in by_2019} == {True, False}
    # Final reports: fewer States, some on time and some late.
    final = by[FINAL]
    assert 10 <= len(final) < len(midterm)
    assert {r["due"] for r in final} == {"2020-03-22"}
    assert {r["on_time"] for r in final} == {True, False}
    for stage in (midterm, final):
        assert len({r["state"] for r in stage}) == len(stage)  # one report per State
        nil = [r for r in stage if r["nil"]]
        assert 2 <= len(nil) <= 8  # a handful
        assert all(r["completeness"] is None and r["rating"] is None for r in nil)

    # Refined-petroleum notifications: one or two suppliers, periods of the 30-day grid
    # from the adoption, with gaps, received after the period ends, some after it was due.
    notifications = [r for r in by[REFINED] if not r["nil"]]
    assert 10 <= len(notifications) <= 100
    suppliers = {r["state"] for r in notifications}
    assert 1 <= len(suppliers) <= 2
    last_periods = []
    for state in suppliers:
        own = sorted((r for r in notifications if r["state"] == state),
                     key=lambda r: r["period"]["from"])
        indexes = []
        for r in own:
            start, end = _day(r["period"]["from"]), _day(r["period"]["to"])
            index, rest = divmod((start - adopted).days, 30)
            assert rest == 0 and (end - start).days == 29
            assert r["due"] == (end + dt.timedelta(days=30)).isoformat()
            assert start < end < _day(r["first_received_at"])
            indexes.append(index)
        assert len(set(indexes)) == len(indexes)
        assert indexes[-1] - indexes[0] + 1 > len(indexes)  # periods missed
        last_periods.append(_day(own[-1]["period"]["to"]))
    assert {r["on_time"] for r in notifications} == {True, False}
    assert sum(r["on_time"] for r in notifications) > len(notifications) / 2
    if len(last_periods) == 2:  # one supplier stopped long before the other
        assert abs((last_periods[0] - last_periods[1]).days) > 180
    # Standing nil reports from States that supply none: no period, nothing due.
    standing = [r for r in by[REFINED] if r["nil"]]
    assert len(standing) >= 3 and not suppliers & {r["state"] for r in standing}
    assert all(r["period"] is None and r["due"] is None for r in standing)

    # Each in the State's language, nil reports justified in it, entries on the obligation
    # the requirement covers.
    for r in by[MIDTERM][:3] + by[FINAL][:2] + notifications[:3] + [
            r for r in reports if r["nil"]]:
        one = client.get(f"/api/v1/reports/{r['id']}", headers=auth(panel)).get_json()
        assert one["demo"] is True
        # Dated before its receipt, and after the period it notifies.
        dated, received = _day(one["dated"]), _day(one["first_received_at"])
        assert adopted <= dated <= received
        assert one["period"] is None or _day(one["period"]["to"]) <= dated
        assert one["language"] == state_language(r["state"])
        if one["nil"]:
            assert one["entries"] == [] and one["justification"].endswith(
                DEMO_MARKS[one["language"]])
        else:
            codes = {e["obligation"] for e in one["entries"]}
            assert codes == ({"2397/5"} if r["requirement"] == REFINED else {"2397/8"})
            assert one["justification"] is None


def test_demo_load_on_older_demo_data_adds_only_the_reports_missing(app, runner):
    """A database whose demo data holds only general reports (as loaded before) gets the
    answers to the other requirements from `demo load`, and nothing twice."""
    from app.services.demo import DEMO_PRINCIPAL, demo_records
    from app.services.reports import backfill

    with app.app_context():
        records = demo_records(db.session)
        general = [r for r in records if "requirement" not in r]
        backfill(db.session, DEMO_PRINCIPAL, general, demo=True)  # commits
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert f"stored {len(records) - len(general)} demo report versions" in result.output
    assert "loaded already" in runner.invoke(args=["demo", "load"]).output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportVersion)) == len(records)


def test_demo_answers_nothing_where_the_catalogue_lacks_the_requirements(app):
    from types import SimpleNamespace

    from app.models import MemberState, Resolution
    from app.services.demo import DEFAULT_SEED, demo_answers

    with app.app_context():
        resolution = db.session.scalar(select(Resolution).where(Resolution.number == 2397))
        states = list(db.session.scalars(select(MemberState)))
        assert len(demo_answers(resolution, states, DEFAULT_SEED)) > 100
        bare = SimpleNamespace(number=2397, regime=resolution.regime, reporting_requirements=[])
        assert demo_answers(bare, states, DEFAULT_SEED) == []


# --- the demo enforcement record --------------------------------------------------------

def _incidents(client, token):
    r = client.get("/api/v1/incidents?page_size=200", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_demo_incidents_give_every_signal_and_go_with_the_demo_data(client, runner,
                                                                      make_token):
    from app.incidents import imo_problem

    from .test_incidents import seizure

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    panel = make_token("panel")
    incidents = _incidents(client, panel)
    assert len(incidents) >= 4 and all(i["demo"] for i in incidents)
    for incident in incidents:
        assert incident["summary"].startswith("Synthetic demo incident, not a real event")
        assert all(v["name"].startswith("DEMO ") and imo_problem(v["imo"]) is None
                   for v in incident["vessels"])
        assert "PRK" not in incident["reported_by"] + incident["unreported_by"]
    # A designated vessel's port call that the port State never reported.
    call = next(i for i in incidents if i["kind"] == "port_call")
    port_state = next(p["state"] for p in call["parties"] if p["role"] == "port_state")
    assert call["recorded_by"] == "panel" and port_state in call["unreported_by"]
    assert call["obligations"] == ["2371/6"]
    # A seizure its inspecting State filed more than 30 days after the event.
    late = [i for i in incidents if i["filed_by"] and any(
        r["how"] == "filed" and r["days_after_event"] > 30 for r in i["reporting"])]
    assert late and late[0]["kind"] == "seizure"
    first = dt.date.fromisoformat(late[0]["first_recorded_at"][:10])
    assert (first - dt.date.fromisoformat(late[0]["occurred_on"])).days > 30
    # A seizure the Panel recorded that one party acknowledged and another did not.
    acknowledged = [i for i in incidents if i["recorded_by"] == "panel" and i["kind"] ==
                    "seizure" and i["reported_by"] and i["unreported_by"]]
    assert acknowledged
    assert [r["how"] for r in acknowledged[0]["reporting"]] == ["acknowledged"]
    # A seizure under an obligation for which the State's demo report declares none.
    undeclared = next(i for i in incidents if "declares no seizure" in i["summary"])
    state = next(p["state"] for p in undeclared["parties"] if p["role"] == "inspecting_state")
    (resolution,) = undeclared["resolutions"]
    (obligation,) = undeclared["obligations"]
    reports = client.get(f"/api/v1/reports?state={state}&resolution={resolution}",
                         headers=auth(panel)).get_json()["items"]
    (general,) = [r for r in reports if r["requirement"] == f"{resolution}/R-general"]
    report = client.get(f"/api/v1/reports/{general['id']}", headers=auth(panel)).get_json()
    assert report["demo"] is True and report["version"] == 1
    entry = next(e for e in report["entries"] if e["obligation"] == obligation)
    assert entry["enforcement"]["seizures"] == 0
    detail = client.get(f"/api/v1/resolutions/{resolution}").get_json()
    assert detail["adopted_on"] <= undeclared["occurred_on"] <= report["dated"]
    # The matrix reads both signals from the demo record.
    rows = client.get(f"/api/v1/compliance?resolution={resolution}",
                      headers=auth(panel)).get_json()["items"]
    row = next(r for r in rows if r["state"] == state)
    assert "inconsistent_with_record" in row["flags"] and row["demo_incidents"] >= 1
    assert any((i["obligation"], i["figure"], i["declared"]) == (obligation, "seizures", 0)
               and i["on_record"] >= 1 for i in row["inconsistencies"])
    rows = client.get("/api/v1/compliance?resolution=2371",
                      headers=auth(panel)).get_json()["items"]
    row = next(r for r in rows if r["state"] == port_state)
    assert row["unreported_incidents"] >= 1
    assert row["status"] not in ("reported", "not_reported") or (
        "unreported_involvement" in row["flags"])

    # Reporters never see demo incidents; a rerun adds none; unload removes them all and
    # only them.
    reporter = make_token("reporter", port_state)
    assert _incidents(client, reporter) == []
    assert "loaded already" in runner.invoke(args=["demo", "load"]).output
    assert len(_incidents(client, panel)) == len(incidents)
    real = client.post("/api/v1/incidents", json=seizure(), headers=auth(panel))
    assert real.status_code == 201, real.get_json()
    result = runner.invoke(args=["demo", "unload"])
    assert result.exit_code == 0 and f"{len(incidents)} demo incidents" in result.output
    assert [i["id"] for i in _incidents(client, panel)] == [real.get_json()["id"]]
    # The same seed gives the same demo record.
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    again = [i for i in _incidents(client, panel) if i["demo"]]
    assert sorted((i["kind"], i["occurred_on"], str(i["vessels"])) for i in again) == sorted(
        (i["kind"], i["occurred_on"], str(i["vessels"])) for i in incidents)


# --- the demo Panel findings ------------------------------------------------------------

def _findings(client, token):
    r = client.get("/api/v1/findings?page_size=100", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()["items"]


def test_demo_findings_show_the_right_of_reply_and_go_with_the_demo_data(app, client, runner,
                                                                         make_token):
    from .test_summaries import pdf_pages
    from .test_web import sign_in

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    panel = make_token("panel")
    findings = _findings(client, panel)
    assert len(findings) == 3 and all(f["demo"] for f in findings)
    assert all(f["text"].startswith("Synthetic demo finding:") for f in findings)
    by_status = {f["status"]: f for f in findings}
    assert set(by_status) == {"published", "shared", "draft"}
    today = dt.datetime.now(dt.UTC).date()

    # Published and contradicted: on the entry declaring no seizure, the demo seizure as
    # evidence, replied to in the State's language before publication.
    published = by_status["published"]
    assert published["assessment"] == "contradicted"
    assert published["subject"]["kind"] == "entry"
    assert published["subject"]["claim"]["enforcement"]["seizures"] == 0
    (evidence,) = published["evidence"]
    seizure = client.get(f"/api/v1/incidents/{evidence['incident']}",
                         headers=auth(panel)).get_json()
    assert seizure["demo"] is True and "declares no seizure" in seizure["summary"]
    assert published["state"] in [p["state"] for p in seizure["parties"]
                                  if p["role"] == "inspecting_state"]
    assert published["subject"]["obligation"] in seizure["obligations"]
    reply = published["reply"]
    assert reply["language"] == state_language(published["state"])
    assert published["shared_at"] < reply["received_at"] < published["published_at"]
    assert dt.date.fromisoformat(published["published_at"][:10]) <= today
    assert dt.date.fromisoformat(published["reply_due"]) >= dt.date.fromisoformat(
        published["shared_at"][:10])
    # Shared and unverifiable: another State's implementation; the window is open.
    shared = by_status["shared"]
    assert shared["assessment"] == "unverifiable" and shared["reply"] is None
    assert shared["subject"]["kind"] == "obligation" and shared["state"] != published["state"]
    assert dt.date.fromisoformat(shared["reply_due"]) > today
    # A draft, corroborated.
    assert by_status["draft"]["assessment"] == "corroborated"
    assert by_status["draft"]["shared_at"] is None

    # The web pages mark them.
    web = app.test_client()
    sign_in(web, panel)
    page = web.get("/ui/findings")
    assert page.status_code == 200 and page.data.count(b'class="demo-tag"') == 3
    detail = web.get(f"/ui/findings/{published['id']}")
    assert detail.status_code == 200 and b"demo-banner" in detail.data

    # The State's reporters never see them (as with demo reports).
    reporter = make_token("reporter", published["state"])
    assert _findings(client, reporter) == []
    assert client.get(f"/api/v1/findings/{published['id']}",
                      headers=auth(reporter)).status_code == 404
    assert _findings(client, make_token("reporter", shared["state"])) == []

    # The public profile of the contradicted State shows it, its reply and the demo mark.
    r = client.get(f"/api/v1/summaries/states/{published['state']}.pdf",
                   headers=auth(panel))
    assert r.status_code == 200
    text = " ".join(pdf_pages(r.data))
    head = text.index(f"Panel finding {published['id']} DEMO")
    assert "Synthetic demo finding:" in text[head:]
    # (Right-to-left and CJK text does not read back word for word from a PDF.)
    assert " ".join(reply["text"].split()) in text[head:] or reply["language"] in ("ar", "zh")
    assert "Reply of" in text[head:]

    # A rerun adds none; unload removes them with the rest of the demo data.
    assert "loaded already" in runner.invoke(args=["demo", "load"]).output
    assert len(_findings(client, panel)) == 3
    result = runner.invoke(args=["demo", "unload"])
    assert result.exit_code == 0 and "3 demo findings" in result.output, result.output
    assert _findings(client, panel) == []
    # The same seed gives the same findings again.
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    again = _findings(client, panel)
    assert sorted((f["status"], f["state"], f["subject"]["kind"]) for f in again) == sorted(
        (f["status"], f["state"], f["subject"]["kind"]) for f in findings)
