"""Historical backfill from files (all or nothing) and the demo data."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, Report, ReportVersion
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
