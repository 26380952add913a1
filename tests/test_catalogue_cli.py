"""`flask --app wsgi catalogue load`: loads, reloads without change, updates, never deletes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.migrations import upgrade
from app.models import MemberState, Obligation, Resolution
from tests.helpers import FORMAT_1_DATA, edit_json, insert_format_1_catalogue


def test_first_load_adds_everything_then_nothing_changes(migrated):
    runner = migrated.test_cli_runner()
    first = runner.invoke(args=["catalogue", "load"])
    assert first.exit_code == 0, first.output
    # 193 states; the 1718 regime: 1 regime + 11 resolutions + 99 obligations + 16 reporting
    # requirements + 2 stages; the 1540 regime: 1 + 6 resolutions + 7 obligations + 21
    # requirements
    assert "added: 357" in first.output
    assert "changed: 0" in first.output
    second = runner.invoke(args=["catalogue", "load"])
    assert second.exit_code == 0, second.output
    assert "added: 0" in second.output
    assert "changed: 0" in second.output
    assert "unchanged: 357" in second.output
    with migrated.app_context():
        assert len(db.session.scalars(select(MemberState)).all()) == 193
        assert len(db.session.scalars(select(Obligation)).all()) == 106


def test_loading_the_revised_catalogue_over_the_previous_one_says_what_changed(app_factory):
    """A database loaded by the previous release (data format 1), upgraded, then reloaded."""
    application = app_factory("format1")
    upgrade(application, "0003")
    with application.app_context():
        insert_format_1_catalogue(db.engine)
    upgrade(application)
    runner = application.test_cli_runner()
    result = runner.invoke(args=["catalogue", "load", "-v"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()

    def change(label):
        (line,) = [line for line in lines if line.startswith(f"  ~ {label} (")]
        return line

    # 3 obligations, 16 reporting requirements, 2 stages; and the 1540 regime (1 regime, 6
    # resolutions, 7 obligations, 21 requirements)
    assert "added: 56" in lines
    assert {"  + obligation 2321/24", "  + obligation 2094/24", "  + obligation 2321/46"} <= set(
        lines
    )
    # 2270/20 only calls upon States: no longer binding, weight 1.
    assert "binding: true -> false" in change("obligation 2270/20")
    assert "weight: 2 -> 1" in change("obligation 2270/20")
    # Verified flags, both ways; sources and plain verification notes.
    assert "verified: false -> true" in change("obligation 1718/8(c)")
    assert "verified: true -> false" in change("obligation 1718/8(e)")
    assert 'paragraph: null -> "6"' in change("obligation 2397/u1")
    assert "source" in change("obligation 2397/8")
    assert "verification_note" in change("obligation 2397/8")
    # Resolutions: meeting numbers, the one verified reporting deadline.
    assert 'meeting: null -> "8019th"' in change("resolution 2371")
    assert 'meeting: null -> "8042nd"' in change("resolution 2375")
    assert "reporting_deadline_verified: false -> true" in change("resolution 2094")
    assert "reporting_paragraph_verified: false -> true" in change("resolution 2094")
    assert "reporting_deadline_verified" not in change("resolution 2397")

    with application.app_context():
        ob = db.session.scalar(select(Obligation).where(Obligation.code == "2397/8"))
        assert "forum" not in ob.source and "5ch" not in ob.source
        assert ob.verification_note.startswith("Paragraph text read")
        db.session.remove()

    again = runner.invoke(args=["catalogue", "load"])
    assert again.exit_code == 0, again.output
    assert "added: 0" in again.output and "changed: 0" in again.output
    assert "unchanged: 357" in again.output


def test_a_format_1_file_is_refused_with_a_pointer_to_the_format(migrated):
    result = migrated.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(FORMAT_1_DATA)]
    )
    assert result.exit_code != 0
    assert "nothing was loaded" in result.output
    assert "/format: format 1 is not read: regime files are format 2" in result.output


def test_a_changed_summary_updates_the_row_and_says_so(migrated, data_copy):
    runner = migrated.test_cli_runner()
    assert runner.invoke(args=["catalogue", "load"]).exit_code == 0

    def change(doc):
        res = [r for r in doc["resolutions"] if r["number"] == 2397][0]
        res["obligations"][3]["summary"] = "A new summary of paragraph 7."

    edit_json(data_copy / "regimes" / "1718-dprk.json", change)
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
                "source": "No published source found; check against S/RES/2999 (2030)",
                "verification_note": "Neither content nor paragraph number confirmed.",
            }],
        })

    edit_json(data_copy / "regimes" / "1718-dprk.json", add)
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

    edit_json(data_copy / "regimes" / "1718-dprk.json", drop)
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

    edit_json(data_copy / "regimes" / "1718-dprk.json", corrupt)
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

    edit_json(data_copy / "regimes" / "1718-dprk.json", dup)
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
    wmd, regime = regimes
    assert [r["number"] for r in wmd["resolutions"]] == [1540, 1673, 1810, 1977, 2325, 2663]
    assert wmd["regime"]["target_state"] is None
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
            assert ob["verification_note"], ob["code"]
            if ob["paragraph"] is None:
                assert ob["verified"] is False
        general = [q for q in res["reporting_requirements"]
                   if q["code"] == f"{res['number']}/R-general"]
        if res["reporting_deadline_days"] is None:
            assert not general and res["reporting_note"]
        else:
            assert general[0]["due_days_after_adoption"] == res["reporting_deadline_days"]
            assert res["reporting_deadline_verified"] is general[0]["verified"]
    obligations = [ob for res in regime["resolutions"] for ob in res["obligations"]]
    requirements = [q for res in regime["resolutions"] for q in res["reporting_requirements"]]
    assert (len(obligations), sum(ob["verified"] for ob in obligations)) == (99, 47)
    assert (len(requirements), sum(q["verified"] for q in requirements)) == (16, 8)
    no_report = {r["number"] for r in regime["resolutions"] if r["reporting_deadline_days"] is None}
    assert no_report == {1695, 2087, 2356}


def _res(doc, number):
    return next(r for r in doc["resolutions"] if r["number"] == number)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: _res(d, 2397)["obligations"][0].update(expects=["legal_basis", "proof"]),
         "/resolutions/10/obligations/0/expects/1: Must be one of"),
        (lambda d: _res(d, 2397)["obligations"][0].update(code="2397-4"),
         "/resolutions/10/obligations/0/code: <resolution>/<paragraph>"),
        (lambda d: _res(d, 2397)["obligations"][0].update(verification_note=""),
         "/resolutions/10/obligations/0/verification_note"),
        (lambda d: _res(d, 2397)["obligations"][0].update(source=None),
         "/resolutions/10/obligations/0/source"),
        (lambda d: _res(d, 2397)["reporting_requirements"][1].update(obligations="some"),
         "/resolutions/10/reporting_requirements/1/obligations"),
        (lambda d: _res(d, 2397)["reporting_requirements"][1].update(period_days=30),
         "/resolutions/10/reporting_requirements/1/period_days: must be null for kind 'staged'"),
        (lambda d: _res(d, 2397)["reporting_requirements"][1].update(obligations=["2397/99"]),
         "/resolutions/10/reporting_requirements/1/obligations/0: 2397/99 is not an "
         "obligation of resolution 2397"),
        (lambda d: _res(d, 2397)["reporting_requirements"][0].update(due="2018-03-23"),
         "/resolutions/10/reporting_requirements/0/due: due is not adoption"),
        (lambda d: _res(d, 2397).update(reporting_deadline_verified=True),
         "/resolutions/10/reporting_deadline_verified: true but no verified general request"),
    ],
)
def test_a_regime_file_that_breaks_the_format_is_refused(migrated, data_copy, change, message):
    edit_json(data_copy / "regimes" / "1718-dprk.json", change)
    result = migrated.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)]
    )
    assert result.exit_code != 0
    assert "nothing was loaded" in result.output
    assert message in result.output


@pytest.mark.parametrize(
    "state, message",
    [({"iso3": "fra"}, "/states/0/iso3"), ({"un_group": "Nordic"}, "/states/0/un_group")],
)
def test_a_bad_member_state_is_refused(migrated, data_copy, state, message):
    edit_json(data_copy / "member_states.json", lambda d: d["states"][0].update(state))
    result = migrated.test_cli_runner().invoke(
        args=["catalogue", "load", "--path", str(data_copy)]
    )
    assert result.exit_code != 0 and message in result.output
