"""Upgrading a database with data in it, revision by revision, loses nothing."""

from __future__ import annotations

import json

from sqlalchemy import func, inspect, select, text

from app.auth import COMMAND_LINE
from app.extensions import db
from app.migrations import current_revisions, downgrade, head_revisions, upgrade
from app.models import AuditEvent, Entry, MemberState, Report, ReportVersion
from app.services.authorities import create_authority
from app.services.catalogue import load_catalogue
from app.services.reports import backfill
from tests.helpers import auth, full_entry, insert_format_1_catalogue


def _revision(app):
    with app.app_context(), db.engine.connect() as conn:
        return current_revisions(conn)


def test_every_row_survives_the_upgrades_with_its_meaning(app_factory):
    app = app_factory("upgrade")
    upgrade(app, "0001")
    assert _revision(app) == {"0001"}
    with app.app_context():
        assert not inspect(db.engine).has_table("report")
        # The catalogue as the first release loaded it (data format 1).
        insert_format_1_catalogue(db.engine)
        obligations = _obligation_rows(db.engine)
        db.session.remove()

    upgrade(app, "0003")
    with app.app_context():
        assert _obligation_rows(db.engine) == obligations
        assert db.session.scalar(select(func.count()).select_from(MemberState)) == 193
        db.session.remove()

    upgrade(app)
    assert _revision(app) == head_revisions()
    with app.app_context():
        # Codes, summaries, weights and expected elements are untouched by the upgrade;
        # the revised catalogue comes with `catalogue load`.
        assert _obligation_rows(db.engine) == obligations
        report = load_catalogue(db.session)
        added_obligations = [a for a in report.added if a.startswith("obligation ")
                             and not a.startswith("obligation 1540/")]
        assert added_obligations == ["obligation 2094/24", "obligation 2321/24",
                                     "obligation 2321/46"]
        # The 1718 regime's reporting requirements and stages, and the 1540 regime whole
        # (the regime, 6 resolutions, 7 obligations, 21 reporting requirements).
        dprk = [a for a in report.added if "1540" not in a and not any(
            a.startswith(f"resolution {n}") or a.startswith(f"reporting requirement {n}/")
            for n in (1673, 1810, 1977, 2325, 2663))]
        assert len(dprk) == 3 + 16 + 2
        assert len(report.added) - len(dprk) == 1 + 6 + 7 + 21
        token = create_authority(db.session, "Panel", "panel", None).plaintext
        resolution = app.test_client().get("/api/v1/resolutions/2397").get_json()
        body = {"state": "JPN", "resolution": 2397, "language": "ja",
                "received_at": "2018-03-01T09:00:00+09:00",
                "entries": [full_entry(o) for o in resolution["obligations"][:6]]}
        amended = {**body, "received_at": "2018-05-01T00:00:00Z",
                   "entries": [full_entry(o) for o in resolution["obligations"]]}
        backfill(db.session, COMMAND_LINE, [body, amended])
        obligations = _obligation_rows(db.engine)
        db.session.remove()

    # Down to the first schema with reports and up again: reports and catalogue survive.
    downgrade(app, "0002")
    assert _revision(app) == {"0002"}
    upgrade(app)
    with app.app_context():
        assert _obligation_rows(db.engine) == obligations
        # The requirements went with the downgrade; `catalogue load` brings them back and
        # attaches the report to its resolution's general report again.
        assert "1 report(s) attached to their resolution's `once` requirement" in (
            load_catalogue(db.session).changed)
        db.session.commit()
        assert db.session.scalar(select(Report.answers)) == "2397/R-general"
        assert db.session.scalar(select(func.count()).select_from(Report)) == 1
        assert db.session.scalar(select(func.count()).select_from(ReportVersion)) == 2
        assert db.session.scalar(select(func.count()).select_from(Entry)) == 6 + 8
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 3
        db.session.remove()
    client = app.test_client()
    matrix = client.get("/api/v1/compliance?resolution=2397&as_of=2018-03-31",
                        headers=auth(token)).get_json()
    japan = next(row for row in matrix["items"] if row["state"] == "JPN")
    assert japan["completeness"] == 75.0 and japan["on_time"] is True
    assert japan["first_received_at"] == "2018-03-01T00:00:00+00:00"
    report = client.get(f"/api/v1/reports/{japan['report_id']}", headers=auth(token)).get_json()
    assert report["version"] == 2 and report["completeness"] == 100.0
    first = client.get(f"/api/v1/reports/{japan['report_id']}/versions/1",
                       headers=auth(token)).get_json()
    assert first["document"] == body


