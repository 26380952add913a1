"""`flask --app wsgi catalogue load`: loads, reloads without change, updates, never deletes."""

from __future__ import annotations

import json
import shutil

import pytest
from sqlalchemy import select

from app.catalogue import DATA_DIR
from app.extensions import db
from app.migrations import upgrade
from app.models import MemberState, Obligation, Resolution


@pytest.fixture()
def migrated(app_factory):
    application = app_factory("cli")
    upgrade(application)
    return application


@pytest.fixture()
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit(path, change):
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2), encoding="utf-8")


def test_first_load_adds_everything_then_nothing_changes(migrated):
    runner = migrated.test_cli_runner()
    first = runner.invoke(args=["catalogue", "load"])
    assert first.exit_code == 0, first.output
    # 193 states + 1 regime + 11 resolutions + 96 obligations
    assert "added: 301" in first.output
    assert "changed: 0" in first.output
    second = runner.invoke(args=["catalogue", "load"])
    assert second.exit_code == 0, second.output
    assert "added: 0" in second.output
    assert "changed: 0" in second.output
    assert "unchanged: 301" in second.output
    with migrated.app_context():
        assert len(db.session.scalars(select(MemberState)).all()) == 193
        assert len(db.session.scalars(select(Obligation)).all()) == 96


def test_a_changed_summary_updates_the_row_and_says_so(migrated, data_copy):
    runner = migrated.test_cli_runner()
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0

    def change(doc):
        res = [r for r in doc["resolutions"] if r["number"] == 2397][0]
        res["obligations"][3]["summary"] = "A new summary of paragraph 7."

    _edit(data_copy / "regimes" / "1718-dprk.json", change)
    result = runner.invoke(args=["catalogue", "load", "--path", str(data_copy)])
    assert result.exit_code == 0, result.output
    assert "changed: 1" in result.output
    assert "obligation 2397/7 (summary)" in result.output
    assert "added: 0" in result.output
    with migrated.app_context():
        ob = db.session.scalar(select(Obligation).where(Obligation.code == "2397/7"))
        assert ob.summary == "A new summary of paragraph 7."
    client = migrated.test_client()
    obligations = client.get("/api/v1/resolutions/2397").get_json()["obligations"]
    assert obligations[3]["summary"] == "A new summary of paragraph 7."


def test_a_new_resolution_is_a_data_change(migrated, data_copy):
    runner = migrated.test_cli_runner()

    def add(doc):
        doc["resolutions"].append({
            "number": 2999, "year": 2030, "symbol": "S/RES/2999 (2030)",
            "adopted_on": "2030-01-15", "title": "A resolution added as data",
            "reporting_deadline_days": 60,
            "obligations": [{
                "code": "2999/3", "paragraph": "3", "category": "arms embargo",
                "summary": "Test obligation.", "binding": True, "weight": 2,
                "expects": ["legal_basis", "measures"], "verified": False,
            }],
        })

    _edit(data_copy / "regimes" / "1718-dprk.json", add)
    result = runner.invoke(args=["catalogue", "load", "--path", str(data_copy)])
    assert result.exit_code == 0, result.output
    body = migrated.test_client().get("/api/v1/resolutions/2999").get_json()
    assert body["reporting_deadline"] == "2030-03-16"
    assert [o["code"] for o in body["obligations"]] == ["2999/3"]


def test_rows_missing_from_the_data_are_kept_and_reported(migrated, data_copy):
    runner = migrated.test_cli_runner()
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0

    def drop(doc):
        doc["resolutions"] = [r for r in doc["resolutions"] if r["number"] != 2356]

    _edit(data_copy / "regimes" / "1718-dprk.json", drop)
    result = runner.invoke(args=["catalogue", "load", "-v", "--path", str(data_copy)])
    assert result.exit_code == 0, result.output
    assert "kept (in the database, not in the data; never deleted): 2" in result.output
    assert "  = resolution 2356" in result.output
    assert "  = obligation 2356/u1" in result.output
    with migrated.app_context():
        assert db.session.scalar(select(Resolution).where(Resolution.number == 2356))


def test_a_bad_file_loads_nothing_and_names_the_problem(migrated, data_copy):
    runner = migrated.test_cli_runner()

    def corrupt(doc):
        doc["resolutions"][2]["obligations"][0]["weight"] = "heavy"

    _edit(data_copy / "regimes" / "1718-dprk.json", corrupt)
    result = runner.invoke(args=["catalogue", "load", "--path", str(data_copy)])
    assert result.exit_code != 0
    assert "nothing was loaded" in result.output
    assert "/resolutions/2/obligations/0/weight" in result.output
    with migrated.app_context():
        assert db.session.scalars(select(MemberState)).first() is None


def test_duplicate_codes_are_refused(migrated, data_copy):
    def dup(doc):
        res = doc["resolutions"][-1]
        res["obligations"].append(dict(res["obligations"][0]))

    _edit(data_copy / "regimes" / "1718-dprk.json", dup)
    result = migrated.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)]
    )
    assert result.exit_code != 0
    assert "2397/4 is repeated" in result.output


def test_load_before_migrations_says_what_to_do(app_factory):
    result = app_factory("empty").test_cli_runner().invoke(args=["catalogue", "load"])
    assert result.exit_code != 0
    assert "db upgrade" in result.output


def test_bundled_catalogue_is_consistent():
    from app.services.catalogue import read_catalogue

    states, regimes = read_catalogue()
    assert len(states["states"]) == 193
    (regime,) = regimes
    numbers = [r["number"] for r in regime["resolutions"]]
    assert numbers == [1695, 1718, 1874, 2087, 2094, 2270, 2321, 2356, 2371, 2375, 2397]
    for res in regime["resolutions"]:
        assert res["symbol"] == f"S/RES/{res['number']} ({res['year']})"
        assert res["adopted_on"].year == res["year"]
        for ob in res["obligations"]:
            assert ob["code"].startswith(f"{res['number']}/")
            assert ob["weight"] == (2 if ob["binding"] else 1)
            assert ob["expects"], ob["code"]
            assert ob["source"], ob["code"]
            if ob["paragraph"] is None:
                assert ob["verified"] is False
    no_report = {r["number"] for r in regime["resolutions"] if r["reporting_deadline_days"] is None}
    assert no_report == {1695, 2087, 2356}
