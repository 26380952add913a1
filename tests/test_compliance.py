"""The compliance matrix: 193 rows, timeliness, flags, as-of snapshots, CSV."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import event, update

from app.extensions import db
from app.models import MemberState
from tests.helpers import auth


def _matrix(client, token, query):
    r = client.get(f"/api/v1/compliance?{query}", headers=auth(token))
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def _row(matrix, iso3):
    return next(row for row in matrix["items"] if row["state"] == iso3)


@pytest.mark.parametrize(
    "number, deadline",
    [(1718, "2006-11-13"), (1874, "2009-07-27"), (2094, "2013-06-05"),
     (2270, "2016-05-31"), (2321, "2017-02-28"), (2371, "2017-11-03"),
     (2375, "2017-12-10"), (2397, "2018-03-22"), (1695, None), (2087, None), (2356, None)],
)
def test_deadlines_of_the_real_resolutions(client, panel, number, deadline):
    matrix = _matrix(client, panel, f"resolution={number}")
    assert matrix["deadline"] == deadline
    assert all(row["deadline"] == deadline for row in matrix["items"])


def test_every_member_state_has_a_row(client, panel):
    matrix = _matrix(client, panel, "resolution=2397&as_of=2018-06-30")
    assert matrix["total"] == len(matrix["items"]) == 193
    assert matrix["summary"] == {
        "states": 193, "expected": 192, "reported": 0, "on_time": 0, "late": 0,
        "not_reported": 192, "no_report_requested": 0, "not_expected": 1, "real": 0, "demo": 0,
        "median_completeness": None, "nil": 0,
    }
    row = _row(matrix, "FRA")
    assert row == {
        "state": "FRA", "name": "France", "un_group": "Western European and Others",
        "resolution": 2397, "status": "not_reported", "deadline": "2018-03-22",
        "deadline_verified": False, "reported": False, "report_id": None,
        "version": None, "received_at": None, "first_received_at": None, "on_time": False,
        "days_late": 100, "completeness": None, "rating": "not_reported",
        "flags": ["not_reported", "late"], "demo": None, "requirement": "2397/R-general",
        "nil": None, "periods_ended": None, "periods_filed": None, "periods_missed": None,
        "missed_periods": None, "events": None, "days_from_event": None,
        "incidents": 0, "unreported_incidents": 0, "demo_incidents": 0, "inconsistencies": [],
        "contradicted": None,
    }
    assert matrix["demo"] is False
    assert (matrix["requirement"], matrix["kind"], matrix["applies_to"]) == (
        "2397/R-general", "once", "all")
    # The target of the regime is not expected to report, so never flagged.
    prk = _row(matrix, "PRK")
    assert prk["status"] == "not_expected"
    assert (prk["flags"], prk["rating"], prk["days_late"], prk["on_time"]) == ([], None, None,
                                                                              None)
    # Rows come in the order of state names, as a reader looks them up.
    names = [r["name"] for r in matrix["items"]]
    assert names.index("Bahamas") < names.index("Bulgaria")
    assert names.index("Côte d'Ivoire") < names.index("Croatia")


def test_before_the_deadline_a_missing_report_is_not_late(client, panel):
    row = _row(_matrix(client, panel, "resolution=2397&as_of=2018-03-22"), "FRA")
    assert row["flags"] == ["not_reported"] and row["on_time"] is None
    row = _row(_matrix(client, panel, "resolution=2397&as_of=2018-03-23"), "FRA")
    assert row["flags"] == ["not_reported", "late"] and row["days_late"] == 1


def test_on_time_on_the_deadline_late_the_day_after(client, panel, submit):
    submit("JPN", 2321, "2017-02-28T23:59:59Z")
    submit("KOR", 2321, "2017-03-01T00:00:00Z")
    submit("CHN", 2321, "2017-02-28T20:00:00-05:00")  # 1 March in UTC
    matrix = _matrix(client, panel, "resolution=2321&as_of=2017-12-31")
    assert (_row(matrix, "JPN")["on_time"], _row(matrix, "JPN")["days_late"]) == (True, 0)
    assert (_row(matrix, "KOR")["on_time"], _row(matrix, "KOR")["days_late"]) == (False, 1)
    assert "late" in _row(matrix, "KOR")["flags"]
    assert _row(matrix, "CHN")["on_time"] is False
    summary = matrix["summary"]
    assert {k: summary[k] for k in ("states", "expected", "reported", "on_time", "late",
                                    "not_reported")} == {
        "states": 193, "expected": 192, "reported": 3, "on_time": 1, "late": 2,
        "not_reported": 189}


def test_as_of_counts_only_what_was_received_by_the_end_of_that_day(
    client, panel, admin, submit, report_body
):
    created = submit("FRA", 2397, "2018-06-30T23:59:59Z")
    submit("DEU", 2397, "2018-07-01T00:00:00Z")
    thinner = report_body("FRA", 2397, received_at="2018-09-01T09:00:00Z")
    thinner["entries"] = thinner["entries"][:2]
    r = client.put(created["links"]["self"], json=thinner,
                   headers=auth(admin, **{"If-Match": f'"{created["id"]}.v1"'}))
    assert r.status_code == 200, r.get_json()

    june = _matrix(client, panel, "resolution=2397&as_of=2018-06-30")
    fra = _row(june, "FRA")
    assert fra["reported"] is True and fra["version"] == 1 and fra["completeness"] == 100.0
    assert fra["report_id"] == created["id"] and fra["days_late"] == 100
    assert _row(june, "DEU")["reported"] is False

    july = _matrix(client, panel, "resolution=2397&as_of=2018-07-01")
    assert _row(july, "DEU")["reported"] is True
    assert _row(july, "FRA")["version"] == 1

    september = _matrix(client, panel, "resolution=2397&as_of=2018-09-01")
    fra = _row(september, "FRA")
    assert fra["version"] == 2 and fra["completeness"] == 25.0
    assert fra["first_received_at"] == "2018-06-30T23:59:59+00:00"
    assert fra["received_at"] == "2018-09-01T09:00:00+00:00"
    assert fra["flags"] == ["late", "incomplete"]

    now = _matrix(client, panel, "resolution=2397")
    assert _row(now, "FRA")["version"] == 2


def test_an_amendment_cannot_predate_the_version_it_replaces(client, admin, submit,
                                                             report_body):
    created = submit("FRA", 2397, "2018-06-30T10:00:00Z")
    earlier = report_body("FRA", 2397, received_at="2018-06-01T00:00:00Z")
    r = client.put(created["links"]["self"], json=earlier,
                   headers=auth(admin, **{"If-Match": f'"{created["id"]}.v1"'}))
    assert r.status_code == 422
    assert r.get_json()["errors"][0]["pointer"] == "/received_at"


def test_each_flag(client, panel, submit):
    def not_implemented(entries):
        entries[0]["status"] = "not_implemented"
        return entries

    def unsubstantiated(entries):
        entries[0]["legal_basis"] = None
        entries[0]["competent_authority"] = "N/A"
        return entries

    submit("FRA", 2397, "2018-03-01T00:00:00Z")
    submit("DEU", 2397, "2018-03-01T00:00:00Z", entries=lambda e: e[:5])
    submit("ITA", 2397, "2018-03-01T00:00:00Z", entries=not_implemented)
    submit("ESP", 2397, "2018-03-01T00:00:00Z", entries=unsubstantiated)
    submit("PRT", 2397, "2018-04-01T00:00:00Z")
    matrix = _matrix(client, panel, "resolution=2397&as_of=2019-01-01")
    assert _row(matrix, "FRA")["flags"] == []
    assert _row(matrix, "DEU")["flags"] == ["incomplete"]
    assert _row(matrix, "DEU")["completeness"] == 62.5
    assert _row(matrix, "ITA")["flags"] == ["declared_not_implemented"]
    assert _row(matrix, "ITA")["completeness"] == 100.0
    assert _row(matrix, "ESP")["flags"] == ["unsubstantiated"]
    assert _row(matrix, "PRT")["flags"] == ["late"]
    assert _row(matrix, "GRC")["flags"] == ["not_reported", "late"]


def test_rows_agree_with_the_reports_behind_them(client, panel, submit):
    created = submit("FRA", 2397, "2018-03-01T00:00:00Z", entries=lambda e: e[:6])
    report = client.get(created["links"]["self"], headers=auth(panel)).get_json()
    row = _row(_matrix(client, panel, "resolution=2397"), "FRA")
    for field in ("version", "received_at", "first_received_at", "on_time", "days_late",
                  "completeness", "rating", "flags"):
        assert row[field] == report[field], field
    assert row["report_id"] == report["id"]


def test_filters_and_sorting(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T00:00:00Z")
    submit("DEU", 2397, "2018-05-01T00:00:00Z", entries=lambda e: e[:3])
    submit("KEN", 2397, "2018-04-01T00:00:00Z", entries=lambda e: e[:5])
    base = "resolution=2397&as_of=2019-01-01"
    weog = _matrix(client, panel, base + "&un_group=Western European and Others")
    assert weog["total"] == 29 and weog["summary"]["states"] == 193
    incomplete = _matrix(client, panel, base + "&flag=incomplete")
    assert [r["state"] for r in incomplete["items"]] == ["DEU", "KEN"]
    ranked = _matrix(client, panel, base + "&sort=-completeness")
    assert [r["state"] for r in ranked["items"][:3]] == ["FRA", "KEN", "DEU"]
    assert ranked["items"][3]["completeness"] is None
    lowest = _matrix(client, panel, base + "&sort=completeness&rating=incomplete")
    assert [r["state"] for r in lowest["items"]] == ["DEU"]
    late = _matrix(client, panel, base + "&sort=-days_late&flag=late")
    assert late["items"][0]["reported"] is False  # 285 days overdue beats DEU's 40
    assert [r["state"] for r in late["items"] if r["reported"]] == ["DEU", "KEN"]
    r = client.get("/api/v1/compliance?resolution=2397&sort=size", headers=auth(panel))
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "sort"


def test_csv_has_the_same_rows(client, panel, submit):
    submit("FRA", 2397, "2018-03-01T00:00:00Z")
    json_rows = _matrix(client, panel, "resolution=2397&as_of=2019-01-01")["items"]
    for headers, query in (({"Accept": "text/csv"}, ""), ({}, "&format=csv")):
        r = client.get(f"/api/v1/compliance?resolution=2397&as_of=2019-01-01{query}",
                       headers=auth(panel, **headers))
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert r.headers["Content-Disposition"] == (
            'attachment; filename="compliance-2397-as-of-2019-01-01.csv"'
        )
        text = r.get_data().decode("utf-8")
        assert text.startswith(
            "state,name,un_group,resolution,status,deadline,deadline_verified,reported,")
        assert text.endswith("\r\n")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert len(rows) == 193
        fra = next(row for row in rows if row["state"] == "FRA")
        expected = next(row for row in json_rows if row["state"] == "FRA")
        assert fra["completeness"] == "100.0" and fra["on_time"] == "true"
        assert fra["report_id"] == expected["report_id"]
        assert next(row for row in rows if row["state"] == "DEU")["flags"] == "not_reported;late"
        assert fra["demo"] == "false"
        # A state that has not reported is neither real nor demo: the cell is empty.
        assert next(row for row in rows if row["state"] == "DEU")["demo"] == ""
    # JSON stays the default, and wins when preferred.
    r = client.get("/api/v1/compliance?resolution=2397",
                   headers=auth(panel, Accept="application/json, text/csv;q=0.5"))
    assert r.mimetype == "application/json"


def test_csv_quotes_names_with_commas_and_quotes(app, client, panel):
    with app.app_context():
        original = db.session.get(MemberState, 1).name
        db.session.execute(update(MemberState).where(MemberState.id == 1)
                           .values(name='Tricky, "Quoted" Name'))
        db.session.commit()
    try:
        r = client.get("/api/v1/compliance?resolution=2397&format=csv", headers=auth(panel))
        text = r.get_data(as_text=True)
        assert '"Tricky, ""Quoted"" Name"' in text
        rows = list(csv.DictReader(io.StringIO(text)))
        assert 'Tricky, "Quoted" Name' in [row["name"] for row in rows]
    finally:
        with app.app_context():
            db.session.execute(update(MemberState).where(MemberState.id == 1)
                               .values(name=original))
            db.session.commit()


def test_who_may_read_the_matrix(client, make_token):
    reporter = make_token("reporter", "FRA")
    r = client.get("/api/v1/compliance?resolution=2397", headers=auth(reporter))
    assert r.status_code == 403
    assert client.get("/api/v1/compliance?resolution=2397").status_code == 401
    admin = make_token("admin")
    assert client.get("/api/v1/compliance?resolution=2397",
                      headers=auth(admin)).status_code == 200


def test_matrix_errors(client, panel):
    r = client.get("/api/v1/compliance", headers=auth(panel))
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "resolution"
    r = client.get("/api/v1/compliance?resolution=9999", headers=auth(panel))
    assert r.status_code == 404
    r = client.get("/api/v1/compliance?resolution=2397&as_of=2018-02-30", headers=auth(panel))
    assert r.status_code == 422 and r.get_json()["errors"][0]["pointer"] == "as_of"


def test_state_profile(client, panel, make_token, submit):
    submit("FRA", 2397, "2018-03-01T00:00:00Z")
    submit("FRA", 2321, "2017-04-01T00:00:00Z", entries=lambda e: e[:5])
    profile = client.get("/api/v1/compliance/states/FRA?as_of=2019-01-01",
                         headers=auth(panel)).get_json()
    # 11 resolutions of the 1718 regime and 5 of the 1540 regime (2663 is of 2022).
    assert profile["state"] == "FRA" and profile["total"] == 16
    rows = {r["resolution"]: r for r in profile["items"]}
    assert [r["resolution"] for r in profile["items"]] == sorted(rows)
    assert rows[2397]["rating"] == "complete" and rows[2397]["on_time"] is True
    assert rows[2321]["flags"] == ["late", "incomplete"]
    # 1695 requests no national report: not "not reported", and never flagged.
    assert rows[1695]["status"] == "no_report_requested"
    assert (rows[1695]["flags"], rows[1695]["rating"], rows[1695]["days_late"]) == ([], None,
                                                                                   None)
    assert rows[2270]["flags"] == ["not_reported", "late"]
    # Resolutions adopted after the date do not appear.
    early = client.get("/api/v1/compliance/states/FRA?as_of=2016-12-31",
                       headers=auth(panel)).get_json()
    assert max(r["resolution"] for r in early["items"] if r["resolution"] > 2300) == 2325
    assert {r["resolution"] for r in early["items"]} & {2356, 2371, 2375, 2397, 2663} == set()
    own = make_token("reporter", "FRA")
    assert client.get("/api/v1/compliance/states/FRA", headers=auth(own)).status_code == 200
    assert client.get("/api/v1/compliance/states/DEU", headers=auth(own)).status_code == 404
    assert client.get("/api/v1/compliance/states/XYZ", headers=auth(panel)).status_code == 404
    csv_text = client.get("/api/v1/compliance/states/FRA?format=csv",
                          headers=auth(panel)).get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == 17


def test_the_matrix_is_a_fixed_number_of_queries(app, client, panel, admin, submit,
                                                 report_body):
    statements = []

    def count(conn, cursor, statement, *args, **kwargs):
        statements.append(statement)

    def queries():
        statements.clear()
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                _matrix(client, panel, "resolution=2397")
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    submit("FRA", 2397, "2018-03-01T00:00:00Z")
    queries()  # the token's first use records its time once
    small = queries()
    for state in ("DEU", "ITA", "ESP", "JPN", "KOR", "BRA", "ZAF", "IND", "MEX"):
        created = submit(state, 2397, "2018-03-01T00:00:00Z")
        for version in (1, 2):
            body = report_body(state, 2397, received_at=f"2018-0{4 + version}-01T00:00:00Z")
            r = client.put(created["links"]["self"], json=body,
                           headers=auth(admin, **{"If-Match": f'"{created["id"]}.v{version}"'}))
            assert r.status_code == 200
    large = queries()
    assert small == large
    # The token, the resolution, its requirements and their stages, the states, the rows,
    # the incidents on record (none), the resolution's obligation codes, the published
    # contradicted findings on the rows' reports (and SQLite's BEGIN).
    assert large <= 10, statements
    # With incidents on record: the counts per State, the figures below the record and the
    # incidents behind those: at most three queries whatever the number of incidents.
    from .test_incidents import seizure

    def record(n: int) -> None:
        for i in range(n):
            response = client.post("/api/v1/incidents", headers=auth(admin), json=seizure(
                obligations=["2397/9"], occurred_on=f"2018-0{1 + i % 9}-0{1 + i % 9}",
                parties=[{"state": "FRA", "role": "inspecting_state"},
                         {"state": "DEU", "role": "flag_state"}]))
            assert response.status_code == 201, response.get_json()

    record(1)
    assert queries() <= large + 3, statements
    record(9)
    assert queries() <= large + 3, statements
    # As of a past day the versions themselves are read: a fixed number of queries too.
    statements.clear()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            _matrix(client, panel, "resolution=2397&as_of=2020-01-01")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= large + 3, statements


def _typed_row(**changes):
    import datetime as dt

    from app.services.compliance import MatrixRow

    fields = dict(
        state="FRA", name="France", un_group="Western European and Others", resolution=2397,
        status="reported", deadline=dt.date(2018, 3, 22), deadline_verified=False,
        reported=True, report_id="r" + "0" * 20, version=2,
        received_at=dt.datetime(2018, 4, 1, 10, tzinfo=dt.UTC),
        first_received_at=dt.datetime(2018, 3, 1, 10, tzinfo=dt.UTC), on_time=True,
        days_late=0, completeness=72.5, rating="largely_complete", flags=("late",), demo=False,
    )
    return MatrixRow(**{**fields, **changes})


def test_a_summary_fingerprint_hashes_a_row_by_its_content():
    """A typed row hashes as the dict of its fields: same content, same fingerprint; any
    field changed, another one."""
    import dataclasses

    from app.services.summaries import fingerprint

    def digest(rows):
        return fingerprint({"rows": rows}, "application/pdf", "templates", "renderer")

    row = _typed_row()
    assert digest([row]) == digest([_typed_row()]) == digest([dataclasses.asdict(row)])
    assert digest([row]) != digest([_typed_row(completeness=72.6)])
    assert digest([row]) != digest([_typed_row(flags=())])


def test_the_incomplete_flag_starts_below_the_largely_complete_band():
    from app.domain import INCOMPLETE_BELOW
    from app.flags import content_flags
    from app.scoring import rating_for

    assert rating_for(INCOMPLETE_BELOW) == "largely_complete"
    assert content_flags(INCOMPLETE_BELOW, []) == []
    assert content_flags(INCOMPLETE_BELOW - 0.1, []) == ["incomplete"]
    assert rating_for(INCOMPLETE_BELOW - 0.1) == "partially_complete"