def _obligation_rows(engine) -> dict[str, tuple]:
    """Obligations as stored, read with the columns every revision has."""
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, summary, weight, expects, verified FROM obligation"))
        return {code: (summary, weight, expects if isinstance(expects, list)
                       else json.loads(expects), bool(verified))
                for code, summary, weight, expects, verified in rows}


def _insert_report(engine, iso3: str, number: int, received_at: str) -> None:
    """A report and its one version, written with the tables as revision 0003 has them."""
    import datetime as dt

    from sqlalchemy import MetaData, insert

    meta = MetaData()
    meta.reflect(engine, only=["report", "report_version", "member_state", "resolution"])
    t = meta.tables
    when = dt.datetime.fromisoformat(received_at)
    with engine.begin() as conn:
        state_id = conn.execute(select(t["member_state"].c.id)
                                .where(t["member_state"].c.iso3 == iso3)).scalar_one()
        resolution_id = conn.execute(select(t["resolution"].c.id)
                                     .where(t["resolution"].c.number == number)).scalar_one()
        report_id = conn.execute(insert(t["report"]).values(
            public_id="r" + f"{number}{iso3.encode().hex()}".ljust(20, "0")[:20],
            state_id=state_id, resolution_id=resolution_id, current_version=1,
            first_received_at=when, is_demo=False, created_at=when,
        )).inserted_primary_key[0]
        conn.execute(insert(t["report_version"]).values(
            report_id=report_id, number=1, received_at=when, language="en",
            document={"state": iso3, "resolution": number}, completeness=50.0,
            rating="partially_complete", score_method="completeness-1", score={},
            content_flags=[],
        ))


def test_existing_reports_come_to_answer_their_resolution_s_once_requirement(app_factory):
    """0008 attaches each report to its resolution's `once` requirement where the catalogue
    has it; `catalogue load` attaches the rest; a report on a resolution that requests no
    report keeps answering none, and nothing is lost."""
    from sqlalchemy import MetaData, insert

    app = app_factory("requirements")
    upgrade(app, "0003")
    with app.app_context():
        insert_format_1_catalogue(db.engine)
        for iso3, number in (("FRA", 2397), ("JPN", 2270), ("EGY", 1695)):
            _insert_report(db.engine, iso3, number, "2018-03-01T10:00:00+00:00")
        db.session.remove()
    upgrade(app, "0007")
    with app.app_context():
        # 2397's general requirement is in the catalogue before 0008 runs; 2270's is not.
        meta = MetaData()
        meta.reflect(db.engine, only=["reporting_requirement", "resolution"])
        t = meta.tables
        with db.engine.begin() as conn:
            resolution_id = conn.execute(select(t["resolution"].c.id)
                                         .where(t["resolution"].c.number == 2397)).scalar_one()
            conn.execute(insert(t["reporting_requirement"]).values(
                resolution_id=resolution_id, code="2397/R-general", position=1,
                kind="once", due_days_after_adoption=90, applies_to="all", binding=False,
                verified=False, source="-", verification_note="-", covers_all=True))
        db.session.remove()
    upgrade(app, "0008")
    with app.app_context():
        rows = dict(db.session.execute(
            select(Report.answers, Report.requirement_id.is_not(None))
        ).all())
        assert rows == {"2397/R-general": True, "2270": False, "1695": False}
        assert db.session.scalar(select(func.count()).select_from(ReportVersion)) == 3
        db.session.remove()
    upgrade(app)  # the later revisions, as an operator runs them before `catalogue load`
    with app.app_context():
        loaded = load_catalogue(db.session)
        db.session.commit()
        assert "1 report(s) attached to their resolution's `once` requirement" in loaded.changed
        answers = set(db.session.scalars(select(Report.answers)))
        assert answers == {"2397/R-general", "2270/R-general", "1695"}
        token = create_authority(db.session, "Panel", "panel", None).plaintext
        db.session.remove()
    client = app.test_client()
    reports = client.get("/api/v1/reports", headers=auth(token)).get_json()["items"]
    assert {(r["resolution"], r["requirement"]) for r in reports} == {
        (2397, "2397/R-general"), (2270, "2270/R-general"), (1695, None)}
    # The reports' key is now what they answer: the general report and a stage of 2397
    # are two reports of one state.
    matrix = client.get("/api/v1/compliance?resolution=2270&as_of=2018-03-31",
                        headers=auth(token)).get_json()
    japan = next(row for row in matrix["items"] if row["state"] == "JPN")
    assert japan["status"] == "reported" and japan["completeness"] == 50.0
    # And back: the previous schema can hold these reports.
    downgrade(app, "0007")
    upgrade(app)
