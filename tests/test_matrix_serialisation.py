"""The matrix and a state's profile are written without a schema per row (`dump_row`,
`dump_matrix`, `dump_state_profile` in `schemas.compliance`); the schemas describe them in
the OpenAPI document. Both must give the same bytes: JSON and CSV, on the demo data (every
kind of row: reported, not_reported, not_expected, no_report_requested, nil, demo, periodic,
on-event, with incidents, inconsistencies and contradicting findings) and on every
requirement, now and as of past days."""

from __future__ import annotations

import csv
import datetime as dt
import io

from app.api.compliance import CSV_COLUMNS, _cell, _csv_response, matrix_result
from app.extensions import db
from app.services import compliance as service
from app.services import requirements
from app.services.catalogue import list_resolutions
from schemas.compliance import (
    ComplianceRowSchema,
    MatrixSchema,
    StateProfileSchema,
    dump_matrix,
    dump_row,
    dump_state_profile,
)

from .helpers import auth
from .test_requirement_matrix import file  # noqa: F401  (a fixture)


def _reference_csv(rows: list[service.MatrixRow]) -> bytes:
    """The CSV as the schema writes it: each row dumped by `ComplianceRowSchema`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in ComplianceRowSchema().dump(rows, many=True):
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
    return out.getvalue().encode("utf-8")


def _every_matrix(app) -> list[dict]:
    """The matrix of every resolution's general report and of every requirement and stage,
    now and as of two past days, as `matrix_result` answers it (dict bodies)."""
    bodies = []
    with app.test_request_context():
        resolutions, _ = list_resolutions(db.session, 1, 10_000)
        for resolution in resolutions:
            subjects = [{"resolution": resolution.number}] + [
                {"requirement": a.code}
                for a in requirements.everything_answerable(resolution)]
            days = [None, dt.date(2020, 6, 30), dt.date.today() - dt.timedelta(days=1)]
            for subject in subjects:
                for as_of in days:
                    if as_of is not None and as_of < resolution.adopted_on:
                        continue
                    body = matrix_result({**subject, "as_of": as_of, "sort": "name",
                                          "format": "json"})
                    assert isinstance(body, dict)
                    bodies.append(body)
        db.session.remove()
    return bodies


def test_hand_written_rows_are_the_schemas_bytes_on_the_demo_data(app, client, runner,
                                                                    make_token, file):  # noqa: F811
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    # The demo data has no on-event report: two events of one State.
    file("NLD", "2094/R-17-refusal", "2018-05-11T09:00:00Z", event_on="2018-05-01")
    file("NLD", "2094/R-17-refusal", "2018-09-11T09:00:00Z", event_on="2018-09-01")
    panel = make_token("panel")
    bodies = _every_matrix(app)
    rows = [row for body in bodies for row in body["items"]]

    # Every kind of row is among them, so the comparison covers each branch of `dump_row`.
    statuses = {row.status for row in rows}
    assert statuses == {"reported", "not_reported", "not_expected", "no_report_requested"}
    assert any(row.nil for row in rows) and any(row.nil is False for row in rows)
    assert any(row.demo for row in rows)
    assert any(row.contradicted for row in rows)
    assert any(row.incidents for row in rows) and any(row.unreported_incidents for row in rows)
    assert any(row.inconsistencies for row in rows)
    assert any(row.missed_periods for row in rows)
    assert any(row.events for row in rows)
    assert any(row.days_late for row in rows) and any(row.on_time for row in rows)
    assert any(row.completeness is not None for row in rows)

    schema = MatrixSchema()
    with app.app_context():
        for body in bodies:
            assert list(dump_matrix(body)) == list(schema.dump(body))
            mine = app.json.response(dump_matrix(body)).get_data()
            theirs = app.json.response(schema.dump(body)).get_data()
            assert mine == theirs, body["requirement"]
            assert _csv_response(body["items"], "x.csv").get_data() == _reference_csv(
                body["items"])
        # A paged body carries page and page_size, in the schema's place.
        paged = {**bodies[0], "page": 2, "page_size": 10, "items": bodies[0]["items"][10:20]}
        assert app.json.response(dump_matrix(paged)).get_data() == app.json.response(
            schema.dump(paged)).get_data()

    # The row's fields are the schema's, in its order: the CSV's columns follow it.
    assert tuple(dump_row(rows[0])) == CSV_COLUMNS == tuple(ComplianceRowSchema().dump_fields)

    # A State's profile, through the API and through the schema.
    with app.test_request_context():
        for iso3 in ("FRA", "PRK", "DEU"):
            state, cutoff, general, every = service.state_profile(db.session, iso3, None)
            body = {"state": state.iso3, "name": state.name, "un_group": state.un_group,
                    "as_of": cutoff.as_of, "demo": any(r.demo for r in general),
                    "total": len(general), "items": general, "requirements": every}
            assert app.json.response(dump_state_profile(body)).get_data() == (
                app.json.response(StateProfileSchema().dump(body)).get_data())
        db.session.remove()

    # The response itself is what the schema would have written.
    r = client.get("/api/v1/compliance?resolution=2397", headers=auth(panel))
    assert r.status_code == 200 and r.mimetype == "application/json"
    with app.test_request_context():
        body = matrix_result({"resolution": 2397, "sort": "name", "format": "json"})
        assert isinstance(body, dict)
        assert r.get_data() == app.json.response(MatrixSchema().dump(body)).get_data()
        db.session.remove()
