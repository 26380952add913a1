"""Submissions check and score against a per-process snapshot of the catalogue: reused while
the catalogue's revision is unchanged, rebuilt as soon as `catalogue load` changes anything."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.services import catalogue_snapshot
from app.services.authorities import create_authority
from tests.helpers import auth, edit_json, full_entry


@pytest.fixture()
def loaded(migrated):
    """A fresh database with the bundled catalogue, and an admin token."""
    runner = migrated.test_cli_runner()
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0
    with migrated.app_context():
        token = create_authority(db.session, "snapshot admin", "admin", None).plaintext
        db.session.remove()
    return migrated, token


def _obligation(code: str) -> dict:
    return {"code": code, "expects": ["legal_basis", "competent_authority", "measures",
                                      "enforcement", "evidence"]}


def _submit(application, token: str, state: str, codes: list[str]):
    body = {"state": state, "resolution": 2397, "language": "en",
            "entries": [full_entry(_obligation(code)) for code in codes]}
    return application.test_client().post("/api/v1/reports", json=body, headers=auth(token))


def _max_points(application, token: str, report_id: str, code: str) -> float:
    score = application.test_client().get(f"/api/v1/reports/{report_id}/score",
                                          headers=auth(token)).get_json()
    return next(o["max_points"] for o in score["obligations"] if o["code"] == code)


def _resolution(doc: dict, number: int) -> dict:
    return next(r for r in doc["resolutions"] if r["number"] == number)


def test_a_changed_weight_is_seen_by_the_next_submission(loaded, data_copy):
    application, token = loaded
    first = _submit(application, token, "FRA", ["2397/7"])
    assert first.status_code == 201, first.get_json()
    before = _max_points(application, token, first.get_json()["id"], "2397/7")

    def reweigh(doc):
        obligation = next(o for o in _resolution(doc, 2397)["obligations"]
                          if o["code"] == "2397/7")
        obligation["weight"] = 7

    edit_json(data_copy / "regimes" / "1718-dprk.json", reweigh)
    result = application.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)])
    assert result.exit_code == 0, result.output

    second = _submit(application, token, "DEU", ["2397/7"])
    assert second.status_code == 201, second.get_json()
    after = _max_points(application, token, second.get_json()["id"], "2397/7")
    assert after == before * 7 / 2  # 2397/7 weighed 2 before the load
    # The first report keeps the score it was given when it was received.
    assert _max_points(application, token, first.get_json()["id"], "2397/7") == before


def test_an_added_obligation_is_accepted_by_the_next_submission(loaded, data_copy):
    application, token = loaded
    refused = _submit(application, token, "FRA", ["2397/7", "2397/99"])
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["pointer"] == "/entries/1/obligation"

    def add(doc):
        resolution = _resolution(doc, 2397)
        template = next(o for o in resolution["obligations"] if o["code"] == "2397/7")
        resolution["obligations"].append({**template, "code": "2397/99", "paragraph": "99"})

    edit_json(data_copy / "regimes" / "1718-dprk.json", add)
    result = application.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)])
    assert result.exit_code == 0, result.output

    accepted = _submit(application, token, "FRA", ["2397/7", "2397/99"])
    assert accepted.status_code == 201, accepted.get_json()
    assert [e["obligation"] for e in accepted.get_json()["entries"]] == ["2397/7", "2397/99"]


def test_an_unchanged_catalogue_is_not_read_again(loaded):
    application, token = loaded
    assert _submit(application, token, "FRA", ["2397/7"]).status_code == 201
    statements: list[str] = []

    def count(conn, cursor, statement, *args):  # noqa: ARG001
        statements.append(statement.lower())

    with application.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _submit(application, token, "DEU", ["2397/7"]).status_code == 201
    finally:
        event.remove(engine, "before_cursor_execute", count)
    read = [s for s in statements if s.lstrip().startswith("select")]
    catalogue = ("from member_state", "from resolution", "from obligation",
                 "from reporting_requirement", "from requirement_stage")
    assert not [s for s in read if any(table in s for table in catalogue)], read
    assert any("from data_revision" in s for s in read)  # the counter is checked each time


def test_a_snapshot_holds_no_rows_of_a_session(loaded):
    application, _ = loaded
    with application.app_context():
        snapshot = catalogue_snapshot.current(db.session)
        resolution = catalogue_snapshot.resolution(db.session, snapshot, 2397)
        assert catalogue_snapshot.resolution(db.session, snapshot, 1) is None  # no such one
        db.session.remove()
    assert resolution is not None
    objects = [resolution, resolution.regime, *resolution.obligations,
               *resolution.reporting_requirements, *snapshot.states.values()]
    for requirement in resolution.reporting_requirements:
        objects += [*requirement.stages, *requirement.obligations, requirement.resolution]
    assert not [o for o in objects if hasattr(o, "_sa_instance_state")]
